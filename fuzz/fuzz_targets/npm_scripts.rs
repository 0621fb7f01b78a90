//! npm install-time behaviour, as for a package read from an archive:
//! `custody_ecosystems::scripts::inspect_files` over a `package.json` and
//! files given as bytes. The input is the manifest, then for each file its
//! path and content, all separated by NUL bytes.
#![no_main]
use custody_ecosystems::scripts::PackageFile;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|b| *b == 0);
    let Some(manifest) = parts.next().and_then(custody_fuzz::text) else {
        return;
    };
    let mut files = Vec::new();
    while let (Some(path), Some(content)) = (parts.next(), parts.next()) {
        let Some(path) = custody_fuzz::text(path) else {
            return;
        };
        files.push(PackageFile {
            path,
            size: content.len() as u64,
            content: Some(content),
        });
    }
    let manifest_path = std::path::Path::new("package/package.json");
    let _ = custody_ecosystems::scripts::inspect_files(manifest_path, manifest, &files);
});
