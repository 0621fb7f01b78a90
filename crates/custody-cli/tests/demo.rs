//! `custody demo` plays the whole story from a fresh home, offline, and
//! its narrative (what a newcomer reads) is a snapshot. The demo checks
//! each step's outcome itself and exits non-zero when one differs; this
//! test also checks what it leaves behind.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

#[test]
fn the_demo_plays_the_story_and_tells_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("story");
    let r = common::run(
        common::custody(&tmp.path().join("unused-home"))
            .env_remove("CUSTODY_NOW")
            .args(["demo", "--dir", dir.to_str().unwrap()]),
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let html = std::fs::read_to_string(dir.join("incident.html")).unwrap();
    assert!(html.contains("<h1>Incident report: MAL-2026-2144</h1>"));
    // The step's attestation records both refusals.
    let att = std::fs::read_to_string(dir.join("curate.att.json")).unwrap();
    let statement = common::sandbox::payload(&dir.join("curate.att.json")).to_string();
    assert!(!att.is_empty() && statement.contains("id_ed25519") && statement.contains("connect"));
    let narrative: String = r
        .stderr
        .replace(dir.to_str().unwrap(), "<DIR>")
        .lines()
        .map(|l| {
            let l = python_minor_as_x(l);
            if l.starts_with("Done in ") {
                "Done in <T> s. The report: <DIR>/incident.html".to_owned()
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!(narrative);
}

/// `python3.N` as `python3.X`: the machine's Python names the folder.
fn python_minor_as_x(line: &str) -> String {
    match line.find("python3.") {
        Some(i) => {
            let rest = &line[i + "python3.".len()..];
            let digits = rest.chars().take_while(char::is_ascii_digit).count();
            format!("{}python3.X{}", &line[..i], &rest[digits..])
        }
        None => line.to_owned(),
    }
}
