//! yarn berry's `yarn.lock` (`__metadata`): `custody_ecosystems::parse` with `SourceKind::YarnBerry`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(text) = custody_fuzz::text(data) {
        let path = std::path::Path::new("yarn.lock");
        let _ = custody_ecosystems::parse(custody_ecosystems::SourceKind::YarnBerry, path, text);
    }
});
