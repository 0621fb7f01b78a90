//! `Cargo.lock` 3 and 4: `custody_ecosystems::parse` with `SourceKind::CargoLock`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(text) = custody_fuzz::text(data) {
        let path = std::path::Path::new("Cargo.lock");
        let _ = custody_ecosystems::parse(custody_ecosystems::SourceKind::CargoLock, path, text);
    }
});
