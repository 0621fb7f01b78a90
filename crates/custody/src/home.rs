//! Where custody keeps its state: `$CUSTODY_HOME`, else
//! `$XDG_DATA_HOME/custody`, else `~/.local/share/custody`.

use std::path::PathBuf;

/// The custody home folder, resolved from the environment.
pub fn resolve() -> Option<PathBuf> {
    resolve_with(|k| std::env::var_os(k))
}

/// [`resolve`] with an injectable environment (for tests).
pub fn resolve_with(get: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    let non_empty = |k: &str| get(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(h) = non_empty("CUSTODY_HOME") {
        return Some(h);
    }
    if let Some(x) = non_empty("XDG_DATA_HOME").filter(|p| p.is_absolute()) {
        return Some(x.join("custody"));
    }
    non_empty("HOME").map(|h| h.join(".local").join("share").join("custody"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    #[test]
    fn precedence() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| OsString::from(v))
            }
        };
        assert_eq!(
            resolve_with(env(&[("CUSTODY_HOME", "/c"), ("HOME", "/h")])),
            Some("/c".into())
        );
        assert_eq!(
            resolve_with(env(&[("XDG_DATA_HOME", "/x"), ("HOME", "/h")])),
            Some("/x/custody".into())
        );
        assert_eq!(
            resolve_with(env(&[("XDG_DATA_HOME", "rel"), ("HOME", "/h")])),
            Some("/h/.local/share/custody".into())
        );
        assert_eq!(resolve_with(env(&[])), None);
    }
}
