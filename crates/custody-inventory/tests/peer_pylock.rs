//! pip-audit's pylock cases (`test/dependency_source/test_pylock.py` in
//! pypa/pip-audit): the same situations, written here as minimal files (not
//! copies of its assets), with custody's answer checked against what
//! pip-audit's test expects: three resolved packages; a package without a
//! version skipped (custody: kept, unchecked); and an error for invalid
//! TOML, a missing `lock-version`, an unsupported one, a missing
//! `packages`, and a package without a name.

#![allow(
    clippy::unwrap_used,
    clippy::disallowed_methods,
    reason = "test setup fails loudly; std::fs is fine in tests"
)]

use custody_inventory::{Inventory, InventoryError, LockfileKind, read_lockfile};

fn read(text: &str) -> Result<Inventory, InventoryError> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("pylock.toml");
    std::fs::write(&p, text).unwrap();
    read_lockfile(&p, LockfileKind::Pylock)
}

const HEAD: &str = "lock-version = '1.0'\ncreated-by = 'custody-test'\n";

#[test]
fn basic_resolves_every_package() {
    let inv = read(&format!(
        "{HEAD}[[packages]]\nname = 'attrs'\nversion = '25.1.0'\n\n[[packages]]\nname = 'cattrs'\nversion = '24.1.2'\n\n[[packages]]\nname = 'numpy'\nversion = '2.2.3'\n"
    ))
    .unwrap();
    let got: Vec<(String, String)> = inv
        .packages
        .iter()
        .filter(|p| p.version.is_some())
        .map(|p| (p.name.to_string(), p.version_text.clone().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("attrs", "25.1.0"),
            ("cattrs", "24.1.2"),
            ("numpy", "2.2.3")
        ]
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
    );
}

#[test]
fn a_package_without_version_is_kept_but_not_checkable() {
    let inv = read(&format!(
        "{HEAD}[[packages]]\nname = 'attrs'\nwheels = [{{ name = 'attrs-25.1.0-py3-none-any.whl', url = 'https://files.example/attrs-25.1.0-py3-none-any.whl', hashes = {{ sha256 = '00' }} }}]\n"
    ))
    .unwrap();
    assert_eq!(inv.packages.len(), 1);
    assert!(inv.packages[0].version.is_none());
}

#[test]
fn malformed_locks_are_errors_naming_the_file() {
    for (what, text) in [
        ("invalid TOML", format!("{HEAD}[[packages]\n")),
        (
            "missing lock-version",
            "created-by = 'x'\npackages = []\n".to_owned(),
        ),
        (
            "unsupported lock-version",
            "lock-version = '666'\ncreated-by = 'x'\npackages = []\n".to_owned(),
        ),
        ("missing packages", HEAD.to_owned()),
        (
            "package without a name",
            format!("{HEAD}[[packages]]\nversion = '1.0'\n"),
        ),
    ] {
        let err = read(&text).map(|_| ()).unwrap_err().to_string();
        assert!(err.contains("pylock.toml"), "{what}: {err}");
    }
}
