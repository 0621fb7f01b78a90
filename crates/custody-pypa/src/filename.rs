//! Distribution file names: the project name and version that a wheel
//! (`{name}-{version}(-{build})?-{py}-{abi}-{platform}.whl`) or an sdist
//! (`{name}-{version}.tar.gz`, and the older `.zip`, `.tar.bz2`) states.
//!
//! The file name is taken from the end of a URL or path and percent-decoded
//! first: indexes serve local versions as `torch-2.3.0%2Bcu121-...whl`, and
//! pip reads that `+` back.

/// A name and version read from an archive's file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveName {
    /// The project name as written (not normalised).
    pub name: String,
    /// The version as written, when the file name has one.
    pub version: Option<String>,
}

/// The name and version stated by the file name at the end of `target` (a
/// URL or a path; a `#fragment` or `?query` is ignored). `None` when the
/// file is not a wheel or sdist.
///
/// ```
/// use custody_pypa::filename::archive_name;
/// let a = archive_name("https://download.pytorch.org/whl/cu121/torch-2.3.0%2Bcu121-cp311-cp311-linux_x86_64.whl").unwrap();
/// assert_eq!((a.name.as_str(), a.version.as_deref()), ("torch", Some("2.3.0+cu121")));
/// ```
pub fn archive_name(target: &str) -> Option<ArchiveName> {
    let path = target.split(['#', '?']).next()?;
    let file = percent_decode(path.rsplit(['/', '\\']).next()?);
    if let Some(stem) = file.strip_suffix(".whl") {
        let mut parts = stem.split('-');
        let name = parts.next().filter(|n| !n.is_empty())?.to_owned();
        let version = parts.next().filter(|v| !v.is_empty()).map(str::to_owned);
        return Some(ArchiveName { name, version });
    }
    let stem = [".tar.gz", ".zip", ".tar.bz2"]
        .iter()
        .find_map(|ext| file.strip_suffix(ext))?;
    let (name, version) = stem.rsplit_once('-')?;
    (!name.is_empty() && !version.is_empty()).then(|| ArchiveName {
        name: name.to_owned(),
        version: Some(version.to_owned()),
    })
}

/// Decodes `%XX` escapes; a malformed escape or a result that is not UTF-8
/// leaves the text as written.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            // Two hex digits: at most 0xFF.
            out.push(u8::try_from(h * 16 + l).unwrap_or(b'%'));
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nv(s: &str) -> Option<(String, Option<String>)> {
        archive_name(s).map(|a| (a.name, a.version))
    }

    #[test]
    fn wheels_and_sdists() {
        assert_eq!(
            nv("https://x/y/requests-2.19.1-py2.py3-none-any.whl"),
            Some(("requests".into(), Some("2.19.1".into())))
        );
        assert_eq!(
            nv("./dist/my_pkg-0.1.tar.gz#sha256=00"),
            Some(("my_pkg".into(), Some("0.1".into())))
        );
        assert_eq!(nv("https://x/y/simple/"), None);
        assert_eq!(nv("git+https://x/y.git@v1"), None);
    }

    #[test]
    fn local_version_segment_is_percent_decoded() {
        // Regression (issue 13): the `+cu121` of a PyTorch wheel was lost.
        assert_eq!(
            nv(
                "https://download.pytorch.org/whl/cu121/torch-2.3.0%2Bcu121-cp311-cp311-linux_x86_64.whl"
            ),
            Some(("torch".into(), Some("2.3.0+cu121".into())))
        );
        assert_eq!(
            nv("https://h/torch-2.3.0%2bcu121-cp311-none-any.whl?x=1"),
            Some(("torch".into(), Some("2.3.0+cu121".into())))
        );
        assert_eq!(
            nv("/w/torch-2.3.0+cpu-cp311-none-any.whl"),
            Some(("torch".into(), Some("2.3.0+cpu".into())))
        );
        // A broken escape stays as written.
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("a%zz"), "a%zz");
    }
}
