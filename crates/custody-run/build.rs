//! Links libseccomp on machines that have the run-time library but not the
//! development package: the linker looks for `libseccomp.so`, which only
//! `libseccomp-dev` provides. When it is missing, a link to the installed
//! `libseccomp.so.2` is made in `OUT_DIR` and added to the search path. The
//! binary then records `libseccomp.so.2` as its dependency, as with the
//! development package.

use std::path::{Path, PathBuf};

const DIRS: &[&str] = &[
    "/usr/lib/x86_64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/usr/lib64",
    "/usr/lib",
    "/lib/x86_64-linux-gnu",
    "/lib/aarch64-linux-gnu",
    "/lib64",
    "/lib",
];

#[allow(
    clippy::disallowed_methods,
    reason = "the error is ignored: linking reports what is missing"
)]
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=LIBSECCOMP_LIB_PATH");
    if std::env::var_os("LIBSECCOMP_LIB_PATH").is_some() {
        return;
    }
    let dirs = DIRS.iter().map(Path::new);
    if dirs.clone().any(|d| d.join("libseccomp.so").exists()) {
        return;
    }
    let Some(runtime) = dirs.map(|d| d.join("libseccomp.so.2")).find(|p| p.exists()) else {
        println!(
            "cargo:warning=libseccomp is not installed (neither libseccomp.so nor libseccomp.so.2 found); install libseccomp2 (Debian: apt-get install libseccomp2)"
        );
        return;
    };
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("libseccomp");
    let link = out.join("libseccomp.so");
    let _ = std::fs::create_dir_all(&out);
    let _ = std::fs::remove_file(&link);
    if let Err(e) = std::os::unix::fs::symlink(&runtime, &link) {
        println!("cargo:warning=cannot link {}: {e}", runtime.display());
        return;
    }
    println!("cargo:rustc-link-search=native={}", out.display());
}
