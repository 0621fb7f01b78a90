//! The index's decisions as evidence (`--ledger`): a session's decisions
//! signed as an in-toto statement (`https://custody.dev/index-decisions/v1`,
//! read by `custody_ledger::ingest::gate`), written next to the log
//! (`<log>.d/KIND-TIME-DIGEST.json`, so it can be `custody ledger add`ed
//! later) and added to the ledger. `guard` and `mirror` record one
//! document per session; `serve` records in batches from a writer thread
//! fed by a channel ([`spawn_batches`]), so the serving path never waits
//! for the ledger, and a ledger failure never changes a decision served.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::ServeOptions;
use super::upstream::{Upstream, hex};
use crate::index::{Action, Decision};
use crate::ledger::{INDEX_DECISIONS_PREDICATE, LedgerError, Location};
use crate::seal::SigningKey;
use crate::workflow::ledger::RecordReport;

/// Decisions per document when `serve` records.
pub const BATCH: usize = 1000;
/// The longest a decision waits before `serve` records it.
pub const EVERY: Duration = Duration::from_secs(60);

/// What kind of session decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// `custody index serve`.
    Serve,
    /// `custody guard`.
    Guard,
    /// `custody index mirror`.
    Mirror,
}

impl SessionKind {
    /// Its name in the document.
    pub fn name(self) -> &'static str {
        match self {
            Self::Serve => "serve",
            Self::Guard => "guard",
            Self::Mirror => "mirror",
        }
    }
}

/// Where and how decisions are recorded.
pub struct Recorder {
    /// The ledger.
    pub location: Location,
    /// The key that signs the documents (the ledger must trust it).
    pub key: SigningKey,
    /// Where the documents are written.
    pub dir: PathBuf,
    /// The index's upstream and policy, as stated in each document.
    index: Value,
}

impl Recorder {
    /// Records for the index of `options` into `location`, documents
    /// written next to its log.
    pub fn new(location: Location, key: SigningKey, options: &ServeOptions) -> Self {
        Self {
            location,
            key,
            dir: documents_dir(&options.log),
            index: index_info(options),
        }
    }
}

/// `<log>.d`: where the signed documents of a log's decisions go.
pub fn documents_dir(log: &Path) -> PathBuf {
    let mut name = log.as_os_str().to_owned();
    name.push(".d");
    PathBuf::from(name)
}

/// The index's upstream and policy.
fn index_info(options: &ServeOptions) -> Value {
    let policy = &options.policy;
    json!({
        "upstream": match &options.upstream {
            Upstream::Url(u) => u.clone(),
            Upstream::Dir(d) => d.display().to_string(),
        },
        "policy": {
            "min-age": policy.min_age.map(|d| format!("{}s", d.as_secs())),
            "suspicious": policy.suspicious,
            "block-severity": policy.block_severity,
            "allows": policy.allows.len(),
        },
    })
}

/// The statement: subjects are the files served (allowed, answered
/// 200), each once, by name and sha256.
pub fn statement(
    index: &Value,
    kind: SessionKind,
    started: jiff::Timestamp,
    ended: jiff::Timestamp,
    decisions: &[Decision],
) -> Value {
    let mut served: Vec<(&str, &str)> = decisions
        .iter()
        .filter(|d| d.action == Action::Allowed && d.status == Some(200))
        .filter_map(|d| Some((d.filename.as_deref()?, d.sha256.as_deref()?)))
        .collect();
    served.sort_unstable();
    served.dedup();
    let subjects: Vec<Value> = served
        .iter()
        .map(|(name, sha256)| json!({"name": name, "digest": {"sha256": sha256}}))
        .collect();
    json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": subjects,
        "predicateType": INDEX_DECISIONS_PREDICATE,
        "predicate": {
            "index": index,
            "session": {"kind": kind.name(), "started": started.to_string(), "ended": ended.to_string()},
            "decisions": decisions,
        },
    })
}

/// A document written, and what the ledger did with it.
#[derive(Debug)]
pub struct Recorded {
    /// The signed document.
    pub path: PathBuf,
    /// Decisions in it.
    pub decisions: usize,
    /// Files served in it (its subjects).
    pub files: usize,
    /// The ledger's answer (refused when its key is not trusted there).
    pub ledger: Result<RecordReport, LedgerError>,
}

/// Why nothing was recorded: the document could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the signed decisions {path}: {source}")]
pub struct WriteError {
    /// The document.
    pub path: PathBuf,
    /// Why.
    pub source: std::io::Error,
}

/// Signs `decisions` as one document, writes it under the recorder's
/// folder and adds it to the ledger.
///
/// # Errors
/// The document cannot be written; the ledger's own failure is in
/// [`Recorded::ledger`].
pub fn record(
    recorder: &Recorder,
    kind: SessionKind,
    started: jiff::Timestamp,
    ended: jiff::Timestamp,
    decisions: &[Decision],
) -> Result<Recorded, WriteError> {
    let statement = statement(&recorder.index, kind, started, ended, decisions);
    let files = statement["subject"].as_array().map_or(0, Vec::len);
    let bytes = crate::run::sign(&statement, &recorder.key);
    let digest = hex(&Sha256::digest(&bytes));
    let path = recorder.dir.join(format!(
        "{}-{}-{}.json",
        kind.name(),
        started.strftime("%Y%m%dT%H%M%SZ"),
        &digest[..12]
    ));
    let write = || -> std::io::Result<()> {
        fs_err::create_dir_all(&recorder.dir)?;
        crate::keys::write_atomic(&path, &bytes, false).map_err(std::io::Error::other)
    };
    write().map_err(|source| WriteError {
        path: path.clone(),
        source,
    })?;
    let ledger =
        crate::workflow::ledger::record(&recorder.location, &path, &recorder.key.public().key_id());
    Ok(Recorded {
        path,
        decisions: decisions.len(),
        files,
        ledger,
    })
}

/// What the batch writer is sent.
pub enum Message {
    /// A decision to record.
    Decision(Decision),
    /// Record what is pending now, then answer.
    Flush(Sender<()>),
}

/// What the batch writer reports after each document.
pub type Report = Box<dyn Fn(&Result<Recorded, WriteError>) + Send>;

/// Starts the writer thread of `serve`: decisions sent to the returned
/// channel are recorded every [`BATCH`] decisions, [`EVERY`] after the
/// first one pending, on [`Message::Flush`], and when every sender is
/// gone. `now` fixes the clock (tests).
pub fn spawn_batches(
    recorder: Recorder,
    now: Option<jiff::Timestamp>,
    report: Report,
) -> (Sender<Message>, std::thread::JoinHandle<()>) {
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = std::thread::spawn(move || batches(&recorder, &rx, now, &report));
    (tx, handle)
}

fn batches(
    recorder: &Recorder,
    rx: &Receiver<Message>,
    now: Option<jiff::Timestamp>,
    report: &Report,
) {
    let clock = || now.unwrap_or_else(jiff::Timestamp::now);
    let mut pending: Vec<Decision> = Vec::new();
    let mut started = clock();
    let mut deadline: Option<Instant> = None;
    let flush = |pending: &mut Vec<Decision>, started: jiff::Timestamp| {
        if !pending.is_empty() {
            report(&record(
                recorder,
                SessionKind::Serve,
                started,
                clock(),
                pending,
            ));
            pending.clear();
        }
    };
    loop {
        let message = match deadline {
            Some(d) => rx.recv_timeout(d.saturating_duration_since(Instant::now())),
            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match message {
            Ok(Message::Decision(d)) => {
                if pending.is_empty() {
                    started = clock();
                    deadline = Some(Instant::now() + EVERY);
                }
                pending.push(d);
                if pending.len() >= BATCH {
                    flush(&mut pending, started);
                    deadline = None;
                }
            }
            Ok(Message::Flush(ack)) => {
                flush(&mut pending, started);
                deadline = None;
                let _ = ack.send(());
            }
            Err(RecvTimeoutError::Timeout) => {
                flush(&mut pending, started);
                deadline = None;
            }
            Err(RecvTimeoutError::Disconnected) => {
                flush(&mut pending, started);
                return;
            }
        }
    }
}
