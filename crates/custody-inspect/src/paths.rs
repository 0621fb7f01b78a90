//! What a member's path says: whether it runs at start-up, whether users'
//! imports ever reach it, and whether the analysis reads all of it.

/// Paths of files that run at interpreter start-up.
pub(crate) fn is_startup_surface(path: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path);
    base.ends_with(".pth")
        || base == "sitecustomize.py"
        || base == "usercustomize.py"
        || base.ends_with(".start")
}

pub(crate) fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Media files a payload may hide in (read whole, searched for encoded runs).
pub(crate) const MEDIA: &[&str] = &[
    ".wav", ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".mp3", ".ico", ".webp",
];

/// Whether the analysis reads all of a member: Python, start-up files,
/// JavaScript, media, and package metadata. Other members (native
/// libraries, data files) need only their first bytes; see
/// [`crate::archive::Limits::skim`].
pub fn reads_whole(path: &str) -> bool {
    let base = basename(path).to_ascii_lowercase();
    [".py", ".pyw", ".pth", ".start", ".js"]
        .iter()
        .chain(MEDIA)
        .any(|e| base.ends_with(e))
        || path.contains(".dist-info/")
        || path.contains(".egg-info/")
        || !base.contains('.')
}

pub(crate) fn first_code_line(data: &[u8]) -> &str {
    std::str::from_utf8(data)
        .unwrap_or("")
        .lines()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .unwrap_or("")
}

/// Import-time files up to this size are read whole (functions included).
pub(crate) const SMALL_FILE: usize = 4096;

/// Folders whose code a user's `import` never runs.
pub(crate) const NOT_SHIPPED_DIRS: &[&str] = &[
    "tests",
    "test",
    "testing",
    "docs",
    "doc",
    "examples",
    "example",
    "benchmarks",
    "benchmark",
    "lab",
    "_tests",
    "scripts",
];
