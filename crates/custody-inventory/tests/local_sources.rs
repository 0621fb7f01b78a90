//! Regression (issue 13): local projects, folders, local archives and VCS
//! checkouts in lockfiles are listed with their version but never made
//! checkable (a private project may share a PyPI name, and PyPI advisories
//! are about the PyPI project); index packages and URL archives stay
//! checkable. And a `pylock.toml` without `packages` is an error.

#![allow(
    clippy::unwrap_used,
    clippy::disallowed_methods,
    reason = "test setup fails loudly; std::fs is fine in tests"
)]

use custody_inventory::{Inventory, LockfileKind, Pin, read_lockfile};

fn read(file: &str, text: &str) -> Inventory {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(file);
    std::fs::write(&p, text).unwrap();
    let kind = LockfileKind::from_path(&p, true).unwrap();
    read_lockfile(&p, kind).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// (name, version text, checkable, pin label), in file order.
fn rows(inv: &Inventory) -> Vec<(String, String, bool, &'static str)> {
    inv.packages
        .iter()
        .map(|p| {
            (
                p.name.to_string(),
                p.version_text.clone().unwrap_or_default(),
                p.version.is_some(),
                p.pin.label(),
            )
        })
        .collect()
}

fn row(
    n: &str,
    v: &str,
    checkable: bool,
    pin: &'static str,
) -> (String, String, bool, &'static str) {
    (n.into(), v.into(), checkable, pin)
}

#[test]
fn uv_lock_local_sources_are_not_checkable() {
    let inv = read(
        "uv.lock",
        r#"version = 1
requires-python = ">=3.11"

[[package]]
name = "requests"
version = "0.1.0"
source = { editable = "." }

[[package]]
name = "flask"
version = "3.0.0"
source = { virtual = "." }

[[package]]
name = "django"
version = "1.0"
source = { directory = "libs/django" }

[[package]]
name = "jinja2"
version = "2.10"
source = { path = "wheels/jinja2-2.10-py2.py3-none-any.whl" }

[[package]]
name = "pyyaml"
version = "5.3"
source = { git = "https://github.com/yaml/pyyaml?rev=5.3#0000000000000000000000000000000000000000" }

[[package]]
name = "idna"
version = "2.7"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "torch"
version = "2.3.0+cu121"
source = { url = "https://download.pytorch.org/whl/cu121/torch-2.3.0%2Bcu121-cp311-cp311-linux_x86_64.whl" }
"#,
    );
    assert_eq!(
        rows(&inv),
        vec![
            row("requests", "0.1.0", false, "editable"),
            row("flask", "3.0.0", false, "local"),
            row("django", "1.0", false, "local"),
            row("jinja2", "2.10", false, "local"),
            row("pyyaml", "5.3", false, "vcs"),
            row("idna", "2.7", true, "pinned"),
            row("torch", "2.3.0+cu121", true, "url"),
        ]
    );
}

#[test]
fn poetry_directory_file_and_git_sources_are_not_checkable() {
    let inv = read(
        "poetry.lock",
        r#"[[package]]
name = "requests"
version = "0.1.0"
description = ""
optional = false
python-versions = "*"
files = []
develop = true

[package.source]
type = "directory"
url = "libs/requests"

[[package]]
name = "jinja2"
version = "2.10"
description = ""
optional = false
python-versions = "*"
files = []

[package.source]
type = "file"
url = "wheels/jinja2-2.10-py2.py3-none-any.whl"

[[package]]
name = "pyyaml"
version = "5.3"
description = ""
optional = false
python-versions = "*"
files = []

[package.source]
type = "git"
url = "https://github.com/yaml/pyyaml.git"
reference = "5.3"
resolved_reference = "0000000000000000000000000000000000000000"

[[package]]
name = "idna"
version = "2.7"
description = ""
optional = false
python-versions = "*"
files = []

[metadata]
lock-version = "2.1"
python-versions = "^3.11"
content-hash = "0"
"#,
    );
    assert_eq!(
        rows(&inv),
        vec![
            row("requests", "0.1.0", false, "local"),
            row("jinja2", "2.10", false, "local"),
            row("pyyaml", "5.3", false, "vcs"),
            row("idna", "2.7", true, "pinned"),
        ]
    );
}

#[test]
fn pdm_local_editable_and_git_are_not_checkable() {
    let inv = read(
        "pdm.lock",
        r#"[metadata]
lock_version = "4.5.0"

[[package]]
name = "requests"
version = "0.1.0"
path = "./libs/requests"

[[package]]
name = "flask"
version = "3.0.0"
path = "./libs/flask"
editable = true

[[package]]
name = "jinja2"
version = "2.10"
url = "file:///w/jinja2-2.10-py2.py3-none-any.whl"

[[package]]
name = "pyyaml"
version = "5.3"
git = "https://github.com/yaml/pyyaml.git"
revision = "0000000000000000000000000000000000000000"

[[package]]
name = "idna"
version = "2.7"
"#,
    );
    assert_eq!(
        rows(&inv),
        vec![
            row("requests", "0.1.0", false, "local"),
            row("flask", "3.0.0", false, "editable"),
            row("jinja2", "2.10", false, "local"),
            row("pyyaml", "5.3", false, "vcs"),
            row("idna", "2.7", true, "pinned"),
        ]
    );
}

#[test]
fn pipfile_lock_path_file_editable_and_git_are_not_checkable() {
    let inv = read(
        "Pipfile.lock",
        r#"{
  "_meta": {"hash": {"sha256": "0"}, "pipfile-spec": 6, "requires": {}, "sources": []},
  "default": {
    "requests": {"editable": true, "path": ".", "version": "==0.1.0"},
    "flask": {"path": "./libs/flask", "version": "==3.0.0"},
    "jinja2": {"file": "wheels/jinja2-2.10-py2.py3-none-any.whl", "version": "==2.10"},
    "pyyaml": {"git": "https://github.com/yaml/pyyaml.git", "ref": "0000", "version": "==5.3"},
    "idna": {"hashes": [], "version": "==2.7"}
  },
  "develop": {}
}"#,
    );
    // JSON objects are read in name order.
    let mut got = rows(&inv);
    got.sort();
    assert_eq!(
        got,
        vec![
            row("flask", "3.0.0", false, "local"),
            row("idna", "2.7", true, "pinned"),
            row("jinja2", "2.10", false, "local"),
            row("pyyaml", "5.3", false, "vcs"),
            row("requests", "0.1.0", false, "editable"),
        ]
    );
}

#[test]
fn pylock_directory_vcs_and_local_archive_are_not_checkable() {
    let inv = read(
        "pylock.toml",
        r#"lock-version = "1.0"
created-by = "custody-test"

[[packages]]
name = "requests"
version = "0.1.0"
directory = { path = ".", editable = true }

[[packages]]
name = "flask"
directory = { path = "libs/flask" }

[[packages]]
name = "pyyaml"
version = "5.3"
vcs = { type = "git", url = "https://github.com/yaml/pyyaml.git", commit-id = "0000" }

[[packages]]
name = "jinja2"
version = "2.10"
archive = { path = "wheels/jinja2-2.10-py2.py3-none-any.whl", hashes = { sha256 = "00" } }

[[packages]]
name = "torch"
archive = { url = "https://download.pytorch.org/whl/cu121/torch-2.3.0%2Bcu121-cp311-cp311-linux_x86_64.whl", hashes = { sha256 = "00" } }

[[packages]]
name = "idna"
version = "2.7"
wheels = [{ url = "https://files.pythonhosted.org/idna-2.7-py2.py3-none-any.whl", hashes = { sha256 = "00" } }]
"#,
    );
    assert_eq!(
        rows(&inv),
        vec![
            row("requests", "0.1.0", false, "editable"),
            row("flask", "", false, "local"),
            row("pyyaml", "5.3", false, "vcs"),
            row("jinja2", "2.10", false, "local"),
            row("torch", "2.3.0+cu121", true, "url"),
            row("idna", "2.7", true, "pinned"),
        ]
    );
    assert!(matches!(inv.packages[4].pin, Pin::Url { .. }));
}

#[test]
fn pylock_without_packages_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("pylock.toml");
    std::fs::write(&p, "lock-version = \"1.0\"\ncreated-by = \"x\"\n").unwrap();
    let err = read_lockfile(&p, LockfileKind::Pylock)
        .unwrap_err()
        .to_string();
    assert!(err.contains("pylock.toml"), "{err}");
    assert!(err.contains("`packages`"), "{err}");
    // An empty lock says so.
    std::fs::write(
        &p,
        "lock-version = \"1.0\"\ncreated-by = \"x\"\npackages = []\n",
    )
    .unwrap();
    assert!(
        read_lockfile(&p, LockfileKind::Pylock)
            .unwrap()
            .packages
            .is_empty()
    );
}

#[test]
fn lockfile_versions_are_kept_as_written_as_docs_scan_json_says() {
    let inv = read(
        "uv.lock",
        "version = 1\n\n[[package]]\nname = \"Foo_Bar\"\nversion = \"1.0.0-RC1\"\nsource = { registry = \"https://pypi.org/simple\" }\n",
    );
    assert_eq!(
        rows(&inv),
        vec![row("foo-bar", "1.0.0-RC1", true, "pinned")]
    );
}
