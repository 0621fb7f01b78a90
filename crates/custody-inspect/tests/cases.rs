//! Rule cases on disk, run through the real pipeline.
//!
//! `tests/cases/<code>/<class>/<name>.<kind>/` holds the files of one small
//! harmless package (`kind`: `sdist` or `wheel`, built from the files, or
//! `site`, the folder read as an installed environment; text read as data, never
//! run; hosts are 127.0.0.1 or placeholders). `class` is `malicious` (the
//! verdict must be malicious), `suspicious`, `benign` (a look-alike whose
//! verdict must be clean),
//! or `found` (a code that decides no verdict alone: the finding must be
//! there, whatever the verdict). Many cases come in pairs from one test:
//! a benign `lookalike_of__<name>` is the clean twin of a malicious case
//! named after what it catches, and a malicious `control_for__<name>` shows
//! that the rule a benign case stays clear of does fire. Malicious, suspicious and found cases
//! must have a finding of their folder's code. Each case's verdict, score, reasons and findings
//! (code, level, phase, path, line, layer) are snapshot-tested with insta
//! beside it (`<name>.<kind>.snap`), so a rule change shows as a snapshot
//! diff. To add a case, add its folder and run
//! `INSTA_UPDATE=always cargo nextest run -p custody-inspect --test cases`
//! (or `cargo insta review`).

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use std::path::{Path, PathBuf};

use custody_inspect::{Report, Verdict};
use serde::Serialize;

/// What a case's snapshot holds: what users act on, not the wording.
#[derive(Serialize)]
struct Seen {
    verdict: Verdict,
    score: u32,
    reasons: Vec<String>,
    findings: Vec<SeenFinding>,
}

#[derive(Serialize)]
struct SeenFinding {
    code: &'static str,
    level: custody_inspect::Level,
    phase: custody_inspect::Phase,
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    layer: Option<String>,
}

impl From<&Report> for Seen {
    fn from(r: &Report) -> Self {
        Seen {
            verdict: r.verdict,
            score: r.score,
            reasons: r.reasons.clone(),
            findings: r
                .findings
                .iter()
                .map(|f| SeenFinding {
                    code: f.code.as_str(),
                    level: f.level,
                    phase: f.phase,
                    path: f.path.clone(),
                    line: f.line,
                    layer: f.layer.clone(),
                })
                .collect(),
        }
    }
}

fn cases_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases")
}

/// Every case folder, in path order.
fn cases() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for code in std::fs::read_dir(cases_root()).unwrap() {
        for class in std::fs::read_dir(code.unwrap().path()).unwrap() {
            for case in std::fs::read_dir(class.unwrap().path()).unwrap() {
                let case = case.unwrap().path();
                if case.is_dir() {
                    out.push(case);
                }
            }
        }
    }
    out.sort();
    out
}

/// The files of a case, by path inside the package, in path order.
fn files(case: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = walkdir::WalkDir::new(case)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(case).unwrap();
            let rel = rel.to_str().unwrap().replace('\\', "/");
            (rel, std::fs::read_to_string(e.path()).unwrap())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_case_has_the_verdict_of_its_class_and_its_snapshot() {
    let root = cases_root();
    let all = cases();
    assert!(!all.is_empty());
    let mut wrong = Vec::new();
    for case in &all {
        let id = case
            .strip_prefix(&root)
            .unwrap()
            .to_str()
            .unwrap()
            .replace('\\', "/");
        let mut parts = id.split('/');
        let (code, class, name) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        assert!(
            format!("custody::{code}")
                .parse::<custody_inspect::Code>()
                .is_ok(),
            "{id}: `{code}` is no finding code"
        );
        let owned = files(case);
        let borrowed: Vec<(&str, &str)> = owned
            .iter()
            .map(|(p, d)| (p.as_str(), d.as_str()))
            .collect();
        let report = match name.rsplit('.').next() {
            Some("sdist") => common::sdist(&borrowed),
            Some("wheel") => common::wheel(&borrowed),
            Some("site") => {
                custody_inspect::site::inspect(case, custody_inspect::Options::default(), None)
                    .unwrap()
                    .report
            }
            other => panic!("{id}: kind {other:?} is not sdist, wheel or site"),
        };
        let want = match class {
            "malicious" => Some(Verdict::Malicious),
            "suspicious" => Some(Verdict::Suspicious),
            "benign" => Some(Verdict::Clean),
            "found" => None,
            other => panic!("{id}: class `{other}` is not malicious, suspicious, benign or found"),
        };
        if want.is_some_and(|want| report.verdict != want) {
            wrong.push(format!("{id}: {:?}, want {want:?}", report.verdict));
        }
        let code_found = report
            .findings
            .iter()
            .any(|f| f.code.as_str().strip_prefix("custody::") == Some(code));
        if class != "benign" && !code_found {
            wrong.push(format!("{id}: no finding of custody::{code}"));
        }
        insta::with_settings!({
            snapshot_path => case.parent().unwrap(),
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_json_snapshot!(name.to_owned(), Seen::from(&report));
        });
    }
    assert!(
        wrong.is_empty(),
        "verdicts differ from their class:\n{}",
        wrong.join("\n")
    );
}
