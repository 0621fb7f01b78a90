//! `docs/index.md` lists every decision code exactly as [`RULES`] does.
//!
//! On a difference the test prints the table to paste between the marker
//! comments (or run with `CUSTODY_BLESS_DOCS=1` to rewrite it in place).

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

use custody_index::rules::markdown_table;

const START: &str = "<!-- codes: generated from custody_index::RULES";
const END: &str = "<!-- /codes -->";

#[test]
fn the_code_table_of_the_docs_is_the_rules_table() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/index.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let start = doc.find(START).expect("start marker");
    let body = start + doc[start..].find('\n').unwrap() + 1;
    let end = doc.find(END).expect("end marker");
    let want = markdown_table();
    if doc[body..end] != want {
        if std::env::var_os("CUSTODY_BLESS_DOCS").is_some() {
            std::fs::write(&path, format!("{}{want}{}", &doc[..body], &doc[end..])).unwrap();
            return;
        }
        panic!("docs/index.md's code table differs from custody_index::RULES; expected:\n{want}");
    }
}
