//! Processes: programs started, what their command lines download or run,
//! reconnaissance commands, and files made executable.

use std::collections::HashSet;

use super::Ctx;
use super::dynamic::fed_by_hidden_data;
use super::network::is_probe_host;
use super::predicates::assigned;
use crate::code::Code;
use crate::prefilter;
use crate::python::{self, Facts};
use crate::report::{Level, Phase};
use crate::rules::calls::{NETWORK_CALLS, RECON_COMMANDS, SPAWN_CALLS};
use crate::rules::markers::{SHELL_MARKERS, SYSTEM_PROGRAMS};

/// Whether `callee` is a function of this file that starts a process with
/// what it is given (`def run(cmd): subprocess.run(cmd, shell=True)`): a
/// call of it is a spawn, one level deep.
pub(super) fn spawn_wrapper(ctx: &Ctx<'_>, callee: &str) -> bool {
    ctx.spawn_wrappers.contains(callee)
}

/// The functions of a file that spawn a process from a name (a parameter),
/// found once per file.
pub(super) fn spawn_wrappers(facts: &Facts) -> HashSet<String> {
    facts
        .calls
        .iter()
        .filter(|e| {
            SPAWN_CALLS.contains(&e.callee.as_str())
                && e.literal.is_none()
                && e.args
                    .trim_start_matches(['(', '['])
                    .starts_with(|ch: char| ch.is_alphabetic() || ch == '_')
        })
        .filter_map(|e| e.func.clone())
        .filter(|f| facts.defs.contains(f))
        .collect()
}

/// The text of a module-level string constant a spawn runs by name
/// (`CMD = ('python3 -c ...' 's.connect(...)' ...)` then `run(CMD, ...)`),
/// its implicitly joined pieces put together.
pub(super) fn constant_command(ctx: &Ctx<'_>, c: &python::Call) -> Option<String> {
    let name: String = c
        .args
        .trim_start_matches(|ch: char| ch == '(' || ch == '[' || ch.is_whitespace())
        .chars()
        .take_while(|ch| ch.is_alphanumeric() || *ch == '_')
        .collect();
    if name.is_empty() || name.starts_with(|ch: char| ch.is_ascii_digit()) {
        return None;
    }
    let start = ctx
        .lines
        .iter()
        .position(|l| assigned(l, &name).is_some())?;
    // The statement: its first line and the continuation lines after it.
    let end = ctx.lines[start + 1..]
        .iter()
        .position(|l| !(l.starts_with([' ', '\t', ')', '\'', '"']) || l.is_empty()))
        .map_or(ctx.lines.len(), |n| start + 1 + n);
    let text: String = ctx
        .facts
        .strings
        .iter()
        .filter(|s| s.line > start && s.line <= end.min(start + 40))
        .map(|s| s.value.as_str())
        .collect();
    (!text.is_empty()).then_some(text)
}

/// A reverse shell in Python or shell: a socket handed to a shell.
pub(super) fn is_reverse_shell(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains("socket")
        && lower.contains("dup2")
        && ["/bin/sh", "/bin/bash", "sh -i", "cmd.exe", "pty.spawn"]
            .iter()
            .any(|m| lower.contains(m))
}

/// Whether text is a shell dropper or reverse shell ([`SHELL_MARKERS`], or
/// curl/wget with a URL).
pub(super) fn is_shell_dropper(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    SHELL_MARKERS
        .iter()
        .any(|m| prefilter::marker_in(&lower, m))
        || ((lower.contains("curl ") || lower.contains("wget ")) && lower.contains("http"))
}

/// A Windows script (VBScript, JScript) that starts programs through the
/// script host's shell object: what a dropper writes out to launch its
/// payload. Counted only when the text was hidden in an encoding.
pub(super) fn is_script_launcher(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    (lower.contains("wscript.shell") || lower.contains("shell.application"))
        && [".run ", ".run(", ".exec ", ".exec(", "shellexecute"]
            .iter()
            .any(|m| lower.contains(m))
}

/// A command line that runs `python -c` with code that connects out.
pub(super) fn is_python_c_fetch(v: &str) -> bool {
    let Some(at) = v.find("python") else {
        return false;
    };
    let rest = &v[at..];
    rest.contains(" -c")
        && [
            "requests.",
            "urlopen",
            "urllib.request",
            "socket.",
            "http.client",
        ]
        .iter()
        .any(|m| rest.contains(m))
}

/// Whether a spawn runs a file (named by a variable) that the same
/// function downloaded: `urlretrieve(url, f)`, or `open(f, "wb")` beside a
/// network call, before `run([f])`.
pub(super) fn runs_what_it_downloaded(ctx: &Ctx<'_>, c: &python::Call) -> bool {
    let var: String = c
        .args
        .trim_start_matches(['(', '[', ' '])
        .chars()
        .take_while(|ch| ch.is_alphanumeric() || *ch == '_' || *ch == '.')
        .collect();
    if var.is_empty() || var.starts_with(|ch: char| ch.is_ascii_digit()) {
        return false;
    }
    let before = || {
        ctx.facts
            .calls
            .iter()
            .filter(|d| d.func == c.func && d.line <= c.line)
    };
    let first_two = |args: &str| -> Vec<String> {
        args.trim_start_matches('(')
            .split(',')
            .take(2)
            .map(|a| a.trim().trim_end_matches(')').trim().to_owned())
            .collect()
    };
    let retrieved = before().any(|d| {
        d.callee.ends_with("urlretrieve") && first_two(&d.args).get(1).is_some_and(|a| *a == var)
    });
    let written = before().any(|d| {
        d.callee == "open"
            && first_two(&d.args).first().is_some_and(|a| *a == var)
            && (d.args.contains("'wb'") || d.args.contains("\"wb\""))
    }) && before().any(|d| NETWORK_CALLS.contains(&d.callee.as_str()));
    retrieved || written
}

/// A process start: what it runs and with what.
pub(super) fn spawn_signals(
    ctx: &Ctx<'_>,
    c: &python::Call,
    add: &mut impl FnMut(Code, Level, &str),
) {
    let lower = c.args.to_ascii_lowercase();
    let dropped = SYSTEM_PROGRAMS
        .iter()
        .fold(lower.clone(), |l, p| l.replace(p, ""));
    if c.callee.starts_with("pip.") || lower.contains("pip install") || lower.contains("-m pip") {
        add(
            Code::ProcessSpawn,
            Level::Medium,
            "installs packages while running (pip)",
        );
    } else if c.args.contains("sys.executable")
        || lower.contains("pythonw")
        || [
            ".vbs", ".bat", ".ps1", ".cmd", ".scr", ".hta", ".jar", ".exe",
        ]
        .iter()
        .any(|x| dropped.contains(x))
    {
        add(
            Code::ProcessSpawn,
            Level::High,
            "starts a second Python on a file (a dropped payload)",
        );
    } else {
        add(Code::ProcessSpawn, Level::Medium, "starts a process");
    }
    // The command's first word, when it is a literal.
    let first_word = c
        .literal
        .as_ref()
        .map(|l| l.value.trim().to_ascii_lowercase())
        .or_else(|| {
            let a = c.args.trim_start_matches(['[', '(', ' ']);
            let q = a.chars().next().filter(|q| matches!(q, '\'' | '"'))?;
            a[1..].split(q).next().map(str::to_ascii_lowercase)
        })
        .unwrap_or_default();
    // `dig @1.1.1.1 x.example`, `nslookup x.example`: a DNS beacon when
    // the name is fixed (the query is the message).
    let mut words = first_word.split_whitespace();
    if matches!(words.next(), Some("dig" | "nslookup" | "host"))
        && words.any(|w| !w.starts_with(['@', '-']) && is_probe_host(w))
    {
        let early = ctx.phase(c.scope, c.func.as_ref()) != Phase::Runtime;
        add(
            Code::NetworkEgress,
            if early { Level::High } else { Level::Medium },
            "looks up a fixed host name with a DNS tool (a beacon: the query is the message)",
        );
    }
    // `env > file`, `env | ...`: the whole environment written out, as
    // `printenv` does.
    if first_word == "env"
        || ["env >", "env>", "env |", "env|"]
            .iter()
            .any(|p| first_word.starts_with(p))
    {
        add(
            Code::DownloadExec,
            Level::High,
            "dumps the environment (secrets included) with `env`",
        );
    }
    // A command word ends at a space; a URL opener's scheme runs on.
    if RECON_COMMANDS.iter().any(|r| {
        first_word == *r
            || first_word.starts_with(&format!("{r} "))
            || (r.ends_with(" http") && first_word.starts_with(r))
    }) {
        add(
            Code::HostRecon,
            Level::High,
            "runs a command that reports who and where it runs (whoami, hostname, ...)",
        );
    }
    command_signals(ctx, c, &lower, add);
}

/// What a spawned command does: a downloader, a dropper in one line, a
/// web shell, a constant or fetched command, a decoded one.
pub(super) fn command_signals(
    ctx: &Ctx<'_>,
    c: &python::Call,
    lower: &str,
    add: &mut impl FnMut(Code, Level, &str),
) {
    let runs_downloader = [
        "curl",
        "wget",
        "printenv",
        "-encodedcommand",
        "-enc ",
        "certutil",
        "bitsadmin",
        "mshta",
        "downloadstring",
        "invoke-webrequest",
        "iex",
    ]
    .iter()
    .any(|x| lower.contains(x))
        || SHELL_MARKERS.iter().any(|x| lower.contains(x));
    let fetches = ["curl", "wget", "invoke-webrequest"]
        .iter()
        .any(|x| lower.contains(x));
    if fetches && (lower.contains("chmod +x") || lower.contains("chmod 7")) {
        add(
            Code::DownloadExec,
            Level::Critical,
            "downloads a program, makes it executable and runs it, in one command",
        );
    } else if runs_downloader {
        add(
            Code::DownloadExec,
            Level::High,
            "runs a downloader, an environment dump or encoded PowerShell",
        );
    } else if [
        "request.args",
        "request.form",
        "request.values",
        "request.json",
        "request.get_json",
        "request.data",
    ]
    .iter()
    .any(|r| c.args.contains(r))
    {
        add(
            Code::DownloadExec,
            Level::Critical,
            "runs a command taken from an HTTP request (a web shell)",
        );
    } else if constant_command(ctx, c).is_some_and(|cmd| {
        is_shell_dropper(&cmd) || is_python_c_fetch(&cmd) || is_reverse_shell(&cmd)
    }) {
        add(
            Code::DownloadExec,
            Level::Critical,
            "runs a command kept in a module constant that downloads and runs, or opens a reverse shell",
        );
    } else if runs_what_it_downloaded(ctx, c) {
        add(
            Code::DownloadExec,
            Level::Critical,
            "runs the file the same function has just downloaded",
        );
    } else if fed_by_hidden_data(ctx, c) {
        add(
            Code::DownloadExec,
            Level::Critical,
            "runs a command that was decoded or downloaded",
        );
    }
}
