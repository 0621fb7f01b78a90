//! A file's way through the gate: fetched, checked against the upstream's
//! sha256, inspected, and kept only when allowed. Verdicts are cached by
//! sha256 (`<cache>/verdicts/<sha256>.json`) with the allowed bytes
//! (`<cache>/files/<sha256>`), so a file is inspected once. A fault
//! leaves nothing behind.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::upstream::{Client, Fault, MAX_FILE_BYTES, hex};
use crate::index::{Code, DistFile};
use crate::inspect::{self, Options, Verdict};
use crate::policy::Suspicious;

/// A verdict as cached.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Cached {
    /// Inspection's verdict; `None` when the archive could not be read.
    pub verdict: Option<Verdict>,
    /// The findings' codes, for the log.
    pub codes: Vec<String>,
    /// The fingerprint of the rules that judged it: a verdict of other
    /// rules (an older or newer custody) is judged again.
    #[serde(default)]
    pub rules: String,
}

/// The gate's answer for one file.
pub enum Outcome {
    /// Serve these bytes, logged with this code.
    Serve(Vec<u8>, Code, String),
    /// Refuse with this code and reason.
    Refuse(Code, String),
}

/// The verdict cache and the file store.
pub struct Gate {
    cache: PathBuf,
    suspicious: Suspicious,
    /// One lock per digest being judged, so clients asking for the same
    /// new file at once wait for one inspection instead of running many.
    inflight: Mutex<HashMap<String, Arc<Mutex<()>>>>,
    /// Cached files whose bytes were hashed since start-up, with the size,
    /// modification time and inode they had: hashed again only when one
    /// changed (a client reading a wheel by ranges asks for it often).
    checked: Mutex<HashMap<String, Stamp>>,
}

/// A file's size, modification time and inode.
type Stamp = (u64, std::time::SystemTime, u64);

fn stamp(path: &Path) -> Option<Stamp> {
    use std::os::unix::fs::MetadataExt as _;
    let m = fs_err::metadata(path).ok()?;
    Some((m.len(), m.modified().ok()?, m.ino()))
}

impl Gate {
    /// A gate caching under `cache`.
    pub fn new(cache: &Path, suspicious: Suspicious) -> std::io::Result<Self> {
        for sub in ["verdicts", "files", "tmp"] {
            fs_err::create_dir_all(cache.join(sub))?;
        }
        Ok(Self {
            cache: cache.to_owned(),
            suspicious,
            inflight: Mutex::new(HashMap::new()),
            checked: Mutex::new(HashMap::new()),
        })
    }

    /// Fetches (or reads from the cache), checks and judges `file`; the
    /// flag says whether this call ran inspection (false: the cache answered).
    pub fn pass(&self, client: &Client, file: &DistFile) -> Result<(Outcome, bool), Fault> {
        if !crate::index::safe_filename(&file.filename) {
            return Ok((
                Outcome::Refuse(Code::BadFilename, format!("{:?}", file.filename)),
                false,
            ));
        }
        let Some(listed) = file.sha256().filter(|h| h.len() == 64) else {
            return Ok((
                Outcome::Refuse(
                    Code::NoDigest,
                    format!("{}: the upstream lists no sha256", file.filename),
                ),
                false,
            ));
        };
        let lock = self
            .inflight
            .lock()
            .map(|mut m| Arc::clone(m.entry(listed.to_owned()).or_default()))
            .unwrap_or_default();
        let _judging = lock.lock();
        if let Some(cached) = self.cached(listed) {
            if let Some(refusal) = self.refusal(&cached, &file.filename) {
                return Ok((refusal, false));
            }
            if let Some(bytes) = self.cached_bytes(listed) {
                let (code, reason) = Self::allowed(&cached, &file.filename);
                return Ok((Outcome::Serve(bytes, code, reason), false));
            }
        }
        let bytes = client.bytes(file, "", MAX_FILE_BYTES)?;
        let actual = hex(&Sha256::digest(&bytes));
        if actual != listed {
            return Err(Fault {
                code: Code::DigestMismatch,
                reason: format!(
                    "{}: sha256 {actual}, the upstream lists {listed}",
                    file.filename
                ),
            });
        }
        let cached = self.judge(&file.filename, &bytes).map_err(|e| Fault {
            code: Code::UpstreamError,
            reason: format!("cannot write the cache: {e}"),
        })?;
        self.store(listed, &cached, &bytes).map_err(|e| Fault {
            code: Code::UpstreamError,
            reason: format!("cannot write the cache: {e}"),
        })?;
        if let Some(refusal) = self.refusal(&cached, &file.filename) {
            return Ok((refusal, true));
        }
        let (code, reason) = Self::allowed(&cached, &file.filename);
        Ok((Outcome::Serve(bytes, code, reason), true))
    }

    /// The allowed bytes kept for `sha256`, when they still hash to it.
    fn cached_bytes(&self, sha256: &str) -> Option<Vec<u8>> {
        let path = self.cache.join("files").join(sha256);
        let before = stamp(&path)?;
        let bytes = fs_err::read(&path).ok()?;
        let known = self
            .checked
            .lock()
            .ok()
            .is_some_and(|c| c.get(sha256) == Some(&before));
        if known && stamp(&path) == Some(before) {
            return Some(bytes);
        }
        if hex(&Sha256::digest(&bytes)) != sha256 {
            return None;
        }
        if let Ok(mut c) = self.checked.lock() {
            c.insert(sha256.to_owned(), before);
        }
        Some(bytes)
    }

    fn cached(&self, sha256: &str) -> Option<Cached> {
        let text =
            fs_err::read_to_string(self.cache.join("verdicts").join(format!("{sha256}.json")))
                .ok()?;
        serde_json::from_str::<Cached>(&text)
            .ok()
            .filter(|c| c.rules == inspect::RULES_FINGERPRINT)
    }

    /// Inspection of the bytes, written under their own name in a private
    /// folder (the archive reader goes by the name's format).
    fn judge(&self, filename: &str, bytes: &[u8]) -> std::io::Result<Cached> {
        let dir = tempfile::Builder::new()
            .prefix("gate-")
            .tempdir_in(self.cache.join("tmp"))?;
        let path = dir.path().join(filename);
        fs_err::write(&path, bytes)?;
        let options = Options::default();
        Ok(match inspect::read_archive(&path, &options.limits()) {
            Ok(contents) => {
                let report = inspect::inspect_with(&contents, options);
                let mut codes: Vec<String> =
                    report.findings.iter().map(|f| f.code.to_string()).collect();
                codes.sort();
                codes.dedup();
                Cached {
                    verdict: Some(report.verdict),
                    codes,
                    rules: inspect::RULES_FINGERPRINT.to_owned(),
                }
            }
            Err(e) => Cached {
                verdict: None,
                codes: vec![e.to_string()],
                rules: inspect::RULES_FINGERPRINT.to_owned(),
            },
        })
    }

    fn store(&self, sha256: &str, cached: &Cached, bytes: &[u8]) -> std::io::Result<()> {
        let tmp = tempfile::NamedTempFile::new_in(self.cache.join("tmp"))?;
        if cached.verdict.is_some_and(|v| self.allows(v)) {
            fs_err::write(tmp.path(), bytes)?;
            tmp.persist(self.cache.join("files").join(sha256))
                .map_err(|e| e.error)?;
        }
        let tmp = tempfile::NamedTempFile::new_in(self.cache.join("tmp"))?;
        fs_err::write(
            tmp.path(),
            serde_json::to_vec(cached).map_err(std::io::Error::other)?,
        )?;
        tmp.persist(self.cache.join("verdicts").join(format!("{sha256}.json")))
            .map_err(|e| e.error)?;
        Ok(())
    }

    fn allows(&self, v: Verdict) -> bool {
        match v {
            Verdict::Clean => true,
            Verdict::Suspicious => self.suspicious == Suspicious::Warn,
            Verdict::Malicious => false,
        }
    }

    fn refusal(&self, cached: &Cached, filename: &str) -> Option<Outcome> {
        let codes = cached.codes.join(", ");
        match cached.verdict {
            None => Some(Outcome::Refuse(
                Code::Unreadable,
                format!("{filename}: {codes}"),
            )),
            Some(Verdict::Malicious) => Some(Outcome::Refuse(
                Code::InspectionMalicious,
                format!("{filename}: {codes}"),
            )),
            Some(Verdict::Suspicious) if self.suspicious == Suspicious::Block => Some(
                Outcome::Refuse(Code::InspectionSuspicious, format!("{filename}: {codes}")),
            ),
            _ => None,
        }
    }

    fn allowed(cached: &Cached, filename: &str) -> (Code, String) {
        if cached.verdict == Some(Verdict::Suspicious) {
            (
                Code::AllowedSuspicious,
                format!("{filename}: {}", cached.codes.join(", ")),
            )
        } else {
            (Code::Allowed, filename.to_owned())
        }
    }
}
