//! `custody index serve` and `custody index mirror`: flags resolved into
//! the workflow's options, then served until stopped, or mirrored.

use std::path::PathBuf;
use std::time::Duration;

use custody::policy::{IndexPolicy, Policy};
use custody::workflow::index::evidence::{self, SessionKind};
use custody::workflow::index::mirror::{self, MirrorError};
use custody::workflow::index::{self as flow, IndexError, ServeOptions, Upstream};

use crate::cli::{IndexMirrorArgs, IndexServeArgs, VetArgs};
use crate::commands::key;
use crate::exit::{CliError, CmdResult, Exit};
use crate::{output, render};

/// The options `index serve`, `index mirror` and `guard` share.
pub fn options(args: &VetArgs, listen: std::net::SocketAddr) -> Result<ServeOptions, CliError> {
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
    Ok(ServeOptions {
        upstream,
        listen,
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
        trusted: key::read_public(&args.trust)?,
    })
}

pub fn serve(args: &IndexServeArgs) -> CmdResult {
    let options = options(&args.vet, args.listen)?;
    let recorder = super::decisions::from_args(&args.record, &options)?;
    // Blocked before any thread starts, so every thread inherits the mask
    // and a stop signal is read here: what is pending gets recorded.
    let signals = match &recorder {
        Some(_) => Some(custody::run::Signals::block().map_err(CliError::internal)?),
        None => None,
    };
    let log = options.log.clone();
    let server = flow::bind(&options).map_err(bind_error)?;
    let addr = server.local_addr().map_err(CliError::internal)?;
    output::note(&format!(
        "custody index: serving http://{addr}/simple/ (decisions in {})",
        log.display()
    ));
    let (Some(recorder), Some(signals)) = (recorder, signals) else {
        server.run().map_err(CliError::internal)?;
        return Ok(Exit::Success);
    };
    let (writer, _thread) = evidence::spawn_batches(
        recorder,
        options.now,
        Box::new(|r| {
            super::decisions::report(r);
        }),
    );
    let signal = server.run_until_stopped(&signals, &writer, Duration::from_secs(30));
    output::note(&format!("custody index: stopped by signal {signal}"));
    Ok(Exit::Step(u8::try_from(128 + signal).unwrap_or(255)))
}

pub fn mirror(args: &IndexMirrorArgs) -> CmdResult {
    let options = options(&args.vet, std::net::SocketAddr::from(([127, 0, 0, 1], 0)))?;
    let signing = key::read_private(&args.key, args.passphrase_env.as_deref())?;
    let recorder = super::decisions::recorder(
        args.ledger.as_deref(),
        args.ledger
            .as_ref()
            .map(|_| key::read_private(&args.key, args.passphrase_env.as_deref()))
            .transpose()?,
        &options,
    )?;
    let bar = output::items("vetting");
    let report = mirror::mirror(&args.lockfiles, &args.out, &options, &signing, &|what| {
        bar.set_message(what.to_owned());
        bar.inc(1);
    })
    .map_err(mirror_error)?;
    bar.finish_and_clear();
    if args.json {
        output::stdout(&render::json(&report)?)?;
    } else {
        output::stdout(&render::index::mirror_text(&report))?;
    }
    let ledger_exit = match &recorder {
        Some(r) => super::decisions::report(&evidence::record(
            r,
            SessionKind::Mirror,
            report.session.0,
            report.session.1,
            &report.decisions,
        )),
        None => Exit::Success,
    };
    Ok(if report.complete() {
        ledger_exit
    } else {
        Exit::Findings
    })
}

fn mirror_error(e: MirrorError) -> CliError {
    match e {
        e @ (MirrorError::OutNotEmpty(_) | MirrorError::Lockfile { .. }) => CliError::bad_input(e),
        MirrorError::Index(e) => bind_error(e),
        e @ (MirrorError::Seal(_) | MirrorError::Write { .. }) => CliError::internal(e),
    }
}

pub fn bind_error(e: IndexError) -> CliError {
    match e {
        e @ (IndexError::NotLoopback(_)
        | IndexError::NoFolder(_)
        | IndexError::BadUpstream(_)
        | IndexError::TrustNeedsFolder) => CliError::bad_input(e),
        e @ IndexError::SealUntrusted(_) => CliError::untrusted(e)
            .with_hint("the mirror's builder has the public key: --trust mirror.pub"),
        e @ IndexError::NotSealed(_) => CliError::untrusted(e),
        e @ (IndexError::SealInvalid { .. } | IndexError::SealMismatch { .. }) => {
            CliError::untrusted(e).with_hint(
                "the folder is not what was sealed: build it again with `custody index mirror`",
            )
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
