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

pub mod evidence;
pub mod gate;
pub mod guard;
pub mod log;
pub mod mirror;
pub mod sealed;
pub mod server;
pub mod upstream;
pub mod vet;

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
    /// Keys whose seal of a folder upstream is trusted ([`sealed`]).
    pub trusted: Vec<crate::seal::PublicKey>,
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
    /// The folder is sealed, and no key to verify it was given.
    #[error("{0} seals this folder: name the key that sealed it with --trust KEY.pub")]
    SealUntrusted(PathBuf),
    /// A key was given for a folder that is not sealed.
    #[error(
        "--trust was given but the folder has no seal ({0} does not exist): build it with `custody index mirror`"
    )]
    NotSealed(PathBuf),
    /// `--trust` with an index upstream.
    #[error("--trust verifies a sealed folder upstream; an index upstream has no seal")]
    TrustNeedsFolder,
    /// The seal does not verify, or the list cannot be read.
    #[error("{path}: {reason}")]
    SealInvalid {
        /// The seal or the list.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The folder differs from its seal.
    #[error("{path} differs from its seal: {}", changed.join(", "))]
    SealMismatch {
        /// The folder.
        path: PathBuf,
        /// What differs.
        changed: Vec<String>,
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

/// Checks the options, verifies a sealed folder upstream, and opens the
/// advisory index, the verdict cache and the decision log.
///
/// # Errors
/// See [`IndexError`].
pub fn vetter(options: &ServeOptions) -> Result<(vet::Vetter, log::DecisionLog), IndexError> {
    let sealed = match &options.upstream {
        Upstream::Dir(d) if !d.is_dir() => return Err(IndexError::NoFolder(d.clone())),
        Upstream::Dir(d) => sealed::open(d, &options.trusted)?,
        Upstream::Url(u) if !(u.starts_with("http://") || u.starts_with("https://")) => {
            return Err(IndexError::BadUpstream(u.clone()));
        }
        Upstream::Url(_) if !options.trusted.is_empty() => {
            return Err(IndexError::TrustNeedsFolder);
        }
        Upstream::Url(_) => None,
    };
    let advisories = advisories(&options.home)?;
    let io = |path: &std::path::Path| {
        let path = path.to_owned();
        move |source| IndexError::Io { path, source }
    };
    let gate =
        gate::Gate::new(&options.cache, options.policy.suspicious).map_err(io(&options.cache))?;
    let log = log::DecisionLog::open(&options.log).map_err(io(&options.log))?;
    let roots = match &options.ca_bundle {
        Some(path) => Some(fs_err::read(path).map_err(|e| IndexError::CaBundle {
            path: path.clone(),
            reason: e.to_string(),
        })?),
        None => None,
    };
    let mut client =
        upstream::Client::new(options.upstream.clone(), options.timeout, roots.as_deref())
            .map_err(|reason| IndexError::CaBundle {
                path: options.ca_bundle.clone().unwrap_or_default(),
                reason,
            })?;
    if let Some(files) = sealed {
        client = client.sealed(files);
    }
    let vet = vet::Vetter::new(
        client,
        gate,
        options.policy.clone(),
        advisories,
        options.now,
    );
    Ok((vet, log))
}

/// Opens the advisory index the pages are filtered with.
fn advisories(home: &std::path::Path) -> Result<AdvisoryIndex, IndexError> {
    Ok(AdvisoryIndex::open(home)?)
}
