//! The decision log: one JSON object per line, appended and flushed per
//! decision, shared by every connection.

use std::io::Write as _;
use std::path::Path;
use std::sync::Mutex;

use crate::index::Decision;

/// An open log.
pub struct DecisionLog {
    file: Mutex<fs_err::File>,
}

impl DecisionLog {
    /// Opens (creates) `path` for appending.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs_err::create_dir_all(dir)?;
        }
        let file = fs_err::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        Ok(Self {
            file: Mutex::new(file),
        })
    }

    /// Appends one decision; a write error is returned, the line dropped.
    pub fn write(&self, d: &Decision) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(d).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let mut f = self
            .file
            .lock()
            .map_err(|_| std::io::Error::other("the log's lock is poisoned"))?;
        f.write_all(&line)?;
        f.flush()
    }
}
