//! Core metadata (`METADATA`, `PKG-INFO`): `custody_pypa::metadata::parse`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(text) = custody_fuzz::text(data) {
        let _ = custody_pypa::metadata::parse(text);
    }
});
