//! Package archives: `custody_inspect::archive::read` with the default
//! limits. `archive::read` takes a path only, so the bytes are written to a
//! file; the content decides the format (zip, tar.gz, tar.bz2, tar.xz), the
//! name only the anomaly of a misnamed file. The first byte picks the name.
#![no_main]
const NAMES: [&str; 4] = [
    "p-1.0-py3-none-any.whl",
    "p-1.0.tar.gz",
    "p-1.0.zip",
    "p-1.0.tar.xz",
];
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let path = custody_fuzz::file(NAMES[usize::from(pick) % NAMES.len()], bytes);
    let limits = custody_inspect::Options::default().limits();
    let _ = custody_inspect::archive::read(&path, &limits);
});
