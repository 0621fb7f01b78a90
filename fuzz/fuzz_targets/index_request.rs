//! Request targets a client sends the index: `custody_index::request::route`
//! (path tricks refused, names normalised), and percent-decoding.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(text) = custody_fuzz::text(data) {
        let _ = custody_index::request::route(text);
        let _ = custody_index::request::percent_decode(text);
    }
});
