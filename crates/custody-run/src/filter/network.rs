//! Sockets: what a step may make and how it may send.
//!
//! `--net none`: unix stream and seqpacket sockets (and pairs of them, for
//! asyncio and multiprocessing); with `tcp` (Landlock refuses TCP `bind`
//! and `connect` too), Internet stream sockets with protocol 0 or TCP, so
//! that the supervisor can record where a `connect` was aimed. `connect`,
//! `bind`, `listen` and `accept` are refused; sends may not carry an
//! address or use TCP Fast Open. Unix datagram sockets and datagram pairs
//! are refused: a datagram can carry an address, and an address reaches a
//! daemon's socket (journald, `/dev/log`) outside the sandbox.
//!
//! `--net loopback`: a private network namespace; Internet sockets of any
//! kind, `connect` (observed), `bind`, `listen` and `accept`. Unix sockets
//! are refused (a path reaches outside any network namespace), pairs of
//! stream sockets stay.

use super::{Action, Network, Rule, always, eq, eq32, masked, when};

const AF_UNIX: u64 = 1;
const AF_INET: u64 = 2;
const AF_INET6: u64 = 10;
const SOCK_TYPE_MASK: u64 = 0xf;
const SOCK_STREAM: u64 = 1;
const SOCK_SEQPACKET: u64 = 5;
const IPPROTO_TCP: u64 = 6;
const MSG_FASTOPEN: u64 = 0x2000_0000;

/// Pairs of unix stream or seqpacket sockets.
fn pairs() -> Vec<Rule> {
    [SOCK_STREAM, SOCK_SEQPACKET]
        .into_iter()
        .map(|t| {
            when(
                "socketpair",
                Action::Allow,
                vec![eq32(0, AF_UNIX), masked(1, SOCK_TYPE_MASK, t)],
            )
        })
        .collect()
}

/// The rules for `network`.
pub fn rules(network: Network) -> Vec<Rule> {
    let mut r = pairs();
    match network {
        Network::None { tcp } => {
            for t in [SOCK_STREAM, SOCK_SEQPACKET] {
                r.push(when(
                    "socket",
                    Action::Allow,
                    vec![eq32(0, AF_UNIX), masked(1, SOCK_TYPE_MASK, t)],
                ));
            }
            if tcp {
                for family in [AF_INET, AF_INET6] {
                    for proto in [0, IPPROTO_TCP] {
                        r.push(when(
                            "socket",
                            Action::Allow,
                            vec![
                                eq32(0, family),
                                masked(1, SOCK_TYPE_MASK, SOCK_STREAM),
                                eq32(2, proto),
                            ],
                        ));
                    }
                }
            }
            // sendto(fd, buf, len, flags, addr, addrlen): no address, no
            // Fast Open; sendmsg(fd, msg, flags), sendmmsg(fd, vec, n,
            // flags): no Fast Open (the address of a sendmsg is in memory:
            // only datagram sockets would honour it, and none may be made).
            r.push(when(
                "sendto",
                Action::Allow,
                vec![eq(4, 0), masked(3, MSG_FASTOPEN, 0)],
            ));
            r.push(when(
                "sendmsg",
                Action::Allow,
                vec![masked(2, MSG_FASTOPEN, 0)],
            ));
            r.push(when(
                "sendmmsg",
                Action::Allow,
                vec![masked(3, MSG_FASTOPEN, 0)],
            ));
        }
        Network::Loopback => {
            for family in [AF_INET, AF_INET6] {
                r.push(when("socket", Action::Allow, vec![eq32(0, family)]));
            }
            for call in [
                "sendto", "sendmsg", "sendmmsg", "bind", "listen", "accept", "accept4",
            ] {
                r.push(always(call, Action::Allow));
            }
            // Let through after the supervisor recorded where it went.
            r.push(always("connect", Action::Observe));
        }
    }
    r
}
