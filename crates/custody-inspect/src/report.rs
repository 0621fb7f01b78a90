//! What inspection reports: findings (evidence with its code, level,
//! phase and place), the package's verdict, and the order findings are
//! listed in. Pure data, serialised as the JSON of `custody inspect`.

use crate::code::Code;
use serde::{Deserialize, Serialize};

use crate::archive::{Anomaly, Format};

/// When code runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// While the package is built or installed (`setup.py`).
    Install,
    /// At every interpreter start-up (`.pth`, `sitecustomize.py`, ...).
    Startup,
    /// When the module is imported.
    Import,
    /// Only when a function is called.
    Runtime,
}

/// How strong one finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Worth a look.
    Low,
    /// Unusual for a library.
    Medium,
    /// Rarely benign.
    High,
    /// Malicious on its own.
    Critical,
}

/// One piece of evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable code (`custody::secret-access`, ...): always the name of a
    /// [`Code`](crate::Code) ([`Code::as_str`](crate::Code::as_str)), and
    /// compared with one as `finding.code == Code::SecretAccess`. Kept as
    /// text while callers outside the crate read it so.
    pub code: Code,
    /// Strength.
    pub level: Level,
    /// When it runs.
    pub phase: Phase,
    /// File inside the package.
    pub path: String,
    /// 1-based line (of the decoded layer when `layer` is set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// Decoding chain when found inside an encoded payload (`base64+zlib`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    /// The line, trimmed.
    pub snippet: String,
    /// What it means.
    pub message: String,
    /// The innermost function the code is in (`None`: top level, or not
    /// Python code).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
}

/// The package's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// No evidence of malicious behaviour before run time.
    Clean,
    /// Evidence worth a human look.
    Suspicious,
    /// Behaviour no benign package has.
    Malicious,
}

/// Everything found in one package.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// The archive or folder.
    pub path: String,
    /// Its format.
    pub format: Format,
    /// The verdict.
    pub verdict: Verdict,
    /// Sum of finding weights (for ranking).
    pub score: u32,
    /// Why the verdict, one line each.
    pub reasons: Vec<String>,
    /// The evidence.
    pub findings: Vec<Finding>,
    /// Container anomalies.
    pub anomalies: Vec<Anomaly>,
}

/// The order findings are reported in (strongest first, then by file and
/// line), without repeats.
pub(crate) fn order(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then(a.path.cmp(&b.path))
            .then(a.line.cmp(&b.line))
    });
    findings.dedup();
}
