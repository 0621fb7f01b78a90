//! How deep inspection looks.

use crate::paths::reads_whole;

/// How deep to look.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Also analyse code that only runs when a function is called, and test,
    /// docs and example folders (run-time capabilities, for review and
    /// version diffs). Verdicts do not change: they rest on earlier phases.
    pub deep: bool,
}

impl Options {
    /// What to read of each package: everything under `deep` (every RECORD
    /// digest checked too), otherwise only the first bytes of members no
    /// rule reads (inflating native libraries was a fifth of the time).
    pub fn limits(self) -> crate::archive::Limits {
        crate::archive::Limits {
            skim: (!self.deep).then_some(|p: &str| !reads_whole(p)),
            ..crate::archive::Limits::default()
        }
    }
}
