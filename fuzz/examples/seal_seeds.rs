//! Writes the `seal_open` seeds once: a fresh Ed25519 key whose public half
//! is the fuzz target's trusted key (`fuzz/keys/fuzz.pub.pem`; the private
//! half is not kept), and a small folder sealed with it as a DSSE envelope
//! and as a Sigstore bundle.
//! `cargo run --example seal_seeds` from `fuzz/`.
use std::path::Path;

use custody_seal::keys::{Scheme, SigningKey};
use custody_seal::seal::{self, Container, Options};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let keys = here.join("keys");
    fs_err::create_dir_all(&keys)?;
    let key = SigningKey::generate(Scheme::Ed25519)?;
    fs_err::write(keys.join("fuzz.pub.pem"), key.public().to_pem())?;
    let data = tempfile::tempdir()?;
    let root = data.path().join("data");
    fs_err::create_dir_all(root.join("sub"))?;
    fs_err::write(root.join("a.txt"), "hello\n")?;
    fs_err::write(
        root.join("rows.jsonl"),
        "{\"id\": 1, \"x\": \"a\"}\n{\"id\": 2, \"x\": \"b\"}\n",
    )?;
    fs_err::write(root.join("sub/t.csv"), "id,x\n1,a\n2,b\n")?;
    let options = Options {
        record_key: Some("id".into()),
        ..Options::default()
    };
    let roots = vec![root];
    let plan = seal::plan(&roots, &options)?;
    let manifest = seal::build(&roots, &plan, &options, &|_| {})?;
    let corpus = here.join("seeds/seal_open");
    fs_err::create_dir_all(&corpus)?;
    for (name, container) in [
        ("dsse.json", Container::Dsse),
        ("bundle.json", Container::Bundle),
    ] {
        let mut out = Vec::new();
        seal::sign_to(&manifest, &key, container, &mut out)?;
        fs_err::write(corpus.join(name), out)?;
    }
    Ok(())
}
