//! Wheel and sdist file names (percent-decoded, as found in indexes and
//! archives): `custody_pypa::filename::archive_name`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(text) = custody_fuzz::text(data) {
        let _ = custody_pypa::filename::archive_name(text);
    }
});
