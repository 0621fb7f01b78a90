//! The line of each top-level and second-level key of a block-style YAML
//! document, as pnpm and yarn berry write them.
//!
//! serde_norway gives no positions for values; the lockfiles are written by
//! tools in a fixed block style (two-space indents, one key per line), so a
//! scan of the lines finds each entry's key. A key not found this way (a
//! hand-edited flow-style file) just has no line.

use std::collections::HashMap;

/// Keys at indent 0 (section `""`) and indent 2 (under the last indent-0 key).
pub(crate) struct YamlKeys {
    lines: HashMap<(String, String), usize>,
}

impl YamlKeys {
    pub(crate) fn new(text: &str) -> Self {
        let mut lines = HashMap::new();
        let mut section = String::new();
        for (i, raw) in text.lines().enumerate() {
            let indent = raw.len() - raw.trim_start_matches(' ').len();
            let rest = &raw[indent..];
            if rest.is_empty() || rest.starts_with('#') {
                continue;
            }
            let Some(key) = key_of(rest) else { continue };
            match indent {
                0 => {
                    lines.entry((String::new(), key.clone())).or_insert(i + 1);
                    section = key;
                }
                2 => {
                    lines.entry((section.clone(), key)).or_insert(i + 1);
                }
                _ => {}
            }
        }
        Self { lines }
    }

    /// The line of `key` under top-level `section` (`""` for a top-level key).
    pub(crate) fn line(&self, section: &str, key: &str) -> Option<usize> {
        self.lines
            .get(&(section.to_owned(), key.to_owned()))
            .copied()
    }
}

/// The mapping key a line starts with, unquoted; `None` for list items,
/// scalars and anything that is not `key:`.
fn key_of(rest: &str) -> Option<String> {
    if let Some(body) = rest.strip_prefix('\'') {
        let mut key = String::new();
        let mut chars = body.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '\'' {
                if chars.peek().map(|(_, n)| *n) == Some('\'') {
                    key.push('\'');
                    chars.next();
                    continue;
                }
                return body[i + 1..].starts_with(':').then_some(key);
            }
            key.push(c);
        }
        return None;
    }
    if rest.starts_with('"') {
        let bytes = rest.as_bytes();
        let mut i = 1;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 2,
                b'"' => break,
                _ => i += 1,
            }
        }
        let literal = rest.get(..=i)?;
        let key: String = serde_json::from_str(literal).ok()?;
        return rest[i + 1..].starts_with(':').then_some(key);
    }
    if rest.starts_with("- ") || rest == "-" {
        return None;
    }
    if let Some(pos) = rest.find(": ") {
        return Some(rest[..pos].to_owned());
    }
    rest.strip_suffix(':').map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::YamlKeys;

    #[test]
    fn quoted_plain_and_inline_keys() {
        let text = "lockfileVersion: '9.0'\n\npackages:\n\n  '@esbuild/aix-ppc64@0.19.12':\n    resolution: {integrity: x}\n  /ms@2.1.2:\n    dev: false\n  file:local-lib:\n    name: local-lib\nsnapshots:\n  lodash@4.17.20: {}\n  \"a@npm:1, a@npm:^1\":\n    version: 1.0.0\n  'it''s@1.0.0':\n    x: 1\n";
        let k = YamlKeys::new(text);
        assert_eq!(k.line("", "lockfileVersion"), Some(1));
        assert_eq!(k.line("", "packages"), Some(3));
        assert_eq!(k.line("packages", "@esbuild/aix-ppc64@0.19.12"), Some(5));
        assert_eq!(k.line("packages", "/ms@2.1.2"), Some(7));
        assert_eq!(k.line("packages", "file:local-lib"), Some(9));
        assert_eq!(k.line("snapshots", "lodash@4.17.20"), Some(12));
        assert_eq!(k.line("snapshots", "a@npm:1, a@npm:^1"), Some(13));
        assert_eq!(k.line("snapshots", "it's@1.0.0"), Some(15));
        assert_eq!(k.line("packages", "resolution"), None);
    }
}
