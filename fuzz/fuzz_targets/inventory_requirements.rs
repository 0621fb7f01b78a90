//! Requirement files (pip's syntax, `-r`/`-c` includes resolved beside it) through `custody_inventory::read_lockfile` (the bytes as a file named `requirements.txt`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let path = custody_fuzz::file("requirements.txt", data);
    let _ = custody_inventory::read_lockfile(&path, custody_inventory::LockfileKind::Requirements);
});
