//! Network: connections, requests, DNS beacons, git clones, and a
//! process's streams handed to a socket (a reverse shell's plumbing).

use super::Ctx;
use super::predicates::constant_argument;
use crate::code::Code;
use crate::python;
use crate::report::{Level, Phase};
use crate::rules::calls::{NETWORK_CALLS, NETWORK_CLIENTS};

/// `os.dup2`/`pty.spawn`: a process's standard streams rewired.
pub(super) fn stream_signals(
    ctx: &Ctx<'_>,
    c: &python::Call,
    add: &mut impl FnMut(Code, Level, &str),
) {
    let callee = c.callee.as_str();
    // Output capture (py, jax's test helpers) redirects streams to
    // files; a reverse shell hands them a socket of the same code.
    let socket_near = ctx
        .facts
        .calls
        .iter()
        .any(|d| d.func == c.func && NETWORK_CALLS.contains(&d.callee.as_str()));
    if socket_near {
        add(
            Code::ShellRedirect,
            Level::High,
            "wires a process's standard streams to a connection (a reverse shell)",
        );
    } else if callee == "pty.spawn" {
        add(
            Code::ShellRedirect,
            Level::High,
            "starts a program on a pseudo-terminal (a reverse shell's interactive shell?)",
        );
    } else {
        add(
            Code::ShellRedirect,
            Level::Medium,
            "wires a process's standard streams (output capture, or a reverse shell?)",
        );
    }
}

/// Network calls: connections, sends, clients, DNS lookups.
pub(super) fn network_signals(
    ctx: &Ctx<'_>,
    c: &python::Call,
    phase: Phase,
    add: &mut impl FnMut(Code, Level, &str),
) {
    let callee = c.callee.as_str();
    let dns = matches!(
        callee,
        "socket.gethostbyname" | "socket.getaddrinfo" | "dns.resolver.resolve"
    );
    let host = if dns {
        c.literal
            .as_ref()
            .map(|l| l.value.clone())
            .or_else(|| constant_argument(ctx, c))
    } else {
        None
    };
    let dns_of_constant = host.is_some();
    // `urllib.urlrequest.urlretrieve`: a typo that fails at run time, or a
    // module of the package's own; either way it means to download.
    let fetches = NETWORK_CALLS.contains(&callee)
        || callee.ends_with(".urlretrieve")
        || callee.ends_with(".urlopen");
    if (fetches && !dns_of_constant)
        || (callee == "urllib.request.Request" && c.args.contains("data"))
    {
        add(
            Code::NetworkEgress,
            Level::Medium,
            "opens a network connection",
        );
    } else if dns_of_constant
        && phase != Phase::Runtime
        && host.as_deref().is_some_and(is_probe_host)
    {
        add(
            Code::NetworkEgress,
            Level::High,
            "looks up a fixed host name by DNS before any function is called (a beacon: the answer is not used, the query is the message)",
        );
    } else if NETWORK_CLIENTS.contains(&callee) || dns_of_constant {
        add(
            Code::NetworkEgress,
            Level::Low,
            "makes a network client (sends nothing yet)",
        );
    }
}

/// A DNS lookup's literal host: a dotted name that is not local.
pub(super) fn is_probe_host(host: &str) -> bool {
    let h = host.trim().to_ascii_lowercase();
    h.contains('.')
        && !h.ends_with(".local")
        && !h.starts_with("localhost")
        && h.parse::<std::net::IpAddr>().is_err()
}
