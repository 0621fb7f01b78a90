//! Fingerprints the analysis rules (this crate's source) for the result
//! cache: a build with any other rule is a different key, so it never reads
//! results the old rules computed.

#![expect(
    clippy::disallowed_methods,
    reason = "a build script without fs-err: a failure panics naming the path"
)]

use std::hash::{Hash as _, Hasher as _};
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=src");
    let mut files = Vec::new();
    collect(Path::new("src"), &mut files);
    files.sort();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for f in &files {
        f.hash(&mut h);
        std::fs::read(f)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", f.display()))
            .hash(&mut h);
    }
    println!(
        "cargo:rustc-env=CUSTODY_INSPECT_RULES={}-{:016x}",
        std::env::var("CARGO_PKG_VERSION").unwrap_or_default(),
        h.finish()
    );
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let rd =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    for e in rd {
        let p = e
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
            .path();
        if p.is_dir() {
            collect(&p, out);
        } else {
            out.push(p);
        }
    }
}
