//! `custody index serve`: flags resolved into the workflow's options, the
//! server bound, its address printed, then served until stopped.

use std::path::PathBuf;
use std::time::Duration;

use custody::policy::{IndexPolicy, Policy};
use custody::workflow::index::{self as flow, IndexError, ServeOptions, Upstream};

use crate::cli::IndexServeArgs;
use crate::exit::{CliError, CmdResult, Exit};
use crate::output;

pub fn serve(args: &IndexServeArgs) -> CmdResult {
    let home = super::home()?;
    let policy = match &args.policy {
        Some(p) => Policy::load(p).map_err(CliError::bad_input)?.index,
        None => IndexPolicy::default(),
    };
    let upstream = if args.upstream.contains("://") {
        Upstream::Url(args.upstream.clone())
    } else {
        Upstream::Dir(PathBuf::from(&args.upstream))
    };
    let now = match std::env::var("CUSTODY_NOW") {
        Ok(s) if !s.is_empty() => Some(super::now()?),
        _ => None,
    };
    let options = ServeOptions {
        upstream,
        listen: args.listen,
        cache: args
            .cache
            .clone()
            .unwrap_or_else(|| ServeOptions::default_cache(&home)),
        log: args
            .log
            .clone()
            .unwrap_or_else(|| ServeOptions::default_log(&home)),
        policy,
        home,
        timeout: Duration::from_secs(args.timeout.max(1)),
        now,
        ca_bundle: args.ca_bundle.clone(),
    };
    let log = options.log.clone();
    let server = flow::bind(options).map_err(bind_error)?;
    let addr = server.local_addr().map_err(CliError::internal)?;
    output::note(&format!(
        "custody index: serving http://{addr}/simple/ (decisions in {})",
        log.display()
    ));
    server.run().map_err(CliError::internal)?;
    Ok(Exit::Success)
}

fn bind_error(e: IndexError) -> CliError {
    match e {
        e @ (IndexError::NotLoopback(_) | IndexError::NoFolder(_) | IndexError::BadUpstream(_)) => {
            CliError::bad_input(e)
        }
        e @ IndexError::CaBundle { .. } => CliError::bad_input(e)
            .with_hint("--ca-bundle (or SSL_CERT_FILE) must name a file of PEM certificates"),
        e @ IndexError::Bind { .. } => CliError::bad_input(e)
            .with_hint("pick another port with --listen 127.0.0.1:PORT (0: any free port)"),
        e @ IndexError::Advisories(_) => CliError::bad_input(e)
            .with_hint("`custody db import` the advisory source again, or `custody db status`"),
        e @ IndexError::Io { .. } => CliError::internal(e),
    }
}
