//! `custody watch`: sinks set up from the flags, the workflow's rounds,
//! a summary per round on stderr.

use custody::workflow::watch::{
    self as flow, FileSink, LinesSink, Options, Retry, RoundReport, Sink, WatchError, Webhook,
};

use crate::cli::{WatchArgs, WatchFormat};
use crate::exit::{CliError, CmdResult, Exit};
use crate::{output, render};

/// The environment variable holding the webhook secret when no file does.
pub const SECRET_ENV: &str = "CUSTODY_WEBHOOK_SECRET";

pub fn run(args: &WatchArgs) -> CmdResult {
    if args.name.trim().is_empty() {
        return Err(CliError::bad_input(anyhow::anyhow!(
            "--name must not be empty"
        )));
    }
    let location = super::ledger::location(&args.ledger)?;
    let home = super::home()?;
    let mut sinks = sinks(args)?;
    let options = Options {
        location,
        home,
        watcher: args.name.clone(),
    };
    let format = args.format;
    let mut on_round = |r: &Result<RoundReport, WatchError>| match r {
        Ok(report) => summary(format, report),
        Err(e) => output::note(&format!("error: {e} (trying again next round)")),
    };
    let report =
        flow::watch(&options, &mut sinks, args.interval, &mut on_round).map_err(watch_error)?;
    summary(format, &report);
    Ok(if report.failure.is_some() {
        Exit::NotDelivered
    } else {
        Exit::Success
    })
}

/// The file, then the webhook; standard output when neither is given.
fn sinks(args: &WatchArgs) -> Result<Vec<Box<dyn Sink>>, CliError> {
    let mut sinks: Vec<Box<dyn Sink>> = Vec::new();
    if let Some(path) = &args.output {
        sinks.push(Box::new(FileSink::open(path).map_err(CliError::internal)?));
    }
    if let Some(url) = &args.webhook {
        let secret = secret(args)?;
        let retry = Retry {
            tries: args.webhook_tries,
            backoff: args.webhook_backoff,
            ..Retry::default()
        };
        sinks.push(Box::new(
            Webhook::new(url, &secret, retry).map_err(CliError::bad_input)?,
        ));
    }
    if sinks.is_empty() {
        sinks.push(Box::new(LinesSink::new(
            std::io::stdout(),
            "standard output",
        )));
    }
    Ok(sinks)
}

/// The secret: `--webhook-secret-file`'s text, else [`SECRET_ENV`]; a
/// trailing newline is not part of it.
fn secret(args: &WatchArgs) -> Result<Vec<u8>, CliError> {
    let secret = match &args.webhook_secret_file {
        Some(path) => flow::read_secret(path).map_err(CliError::bad_input)?,
        None => std::env::var(SECRET_ENV)
            .unwrap_or_default()
            .trim_end_matches(['\n', '\r'])
            .as_bytes()
            .to_vec(),
    };
    if secret.is_empty() {
        return Err(
            CliError::bad_input(anyhow::anyhow!("--webhook needs a non-empty secret")).with_hint(
                format!(
                    "pass --webhook-secret-file FILE or set {SECRET_ENV}; the receiver checks \
                     X-Custody-Signature with the same secret"
                ),
            ),
        );
    }
    Ok(secret)
}

fn watch_error(e: WatchError) -> CliError {
    match e {
        WatchError::Ledger(e) => super::ledger::ledger_error(e),
        e @ WatchError::Advisories(_) => CliError::bad_input(e)
            .with_hint("`custody db import` the advisory source again, or `custody db status`"),
    }
}

fn summary(format: WatchFormat, report: &RoundReport) {
    match format {
        WatchFormat::Text => output::note(&render::watch::summary(report)),
        WatchFormat::Json => match serde_json::to_string(report) {
            Ok(line) => output::note(&line),
            Err(e) => output::note(&format!("error: cannot encode the report: {e}")),
        },
    }
}
