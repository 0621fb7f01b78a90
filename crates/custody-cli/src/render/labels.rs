//! The words a verdict, level or phase is shown as, in one place.

use custody::inspect::{Level, Phase, Verdict};

/// A verdict in tables: loud when it matters.
pub fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Malicious => "MALICIOUS",
        Verdict::Suspicious => "SUSPICIOUS",
        Verdict::Clean => "clean",
    }
}

/// An inspected path that could not be read.
pub const UNREADABLE: &str = "UNREADABLE";

/// A verdict in the version comparison's heading.
pub fn verdict_title(v: Verdict) -> &'static str {
    match v {
        Verdict::Malicious => "Malicious",
        Verdict::Suspicious => "Suspicious",
        Verdict::Clean => "Clean",
    }
}

/// A finding's level, lower case.
pub fn level(l: Level) -> String {
    format!("{l:?}").to_lowercase()
}

/// A finding's phase, lower case.
pub fn phase(p: Phase) -> String {
    format!("{p:?}").to_lowercase()
}
