//! An upstream's PEP 691 JSON project page: `custody_index::json::parse`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(text) = custody_fuzz::text(data) {
        let _ = custody_index::json::parse(text);
    }
});
