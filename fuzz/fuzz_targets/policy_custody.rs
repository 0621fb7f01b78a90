//! `custody.toml` (scan and index policy): `custody::policy::Policy::parse`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(text) = custody_fuzz::text(data) {
        let _ = custody::policy::Policy::parse(std::path::Path::new("custody.toml"), text);
    }
});
