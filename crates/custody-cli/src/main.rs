//! The `custody` command. Parsing, dispatch and exit codes live here; the
//! work is in the `custody` library crate.

mod cli;
mod commands;
mod exit;
mod output;
mod render;

use std::process::ExitCode;

use clap::Parser;

use crate::exit::{CliError, Exit};

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match cli.command {
        cli::Command::Scan(args) => commands::scan::run(&args),
        cli::Command::Db(args) => commands::db::run(&args),
        cli::Command::Inspect(args) => commands::inspect::run(&args),
        cli::Command::Key(cli::KeyCommand::Generate(args)) => commands::key::generate(&args),
        cli::Command::Seal(args) => commands::seal::run(&args),
        cli::Command::Verify(args) => commands::verify::run(&args),
        cli::Command::Diff(args) => commands::verify::diff(&args),
        cli::Command::Run(args) => commands::run::run(&args),
        cli::Command::Ledger(command) => commands::ledger::run(&command),
        cli::Command::Impact(args) => commands::ledger::impact(&args),
        cli::Command::Lineage(args) => commands::ledger::lineage(&args),
        cli::Command::Demo(args) => commands::demo::run(&args),
        cli::Command::Deliver(args) => commands::deliver::deliver(&args),
        cli::Command::Accept(args) => commands::deliver::accept(&args),
        cli::Command::Report(cli::ReportCommand::Incident(args)) => {
            commands::report::incident(&args)
        }
        cli::Command::Sbom(args) => commands::sbom::run(&args),
        cli::Command::Watch(args) => commands::watch::run(&args),
        cli::Command::Index(cli::IndexCommand::Serve(args)) => commands::index::serve(&args),
        cli::Command::Index(cli::IndexCommand::Mirror(args)) => commands::index::mirror(&args),
        cli::Command::Guard(args) => commands::guard::run(&args),
        cli::Command::SandboxExec(args) => Ok(commands::run::helper(&args)),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(err) => {
            report_error(&err);
            err.exit.into()
        }
    }
}

#[expect(clippy::print_stderr, reason = "the error report goes to stderr")]
fn report_error(err: &CliError) {
    eprintln!("error: {}", err.error);
    for cause in err.error.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
    if let Some(hint) = &err.hint {
        eprintln!("  hint: {hint}");
    }
    if err.exit == Exit::Internal {
        eprintln!("  (this is a bug or an environment problem, not a problem with your input)");
    }
}
