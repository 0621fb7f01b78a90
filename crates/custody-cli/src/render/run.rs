//! What `custody run` says on stderr about the run: what was enforced,
//! how it ended, what the step tried, what was killed and refused.

use custody::run::{self as run, Ended, Net, Outcome, Reason};

/// What was enforced, how the run ended, what the step tried, what was
/// killed and what was refused: lines for stderr.
pub fn summary(outcome: &Outcome) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(e) = &outcome.setup_error {
        lines.push(format!("custody run: the sandbox was not set up: {e}"));
    } else if let Some(e) = &outcome.enforced {
        lines.push(format!(
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
        lines.push(
            "custody run: the step was killed by the seccomp filter: it made a system call of another architecture (i386 or x32)"
                .to_owned(),
        );
    }
    match outcome.ended {
        Ended::Exited => {}
        Ended::TimedOut { seconds } => lines.push(format!(
            "custody run: --timeout of {seconds}s passed; the step was killed"
        )),
        Ended::Interrupted { signal } => lines.push(format!(
            "custody run: stopped by signal {signal}; the step was killed"
        )),
    }
    if let Some(o) = &outcome.observed {
        report_attempts(o, &mut lines);
        report_allowed_secrets(o, &mut lines);
    }
    if outcome.killed_count > 0 {
        let names: Vec<String> = outcome
            .killed
            .iter()
            .take(5)
            .map(|p| format!("{} ({})", p.name, p.pid))
            .collect();
        lines.push(format!(
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
        lines.push(format!(
            "custody run: WARNING: {} process(es) of the step could not be killed and may still be running",
            outcome.survivors
        ));
    }
    for r in &outcome.refused_outputs {
        lines.push(format!(
            "custody run: output {} refused: it holds {} entr{} custody cannot attest (its subject has no digest):",
            run::escape(r.output.as_os_str().as_encoded_bytes()),
            r.count,
            if r.count == 1 { "y" } else { "ies" }
        ));
        for e in r.entries.iter().take(10) {
            let detail = if e.detail.is_empty() {
                String::new()
            } else {
                format!(" ({})", e.detail)
            };
            lines.push(format!("  {:<12} {}{detail}", kind(e.kind), e.path));
        }
    }
    lines
}

fn kind(k: run::RefusedKind) -> &'static str {
    use run::RefusedKind as Kind;
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
fn report_attempts(o: &run::Observed, lines: &mut Vec<String>) {
    // Hidden paths are listed too: the step hid what it aimed at.
    let shown = |a: &&run::Attempt| a.outcome == "denied" || a.reason == Reason::Unreadable;
    let denied: Vec<_> = o.attempts.iter().filter(shown).collect();
    let folded: Vec<_> = o.folded.iter().filter(shown).collect();
    if denied.is_empty() && folded.is_empty() {
        return;
    }
    lines.push(format!(
        "custody run: the step tried {} thing(s) the policy refused:",
        denied.len() + folded.len()
    ));
    for a in denied.iter().take(20) {
        let times = if a.count > 1 {
            format!(" ({}×)", a.count)
        } else {
            String::new()
        };
        lines.push(format!(
            "  {:<8} {} [{}]{times}",
            a.call,
            a.target,
            reason(a.reason)
        ));
    }
    if denied.len() > 20 {
        lines.push(format!(
            "  … and {} more (see the attestation)",
            denied.len() - 20
        ));
    }
    for a in folded {
        lines.push(format!(
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
        lines.push(
            "hint: paths outside the policy were denied; if the step needs them, declare them with --input or --allow-read"
                .to_owned(),
        );
    }
}

/// The places of secrets the step opened and the policy allows (a
/// declared input's `.env`, say): worth knowing, not a refusal.
fn report_allowed_secrets(o: &run::Observed, lines: &mut Vec<String>) {
    let read: Vec<_> = o
        .attempts
        .iter()
        .filter(|a| a.outcome == "allowed" && a.reason == Reason::Credential)
        .collect();
    if !read.is_empty() {
        lines.push(format!(
            "custody run: the step opened {} place(s) of secrets the policy allows:",
            read.len()
        ));
        for a in read.iter().take(10) {
            lines.push(format!("  {:<8} {}", a.call, a.target));
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
