#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]
//! `custody guard -- COMMAND` end to end with real pip and real uv, and
//! `[index] block-severity`. The upstream is the index tests' static one
//! (`common::index_world`); every refusal has a control showing the same
//! install succeeds (and its hook runs) without the guard.

mod common;

use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, Output};

use common::index_world::*;

/// `custody guard` in front of the world's upstream (min-age 3 days), the
/// command's environment as given; the report's JSON too.
fn guard(w: &World, env: &[(&str, &str)], command: &[OsString]) -> (Output, serde_json::Value) {
    let report = w.dir.path().join("guard-report.json");
    let _ = std::fs::remove_file(&report);
    let mut c = common::custody(&w.dir.path().join("custody-home"));
    c.args(["guard", "--upstream", &w.upstream_url(), "--timeout", "5"])
        .arg("--policy")
        .arg(w.dir.path().join("custody.toml"))
        .arg("--log")
        .arg(w.dir.path().join("guard.jsonl"))
        .arg("--report")
        .arg(&report)
        .arg("--")
        .args(command)
        .env("HOME", w.dir.path().join("home"))
        .env("PIP_CONFIG_FILE", "/dev/null")
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY");
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    let json = std::fs::read_to_string(&report).map_or(serde_json::Value::Null, |t| {
        serde_json::from_str(&t).unwrap()
    });
    (o, json)
}

fn args(base: Vec<OsString>, more: &[&str]) -> Vec<OsString> {
    base.into_iter()
        .chain(more.iter().map(OsString::from))
        .collect()
}

fn codes(report: &serde_json::Value) -> Vec<String> {
    report["blocked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn guard_runs_pip_behind_the_index_and_says_what_it_refused() {
    let w = world();
    let v = make_venv(&w.dir.path().join("clean"));
    let (o, report) = guard(&w, &[], &args(pip_args(&v), &["requests==2.19.1"]));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("custody guard: the command succeeded"),
        "{}",
        text(&o)
    );
    assert_eq!(report["schema"], "custody.guard/v1");
    assert_eq!(report["served"], 5, "requests and its four dependencies");

    // litellm 1.82.8 with an extra index pointing straight at the upstream
    // in the caller's environment. Control: pip alone takes it from there.
    let control = make_venv(&w.dir.path().join("control"));
    let o = Command::new(control.join("bin/python"))
        .args(["-m", "pip", "install", "--no-cache-dir", "--retries", "0"])
        .args(["--index-url", &w.index_url(), "litellm==1.82.8"])
        .env("PIP_EXTRA_INDEX_URL", w.upstream_url())
        .env("PIP_CONFIG_FILE", "/dev/null")
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "the bypass works without guard: {}",
        text(&o)
    );
    World::start_python(&control);
    assert!(w.marker("litellm").exists(), "the probe works");
    std::fs::remove_file(w.marker("litellm")).unwrap();

    let v = make_venv(&w.dir.path().join("gated"));
    let (o, report) = guard(
        &w,
        &[("PIP_EXTRA_INDEX_URL", &w.upstream_url())],
        &args(pip_args(&v), &["litellm==1.82.8"]),
    );
    assert_eq!(o.status.code(), Some(10), "{}", text(&o));
    assert!(
        text(&o).contains("litellm 1.82.8: malicious: litellm 1.82.8: MAL-2026-2144"),
        "{}",
        text(&o)
    );
    assert!(codes(&report).contains(&"malicious".to_owned()));
    assert_ne!(report["exit_code"], 0);
    World::start_python(&v);
    assert!(!w.marker("litellm").exists(), "the hook never ran");

    // An unknown name with the same hook: refused by inspection.
    let (o, report) = guard(&w, &[], &args(pip_args(&v), &["helperkit"]));
    assert_eq!(o.status.code(), Some(10), "{}", text(&o));
    assert!(text(&o).contains("inspection-malicious"), "{}", text(&o));
    assert_eq!(codes(&report), ["inspection-malicious"]);
    World::start_python(&v);
    assert!(!w.marker("helperkit").exists());

    // A command that fails for its own reasons keeps its exit code.
    let (o, report) = guard(
        &w,
        &[],
        &[
            "python3".into(),
            "-c".into(),
            "import sys; sys.exit(3)".into(),
        ],
    );
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert_eq!(report["blocked"].as_array().unwrap().len(), 0);
}

#[test]
fn guard_runs_uv_behind_the_index() {
    let w = world();
    let uv = uv();
    let cache = w.dir.path().join("uv-cache");
    let venv = w.dir.path().join("uv-venv");
    let o = Command::new(&uv)
        .args(["venv", "--python", "python3"])
        .arg(&venv)
        .env("UV_CACHE_DIR", &cache)
        .env("UV_PYTHON_DOWNLOADS", "never")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let uv_pip = |what: &str| -> Vec<OsString> {
        vec![
            uv.clone().into(),
            "pip".into(),
            "install".into(),
            "--no-cache".into(),
            "--python".into(),
            venv.join("bin/python").into(),
            what.into(),
        ]
    };
    let env = [
        ("UV_CACHE_DIR", cache.to_str().unwrap()),
        ("UV_NO_CONFIG", "1"),
        ("UV_PYTHON_DOWNLOADS", "never"),
        // A caller's extra index straight to the upstream: guard removes it.
        ("UV_INDEX", &w.upstream_url()),
    ];
    let (o, report) = guard(&w, &env, &uv_pip("requests==2.19.1"));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(report["served"], 5);
    let (o, report) = guard(&w, &env, &uv_pip("litellm==1.82.8"));
    assert_eq!(o.status.code(), Some(10), "{}", text(&o));
    assert!(codes(&report).contains(&"malicious".to_owned()));
    World::start_python(&venv);
    assert!(!w.marker("litellm").exists(), "the hook never ran");
    // The cooldown: uv resolves coolpkg to the older release.
    let (o, report) = guard(&w, &env, &uv_pip("coolpkg"));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("coolpkg==1.0"), "{}", text(&o));
    assert_eq!(codes(&report), ["cooldown"]);
}

#[test]
fn guard_refuses_what_it_cannot_run() {
    let w = world();
    let (o, _) = guard(&w, &[], &["no-such-installer-here".into()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("cannot start \"no-such-installer-here\""),
        "{}",
        text(&o)
    );
    let o = common::custody(&w.dir.path().join("h"))
        .args(["guard", "--upstream", "/no/such/folder", "--", "true"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("/no/such/folder does not exist"),
        "{}",
        text(&o)
    );
}

/// An OSV record for idna 2.7 with this CVSS v3 vector.
fn record(dir: &Path, id: &str, vector: &str) {
    let json = serde_json::json!({
        "schema_version": "1.6.0", "id": id, "modified": "2026-01-01T00:00:00Z",
        "summary": "test record",
        "severity": [{"type": "CVSS_V3", "score": vector}],
        "affected": [{"package": {"ecosystem": "PyPI", "name": "idna"}, "versions": ["2.7"]}]
    });
    std::fs::write(dir.join(format!("{id}.json")), json.to_string()).unwrap();
}

#[test]
fn block_severity_hides_releases_with_an_advisory_at_or_above_it() {
    let dir = tempfile::tempdir().unwrap();
    let wheels = dir.path().join("wheels");
    std::fs::create_dir(&wheels).unwrap();
    std::fs::copy(
        common::fixture("wheels/idna-2.7-py2.py3-none-any.whl"),
        wheels.join("idna-2.7-py2.py3-none-any.whl"),
    )
    .unwrap();
    let page = |vector: &str, block: &str| {
        let home = tempfile::tempdir().unwrap();
        let osv = home.path().join("osv");
        std::fs::create_dir(&osv).unwrap();
        record(&osv, "TEST-2026-1", vector);
        let o = common::custody(home.path())
            .args(["db", "import"])
            .arg(&osv)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", text(&o));
        let policy = home.path().join("custody.toml");
        std::fs::write(&policy, format!("[index]\nblock-severity = \"{block}\"\n")).unwrap();
        let log = home.path().join("log.jsonl");
        let s = spawn_serve(
            home.path(),
            &[
                "--upstream".as_ref(),
                wheels.as_os_str(),
                "--policy".as_ref(),
                policy.as_os_str(),
                "--log".as_ref(),
                log.as_os_str(),
            ],
        )
        .unwrap();
        let (status, _, body) = request(s.port, "/simple/idna/", None);
        assert_eq!(status, 200);
        let shown = String::from_utf8(body).unwrap().contains("idna-2.7");
        let logged = std::fs::read_to_string(&log).unwrap_or_default();
        (shown, logged)
    };
    // Critical (9.8) at "high": hidden, logged with the record and severity.
    let (shown, log) = page("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "high");
    assert!(!shown);
    assert!(
        log.contains("\"code\":\"vulnerable\"") && log.contains("TEST-2026-1 (critical)"),
        "{log}"
    );
    // Medium (5.3) at "high": shown (the control).
    let (shown, log) = page("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N", "high");
    assert!(shown, "{log}");
    // Medium at "medium": hidden.
    let (shown, _) = page("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N", "medium");
    assert!(!shown);
}
