//! Helpers shared by the fuzz targets: the readers whose public entry is a
//! path get the fuzzer's bytes as a file, in a private folder kept for the
//! whole process (on `/dev/shm` when there is one, so a run stays in memory).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The process's private folder.
fn folder() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        let dir = if shm.is_dir() {
            tempfile::Builder::new()
                .prefix("custody-fuzz")
                .tempdir_in(shm)
        } else {
            tempfile::Builder::new().prefix("custody-fuzz").tempdir()
        };
        dir.expect("a private temporary folder")
    })
    .path()
}

/// Writes `data` to `name` in the private folder and returns its path.
pub fn file(name: &str, data: &[u8]) -> PathBuf {
    let path = folder().join(name);
    fs_err::write(&path, data).expect("the private folder is writable");
    path
}

/// The bytes as text, as the readers that take `&str` get them from a file
/// (invalid UTF-8 is refused before they run).
pub fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}
