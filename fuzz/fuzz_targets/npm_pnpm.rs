//! `pnpm-lock.yaml` 6.x and 9.x: `custody_ecosystems::parse` with `SourceKind::PnpmLock`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(text) = custody_fuzz::text(data) {
        let path = std::path::Path::new("pnpm-lock.yaml");
        let _ = custody_ecosystems::parse(custody_ecosystems::SourceKind::PnpmLock, path, text);
    }
});
