//! Cheap byte searches that decide what is worth parsing.
//!
//! Parsing is the cost of inspection. A file whose import-time code names
//! nothing any rule looks at cannot produce a finding, so it is not parsed.
//! The word list is derived from the rule tables in [`crate::analysis`], so
//! a new rule cannot be silently filtered out: a call `a.b.c` resolves only
//! through an import that spells `a` (or through `__import__`, `importlib`
//! or `builtins`, which are words here too); for modules every file imports
//! (`os`, `bytes`, `platform`), the function's own name is the word.

use rustc_hash::FxHashMap as HashMap;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

use crate::rules::{calls, markers};

/// Modules so common that their name says nothing; their functions' names are used.
/// (`asyncio` and GitPython's `git`/`Repo` too: async code and tools name them
/// everywhere, while `open_connection` and `clone_from` are rare.)
const COMMON_ROOTS: &[&str] = &[
    "os", "bytes", "platform", "sys", "builtins", "asyncio", "git", "Repo",
];

/// Case-insensitive text a rule looks at wherever it is: markers of the
/// string rules, escapes (text spelled in escapes is itself a signal),
/// environment names of host recon, download tools and program URLs.
fn substrings() -> Vec<&'static str> {
    let mut pats: Vec<&str> = markers::STRING_RULES
        .iter()
        .flat_map(|r| r.0.iter().copied())
        .collect();
    pats.extend([
        "\\x", "\\u", "\\0", "\\1", "\\2", "\\3", "\\4", "\\5", "\\6", "\\7",
    ]);
    pats.extend([
        "printenv",
        // Download commands in a string (the rule wants a URL with them).
        "curl -",
        "curl http",
        "curl '",
        "curl \"",
        "curl\"",
        "wget -",
        "wget http",
        "wget '",
        "wget \"",
        "wget\"",
        "anonfiles",
        "http.client",
        "from http import",
        "platform.node",
        "win32",
    ]);
    pats.extend(markers::PROGRAM_EXTENSIONS);
    pats
}

/// Whether a word names a module (else a function or a builtin).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Word {
    Module,
    Function,
}

static WORDS: LazyLock<HashMap<&'static [u8], Word>> = LazyLock::new(|| {
    let mut words: HashMap<&[u8], Word> = HashMap::default();
    for call in calls::TABLES.iter().flat_map(|t| t.iter()) {
        let root = call.split('.').next().unwrap_or(call);
        if !call.contains('.') || COMMON_ROOTS.contains(&root) {
            let name = call.rsplit('.').next().unwrap_or(call);
            words.entry(name.as_bytes()).or_insert(Word::Function);
        } else {
            words.entry(root.as_bytes()).or_insert(Word::Module);
        }
    }
    for w in calls::NAMED {
        words.entry(w.as_bytes()).or_insert(Word::Function);
    }
    words
});

/// Whether the word at `start..end` stands where code would use it, not
/// in prose or as an attribute or field of the same name: a module after
/// `import`/`from`, in an import list or with an attribute taken from it;
/// a function called, taken from a module, imported, quoted (`getattr(os,
/// "system")`) or assigned.
fn in_code(src: &[u8], start: usize, end: usize, kind: Word) -> bool {
    let blank = |b: &&u8| matches!(**b, b' ' | b'\t');
    let next = src[end..].iter().find(|b| !blank(b)).copied();
    let before = &src[..start];
    let prev_at = before.iter().rposition(|b| !matches!(*b, b' ' | b'\t'));
    let prev = prev_at.map(|i| src[i]);
    let after_keyword = prev_at.is_some_and(|i| {
        let head = &before[..=i];
        [&b"import"[..], b"from"].iter().any(|k| {
            head.ends_with(k)
                && head
                    .len()
                    .checked_sub(k.len() + 1)
                    .is_none_or(|j| !is_ident(head[j]))
        })
    });
    match kind {
        Word::Module => {
            after_keyword
                || prev == Some(b',')
                // `requests.get`, not `self.requests` or "... requests. The"
                || (next == Some(b'.')
                    && prev != Some(b'.')
                    && src.get(end + 1).is_some_and(|b| is_ident(*b)))
        }
        Word::Function => {
            after_keyword
                || next == Some(b'(')
                || matches!(prev, Some(b'.' | b',' | b'=' | b'"' | b'\'' | b'('))
        }
    }
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

static SUBSTRINGS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        // Run over every file: the DFA is the fastest search.
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .build(substrings())
        .expect("fixed patterns build")
});

/// Whether `marker` occurs in `hay`. A pipe into a program (`| sh`) must
/// end there: `|| shardRange(...)` pipes nothing.
pub fn marker_in(hay: &str, marker: &str) -> bool {
    if is_host(marker) {
        // `hooks.slack.com` is not in `nothooks.slack.com`: a host name
        // starts at a label boundary.
        return hay
            .match_indices(marker)
            .any(|(at, _)| at == 0 || !continues_label(hay.as_bytes()[at - 1]));
    }
    if !marker.starts_with('|') {
        return hay.contains(marker);
    }
    hay.match_indices(marker)
        .any(|(at, m)| !ends_in_word(hay.as_bytes(), at + m.len()))
}

/// Whether a marker names a host (`pastebin.com`, `hooks.slack.com/...`).
fn is_host(marker: &str) -> bool {
    let host = marker.split('/').next().unwrap_or("");
    marker
        .as_bytes()
        .first()
        .is_some_and(u8::is_ascii_alphanumeric)
        && host.contains('.')
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

/// Whether a byte before a host name would make it part of a longer label.
fn continues_label(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// Whether the byte at `end` continues a word (a letter or `_`).
fn ends_in_word(src: &[u8], end: usize) -> bool {
    src.get(end)
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
}

/// Whether code holds anything a rule looks at: a word of the rule tables
/// (as a whole identifier, case as Python spells it), a marker, an escape,
/// a long encoded run or a long run of spaces. `src` is best given with
/// comments and docstrings blanked ([`crate::skeleton::Skeleton::code`]).
pub fn worth_parsing(src: &[u8]) -> bool {
    let pipe = |m: &aho_corasick::Match| src[m.start()] == b'|' && ends_in_word(src, m.end());
    if SUBSTRINGS.find_iter(src).any(|m| !pipe(&m)) {
        return true;
    }
    let word_at = |start: usize, end: usize| {
        WORDS
            .get(&src[start..end])
            .is_some_and(|kind| in_code(src, start, end, *kind))
    };
    let (mut encoded, mut digits, mut spaces, mut word_start) = (0usize, 0usize, 0usize, None);
    for (i, &b) in src.iter().enumerate() {
        if is_ident(b) {
            word_start.get_or_insert(i);
        } else if let Some(start) = word_start.take()
            && word_at(start, i)
        {
            return true;
        }
        // A long run of base64 alphabet (an encoded blob) or of spaces.
        // Digits tell an encoding from a long identifier or a URL path.
        if b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=') {
            encoded += 1;
            digits += usize::from(b.is_ascii_digit());
        } else {
            (encoded, digits) = (0, 0);
        }
        spaces = if b == b' ' { spaces + 1 } else { 0 };
        if (encoded >= 40 && digits > 0) || spaces >= 100 {
            return true;
        }
    }
    word_start.is_some_and(|start| word_at(start, src.len()))
}

/// Whether a file names a secret no library sends (a private key, a cloud
/// secret key) and also posts: worth reading whole, as a stealer
/// hides the sending in a method nothing calls at import.
fn may_send_secrets(data: &[u8]) -> bool {
    static SECRETS: std::sync::LazyLock<aho_corasick::AhoCorasick> =
        std::sync::LazyLock::new(|| {
            aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .build(markers::SENT_SECRET_NAMES)
                .expect("fixed patterns build")
        });
    static POSTS: std::sync::LazyLock<aho_corasick::AhoCorasick> = std::sync::LazyLock::new(|| {
        aho_corasick::AhoCorasick::new(["requests.post("]).expect("fixed patterns build")
    });
    // The posts first: a rare, case-sensitive prefix that memmem finds fast.
    POSTS.is_match(data) && SECRETS.is_match(data)
}

/// Whether a file names a drop box or a throwaway host (cheap byte search),
/// or may send a secret no library sends ([`may_send_secrets`]).
pub fn needs_full_read(data: &[u8]) -> bool {
    static TRIGGERS: std::sync::LazyLock<aho_corasick::AhoCorasick> =
        std::sync::LazyLock::new(|| {
            let mut pats: Vec<&str> = markers::OAST_MARKERS.to_vec();
            pats.extend(markers::EXFIL_MARKERS);
            pats.extend([
                "/api/webhooks/",
                "api.telegram.org/bot",
                "cdn.discordapp.com/attachments",
                "dropbox.com/s/",
                "mediafire.com",
                "transfer.sh",
                // A character-by-character XOR decoder (its key is in the file).
                "^ ord(",
                "://1",
                "://2",
                "://3",
                "://4",
                "://5",
                "://6",
                "://7",
                "://8",
                "://9",
            ]);
            aho_corasick::AhoCorasick::builder()
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .build(pats)
                .expect("fixed patterns build")
        });
    TRIGGERS.is_match(data) || may_send_secrets(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_whole_identifiers() {
        assert!(worth_parsing(b"import subprocess\n"));
        assert!(worth_parsing(b"from os import system\n"));
        assert!(worth_parsing(b"x = exec"));
        assert!(!worth_parsing(b"empty = filesystem.retrieval(DNS)\n"));
        assert!(!worth_parsing(
            b"def f(requests_per_s):\n    return getattr(self, 'x')\n"
        ));
        assert!(!worth_parsing(
            b"requests: dict = None\nself.requests = x.requests.y\n"
        ));
        assert!(!worth_parsing(b"d = 'the node on the file system'\n"));
        assert!(worth_parsing(b"import os, requests\n"));
        assert!(worth_parsing(b"x = requests.get(u)\n"));
        assert!(worth_parsing(b"f = getattr(os, 'system')\n"));
        assert!(worth_parsing(b"e = exec\n"));
    }

    #[test]
    fn markers_escapes_and_blobs() {
        assert!(
            worth_parsing(b"p = '~/.AWS/credentials'"),
            "string rules, any case"
        );
        assert!(worth_parsing(b"s = '\\x41'"));
        assert!(worth_parsing(
            format!("s = '{}1'", "A".repeat(40)).as_bytes()
        ));
        assert!(!worth_parsing(
            b"s = 'see /docs/concepts/workloads/controllers/deployment'"
        ));
        assert!(!worth_parsing(b"d = {'username': u}  # (curl and wget)\n"));
        assert!(!worth_parsing(b"r = 'a || shardRange(x)'\n"));
        assert!(worth_parsing(b"r = 'curl x | sh'\n") && worth_parsing(b"r = 'x | python3 -'\n"));
        assert!(marker_in("curl x | sh", "| sh") && !marker_in("a || shardRange", "| sh"));
        assert!(worth_parsing(b"u = os.environ['USERNAME']\n"));
        assert!(worth_parsing(
            format!("x = 1{}y()", " ".repeat(100)).as_bytes()
        ));
        assert!(!worth_parsing(b"url = 'https://example.org/docs'\n"));
    }

    #[test]
    fn every_callee_and_marker_of_the_tables_reaches_the_prefilter() {
        for call in calls::TABLES.iter().flat_map(|t| t.iter()) {
            let root = call.split('.').next().unwrap_or(call);
            for src in [
                format!("{call}(x)\n"),
                format!("import {root}\n{call}(x)\n"),
            ] {
                assert!(worth_parsing(src.as_bytes()), "{call}: {src}");
            }
        }
        for name in calls::NAMED {
            let shapes = [
                format!("{name}(x)\n"),
                format!("y = x.{name}(z)\n"),
                format!("import {name}\n"),
            ];
            assert!(shapes.iter().any(|s| worth_parsing(s.as_bytes())), "{name}");
        }
        for (list, code, _, _) in markers::STRING_RULES {
            for marker in *list {
                let src = format!("x = '{marker}'\n");
                assert!(worth_parsing(src.as_bytes()), "{code}: {marker}");
            }
        }
        for ext in markers::PROGRAM_EXTENSIONS {
            let src = format!("u = 'http://example.invalid/a{ext}'\n");
            assert!(worth_parsing(src.as_bytes()), "{ext}");
        }
    }

    /// Callees the analysis checks only to qualify a finding another word
    /// already let through (`getattr(builtins, ...)`, `dict(os.environ)`,
    /// `open(f)` beside `urlretrieve`, `marshal.loads` as `.loads`): they
    /// never raise a finding alone, so they need no word of their own.
    /// `threading.Thread` is how `python` resolves a thread's target.
    const QUALIFIERS: &[&str] = &[
        "getattr",
        "dict",
        "str",
        "repr",
        "list",
        "json.dumps",
        "open",
        ".loads",
        "threading.Thread",
    ];

    /// The string literals compared with a callee in `source`
    /// (`callee == "x"`, `callee.ends_with("x")`, `matches!(callee, "a" | "b")`).
    fn callees_named_in(source: &str) -> Vec<String> {
        let mut out = Vec::new();
        for start in [
            "callee == \"",
            "callee.ends_with(\"",
            "callee.starts_with(\"",
            "matches!(callee, \"",
            "matches!(c.callee.as_str(), \"",
        ] {
            for (at, _) in source.match_indices(start) {
                let rest = &source[at + start.len() - 1..];
                let end = rest.find([')', '{', '&']).unwrap_or(rest.len());
                out.extend(rest[..end].split('"').skip(1).step_by(2).map(str::to_owned));
            }
        }
        out
    }

    #[test]
    fn every_callee_the_analysis_names_reaches_the_prefilter() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut checked = 0;
        for entry in walkdir::WalkDir::new(&src) {
            let entry = entry.unwrap();
            if entry.path().extension().is_none_or(|e| e != "rs")
                || entry.path().ends_with("prefilter.rs")
            {
                continue;
            }
            let text = fs_err::read_to_string(entry.path()).unwrap();
            for callee in callees_named_in(&text) {
                checked += 1;
                if QUALIFIERS.contains(&callee.as_str()) {
                    continue;
                }
                let name = callee.rsplit('.').next().unwrap_or(&callee);
                let root = callee
                    .trim_start_matches('.')
                    .split('.')
                    .next()
                    .unwrap_or(&callee);
                let shapes = [
                    format!("{callee}(x)\n"),
                    format!("y = x.{name}(z)\n"),
                    format!("import {root}\n{callee}(x)\n"),
                ];
                // A suffix (`.urlopen`) is reached through a table entry
                // that ends with it (`urllib.request.urlopen`).
                let in_table = calls::TABLES
                    .iter()
                    .flat_map(|t| t.iter())
                    .any(|c| c.ends_with(callee.as_str()));
                assert!(
                    in_table || shapes.iter().any(|s| worth_parsing(s.as_bytes())),
                    "{}: the analysis checks `{callee}`, but no prefilter word lets a file calling it through: add it to rules::calls::NAMED or a call table",
                    entry.path().display()
                );
            }
        }
        assert!(checked > 20, "the scan found only {checked} callees");
    }
}
