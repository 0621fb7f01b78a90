//! Wheel `RECORD` rows: `custody_pypa::record::parse`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(text) = custody_fuzz::text(data) {
        let _ = custody_pypa::record::parse(text);
    }
});
