//! Inputs the fuzz targets crashed on (`fixtures/fuzz/<target>/`), read
//! again through the same public entry: each must now be an error or an
//! inventory, never a panic.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

use std::path::{Path, PathBuf};

use custody_inventory::{InventoryError, LockfileKind, read_lockfile};

fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/fuzz")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    files
}

#[test]
fn requirement_files_that_crashed_are_refused() {
    for input in inputs("inventory_requirements") {
        // Read from a folder of its own, as the fuzz target does, so an
        // include could only name a file beside it.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("requirements.txt");
        std::fs::copy(&input, &path).unwrap();
        let err = read_lockfile(&path, LockfileKind::Requirements).unwrap_err();
        let InventoryError::Invalid { problems, .. } = &err else {
            panic!("{}: {err}", input.display());
        };
        assert!(
            problems
                .iter()
                .any(|p| p.to_string().contains("ends in '-', '_' or '.'")),
            "{}: {problems:?}",
            input.display()
        );
    }
}
