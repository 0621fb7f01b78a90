//! A PostgreSQL server that is down or refuses the login is a typed error
//! within the connect timeout, never a hang.

mod common;

use std::time::{Duration, Instant};

use custody_ledger::{Ledger, LedgerError, Location};

#[test]
fn a_server_that_is_down_is_unreachable_quickly() {
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let began = Instant::now();
    let e = Ledger::open(&Location::Postgres(format!(
        "postgres://u:secret@127.0.0.1:{port}/x"
    )))
    .expect_err("nothing listens");
    assert!(matches!(e, LedgerError::Unreachable { .. }), "{e:?}");
    assert!(!e.to_string().contains("secret"), "{e}");
    assert!(began.elapsed() < Duration::from_secs(11));
}

#[test]
fn a_silent_server_times_out() {
    // Accepts the TCP connection and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let began = Instant::now();
    let e = Ledger::open(&Location::Postgres(format!(
        "postgres://u@127.0.0.1:{port}/x?connect_timeout=2"
    )))
    .expect_err("no answer");
    assert!(matches!(e, LedgerError::Unreachable { .. }), "{e:?}");
    assert!(
        began.elapsed() < Duration::from_secs(5),
        "{:?}",
        began.elapsed()
    );
    drop(listener);
}

#[test]
fn a_refused_login_is_named() {
    let pg = common::Postgres::new();
    let url = format!("postgres://nosuchrole@127.0.0.1:{}/postgres", pg.port());
    let e = Ledger::open(&Location::Postgres(url)).expect_err("no such role");
    match e {
        LedgerError::LoginRefused { detail, .. } => {
            assert!(detail.contains("nosuchrole"), "{detail}");
        }
        other => panic!("{other:?}"),
    }
}
