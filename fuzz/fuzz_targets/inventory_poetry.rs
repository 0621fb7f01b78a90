//! `poetry.lock` 1.x and 2.x through `custody_inventory::read_lockfile` (the bytes as a file named `poetry.lock`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let path = custody_fuzz::file("poetry.lock", data);
    let _ = custody_inventory::read_lockfile(&path, custody_inventory::LockfileKind::Poetry);
});
