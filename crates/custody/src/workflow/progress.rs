//! How workflows report progress to whoever shows it.

/// Byte progress of long hashing, reported to whoever shows it.
pub trait ByteProgress: Sync {
    /// Hashing of `total` bytes starts.
    fn start(&self, total: u64);
    /// `done` bytes are hashed.
    fn advance(&self, done: u64);
    /// Hashing ended.
    fn finish(&self);
}

/// Progress nobody watches.
pub struct Silent;

impl ByteProgress for Silent {
    fn start(&self, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}
