//! OSV JSON records: `custody_advisory::parse::json`, then the names a
//! record is indexed by.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(adv) = custody_advisory::parse::json(data) {
        let _ = adv.pypi_packages();
        let _ = adv.other_packages();
    }
});
