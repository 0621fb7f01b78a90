#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]
#![allow(
    clippy::format_push_string,
    clippy::format_collect,
    clippy::type_complexity,
    reason = "test scaffolding: a static upstream written for clarity"
)]
//! `custody index serve` end to end: a static PEP 503/691 upstream served
//! on 127.0.0.1 by this test (the real wheels of `fixtures/wheels` plus
//! harmless replicas built here), real pip installing through the index.
//! Every refusal has a control: the same install straight from the
//! upstream succeeds.

mod common;

use std::io::{BufRead as _, BufReader};

use sha2::{Digest as _, Sha256};
use std::net::TcpListener;
use std::process::{Command, Stdio};

use common::index_world::*;

#[test]
fn pip_installs_clean_packages_and_never_the_replicas() {
    let w = world();
    // Clean: the real wheels install through the index.
    let v = w.venv("clean");
    let o = w.pip(&v, &w.index_url(), &["requests==2.19.1"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        w.log()
            .iter()
            .any(|d| d["code"] == "allowed" && d["project"] == "requests")
    );

    // litellm 1.82.8: control straight from the upstream (its hook runs), then through custody.
    let control = w.venv("control-litellm");
    let o = w.pip(&control, &w.upstream_url(), &["litellm==1.82.8"]);
    assert!(o.status.success(), "{}", text(&o));
    World::start_python(&control);
    assert!(
        std::fs::read_to_string(w.marker("litellm"))
            .unwrap()
            .contains("PLANTED-KEY"),
        "the probe works"
    );
    std::fs::remove_file(w.marker("litellm")).unwrap();
    let v = w.venv("gated-litellm");
    let o = w.pip(&v, &w.index_url(), &["litellm==1.82.8"]);
    assert!(!o.status.success(), "{}", text(&o));
    let o = w.pip(
        &v,
        &w.index_url(),
        &[&format!(
            "http://127.0.0.1:{}/files/litellm/litellm-1.82.8-py3-none-any.whl",
            w.index
        )],
    );
    assert!(!o.status.success());
    assert!(
        text(&o).contains("custody malicious: litellm 1.82.8: MAL-2026-2144"),
        "{}",
        text(&o)
    );
    World::start_python(&v);
    assert!(!w.marker("litellm").exists(), "the hook never ran");
    let o = w.pip(&v, &w.index_url(), &["litellm"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("litellm-1.82.6"),
        "the resolver picks the last clean release: {}",
        text(&o)
    );

    // An unknown name with the same hook: judged by inspection.
    let control = w.venv("control-helperkit");
    let o = w.pip(&control, &w.upstream_url(), &["helperkit"]);
    assert!(o.status.success(), "{}", text(&o));
    World::start_python(&control);
    assert!(w.marker("helperkit").exists(), "the probe works");
    std::fs::remove_file(w.marker("helperkit")).unwrap();
    let v = w.venv("gated-helperkit");
    let o = w.pip(&v, &w.index_url(), &["helperkit"]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("custody inspection-malicious"),
        "{}",
        text(&o)
    );
    World::start_python(&v);
    assert!(!w.marker("helperkit").exists());
    assert!(
        !v.join("lib").read_dir().unwrap().any(|p| p
            .unwrap()
            .path()
            .join("site-packages/helperkit")
            .exists())
    );
    let refused: Vec<_> = w
        .log()
        .into_iter()
        .filter(|d| d["action"] == "refused")
        .collect();
    assert!(refused.iter().any(|d| d["code"] == "inspection-malicious"
        && d["sha256"].as_str().is_some_and(|s| s.len() == 64)));
    assert!(refused.iter().any(|d| d["code"] == "malicious"));
}

#[test]
fn the_cooldown_makes_pip_pick_the_older_release() {
    let w = world();
    let control = w.venv("control-cool");
    let o = w.pip(&control, &w.upstream_url(), &["coolpkg"]);
    assert!(text(&o).contains("coolpkg-2.0"), "{}", text(&o));
    let v = w.venv("gated-cool");
    let o = w.pip(&v, &w.index_url(), &["coolpkg"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("coolpkg-1.0"), "{}", text(&o));
    assert!(
        w.log()
            .iter()
            .any(|d| d["code"] == "cooldown" && d["version"] == "2.0")
    );
}

#[test]
fn upstream_faults_and_path_tricks_are_refused_with_a_reason() {
    let w = world();
    let cases = [
        ("/simple/badhtml/", 502, "upstream-malformed"),
        ("/simple/badjson/", 502, "upstream-malformed"),
        ("/simple/redirector/", 502, "upstream-redirect"),
        ("/simple/slow/", 504, "upstream-timeout"),
        (
            "/files/liar/liar-1.0-py3-none-any.whl",
            502,
            "digest-mismatch",
        ),
        (
            "/files/cutoff/cutoff-1.0-py3-none-any.whl",
            502,
            "upstream-truncated",
        ),
        ("/files/idna/..%2F..%2Fetc%2Fpasswd", 400, "bad-path"),
        ("/simple/../files/x", 400, "bad-path"),
        ("http://evil.example/simple/idna/", 400, "bad-path"),
        ("/files/nosuch/nosuch-1.0.tar.gz", 404, "not-found"),
    ];
    for (path, status, code) in cases {
        let (got, line) = w.get(path);
        assert_eq!(got, status, "{path}: {line}");
        assert!(line.contains(&format!("custody {code}:")), "{path}: {line}");
    }
    // Nothing of a fault is cached.
    let files = w.dir.path().join("custody-home/cache/index/files");
    assert!(std::fs::read_dir(&files).unwrap().next().is_none());
    // Names are normalised as PyPI does.
    let (status, _) = w.get("/simple/Jinja2/");
    assert_eq!(status, 301);
    // Controls: the upstream serves these, so the faults are the index's findings.
    let v = w.venv("control-faults");
    let o = w.pip(&v, &w.upstream_url(), &["cutoff", "--no-deps"]);
    assert!(!o.status.success(), "the upstream really truncates");
    let (status, _) = w.get("/files/idna/idna-2.7-py2.py3-none-any.whl");
    assert_eq!(status, 200);
}

#[test]
fn uv_installs_clean_packages_and_never_the_replicas() {
    let w = world();
    let o = w.uv_install("uv-clean", &w.index_url(), &["requests==2.19.1"]);
    assert!(o.status.success(), "{}", text(&o));

    let o = w.uv_install(
        "uv-control-litellm",
        &w.upstream_url(),
        &["litellm==1.82.8"],
    );
    assert!(o.status.success(), "control: {}", text(&o));
    World::start_python(&w.dir.path().join("uv-control-litellm"));
    assert!(w.marker("litellm").exists(), "the probe works");
    std::fs::remove_file(w.marker("litellm")).unwrap();
    let o = w.uv_install("uv-gated-litellm", &w.index_url(), &["litellm==1.82.8"]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("litellm"), "{}", text(&o));
    World::start_python(&w.dir.path().join("uv-gated-litellm"));
    assert!(!w.marker("litellm").exists(), "the hook never ran");

    let o = w.uv_install("uv-control-helperkit", &w.upstream_url(), &["helperkit"]);
    assert!(o.status.success(), "control: {}", text(&o));
    World::start_python(&w.dir.path().join("uv-control-helperkit"));
    assert!(w.marker("helperkit").exists(), "the probe works");
    std::fs::remove_file(w.marker("helperkit")).unwrap();
    let o = w.uv_install("uv-gated-helperkit", &w.index_url(), &["helperkit"]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("403 custody inspection-malicious: helperkit-0.1"),
        "{}",
        text(&o)
    );
    World::start_python(&w.dir.path().join("uv-gated-helperkit"));
    assert!(!w.marker("helperkit").exists());

    let o = w.uv_install("uv-control-cool", &w.upstream_url(), &["coolpkg"]);
    assert!(text(&o).contains("coolpkg==2.0"), "control: {}", text(&o));
    let o = w.uv_install("uv-gated-cool", &w.index_url(), &["coolpkg"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("coolpkg==1.0"), "{}", text(&o));
}

#[test]
fn pages_follow_accept_metadata_passes_through_and_many_clients_share_one_inspection() {
    let w = world();
    let json = "application/vnd.pypi.simple.v1+json";
    let (status, _, body) = request(w.index, "/simple/idna/", Some(json));
    assert_eq!(status, 200);
    let page: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(page["meta"]["api-version"], "1.1");
    let file = &page["files"][0];
    assert_eq!(file["upload-time"], OLD);
    assert!(file["core-metadata"]["sha256"].is_string());
    let (_, _, html) = request(w.index, "/simple/idna/", Some("text/html"));
    let html = String::from_utf8(html).unwrap();
    assert!(html.contains("data-core-metadata=\"sha256="), "{html}");
    assert!(html.contains("#sha256=156a6814"), "{html}");
    let (status, _, _) = request(w.index, "/simple/idna/", Some("application/json"));
    assert_eq!(status, 406);
    // PEP 658: passed through, checked against the listing.
    let (status, _, meta) = request(
        w.index,
        "/files/idna/idna-2.7-py2.py3-none-any.whl.metadata",
        None,
    );
    assert_eq!(
        (status, meta.as_slice()),
        (
            200,
            &b"Metadata-Version: 2.1\nName: idna\nVersion: 2.7\n"[..]
        )
    );
    let (status, line) = w.get("/files/liar/liar-1.0-py3-none-any.whl.metadata");
    assert_eq!(status, 502, "{line}");
    assert!(line.contains("custody metadata-mismatch"), "{line}");
    // 24 clients at once ask for the same new file: every one gets the real bytes, one inspection.
    let want = std::fs::read(common::fixture(
        "wheels/requests-2.19.1-py2.py3-none-any.whl",
    ))
    .unwrap();
    let port = w.index;
    let handles: Vec<_> = (0..24)
        .map(|_| {
            std::thread::spawn(move || {
                request(
                    port,
                    "/files/requests/requests-2.19.1-py2.py3-none-any.whl",
                    None,
                )
            })
        })
        .collect();
    for h in handles {
        let (status, line, body) = h.join().unwrap();
        assert_eq!(status, 200, "{line}");
        assert!(body == want);
    }
    let served: Vec<_> = w
        .log()
        .into_iter()
        .filter(|d| d["project"] == "requests" && d["code"] == "allowed")
        .collect();
    assert_eq!(served.len(), 24);
    assert_eq!(served.iter().filter(|d| d["inspected"] == true).count(), 1);
}

#[test]
fn a_folder_upstream_serves_pip_with_upload_times_from_mtimes() {
    let dir = tempfile::tempdir().unwrap();
    let wheels = dir.path().join("wheels");
    std::fs::create_dir(&wheels).unwrap();
    for entry in std::fs::read_dir(common::fixture("wheels")).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "whl") {
            std::fs::copy(&p, wheels.join(p.file_name().unwrap())).unwrap();
        }
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = common::custody(&dir.path().join("home"))
        .args([
            "index",
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--upstream",
        ])
        .arg(&wheels)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stderr.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let (status, _, body) = request(
        port,
        "/simple/",
        Some("application/vnd.pypi.simple.v1+json"),
    );
    assert_eq!(status, 200);
    let root: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(root["projects"].as_array().unwrap().len(), 7);
    let venv = dir.path().join("venv");
    assert!(
        Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .unwrap()
            .success()
    );
    let o = Command::new(venv.join("bin/python"))
        .args([
            "-m",
            "pip",
            "install",
            "--no-cache-dir",
            "--disable-pip-version-check",
            "--index-url",
        ])
        .arg(format!("http://127.0.0.1:{port}/simple/"))
        .args(["requests==2.19.1", "jinja2==2.10"])
        .env_remove("PIP_FIND_LINKS")
        .env("PIP_CONFIG_FILE", "/dev/null")
        .output()
        .unwrap();
    let _ = server.kill();
    let _ = server.wait();
    assert!(o.status.success(), "{}", text(&o));
    let log = std::fs::read_to_string(dir.path().join("home/index/decisions.jsonl")).unwrap();
    assert_eq!(
        log.lines()
            .filter(|l| l.contains("\"code\":\"allowed\""))
            .count(),
        7,
        "{log}"
    );
}

#[test]
fn serve_refuses_what_it_cannot_do_safely() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        common::custody(&dir.path().join("home"))
            .args(["index", "serve"])
            .args(args)
            .output()
            .unwrap()
    };
    let o = run(&["--upstream", "fixtures/wheels", "--listen", "0.0.0.0:0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("not a loopback address"), "{}", text(&o));
    let o = run(&["--upstream", "ftp://example.invalid/simple/"]);
    assert_eq!(o.status.code(), Some(2));
    let policy = dir.path().join("custody.toml");
    std::fs::write(
        &policy,
        "[index]\n[[index.allow]]\npackage = \"x\"\nexpires = 2027-01-01\n",
    )
    .unwrap();
    let o = run(&[
        "--upstream",
        "fixtures/wheels",
        "--policy",
        policy.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("line 2") && text(&o).contains("reason"),
        "{}",
        text(&o)
    );
    let o = run(&["--help"]);
    let help = text(&o);
    for want in [
        "--upstream",
        "--listen",
        "--policy",
        "--cache",
        "--log",
        "min-age",
        "[[index.allow]]",
        "403",
        "pip install --index-url",
    ] {
        assert!(help.contains(want), "--help lacks {want}: {help}");
    }
}

/// A GET with a `Range` header: the status line, the head and the body.
fn ranged(port: u16, path: &str, range: &str) -> (String, String, Vec<u8>) {
    use std::io::{Read as _, Write as _};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nRange: {range}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut bytes = Vec::new();
    s.read_to_end(&mut bytes).unwrap();
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
    (
        head.lines().next().unwrap().to_owned(),
        head,
        bytes[end + 4..].to_vec(),
    )
}

#[test]
fn files_answer_single_range_requests_after_the_gate() {
    let w = world();
    let path = "/files/idna/idna-2.7-py2.py3-none-any.whl";
    let whole = std::fs::read(common::fixture("wheels/idna-2.7-py2.py3-none-any.whl")).unwrap();
    let len = whole.len();
    let (status, head, body) = ranged(w.index, path, "bytes=0-3");
    assert!(status.contains("206"), "{head}");
    assert!(
        head.contains(&format!("Content-Range: bytes 0-3/{len}")),
        "{head}"
    );
    assert_eq!(body, &whole[..4]);
    // The zip's end of central directory, as uv asks for it.
    let (status, _, body) = ranged(w.index, path, "bytes=-22");
    assert!(status.contains("206"));
    assert_eq!(body, &whole[len - 22..]);
    let (status, head, _) = ranged(w.index, path, &format!("bytes={len}-"));
    assert!(status.contains("416"), "{head}");
    assert!(
        head.contains(&format!("Content-Range: bytes */{len}")),
        "{head}"
    );
    // A kept file changed in the cache is not served: fetched again.
    let sha = Sha256::digest(&whole)
        .iter()
        .fold(String::new(), |s, b| s + &format!("{b:02x}"));
    let kept = w
        .dir
        .path()
        .join("custody-home/cache/index/files")
        .join(sha);
    let mut changed = std::fs::read(&kept).unwrap();
    changed[10] ^= 1;
    std::fs::write(&kept, &changed).unwrap();
    let (status, _, body) = ranged(w.index, path, "bytes=0-");
    assert!(status.contains("206"));
    assert_eq!(body, whole);
    assert_eq!(std::fs::read(&kept).unwrap(), whole);
    // Control: no range, the whole file; a refused file is never cut.
    let (status, head, body) = ranged(w.index, path, "bytes=0-1,5-6");
    assert!(
        status.contains("200") && head.contains("Accept-Ranges: bytes"),
        "{head}"
    );
    assert_eq!(body, whole);
    let (status, _, _) = ranged(
        w.index,
        "/files/helperkit/helperkit-0.1-py3-none-any.whl",
        "bytes=0-3",
    );
    assert!(status.contains("403"), "{status}");
}
