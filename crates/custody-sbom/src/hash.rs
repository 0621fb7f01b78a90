//! A digest of a component's files, shared by the model and the
//! npm/Cargo conversion.

/// A hash of a component's files, as a lockfile, an integrity string or
/// RECORD states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hash {
    /// Algorithm as written (`sha256`, `sha512`, `md5`, ...).
    pub algorithm: String,
    /// Lower-case hex.
    pub hex: String,
}
