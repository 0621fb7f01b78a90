//! A decision as the log records it: one JSON object per line.

use serde::Serialize;

use crate::rules::{Action, Code};

/// One decision about a release or a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// When (RFC 3339, UTC).
    pub time: String,
    /// What was done.
    pub action: Action,
    /// Why, as a stable code.
    pub code: Code,
    /// Why, in a line (the code's summary plus the particulars).
    pub reason: String,
    /// The project (PEP 503 name), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// The release, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The file, when one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// The file's sha256: the bytes' own when they were fetched, else the upstream's listing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// The HTTP status answered, for requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// For a file judged by the gate: whether this request ran inspection
    /// (`false`: the verdict came from the cache).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inspected: Option<bool>,
}

impl Decision {
    /// A decision with `code`'s action, at `time`, about nothing in particular yet.
    pub fn new(time: jiff::Timestamp, code: Code, reason: impl Into<String>) -> Self {
        Self {
            time: time.to_string(),
            action: code.rule().action,
            code,
            reason: reason.into(),
            project: None,
            version: None,
            filename: None,
            sha256: None,
            status: None,
            inspected: None,
        }
    }

    /// The same, about `project`.
    #[must_use]
    pub fn project(mut self, project: &str) -> Self {
        self.project = Some(project.to_owned());
        self
    }

    /// The same, about this file (its version read from the name).
    #[must_use]
    pub fn file(mut self, filename: &str, sha256: Option<&str>) -> Self {
        self.version = custody_pypa::filename::archive_name(filename).and_then(|a| a.version);
        self.filename = Some(filename.to_owned());
        self.sha256 = sha256.map(str::to_owned);
        self
    }

    /// The same, with the status answered.
    #[must_use]
    pub fn status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// The line a client is told: `code: reason`, one line, ASCII only (it
    /// goes into an HTTP reason phrase, which pip shows).
    pub fn client_line(&self) -> String {
        let text = format!("custody {}: {}", self.code, self.reason);
        text.chars()
            .map(|c| {
                if c.is_ascii_graphic() || c == ' ' {
                    c
                } else {
                    '?'
                }
            })
            .take(300)
            .collect()
    }
}
