//! An upstream's PEP 503 HTML project page: `custody_index::html::parse`
//! (anchors, `data-*` attributes, strict on structure).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(text) = custody_fuzz::text(data) {
        let _ = custody_index::html::parse(text, "idna");
    }
});
