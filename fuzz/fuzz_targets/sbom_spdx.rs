//! SPDX 2.3 JSON and 3.0 JSON-LD bills of materials through `custody_inventory::read_lockfile` (the bytes as a file named `bom.spdx.json`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let path = custody_fuzz::file("bom.spdx.json", data);
    let _ = custody_inventory::read_lockfile(&path, custody_inventory::LockfileKind::Spdx);
});
