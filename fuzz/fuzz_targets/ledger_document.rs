//! The ledger's ingest (`custody ledger add`, `accept`'s documents): run
//! attestations (the fast provenance reader and the full one), scan
//! inventories, seal manifests, delivery bundles and decisions, through
//! `custody_ledger::ingest::open_document` with a trusted key: a whole
//! file (container checks; the key did not sign it, so the stored-document
//! path, which checks no signature, reads its statement too), or a
//! statement signed by the harness key.
#![no_main]
use std::sync::LazyLock;

use custody_fuzz::Input;
use custody_ledger::ingest;
use custody_seal::keys::PublicKey;

static KEY: LazyLock<PublicKey> = LazyLock::new(custody_fuzz::harness_public);

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    match custody_fuzz::input(data) {
        None => {}
        Some(Input::Whole(file)) => {
            let _ = ingest::open_document(file, std::slice::from_ref(&*KEY));
            if let Some(text) = custody_fuzz::text(file) {
                let _ = ingest::open_stored_document(text);
            }
        }
        Some(Input::Statement(st)) => {
            let signed = custody_fuzz::signed_envelope(st);
            let _ = ingest::open_document(&signed, std::slice::from_ref(&*KEY));
        }
    }
});
