//! CycloneDX JSON bills of materials through `custody_inventory::read_lockfile` (the bytes as a file named `bom.cdx.json`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let path = custody_fuzz::file("bom.cdx.json", data);
    let _ = custody_inventory::read_lockfile(&path, custody_inventory::LockfileKind::CycloneDx);
});
