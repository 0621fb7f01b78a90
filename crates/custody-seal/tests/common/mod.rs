//! Provisioning of the Python interop venvs the tests drive
//! (`scripts/interop/*-venv.sh`: idempotent, locked, pinned).

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) if Path::new(&d).is_absolute() => PathBuf::from(d),
        Some(d) => workspace().join(d),
        None => workspace().join("target"),
    }
}

/// Runs `scripts/interop/<name>-venv.sh <target>/interop/<name>-venv` and
/// returns `<venv>/<bin>`, which must exist afterwards. `what` names the
/// tool in the error, which says how to make provisioning work: these
/// tests are never skipped.
pub fn provision(name: &str, bin: &str, what: &str) -> Result<PathBuf, String> {
    let script = workspace().join(format!("scripts/interop/{name}-venv.sh"));
    let dir = target_dir().join(format!("interop/{name}-venv"));
    let started = std::time::Instant::now();
    let out = Command::new("bash")
        .arg(&script)
        .arg(&dir)
        .output()
        .map_err(|e| format!("cannot run bash {}: {e}", script.display()))?;
    if !out.status.success() {
        return Err(format!(
            "provisioning {what} failed ({}): bash {} {}\n{}\n\
             These interoperability tests need python3 with venv and pip, and access to PyPI \
             the first time; they are not skipped.",
            out.status,
            script.display(),
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let venv = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    let path = venv.join(bin);
    if !path.is_file() {
        return Err(format!("{}: missing after provisioning", path.display()));
    }
    eprintln!(
        "{what} venv ready in {:.1} s: {}",
        started.elapsed().as_secs_f64(),
        venv.display()
    );
    Ok(path)
}
