//! `uv.lock` through `custody_inventory::read_lockfile` (the bytes as a file named `uv.lock`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let path = custody_fuzz::file("uv.lock", data);
    let _ = custody_inventory::read_lockfile(&path, custody_inventory::LockfileKind::Uv);
});
