//! Every lockfile format, read from fixtures produced by the real tools
//! (see fixtures/lockfiles/README.md), and an installed environment.

#![allow(
    clippy::unwrap_used,
    clippy::disallowed_methods,
    reason = "test setup fails loudly; std::fs is fine in tests"
)]

use std::path::{Path, PathBuf};

use custody_inventory::{
    DiscoverOptions, Inventory, LockfileKind, Pin, SourceKind, discover, read_lockfile,
};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn lock(rel: &str) -> Inventory {
    let p = fixtures().join("lockfiles").join(rel);
    let kind = LockfileKind::from_path(&p, true).unwrap();
    read_lockfile(&p, kind).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// (name, version) pairs, sorted and deduplicated.
fn pins(inv: &Inventory) -> Vec<(String, String)> {
    let mut v: Vec<_> = inv
        .packages
        .iter()
        .filter(|p| p.version.is_some())
        .map(|p| (p.name.to_string(), p.version_text.clone().unwrap()))
        .collect();
    v.sort();
    v.dedup();
    v
}

fn pkg<'a>(inv: &'a Inventory, name: &str) -> &'a custody_inventory::Package {
    inv.packages
        .iter()
        .find(|p| p.name.as_str() == name)
        .unwrap_or_else(|| panic!("{name} not in inventory"))
}

fn has(inv: &Inventory, name: &str, version: &str) -> bool {
    pins(inv).contains(&(name.to_owned(), version.to_owned()))
}

/// The project's direct and transitive pins common to every resolver.
const COMMON: &[(&str, &str)] = &[
    ("requests", "2.19.1"),
    ("idna", "2.7"),
    ("chardet", "3.0.4"),
    ("jinja2", "2.10"),
    ("pyyaml", "5.3"),
    ("pysocks", "1.7.1"),
];

fn assert_common(inv: &Inventory, what: &str) {
    for (n, v) in COMMON {
        assert!(
            has(inv, n, v),
            "{what}: missing {n} {v}; got {:?}",
            pins(inv)
        );
    }
}

#[test]
fn requirements_txt_from_pip_compile() {
    let inv = lock("requirements/requirements.txt");
    assert_common(&inv, "requirements.txt");
    assert!(has(&inv, "urllib3", "1.23"));
    let req = pkg(&inv, "requests");
    assert_eq!(
        req.origin.line,
        Some(194),
        "line of `requests[socks]==2.19.1`"
    );
    assert_eq!(req.extras, vec!["socks"]);
    assert_eq!(req.hashes.len(), 2, "both --hash values of requests");
    assert!(req.hashes.iter().all(|h| h.starts_with("sha256:")));
    assert!(inv.unresolved.is_empty());
}

#[test]
fn requirements_includes_and_constraints() {
    let inv = lock("requirements/requirements-dev.txt");
    assert_eq!(
        inv.sources.len(),
        3,
        "dev, the -r include and the -c constraints: {:?}",
        inv.sources
    );
    assert!(has(&inv, "py", "1.11.0"));
    assert!(
        has(&inv, "requests", "2.19.1"),
        "packages of the -r include are inventoried"
    );
    let from_include = pkg(&inv, "requests");
    assert!(from_include.origin.path.ends_with("requirements.txt"));
}

#[test]
fn requirements_unpinned_url_vcs_and_editable_are_kept() {
    let inv = lock("requirements/requirements-mixed.txt");
    let pin_of = |n: &str| {
        inv.packages
            .iter()
            .find(|p| p.name.as_str() == n)
            .map(|p| p.pin.clone())
    };
    assert!(matches!(pin_of("flask"), Some(Pin::Unpinned { specifier }) if specifier == ">=2"));
    assert!(
        matches!(pin_of("zope-interface"), Some(Pin::Unpinned { specifier }) if specifier.is_empty())
    );
    assert!(matches!(pin_of("markupsafe"), Some(Pin::Vcs { .. })));
    assert!(matches!(pin_of("pysocks"), Some(Pin::Vcs { .. })));
    assert!(matches!(pin_of("click"), Some(Pin::Editable { .. })));
    assert!(matches!(pin_of("chardet"), Some(Pin::Url { .. })));
    assert!(matches!(pin_of("certifi"), Some(Pin::Url { .. })));
    // Archives name their version; pip rejects a mismatch, so these are checkable.
    assert!(has(&inv, "certifi", "2018.8.24"));
    assert!(has(&inv, "chardet", "3.0.4"));
    // Exact pins across continuation lines, `===`, extras and markers.
    assert!(has(&inv, "six", "1.16.0"));
    assert!(has(&inv, "idna", "2.7"));
    assert!(has(&inv, "pyyaml", "5.3"));
    let requests = pkg(&inv, "requests");
    assert_eq!(
        requests.marker.as_deref(),
        Some("python_full_version >= '3.6'")
    );
    // The nameless editable project is reported, not dropped.
    assert_eq!(inv.unresolved.len(), 1);
    assert_eq!(inv.unresolved[0].text, "./local");
    assert_eq!(
        inv.packages.len() + inv.unresolved.len(),
        17,
        "every requirement line is accounted for"
    );
}

#[test]
fn uv_lock_with_upload_times() {
    let inv = lock("uv/uv.lock");
    assert_common(&inv, "uv.lock");
    assert!(has(&inv, "urllib3", "1.23"));
    let req = pkg(&inv, "requests");
    assert_eq!(req.source_kind, SourceKind::UvLock);
    let t = req.upload_time.expect("uv.lock records upload-time");
    assert!(t.to_string().starts_with("2018-06-14"), "{t}");
    let project = pkg(&inv, "demo-pipeline");
    assert!(
        matches!(project.pin, Pin::Local { .. }),
        "the project itself is a virtual/local source"
    );
}

#[test]
fn pylock_from_uv_and_pip() {
    let uv = lock("pylock/uv/pylock.toml");
    assert_common(&uv, "uv pylock");
    assert!(
        uv.packages.iter().all(|p| p.upload_time.is_some()),
        "uv writes upload-time for every file"
    );
    let pip = lock("pylock/pip/pylock.toml");
    assert_common(&pip, "pip pylock");
    assert!(pip.packages.iter().all(|p| p.upload_time.is_none()));
    assert!(pip.packages.iter().all(|p| !p.hashes.is_empty()));
}

#[test]
fn poetry_1_8_and_2() {
    for rel in ["poetry-1.8/poetry.lock", "poetry-2/poetry.lock"] {
        let inv = lock(rel);
        assert_common(&inv, rel);
        assert!(
            inv.packages.iter().all(|p| !p.hashes.is_empty()),
            "{rel}: hashes from files"
        );
        assert!(has(&inv, "py", "1.11.0"), "{rel}: dev group");
    }
    let p2 = lock("poetry-2/poetry.lock");
    let colorama = pkg(&p2, "colorama");
    assert_eq!(
        colorama.marker.as_deref(),
        Some("sys_platform == \"win32\"")
    );
}

#[test]
fn pipfile_lock_default_and_develop() {
    let inv = lock("pipenv/Pipfile.lock");
    assert_common(&inv, "Pipfile.lock");
    assert!(has(&inv, "py", "1.11.0"), "develop section");
    let req = pkg(&inv, "requests");
    assert_eq!(req.origin.line, Some(240));
}

#[test]
fn pdm_lock() {
    let inv = lock("pdm/pdm.lock");
    assert_common(&inv, "pdm.lock");
    let requests: Vec<_> = inv
        .packages
        .iter()
        .filter(|p| p.name.as_str() == "requests")
        .collect();
    assert_eq!(
        requests.len(),
        2,
        "pdm lists requests plain and with its extra"
    );
    assert_eq!(requests[0].origin.line, Some(243));
}

fn copy_tree(from: &Path, to: &Path, skip: &str) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let name = e.file_name();
        if name == skip {
            continue;
        }
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &to.join(&name), skip);
        } else {
            std::fs::copy(e.path(), to.join(&name)).unwrap();
        }
    }
}

#[test]
fn every_format_is_found_in_a_project_folder() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixtures().join("lockfiles"), dir.path(), "bad");
    let inv = discover(dir.path(), &DiscoverOptions::default()).unwrap();
    let kinds: std::collections::BTreeSet<_> = inv.sources.iter().map(|s| s.kind).collect();
    for k in [
        SourceKind::RequirementsTxt,
        SourceKind::UvLock,
        SourceKind::PoetryLock,
        SourceKind::PipfileLock,
        SourceKind::PdmLock,
        SourceKind::Pylock,
    ] {
        assert!(kinds.contains(&k), "{k:?} not discovered");
    }
    // 3 requirements files (+ constraints via -c), uv, 2 pylock, 2 poetry, pipenv, pdm.
    assert_eq!(inv.sources.len(), 11, "{:#?}", inv.sources);
}

#[test]
fn a_malformed_lockfile_in_a_project_fails_discovery() {
    let err = discover(&fixtures().join("lockfiles"), &DiscoverOptions::default()).unwrap_err();
    assert!(err.to_string().contains("/bad/"), "{err}");
}

#[test]
fn a_folder_with_nothing_to_scan_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not requirements").unwrap();
    let err = discover(dir.path(), &DiscoverOptions::default()).unwrap_err();
    assert!(
        matches!(err, custody_inventory::InventoryError::NothingFound { .. }),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn symlink_loop_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(dir.path().join("b"), dir.path().join("a")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("a"), dir.path().join("b")).unwrap();
    let err = discover(&dir.path().join("a"), &DiscoverOptions::default()).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("cannot read") && msg.contains("symbolic links"),
        "{msg}"
    );
}

#[test]
fn installed_site_packages_metadata() {
    let sp = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/demo/site-packages");
    let inv = discover(&sp, &DiscoverOptions::default()).unwrap();
    assert_eq!(
        pins(&inv),
        vec![
            ("litellm".into(), "1.82.8".into()),
            ("requests".into(), "2.19.1".into())
        ]
    );
    let l = pkg(&inv, "litellm");
    assert_eq!(l.installer.as_deref(), Some("pip"));
    assert_eq!(l.record_files, Some(4));
    assert_eq!(l.pin, Pin::Installed);
}

#[test]
fn legacy_egg_info_editable_and_direct_url_installs() {
    let dir = tempfile::tempdir().unwrap();
    let sp = dir.path().join("lib/python3.11/site-packages");
    std::fs::create_dir_all(&sp).unwrap();
    std::fs::write(dir.path().join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
    // distutils-style single-file egg-info, and a setuptools egg-info folder.
    std::fs::write(
        sp.join("old_pkg-1.0-py3.11.egg-info"),
        "Metadata-Version: 1.1\nName: old-pkg\nVersion: 1.0\n",
    )
    .unwrap();
    std::fs::create_dir_all(sp.join("Other.Pkg.egg-info")).unwrap();
    std::fs::write(
        sp.join("Other.Pkg.egg-info/PKG-INFO"),
        "Metadata-Version: 2.1\nName: Other.Pkg\nVersion: 2.0.post1\n",
    )
    .unwrap();
    // An editable install recorded by direct_url.json (PEP 660), and a VCS install.
    for (name, direct) in [
        (
            "mylib-0.3.dist-info",
            r#"{"url": "file:///src/mylib", "dir_info": {"editable": true}}"#,
        ),
        (
            "gitdep-1.2.dist-info",
            r#"{"url": "https://github.com/o/gitdep.git", "vcs_info": {"vcs": "git", "commit_id": "abc"}}"#,
        ),
    ] {
        let d = sp.join(name);
        std::fs::create_dir_all(&d).unwrap();
        let (n, v) = name.trim_end_matches(".dist-info").split_once('-').unwrap();
        std::fs::write(
            d.join("METADATA"),
            format!("Metadata-Version: 2.1\nName: {n}\nVersion: {v}\n"),
        )
        .unwrap();
        std::fs::write(d.join("direct_url.json"), direct).unwrap();
    }
    // A legacy develop install.
    std::fs::write(sp.join("devpkg.egg-link"), "/src/devpkg\n.\n").unwrap();

    let inv = discover(dir.path(), &DiscoverOptions::default()).unwrap();
    assert_eq!(
        pins(&inv),
        vec![
            ("gitdep".into(), "1.2".into()),
            ("mylib".into(), "0.3".into()),
            ("old-pkg".into(), "1.0".into()),
            ("other-pkg".into(), "2.0.post1".into()),
        ]
    );
    let pin = |n: &str| {
        inv.packages
            .iter()
            .find(|p| p.name.as_str() == n)
            .unwrap()
            .pin
            .clone()
    };
    assert!(matches!(pin("mylib"), Pin::Editable { target } if target == "file:///src/mylib"));
    assert!(matches!(pin("gitdep"), Pin::Vcs { .. }));
    assert_eq!(pin("old-pkg"), Pin::Installed);
    assert_eq!(inv.unresolved.len(), 1);
    assert!(
        inv.unresolved[0]
            .text
            .starts_with("devpkg.egg-link -> /src/devpkg")
    );
    let other = pkg(&inv, "other-pkg");
    assert!(other.origin.path.ends_with("Other.Pkg.egg-info/PKG-INFO"));
    assert_eq!(other.origin.line, Some(3), "the Version header's line");
}
