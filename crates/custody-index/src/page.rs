//! One project page of a simple index, whatever format it came in: the
//! fields of PEP 691's JSON, which PEP 503's HTML carries as attributes.

use std::collections::BTreeMap;

/// A project page: the files of one project.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProjectPage {
    /// The project name as the upstream writes it.
    pub name: String,
    /// The files, in the upstream's order.
    pub files: Vec<DistFile>,
    /// PEP 700 `versions`, when the upstream gave them.
    pub versions: Option<Vec<String>>,
}

/// Whether a file is yanked (PEP 592), and why.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Yanked {
    /// Not yanked.
    #[default]
    No,
    /// Yanked, with the upstream's reason (possibly empty).
    Yes(String),
}

/// Whether a file's core metadata is served apart (PEP 658/714), and its hashes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CoreMetadata {
    /// Not available.
    #[default]
    Absent,
    /// Available at the file's URL + `.metadata`, with these hashes (maybe none).
    Present(BTreeMap<String, String>),
}

/// One distribution file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DistFile {
    /// The file name.
    pub filename: String,
    /// Where the upstream serves it (as written: possibly relative, fragment removed).
    pub url: String,
    /// Hash name → lower-case hex digest (`sha256`, ...).
    pub hashes: BTreeMap<String, String>,
    /// PEP 345 `Requires-Python` specifier, as written.
    pub requires_python: Option<String>,
    /// PEP 592.
    pub yanked: Yanked,
    /// PEP 658/714.
    pub core_metadata: CoreMetadata,
    /// PEP 700 upload time (RFC 3339), as written.
    pub upload_time: Option<String>,
    /// PEP 700 size in bytes.
    pub size: Option<u64>,
}

impl DistFile {
    /// The SHA-256 the upstream lists for this file.
    pub fn sha256(&self) -> Option<&str> {
        self.hashes.get("sha256").map(String::as_str)
    }

    /// The upload time as an instant, when given and valid.
    pub fn uploaded(&self) -> Option<jiff::Timestamp> {
        self.upload_time.as_deref().and_then(|t| t.parse().ok())
    }
}

/// Whether a file name from an upstream can name a file on disk and a URL
/// segment: no slash, backslash, control character or leading dot, not empty.
pub fn safe_filename(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name
            .chars()
            .any(|c| c.is_control() || matches!(c, '/' | '\\'))
}

/// Splits `url#sha256=hex` into the URL and its hash (PEP 503 fragment).
pub(crate) fn split_fragment(href: &str) -> (String, BTreeMap<String, String>) {
    let mut hashes = BTreeMap::new();
    let (url, frag) = href.split_once('#').unwrap_or((href, ""));
    if let Some((name, value)) = frag.split_once('=')
        && !name.is_empty()
        && !value.is_empty()
        && value.bytes().all(|b| b.is_ascii_hexdigit())
    {
        hashes.insert(name.to_ascii_lowercase(), value.to_ascii_lowercase());
    }
    (url.to_owned(), hashes)
}

/// The file name at the end of a URL (before `?` and `#`), percent-decoded.
pub(crate) fn filename_of(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    crate::request::percent_decode(path.rsplit('/').next().unwrap_or(path))
}
