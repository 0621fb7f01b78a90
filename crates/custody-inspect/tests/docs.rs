//! `docs/inspect.md` lists every finding code exactly as [`Code`] does.
//!
//! On a difference the test prints the table to paste between the marker
//! comments (or run with `CUSTODY_BLESS_DOCS=1` to rewrite it in place).

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

use custody_inspect::Code;

const START: &str = "<!-- codes: generated from custody_inspect::Code";
const END: &str = "<!-- /codes -->";

#[test]
fn the_code_table_of_the_docs_is_the_code_enum() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/inspect.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let start = doc.find(START).expect("start marker");
    let body = start + doc[start..].find('\n').unwrap() + 1;
    let end = doc.find(END).expect("end marker");
    let want = Code::markdown_table();
    if doc[body..end] != want {
        if std::env::var_os("CUSTODY_BLESS_DOCS").is_some() {
            std::fs::write(&path, format!("{}{want}{}", &doc[..body], &doc[end..])).unwrap();
            return;
        }
        panic!(
            "docs/inspect.md's code table differs from custody_inspect::Code; expected:\n{want}"
        );
    }
}
