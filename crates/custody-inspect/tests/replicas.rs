//! The five harmless replicas of real attacks (fixtures/inspect, see its
//! README) are each caught, in the right phase, with the evidence the
//! README names; the clean predecessor and the benign control are clean.

#![allow(clippy::unwrap_used, reason = "tests")]

use custody_inspect::Code;
use std::path::PathBuf;

use custody_inspect::archive::{Limits, read};
use custody_inspect::{Phase, Report, Verdict, inspect};

fn replica(name: &str) -> Report {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/inspect/replicas")
        .join(name);
    inspect(&read(&p, &Limits::default()).unwrap())
}

/// A finding with this code, in this file, at this line and phase.
fn has(r: &Report, code: &str, path: &str, line: Option<usize>, phase: Phase) -> bool {
    r.findings.iter().any(|f| {
        f.code.as_str() == code
            && f.path == path
            && (line.is_none() || f.line == line)
            && f.phase == phase
    })
}

fn dump(r: &Report) -> String {
    r.findings
        .iter()
        .map(|f| {
            format!(
                "{} {:?} {:?} {}:{:?} [{:?}] {}",
                f.code, f.level, f.phase, f.path, f.line, f.layer, f.snippet
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn litellm_1_82_7_injected_proxy_server() {
    let r = replica("litellm-1.82.7-py3-none-any.whl");
    assert_eq!(r.verdict, Verdict::Malicious, "{}", dump(&r));
    let p = "litellm/proxy/proxy_server.py";
    assert!(
        has(&r, "custody::process-spawn", p, Some(19), Phase::Import),
        "{}",
        dump(&r)
    );
    assert!(
        has(&r, "custody::encoded-payload", p, Some(14), Phase::Import),
        "{}",
        dump(&r)
    );
    // Inside the decoded layer: the credential path and the environment dump.
    assert!(
        r.findings
            .iter()
            .any(|f| f.code == Code::SecretAccess && f.layer.is_some() && f.line == Some(6)),
        "{}",
        dump(&r)
    );
    assert!(
        r.findings
            .iter()
            .any(|f| f.code == Code::EnvDump && f.layer.is_some() && f.line == Some(20)),
        "{}",
        dump(&r)
    );
}

#[test]
fn litellm_1_82_8_pth_runs_at_every_startup() {
    let r = replica("litellm-1.82.8-py3-none-any.whl");
    assert_eq!(r.verdict, Verdict::Malicious, "{}", dump(&r));
    assert!(
        has(
            &r,
            "custody::pth-exec",
            "litellm_init.pth",
            Some(1),
            Phase::Startup
        ),
        "{}",
        dump(&r)
    );
    assert!(
        has(
            &r,
            "custody::dynamic-code",
            "litellm_init.pth",
            Some(1),
            Phase::Startup
        ),
        "{}",
        dump(&r)
    );
    assert!(
        r.findings.iter().any(|f| f.path == "litellm_init.pth"
            && f.code == Code::NetworkEgress
            && f.phase == Phase::Startup),
        "the innermost layer's network call is found: {}",
        dump(&r)
    );
}

#[test]
fn litellm_1_107_0_orphan_implant_in_site_packages() {
    let r = replica("site-packages-litellm-1.107.0");
    assert_eq!(r.verdict, Verdict::Malicious, "{}", dump(&r));
    assert!(
        has(
            &r,
            "custody::orphan-startup-hook",
            "cook.pth",
            Some(1),
            Phase::Startup
        ),
        "{}",
        dump(&r)
    );
    assert!(
        has(
            &r,
            "custody::orphan-startup-hook",
            "sitecustomize.py",
            None,
            Phase::Startup
        ),
        "{}",
        dump(&r)
    );
    // cook.py is imported by the hooks, so its import-time code runs at start-up.
    assert!(
        has(
            &r,
            "custody::dynamic-code",
            "cook.py",
            Some(19),
            Phase::Startup
        ),
        "{}",
        dump(&r)
    );
    assert!(
        has(
            &r,
            "custody::network-egress",
            "cook.py",
            Some(12),
            Phase::Startup
        ),
        "{}",
        dump(&r)
    );
    // setuptools' own hook, owned by its RECORD, is recognised by what it does.
    assert!(
        !r.findings
            .iter()
            .any(|f| f.path == "distutils-precedence.pth"),
        "{}",
        dump(&r)
    );
}

#[test]
fn lightning_2_6_2_import_time_runtime_download() {
    let r = replica("lightning-2.6.2-py3-none-any.whl");
    assert_eq!(r.verdict, Verdict::Malicious, "{}", dump(&r));
    let p = "lightning/__init__.py";
    assert!(
        has(&r, "custody::network-egress", p, Some(22), Phase::Import),
        "{}",
        dump(&r)
    );
    assert!(
        has(&r, "custody::make-executable", p, Some(31), Phase::Import),
        "{}",
        dump(&r)
    );
    assert!(
        has(&r, "custody::process-spawn", p, Some(32), Phase::Import),
        "{}",
        dump(&r)
    );
    assert!(
        has(
            &r,
            "custody::embedded-script-exec",
            "lightning/_runtime/router_runtime.js",
            Some(1),
            Phase::Runtime
        ),
        "{}",
        dump(&r)
    );
}

#[test]
fn telnyx_4_87_1_payload_in_a_wav() {
    for (name, prefix) in [
        ("telnyx-4.87.1-py3-none-any.whl", ""),
        ("telnyx-4.87.1.tar.gz", "telnyx-4.87.1/src/"),
    ] {
        let r = replica(name);
        assert_eq!(r.verdict, Verdict::Malicious, "{name}: {}", dump(&r));
        // The marker TNXCFG1: sits at byte 2044; the payload follows it at 2052.
        let wav = format!("{prefix}telnyx/_assets/notification.wav");
        assert!(
            r.findings.iter().any(|f| f.code == Code::MediaPayload
                && f.path == wav
                && f.snippet.starts_with("byte 2052, after")
                && f.snippet.ends_with("TNXCFG1:`")),
            "{name}: {}",
            dump(&r)
        );
        assert!(
            has(
                &r,
                "custody::dynamic-code",
                &format!("{prefix}telnyx/_client.py"),
                Some(40),
                Phase::Import
            ),
            "{name}: {}",
            dump(&r)
        );
    }
}

#[test]
fn clean_predecessor_and_benign_control_are_clean() {
    for name in [
        "litellm-1.82.6-py3-none-any.whl",
        "benign_pkg-1.0-py3-none-any.whl",
    ] {
        let r = replica(name);
        assert_eq!(r.verdict, Verdict::Clean, "{name}: {}", dump(&r));
    }
}
