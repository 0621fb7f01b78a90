//! `custody run` and its hidden sandbox helper.

use custody_run::attempts::Reason;
use custody_run::enforce::Net;
use custody_run::run::{self, Request};
use custody_run::wait::Ended;
use custody_run::{attest, helper};

use crate::cli::{NetArg, RunArgs, SandboxExecArgs};
use crate::commands::key;
use crate::exit::{CliError, CmdResult, Exit};
use crate::output;

pub fn run(args: &RunArgs) -> CmdResult {
    let signing = match &args.key {
        Some(k) => Some(key::read_private(k, args.passphrase_env.as_deref())?),
        None => None,
    };
    if signing.is_some() && args.attest.is_none() {
        return Err(CliError::bad_input(anyhow::anyhow!(
            "-k signs the attestation; give --attest FILE too"
        )));
    }
    if let Some(att) = &args.attest {
        attestation_outside_outputs(att, &args.outputs)?;
    }
    let req = Request {
        inputs: args.inputs.clone(),
        outputs: args.outputs.clone(),
        allow_read: args.allow_read.clone(),
        env: args.env.clone(),
        net: match args.net {
            NetArg::None => Net::None,
            NetArg::Loopback => Net::Loopback,
        },
        allow_degraded: args.allow_degraded,
        observe: !args.no_observe,
        timeout: args.timeout,
        hash: args.attest.is_some(),
        command: args.command.clone(),
        helper: std::env::current_exe().map_err(CliError::internal)?,
    };
    let outcome = run::run(&req).map_err(CliError::bad_input)?;
    summarise(&outcome);
    if let Some(path) = &args.attest {
        let statement = attest::statement(
            &args.command,
            &args.inputs,
            &args.outputs,
            &args.env,
            &outcome,
        );
        let bytes = if let Some(k) = &signing {
            attest::sign(&statement, k)
        } else {
            crate::render::json(&statement)?.into_bytes()
        };
        key::write_atomic(path, &bytes, false)?;
    }
    Ok(exit_code(&outcome))
}

/// The attestation may not be written inside an output: the step could
/// put a link there and make custody write through it, or block the path.
fn attestation_outside_outputs(
    att: &std::path::Path,
    outputs: &[std::path::PathBuf],
) -> Result<(), CliError> {
    let abs = |p: &std::path::Path| {
        let a = std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
        // Through links of the folders that exist.
        match (a.parent(), a.file_name()) {
            (Some(dir), Some(name)) => fs_err::canonicalize(dir)
                .map(|d| d.join(name))
                .unwrap_or(a.clone()),
            _ => a,
        }
    };
    let att_abs = abs(att);
    for out in outputs {
        let out_abs = fs_err::canonicalize(out).unwrap_or_else(|_| abs(out));
        if att_abs.starts_with(&out_abs) {
            return Err(CliError::bad_input(anyhow::anyhow!(
                "--attest {} is inside the output {}: the step could replace it or a folder on its way with a link; write the attestation outside every --output",
                att.display(),
                out.display()
            )));
        }
    }
    Ok(())
}

/// The exit code: how the run ended first, then the step's own code, then
/// refused outputs.
fn exit_code(outcome: &run::Outcome) -> Exit {
    if outcome.setup_error.is_some() {
        return Exit::SandboxFailed;
    }
    match outcome.ended {
        Ended::TimedOut { .. } => return Exit::TimedOut,
        Ended::Interrupted { signal } => {
            return Exit::Step(128u8.wrapping_add(u8::try_from(signal).unwrap_or(0)));
        }
        Ended::Exited => {}
    }
    let step = outcome
        .exit_code
        .and_then(|c| u8::try_from(c).ok())
        .unwrap_or(128u8.wrapping_add(u8::try_from(outcome.signal.unwrap_or(0)).unwrap_or(0)));
    if step == 0 && !outcome.refused_outputs.is_empty() {
        return Exit::OutputsRefused;
    }
    Exit::Step(step)
}

/// What was enforced, how the run ended, what the step tried, what was
/// killed and what was refused, on stderr.
fn summarise(outcome: &run::Outcome) {
    output::reset_terminal();
    if let Some(e) = &outcome.setup_error {
        output::note(&format!("custody run: the sandbox was not set up: {e}"));
    } else if let Some(e) = &outcome.enforced {
        output::note(&format!(
            "custody run: Landlock {}, seccomp allowing {} system calls, network {}, {}, {}; exit {}",
            e.landlock,
            e.allowed_syscalls.len(),
            match e.net {
                Net::None => "none",
                Net::Loopback => "private loopback",
            },
            if e.read_only_mounts {
                "read-only mounts"
            } else {
                "no mount namespace (attribute changes refused)"
            },
            if e.capabilities.capabilities_empty {
                "no capabilities"
            } else {
                "CAPABILITIES KEPT"
            },
            outcome.exit_code.map_or_else(
                || format!("by signal {}", outcome.signal.unwrap_or(0)),
                |c| c.to_string()
            )
        ));
    }
    if outcome.signal == Some(31) {
        output::note(
            "custody run: the step was killed by the seccomp filter: it made a system call of another architecture (i386 or x32)",
        );
    }
    match outcome.ended {
        Ended::Exited => {}
        Ended::TimedOut { seconds } => output::note(&format!(
            "custody run: --timeout of {seconds}s passed; the step was killed"
        )),
        Ended::Interrupted { signal } => output::note(&format!(
            "custody run: stopped by signal {signal}; the step was killed"
        )),
    }
    if let Some(o) = &outcome.observed {
        report_attempts(o);
        report_allowed_secrets(o);
    }
    if outcome.killed_count > 0 {
        let names: Vec<String> = outcome
            .killed
            .iter()
            .take(5)
            .map(|p| format!("{} ({})", p.name, p.pid))
            .collect();
        output::note(&format!(
            "custody run: killed {} process(es) still running when the step ended: {}{}",
            outcome.killed_count,
            names.join(", "),
            if outcome.killed.len() > 5 {
                ", …"
            } else {
                ""
            }
        ));
    }
    if outcome.survivors > 0 {
        output::note(&format!(
            "custody run: WARNING: {} process(es) of the step could not be killed and may still be running",
            outcome.survivors
        ));
    }
    for r in &outcome.refused_outputs {
        output::note(&format!(
            "custody run: output {} refused: it holds {} entr{} custody cannot attest (its subject has no digest):",
            custody_run::text::escape(r.output.as_os_str().as_encoded_bytes()),
            r.count,
            if r.count == 1 { "y" } else { "ies" }
        ));
        for e in r.entries.iter().take(10) {
            let detail = if e.detail.is_empty() {
                String::new()
            } else {
                format!(" ({})", e.detail)
            };
            output::note(&format!("  {:<12} {}{detail}", kind(e.kind), e.path));
        }
    }
}

fn kind(k: custody_run::outputs::Kind) -> &'static str {
    use custody_run::outputs::Kind;
    match k {
        Kind::Symlink => "symlink",
        Kind::Fifo => "fifo",
        Kind::Socket => "socket",
        Kind::CharDevice => "char device",
        Kind::BlockDevice => "block device",
        Kind::SetId => "set-ID file",
        Kind::Unreadable => "unreadable",
    }
}

/// Lists what the step tried and the policy refused, secrets and network
/// first: the answer to "which permission was denied?".
fn report_attempts(o: &custody_run::attempts::Observed) {
    // Hidden paths are listed too: the step hid what it aimed at.
    let shown = |a: &&custody_run::attempts::Attempt| {
        a.outcome == "denied" || a.reason == Reason::Unreadable
    };
    let denied: Vec<_> = o.attempts.iter().filter(shown).collect();
    let folded: Vec<_> = o.folded.iter().filter(shown).collect();
    if denied.is_empty() && folded.is_empty() {
        return;
    }
    output::note(&format!(
        "custody run: the step tried {} thing(s) the policy refused:",
        denied.len() + folded.len()
    ));
    for a in denied.iter().take(20) {
        let times = if a.count > 1 {
            format!(" ({}×)", a.count)
        } else {
            String::new()
        };
        output::note(&format!(
            "  {:<8} {} [{}]{times}",
            a.call,
            a.target,
            reason(a.reason)
        ));
    }
    if denied.len() > 20 {
        output::note(&format!(
            "  … and {} more (see the attestation)",
            denied.len() - 20
        ));
    }
    for a in folded {
        output::note(&format!(
            "  {:<8} {} more under {} [{}]",
            a.call,
            a.count,
            a.target,
            reason(a.reason)
        ));
    }
    let outside = o
        .attempts
        .iter()
        .any(|a| a.outcome == "denied" && a.reason == Reason::OutsidePolicy);
    if outside {
        output::note(
            "hint: paths outside the policy were denied; if the step needs them, declare them with --input or --allow-read",
        );
    }
}

/// The places of secrets the step opened and the policy allows (a
/// declared input's `.env`, say): worth knowing, not a refusal.
fn report_allowed_secrets(o: &custody_run::attempts::Observed) {
    let read: Vec<_> = o
        .attempts
        .iter()
        .filter(|a| a.outcome == "allowed" && a.reason == Reason::Credential)
        .collect();
    if !read.is_empty() {
        output::note(&format!(
            "custody run: the step opened {} place(s) of secrets the policy allows:",
            read.len()
        ));
        for a in read.iter().take(10) {
            output::note(&format!("  {:<8} {}", a.call, a.target));
        }
    }
}

fn reason(r: Reason) -> &'static str {
    match r {
        Reason::Credential => "credential",
        Reason::Network => "network",
        Reason::Refused => "refused",
        Reason::OutsidePolicy => "outside-policy",
        Reason::Exec => "exec",
        Reason::Unreadable => "unreadable",
    }
}

/// The sandbox helper. Returns only when the step could not be started.
pub fn helper(args: &SandboxExecArgs) -> Exit {
    let message = helper::main(&args.command);
    output::note(&format!("custody run: {message}"));
    Exit::SandboxFailed
}
