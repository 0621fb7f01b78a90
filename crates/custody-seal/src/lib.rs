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
//! model-signing 1.x signatures (key-based, offline).

pub mod artifact;
pub mod compare;
pub mod dsse;
pub mod error;
pub mod hash;
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
