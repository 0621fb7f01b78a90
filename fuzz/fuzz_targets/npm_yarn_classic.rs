//! yarn 1's `yarn.lock`: `custody_ecosystems::parse` with `SourceKind::YarnClassic`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(text) = custody_fuzz::text(data) {
        let path = std::path::Path::new("yarn.lock");
        let _ = custody_ecosystems::parse(custody_ecosystems::SourceKind::YarnClassic, path, text);
    }
});
