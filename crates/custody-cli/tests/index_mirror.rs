#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]
#![allow(
    clippy::format_push_string,
    clippy::format_collect,
    reason = "test scaffolding written for clarity"
)]
//! `custody index mirror`: a hashed lock mirrored from the index tests'
//! static upstream (`common::index_world`) through the index's checks into
//! a sealed folder; `index serve --upstream DIR --trust KEY.pub` verifies
//! the seal before serving and real pip installs from it with no upstream.
//! A tampered, unsealed or wrongly keyed mirror is refused, each with its
//! control.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::index_world::*;
use sha2::{Digest, Sha256};

fn sha(path: &Path) -> String {
    Sha256::digest(std::fs::read(path).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A pip-compile style lock of every fixture wheel, litellm 1.82.8 (a
/// MAL- record) and coolpkg 2.0 (inside the cooldown), with hashes.
fn lock(dir: &Path, w: &World) -> PathBuf {
    let mut text = String::new();
    for entry in std::fs::read_dir(common::fixture("wheels")).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(".whl") {
            let mut parts = stem.split('-');
            let (project, version) = (parts.next().unwrap(), parts.next().unwrap());
            text.push_str(&format!(
                "{project}=={version} \\\n    --hash=sha256:{}\n",
                sha(&p)
            ));
        }
    }
    let (_, _, body) = request(
        w.upstream,
        "/simple/litellm/",
        Some("application/vnd.pypi.simple.v1+json"),
    );
    let page: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let hash_of = |page: &serde_json::Value, file: &str| {
        page["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["filename"] == file)
            .unwrap()["hashes"]["sha256"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    text.push_str(&format!(
        "litellm==1.82.8 --hash=sha256:{}\n",
        hash_of(&page, "litellm-1.82.8-py3-none-any.whl")
    ));
    let (_, _, body) = request(
        w.upstream,
        "/simple/coolpkg/",
        Some("application/vnd.pypi.simple.v1+json"),
    );
    let page: serde_json::Value = serde_json::from_slice(&body).unwrap();
    text.push_str(&format!(
        "coolpkg==2.0 --hash=sha256:{}\n",
        hash_of(&page, "coolpkg-2.0-py3-none-any.whl")
    ));
    let path = dir.join("requirements.txt");
    std::fs::write(&path, text).unwrap();
    path
}

fn keypair(home: &Path, dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let key = dir.join(format!("{name}.key"));
    let o = common::custody(home)
        .args(["key", "generate", "-o"])
        .arg(dir.join(name))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    (key.clone(), dir.join(format!("{name}.pub")))
}

fn mirror(w: &World, lock: &Path, out: &Path, key: &Path) -> std::process::Output {
    common::custody(&w.dir.path().join("custody-home"))
        .args(["index", "mirror"])
        .arg(lock)
        .arg("-o")
        .arg(out)
        .arg("-k")
        .arg(key)
        .args(["--upstream", &w.upstream_url(), "--policy"])
        .arg(w.dir.path().join("custody.toml"))
        .output()
        .unwrap()
}

#[test]
fn a_mirror_of_a_lock_is_vetted_sealed_and_serves_pip_and_uv_offline() {
    let w = world();
    let lock = lock(w.dir.path(), &w);
    let home = w.dir.path().join("custody-home");
    let (key, public) = keypair(&home, w.dir.path(), "mirror");
    let out = w.dir.path().join("transfer/wheels");
    let o = mirror(&w, &lock, &out, &key);
    // Exit 1: two pinned releases refused, the rest mirrored and sealed.
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let said = text(&o);
    assert!(
        said.contains("mirrored 7 files of 9 pinned releases"),
        "{said}"
    );
    assert!(
        said.contains("litellm 1.82.8: malicious: litellm 1.82.8: MAL-2026-2144"),
        "{said}"
    );
    assert!(said.contains("coolpkg 2.0: cooldown"), "{said}");
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 9, "{names:?}");
    assert!(names.contains(&"custody-mirror.seal.json".to_owned()));
    assert!(
        !names
            .iter()
            .any(|n| n.starts_with("litellm") || n.starts_with("coolpkg"))
    );
    // No temporary folder left beside it.
    assert_eq!(std::fs::read_dir(out.parent().unwrap()).unwrap().count(), 1);
    // The seal is an ordinary custody manifest: `custody verify` agrees.
    let o = common::custody(&home)
        .args(["verify", "--manifest"])
        .arg(out.join("custody-mirror.seal.json"))
        .arg("--key")
        .arg(&public)
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));

    // The other side: the mirror alone, served after its seal verifies.
    let far = tempfile::tempdir().unwrap();
    let far_index = serve_sealed(far.path(), &out, &public).unwrap();
    let venv = make_venv(&far.path().join("venv"));
    let o = Command::new(venv.join("bin/python"))
        .args(pip_args(&venv)[1..].iter())
        .args([
            "--index-url",
            &far_index.url(),
            "requests==2.19.1",
            "jinja2==2.10",
        ])
        .env("PIP_CONFIG_FILE", "/dev/null")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    uv_installs_from(&far_index, far.path());
    // Upload times are the upstream's (from the sealed list), not the
    // files' copy times: a cooldown on the far side still works.
    let (_, _, body) = request(
        far_index.port,
        "/simple/idna/",
        Some("application/vnd.pypi.simple.v1+json"),
    );
    let page: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(page["files"][0]["upload-time"], "2018-06-14T00:00:00Z");

    changed_while_served(&out, &public, &far_index);
    drop(far_index);

    // Started again: the folder no longer matches its seal.
    let e = serve_sealed(far.path(), &out, &public).err().unwrap();
    assert_eq!(e.0, Some(4), "{}", e.1);
    assert!(
        e.1.contains("differs from its seal: idna-2.7-py2.py3-none-any.whl"),
        "{}",
        e.1
    );
}

#[test]
fn a_sealed_folder_needs_its_key_and_a_key_needs_a_seal() {
    let w = world();
    let lock = w.dir.path().join("one.txt");
    std::fs::write(
        &lock,
        format!(
            "idna==2.7 --hash=sha256:{}\n",
            sha(&common::fixture("wheels/idna-2.7-py2.py3-none-any.whl"))
        ),
    )
    .unwrap();
    let home = w.dir.path().join("custody-home");
    let (key, public) = keypair(&home, w.dir.path(), "mirror");
    let (_, other) = keypair(&home, w.dir.path(), "other");
    let out = w.dir.path().join("m");
    let o = mirror(&w, &lock, &out, &key);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let far = tempfile::tempdir().unwrap();
    // Control: the right key serves.
    assert!(serve_sealed(far.path(), &out, &public).is_ok());
    let e = spawn_serve(far.path(), &["--upstream".as_ref(), out.as_os_str()])
        .err()
        .unwrap();
    assert_eq!(e.0, Some(4), "{}", e.1);
    assert!(
        e.1.contains("seals this folder: name the key that sealed it with --trust"),
        "{}",
        e.1
    );
    let e = serve_sealed(far.path(), &out, &other).err().unwrap();
    assert_eq!(e.0, Some(4), "{}", e.1);
    assert!(e.1.contains("custody-mirror.seal.json"), "{}", e.1);
    // A file added to the sealed folder.
    std::fs::write(out.join("extra-1.0-py3-none-any.whl"), b"PK").unwrap();
    let e = serve_sealed(far.path(), &out, &public).err().unwrap();
    assert_eq!(e.0, Some(4), "{}", e.1);
    assert!(
        e.1.contains("extra-1.0-py3-none-any.whl (added)"),
        "{}",
        e.1
    );
    // A key for a folder with no seal.
    let plain = w.dir.path().join("plain");
    std::fs::create_dir(&plain).unwrap();
    let e = serve_sealed(far.path(), &plain, &public).err().unwrap();
    assert_eq!(e.0, Some(4), "{}", e.1);
    assert!(e.1.contains("the folder has no seal"), "{}", e.1);
}

#[test]
fn mirror_refuses_bad_input_and_leaves_nothing_behind() {
    let w = world();
    let home = w.dir.path().join("custody-home");
    let (key, _) = keypair(&home, w.dir.path(), "mirror");
    let lock = w.dir.path().join("bad.txt");
    std::fs::write(&lock, "idna==2.7\nrequests[security-]==2.19.1\n").unwrap();
    let out = w.dir.path().join("out/m");
    let o = mirror(&w, &lock, &out, &key);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("bad.txt"), "{}", text(&o));
    assert!(text(&o).contains("line 2"), "{}", text(&o));
    assert!(!out.exists());
    // A folder that is not empty is never written into.
    let full = w.dir.path().join("full");
    std::fs::create_dir(&full).unwrap();
    std::fs::write(full.join("keep.txt"), "mine").unwrap();
    std::fs::write(&lock, "idna==2.7\n").unwrap();
    let o = mirror(&w, &lock, &full, &key);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("exists and is not empty"), "{}", text(&o));
    assert_eq!(
        std::fs::read_to_string(full.join("keep.txt")).unwrap(),
        "mine"
    );
    // Control: the same lock into a new folder (no hashes: every file of the release).
    let o = mirror(&w, &lock, &out, &key);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(out.join("idna-2.7-py2.py3-none-any.whl").is_file());
    // A lock whose hash no upstream file has.
    std::fs::write(
        &lock,
        format!("idna==2.7 --hash=sha256:{}\n", "ab".repeat(32)),
    )
    .unwrap();
    let o = mirror(&w, &lock, &w.dir.path().join("m2"), &key);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("none of the upstream's files has a sha256 the lockfile names"),
        "{}",
        text(&o)
    );
}

/// A file of the mirror changed while served. An index that has not
/// fetched it yet refuses it by its sealed sha256; one that has (`warm`)
/// serves the bytes it checked then (its cache), never the changed ones.
fn changed_while_served(out: &Path, public: &Path, warm: &Serving) {
    let cold_home = tempfile::tempdir().unwrap();
    let cold = serve_sealed(cold_home.path(), out, public).unwrap();
    let idna = out.join("idna-2.7-py2.py3-none-any.whl");
    let original = std::fs::read(&idna).unwrap();
    let mut bytes = original.clone();
    bytes.push(0);
    std::fs::write(&idna, &bytes).unwrap();
    let path = "/files/idna/idna-2.7-py2.py3-none-any.whl";
    let (status, line, _) = request(cold.port, path, None);
    assert_eq!(status, 502, "{line}");
    assert!(line.contains("digest-mismatch"), "{line}");
    let (status, line, body) = request(warm.port, path, None);
    assert_eq!(status, 200, "{line}");
    assert_eq!(body, original);
}

/// uv installs the same lock from the far side's index.
fn uv_installs_from(index: &Serving, dir: &Path) {
    let venv = dir.join("uv-venv");
    let run = |c: &mut Command| {
        c.env("UV_CACHE_DIR", dir.join("uv-cache"))
            .env("UV_NO_CONFIG", "1")
            .env("UV_PYTHON_DOWNLOADS", "never")
            .env_remove("UV_INDEX_URL")
            .env_remove("UV_DEFAULT_INDEX")
            .output()
            .unwrap()
    };
    let o = run(Command::new(uv())
        .args(["venv", "--python", "python3"])
        .arg(&venv));
    assert!(o.status.success(), "{}", text(&o));
    let o = run(Command::new(uv())
        .args([
            "pip",
            "install",
            "--no-cache",
            "--default-index",
            &index.url(),
            "--python",
        ])
        .arg(venv.join("bin/python"))
        .args(["requests==2.19.1", "jinja2==2.10"]));
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("+ requests==2.19.1"), "{}", text(&o));
}

/// `custody index serve --upstream DIR --trust KEY` with `home`.
fn serve_sealed(home: &Path, dir: &Path, key: &Path) -> Result<Serving, (Option<i32>, String)> {
    spawn_serve(
        home,
        &[
            "--upstream".as_ref(),
            dir.as_os_str(),
            "--trust".as_ref(),
            key.as_os_str(),
        ],
    )
}
