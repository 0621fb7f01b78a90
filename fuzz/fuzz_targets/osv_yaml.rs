//! OSV records as YAML (the PyPA advisory database):
//! `custody_advisory::parse::yaml`, then the names a record is indexed by.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(text) = custody_fuzz::text(data)
        && let Ok(adv) = custody_advisory::parse::yaml(text)
    {
        let _ = adv.pypi_packages();
        let _ = adv.other_packages();
    }
});
