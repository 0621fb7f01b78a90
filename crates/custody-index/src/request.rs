//! What a client asked for, from the request target, with every path trick
//! refused before anything is looked up.
//!
//! The index serves `/simple/` (the project list), `/simple/<project>/`
//! (a project page) and `/files/<project>/<filename>` (a file, and
//! `<filename>.metadata`, its PEP 658 core metadata).

use std::fmt::Write as _;

use custody_pypa::PackageName;

/// A request, understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/simple/`.
    Root,
    /// `/simple/<project>/`, the name already normalised.
    Project(PackageName),
    /// A name that is not normalised, or a missing slash: redirect here (as PyPI does).
    Redirect(String),
    /// `/files/<project>/<filename>`.
    File(PackageName, String),
    /// `/files/<project>/<filename>.metadata`: the file's core metadata.
    Metadata(PackageName, String),
}

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    /// A path trick (`bad-path`).
    #[error("{0}")]
    BadPath(String),
    /// Nothing served there (`not-found`).
    #[error("{0}")]
    NotFound(String),
}

/// The route of a request target (`/simple/x/`, a query ignored).
pub fn route(target: &str) -> Result<Route, RouteError> {
    let bad = |m: &str| Err(RouteError::BadPath(m.to_owned()));
    if !target.starts_with('/') || target.starts_with("//") {
        return bad("the request target is not a path (absolute URLs are refused)");
    }
    if target
        .bytes()
        .any(|b| b.is_ascii_control() || b == b'\\' || !b.is_ascii())
    {
        return bad("the request path has a control character, a backslash or a non-ASCII byte");
    }
    let path = target.split(['?', '#']).next().unwrap_or(target);
    let lower = path.to_ascii_lowercase();
    if ["%2f", "%5c", "%00", "%2e"]
        .iter()
        .any(|e| lower.contains(e))
    {
        return bad("the request path has an encoded slash, backslash, dot or NUL");
    }
    let segments: Vec<&str> = path[1..].split('/').collect();
    if segments.iter().any(|s| *s == ".." || *s == ".") {
        return bad("the request path has a '.' or '..' segment");
    }
    match segments.as_slice() {
        ["simple"] => Ok(Route::Redirect("/simple/".into())),
        ["simple", ""] => Ok(Route::Root),
        ["simple", name] | ["simple", name, ""] => project(name, path.ends_with('/')),
        ["files", name, file] if !file.is_empty() => {
            let project = PackageName::new(name)
                .map_err(|_| RouteError::NotFound(format!("{name:?} is not a project name")))?;
            let file = percent_decode(file);
            if file.contains(['/', '\\', '\0']) || file.starts_with('.') {
                return bad("the file name has a slash, a NUL or a leading dot");
            }
            Ok(match file.strip_suffix(".metadata") {
                Some(f) => Route::Metadata(project, f.to_owned()),
                None => Route::File(project, file),
            })
        }
        _ => Err(RouteError::NotFound(format!(
            "nothing is served at {path:?}"
        ))),
    }
}

fn project(name: &str, slash: bool) -> Result<Route, RouteError> {
    let decoded = percent_decode(name);
    let normal = PackageName::new(&decoded)
        .map_err(|_| RouteError::NotFound(format!("{decoded:?} is not a project name")))?;
    if normal.as_str() != name || !slash {
        return Ok(Route::Redirect(format!("/simple/{normal}/")));
    }
    Ok(Route::Project(normal))
}

/// Decodes `%XX` escapes; a malformed escape or a result that is not
/// UTF-8 leaves the text as written.
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |x: u8| char::from(x).to_digit(16);
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            )
        {
            // Two hex digits: at most 0xFF.
            out.push(u8::try_from(h * 16 + l).unwrap_or(b'%'));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_owned())
}

/// Encodes a file name for a URL path segment (`+` and the rest that is
/// not unreserved become `%XX`).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> PackageName {
        PackageName::new(s).unwrap()
    }

    #[test]
    fn routes() {
        assert_eq!(route("/simple/"), Ok(Route::Root));
        assert_eq!(
            route("/simple/requests/"),
            Ok(Route::Project(name("requests")))
        );
        assert_eq!(
            route("/simple/Foo_Bar.baz/"),
            Ok(Route::Redirect("/simple/foo-bar-baz/".into()))
        );
        assert_eq!(
            route("/simple/requests"),
            Ok(Route::Redirect("/simple/requests/".into()))
        );
        assert_eq!(
            route("/files/torch/torch-2.3.0%2Bcu121-cp311-cp311-linux_x86_64.whl"),
            Ok(Route::File(
                name("torch"),
                "torch-2.3.0+cu121-cp311-cp311-linux_x86_64.whl".into()
            ))
        );
        assert_eq!(
            route("/files/demo/demo-1.0-py3-none-any.whl.metadata"),
            Ok(Route::Metadata(
                name("demo"),
                "demo-1.0-py3-none-any.whl".into()
            ))
        );
        assert!(matches!(route("/elsewhere"), Err(RouteError::NotFound(_))));
    }

    #[test]
    fn path_tricks_are_refused() {
        for t in [
            "http://evil.example/simple/x/",
            "//evil.example/simple/",
            "/simple/../etc/passwd",
            "/files/x/..%2F..%2Fetc%2Fpasswd",
            "/files/x/%2e%2e",
            "/files/x/a%5Cb.whl",
            "/files/x/..",
            "/simple/x\\y/",
            "/files/x/a\u{0}.whl",
            "simple/x/",
        ] {
            assert!(matches!(route(t), Err(RouteError::BadPath(_))), "{t}");
        }
    }
}
