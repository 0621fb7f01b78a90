//! `pylock.toml` (PEP 751) through `custody_inventory::read_lockfile` (the bytes as a file named `pylock.toml`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let path = custody_fuzz::file("pylock.toml", data);
    let _ = custody_inventory::read_lockfile(&path, custody_inventory::LockfileKind::Pylock);
});
