//! The Python analysis of one file: skeleton, prefilter, tree-sitter facts,
//! decoders, signals and verdict, through `custody_inspect::inspect_with` on
//! a package of that one file. The first byte picks the file's role (its
//! name) and whether the analysis is `deep` (no prefilter).
#![no_main]
use custody_inspect::archive::{Contents, Format, Member};

const NAMES: [&str; 4] = [
    "setup.py",
    "pkg/__init__.py",
    "pkg/util.py",
    "pkg-startup.pth",
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&pick, code)) = data.split_first() else {
        return;
    };
    let contents = Contents {
        path: "p-1.0.tar.gz".into(),
        format: Format::TarGz,
        members: vec![Member {
            path: format!("p-1.0/{}", NAMES[usize::from(pick) % NAMES.len()]),
            size: code.len() as u64,
            data: code.to_vec(),
            truncated: false,
            sha256: None,
        }],
        anomalies: Vec::new(),
    };
    let options = custody_inspect::Options {
        deep: pick & 0x80 != 0,
    };
    let _ = custody_inspect::inspect_with(&contents, options);
});
