//! OpenSSF model-signing 1.x signatures (key-based, offline): being written.
