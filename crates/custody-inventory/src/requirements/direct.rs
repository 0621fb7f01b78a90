//! Direct references: URLs, paths and VCS references, bare or after `-e`.

use custody_pypa::filename::archive_name;

use crate::model::Pin;

/// Whether a requirement is a bare URL, path or VCS reference rather than
/// a PEP 508 requirement (pip's `install_req_from_line` makes the same cut).
pub(super) fn looks_like_direct(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    if [
        "http://", "https://", "file:", "git+", "hg+", "svn+", "bzr+",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
        || s.starts_with('.')
        || s.starts_with('/')
    {
        return true;
    }
    // `name @ url` is a PEP 508 requirement, not a bare reference.
    if s.contains('@') {
        return false;
    }
    s.contains('/')
        || [".whl", ".tar.gz", ".zip", ".tar.bz2"]
            .iter()
            .any(|e| lower.ends_with(e))
}

/// What a direct reference is, with credentials in its URL redacted.
pub(super) fn classify(url: &str, editable: bool) -> Pin {
    let lower = url.to_ascii_lowercase();
    let shown = redact(url);
    if editable {
        Pin::Editable { target: shown }
    } else if ["git+", "hg+", "svn+", "bzr+"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        Pin::Vcs { url: shown }
    } else if lower.starts_with("http://") || lower.starts_with("https://") {
        Pin::Url { url: shown }
    } else {
        Pin::Local { path: shown }
    }
}

/// Name (from `#egg=`, else the archive's file name) and the version the
/// archive's file name states.
pub(super) fn name_and_version(target: &str) -> (Option<String>, Option<String>) {
    // `-e .[extra]#egg=name[extra]`: the name stops at `&` or `[`.
    let egg = target
        .split_once("#egg=")
        .and_then(|(_, e)| e.split(['&', '[']).next())
        .filter(|e| !e.is_empty())
        .map(str::to_owned);
    let file = archive_name(target);
    let version = file.as_ref().and_then(|f| f.version.clone());
    (egg.or(file.map(|f| f.name)), version)
}

/// pip's `redact_auth_from_url`: a password becomes `****`; a user alone
/// (a token) becomes `****`. `${VAR}` expansion can put a secret here, and
/// the report is printed.
pub(super) fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let rest = &url[scheme_end..];
    let netloc_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let netloc = &rest[..netloc_end];
    let Some((userinfo, host)) = netloc.rsplit_once('@') else {
        return url.to_owned();
    };
    let shown = match userinfo.split_once(':') {
        Some((user, _)) => format!("{user}:****"),
        None => "****".to_owned(),
    };
    format!(
        "{}{shown}@{host}{}",
        &url[..scheme_end],
        &rest[netloc_end..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_redacted() {
        assert_eq!(
            redact("https://user:s3cret@h.example/p/x-1.0.tar.gz"),
            "https://user:****@h.example/p/x-1.0.tar.gz"
        );
        assert_eq!(
            redact("git+https://tok3n@github.com/o/r.git@v1#egg=r"),
            "git+https://****@github.com/o/r.git@v1#egg=r"
        );
        assert_eq!(redact("https://h/x.whl"), "https://h/x.whl");
        assert_eq!(redact("./local"), "./local");
    }

    #[test]
    fn names_from_egg_or_file() {
        assert_eq!(
            name_and_version("git+https://h/o/r.git@1#egg=MarkupSafe&subdirectory=x"),
            (Some("MarkupSafe".into()), None)
        );
        assert_eq!(
            name_and_version("https://h/x/chardet-3.0.4.tar.gz#egg=chardet"),
            (Some("chardet".into()), Some("3.0.4".into()))
        );
        assert_eq!(name_and_version("./local"), (None, None));
    }
}
