//! `package-lock.json` lockfileVersion 1-3 (and `npm-shrinkwrap.json`, the same reader): `custody_ecosystems::parse` with `SourceKind::PackageLock`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(text) = custody_fuzz::text(data) {
        let path = std::path::Path::new("package-lock.json");
        let _ = custody_ecosystems::parse(custody_ecosystems::SourceKind::PackageLock, path, text);
    }
});
