//! Every archive of the real malicious corpus (../shared/corpus, read as data
//! only, never extracted or run) is read without a crash or a hang.

#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::Path;

use custody_inspect::archive::{Format, Limits, read};

#[test]
fn the_whole_malicious_corpus_reads_as_data() {
    let root =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/pypi-malicious-dev");
    let mut files = Vec::new();
    for e in walkdir::WalkDir::new(&root).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() && Format::from_path(e.path()).is_some() {
            files.push(e.into_path());
        }
    }
    assert!(
        files.len() > 2500,
        "corpus at {}: {} archives",
        root.display(),
        files.len()
    );
    let (mut ok, mut errors, mut members, mut anomalies) = (0, 0, 0, 0);
    for f in &files {
        match read(f, &Limits::default()) {
            Ok(c) => {
                ok += 1;
                members += c.members.len();
                anomalies += c.anomalies.len();
            }
            Err(e) => {
                errors += 1;
                eprintln!("{e}");
            }
        }
    }
    eprintln!(
        "{} archives: {ok} read ({members} files, {anomalies} anomalies), {errors} unreadable",
        files.len()
    );
    assert!(
        ok * 100 >= files.len() * 99,
        "at least 99% of real uploads are readable archives"
    );
}
