//! Seal manifests: DSSE envelopes and Sigstore bundles, through
//! `custody_seal::open::open_bytes`, twice: against a fixed trusted key
//! (container and signature checks; the seeds are signed by it) and with no
//! key (the signature unchecked, as `diff` without keys does, so mutated
//! statements and manifests reach the statement, rules and root checks).
#![no_main]
use std::sync::LazyLock;

use custody_seal::keys::PublicKey;

static KEY: LazyLock<PublicKey> = LazyLock::new(|| {
    PublicKey::from_pem(include_str!("../keys/fuzz.pub.pem")).expect("the fuzz key parses")
});

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let name = std::path::Path::new("data.manifest.json");
    let _ = custody_seal::open::open_bytes(name, data.to_vec(), std::slice::from_ref(&*KEY));
    let _ = custody_seal::open::open_bytes(name, data.to_vec(), &[]);
});
