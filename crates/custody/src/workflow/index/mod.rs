//! `custody index serve`: a package index in front of an upstream that
//! serves a client (pip, uv, pdm, poetry) only what the policy allows.
//!
//! Pages: the upstream's project page ([`upstream`]) is filtered by the
//! policy (`custody-index`'s `filter`: malicious-package records from
//! [`AdvisoryIndex`], the cooldown and its exceptions) and rendered in the
//! format the client asked for, every file URL pointing back here. Files:
//! each passes the [`gate`] (digest, inspection, verdict cache) before a
//! byte is served. Every decision is one JSON line in the log ([`log`]).
//! The loop that answers requests is [`server`]: blocking, one thread per
//! connection, because the work under each request (an upstream fetch with
//! `ureq`, inspection) is blocking too.

pub mod gate;
pub mod log;
pub mod server;
pub mod upstream;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

pub use server::{Server, bind};
pub use upstream::Upstream;

use crate::AdvisoryIndex;
use crate::policy::IndexPolicy;

/// What `custody index serve` was asked for, resolved.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Pages and files come from here.
    pub upstream: Upstream,
    /// The loopback address to listen on (port 0: any free port).
    pub listen: SocketAddr,
    /// `[index]` of the policy.
    pub policy: IndexPolicy,
    /// Verdicts and allowed files.
    pub cache: PathBuf,
    /// The JSON-lines decision log (appended).
    pub log: PathBuf,
    /// custody's home (the advisory database).
    pub home: PathBuf,
    /// For each exchange with the upstream.
    pub timeout: Duration,
    /// A fixed "now" (tests); the clock otherwise.
    pub now: Option<jiff::Timestamp>,
    /// PEM root certificates for an https upstream (the system bundle,
    /// which may hold a proxy's CA); Mozilla's roots when `None`.
    pub ca_bundle: Option<PathBuf>,
}

impl ServeOptions {
    /// The default cache under `home`.
    pub fn default_cache(home: &std::path::Path) -> PathBuf {
        home.join("cache/index")
    }

    /// The default log under `home`.
    pub fn default_log(home: &std::path::Path) -> PathBuf {
        home.join("index/decisions.jsonl")
    }
}

/// Why the index cannot start.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The address is not a loopback one.
    #[error("{0} is not a loopback address: the index listens on 127.0.0.1 or ::1 only")]
    NotLoopback(SocketAddr),
    /// The socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The upstream folder does not exist.
    #[error("the upstream folder {0} does not exist")]
    NoFolder(PathBuf),
    /// The upstream URL is not http or https.
    #[error("the upstream {0:?} is neither an http:// or https:// URL nor a folder")]
    BadUpstream(String),
    /// The CA bundle cannot be used.
    #[error("cannot use the CA bundle {path}: {reason}")]
    CaBundle {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The advisory database cannot be opened.
    #[error("cannot open the advisory database: {0}")]
    Advisories(#[from] crate::advisory::StoreError),
    /// The cache or the log cannot be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Opens the advisory index the pages are filtered with.
fn advisories(home: &std::path::Path) -> Result<AdvisoryIndex, IndexError> {
    Ok(AdvisoryIndex::open(home)?)
}
