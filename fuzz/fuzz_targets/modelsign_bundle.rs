//! model-signing bundles: `custody_seal::open::open_bytes` (a whole file
//! against a key that did not sign it, or a statement signed by the harness
//! key), then, for a model-signing statement,
//! `custody_seal::modelsign::verify` against an empty model folder (the
//! predicate's rules, ignore paths and the comparison).
#![no_main]
use std::path::Path;
use std::sync::LazyLock;

use custody_fuzz::Input;
use custody_seal::keys::PublicKey;
use custody_seal::modelsign::{self, Options};
use custody_seal::open::{Payload, open_bytes};

static KEY: LazyLock<PublicKey> = LazyLock::new(custody_fuzz::harness_public);

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let name = Path::new("model.sig");
    let opened = match custody_fuzz::input(data) {
        None => return,
        Some(Input::Whole(file)) => {
            let _ = open_bytes(name, file.to_vec(), std::slice::from_ref(&*KEY));
            open_bytes(name, file.to_vec(), &[])
        }
        Some(Input::Statement(st)) => open_bytes(
            name,
            custody_fuzz::signed_envelope(st),
            std::slice::from_ref(&*KEY),
        ),
    };
    if let Ok(opened) = opened
        && let Payload::ModelSigning(statement) = opened.payload
    {
        let model = custody_fuzz::empty_dir("model");
        let _ = modelsign::verify(&statement, &model, name, &Options::default());
    }
});
