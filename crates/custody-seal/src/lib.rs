//! Signed, record-level provenance for datasets.
//!
//! `seal` walks a dataset deterministically, hashes every file (BLAKE3 or
//! SHA-256, large files in parallel chunks), indexes the records of JSONL,
//! CSV and TSV files, and builds a Merkle manifest whose root is the
//! dataset's identity; the manifest is the predicate of an in-toto
//! Statement v1 signed in a DSSE envelope (optionally inside a Sigstore
//! bundle v0.3). `verify` re-hashes data with the manifest's settings and
//! reports added, removed and modified files, chunks and records; `diff`
//! compares two manifests. [`modelsign`] reads and writes OpenSSF
//! model-signing 1.x signatures (key-based, offline). [`artifact`] gives
//! the digest provenance names a file or folder by (`custody run`'s
//! subjects).
//!
//! Sealing a folder, then checking it after a change:
//!
//! ```
//! use custody_seal::seal::{self, Options};
//! use custody_seal::{artifact, verify};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let data = dir.path().join("data");
//! std::fs::create_dir(&data).unwrap();
//! std::fs::write(data.join("train.jsonl"), "{\"id\": 1}\n{\"id\": 2}\n").unwrap();
//!
//! let roots = [data.clone()];
//! let options = Options::default();
//! let plan = seal::plan(&roots, &options).unwrap();
//! let manifest = seal::build(&roots, &plan, &options, &|_| {}).unwrap();
//! assert_eq!(manifest.files.len(), 1);
//!
//! std::fs::write(data.join("train.jsonl"), "{\"id\": 1}\n{\"id\": 3}\n").unwrap();
//! let options = verify::options_of(&manifest, Vec::new());
//! let plan = seal::plan(&roots, &options).unwrap();
//! let report = verify::verify(&manifest, &plan, &options, &|_| {}).unwrap();
//! assert_eq!(report.modified[0].path, "train.jsonl");
//! assert_eq!(report.unchanged, 0);
//!
//! // A file's digest for provenance is its plain SHA-256.
//! assert_eq!(
//!     artifact::digest(&data.join("train.jsonl")).unwrap().len(),
//!     64
//! );
//! ```

pub mod artifact;
pub mod compare;
pub mod dsse;
pub mod error;
pub mod hash;
pub mod json;
pub mod keys;
pub mod manifest;
pub mod merkle;
pub mod modelsign;
pub mod names;
pub mod open;
pub mod records;
pub mod seal;
pub mod verify;
pub mod walk;
