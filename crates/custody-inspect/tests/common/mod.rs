//! Small harmless packages built on the fly, for the rule and phase tests.

#![allow(
    clippy::unwrap_used,
    clippy::disallowed_methods,
    dead_code,
    reason = "tests"
)]

use std::io::Write;

use custody_inspect::archive::{Limits, read};
use custody_inspect::{Report, inspect};

/// A `setup.py` that does nothing but declare the package.
pub const SETUP: &str = "from setuptools import setup\nsetup(name='pkg')\n";

/// An sdist `pkg-1.0.tar.gz` with these files under `pkg-1.0/`, inspected.
pub fn sdist(files: &[(&str, &str)]) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("pkg-1.0.tar.gz");
    let gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&p).unwrap(),
        flate2::Compression::fast(),
    );
    let mut t = tar::Builder::new(gz);
    for (name, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        t.append_data(&mut h, format!("pkg-1.0/{name}"), data.as_bytes())
            .unwrap();
    }
    t.into_inner().unwrap().finish().unwrap().flush().unwrap();
    let r = inspect(&read(&p, &Limits::default()).unwrap());
    dump("sdist", files, &r);
    r
}

/// A wheel `pkg-1.0-py3-none-any.whl` with these files, inspected.
pub fn wheel(files: &[(&str, &str)]) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("pkg-1.0-py3-none-any.whl");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&p).unwrap());
    for (name, data) in files {
        z.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(data.as_bytes()).unwrap();
    }
    z.finish().unwrap();
    let r = inspect(&read(&p, &Limits::default()).unwrap());
    dump("wheel", files, &r);
    r
}

/// With `CUSTODY_DUMP_CASES=<dir>`, keeps each package a test builds under
/// `<dir>/<test>/<n>.<kind>/` with its report (`report.json`): how the
/// rule tests of `rules.rs` became the cases of `tests/cases/`.
fn dump(kind: &str, files: &[(&str, &str)], r: &Report) {
    let Some(root) = std::env::var_os("CUSTODY_DUMP_CASES") else {
        return;
    };
    let test = std::thread::current()
        .name()
        .unwrap_or("unnamed")
        .replace("::", "__");
    let dir = std::path::Path::new(&root).join(test);
    std::fs::create_dir_all(&dir).unwrap();
    let n = std::fs::read_dir(&dir).unwrap().count();
    let case = dir.join(format!("{n}.{kind}"));
    for (name, data) in files {
        let p = case.join("files").join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }
    std::fs::write(
        case.join("report.json"),
        serde_json::to_string_pretty(r).unwrap(),
    )
    .unwrap();
}
