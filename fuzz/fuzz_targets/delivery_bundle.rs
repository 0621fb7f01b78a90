//! Delivery bundles (`custody accept`):
//! `custody::workflow::deliver::bundle::open` with a trusted key (a whole
//! file, or a statement signed by the harness key), then every document
//! the bundle carries, as `accept` opens them (`custody_ledger`'s ingest,
//! checked with the same key).
#![no_main]
use std::sync::LazyLock;

use custody::workflow::deliver::bundle;
use custody_fuzz::Input;
use custody_ledger::ingest;
use custody_seal::keys::PublicKey;

static KEY: LazyLock<PublicKey> = LazyLock::new(custody_fuzz::harness_public);

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let trusted = std::slice::from_ref(&*KEY);
    let opened = match custody_fuzz::input(data) {
        None => return,
        Some(Input::Whole(file)) => bundle::open(file, trusted),
        Some(Input::Statement(st)) => bundle::open(&custody_fuzz::signed_envelope(st), trusted),
    };
    if let Ok(opened) = opened {
        let p = &opened.predicate;
        let docs = std::iter::once(&p.manifest)
            .chain(&p.sources)
            .chain(&p.attestations)
            .chain(&p.inventories);
        for doc in docs {
            let _ = ingest::open_document(doc.as_bytes(), trusted);
        }
    }
});
