//! `custody guard -- COMMAND`: an ephemeral index on a free loopback port,
//! the command run with its installers' index settings pointed at it, and
//! what the index hid or refused on the way.

use std::ffi::OsString;
use std::net::{Ipv4Addr, SocketAddr};

use serde::Serialize;

use super::{IndexError, ServeOptions};
use crate::index::{Action, Decision};

/// Schema of the guard report.
pub const SCHEMA: &str = "custody.guard/v1";

/// The environment the command gets: each installer's primary index set
/// to the guard's, and the settings that would add another index or a
/// folder of files removed (pip's are set empty, which overrides its
/// configuration files). Poetry reads its sources from `pyproject.toml`
/// only and has no such variable.
pub fn environment(url: &str) -> (Vec<(&'static str, String)>, &'static [&'static str]) {
    let set = vec![
        ("PIP_INDEX_URL", url.to_owned()),
        ("PIP_EXTRA_INDEX_URL", String::new()),
        ("PIP_FIND_LINKS", String::new()),
        ("UV_DEFAULT_INDEX", url.to_owned()),
        ("PDM_PYPI_URL", url.to_owned()),
    ];
    (set, REMOVED)
}

/// Settings that would add another index or a folder of files, removed.
const REMOVED: &[&str] = &[
    "PIP_NO_INDEX",
    "UV_INDEX",
    "UV_INDEX_URL",
    "UV_EXTRA_INDEX_URL",
    "UV_FIND_LINKS",
    "UV_NO_INDEX",
    "UV_OFFLINE",
];

/// What happened.
#[derive(Debug, Clone, Serialize)]
pub struct GuardReport {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// The index the command was pointed at.
    pub index: String,
    /// The command, as given.
    pub command: Vec<String>,
    /// Its exit code (`None`: ended by a signal).
    pub exit_code: Option<i32>,
    /// The signal that ended it.
    pub signal: Option<i32>,
    /// Distinct files served (a client may ask for a file more than once).
    pub served: usize,
    /// Files the index inspected in this session (the rest from the cache).
    pub inspected: usize,
    /// Decisions that hid a release or refused a file, in order.
    pub blocked: Vec<Decision>,
    /// Upstream and request faults, in order.
    pub faults: Vec<Decision>,
    /// Every decision of the session, in order (the evidence `--ledger`
    /// records).
    #[serde(skip)]
    pub decisions: Vec<Decision>,
    /// When the index started and when the command ended.
    #[serde(skip)]
    pub session: (jiff::Timestamp, jiff::Timestamp),
}

impl GuardReport {
    /// The command succeeded.
    pub fn succeeded(&self) -> bool {
        self.exit_code == Some(0)
    }

    /// The command failed and the index had hidden or refused something:
    /// most likely what the command needed.
    pub fn failed_by_policy(&self) -> bool {
        !self.succeeded() && !self.blocked.is_empty()
    }
}

/// Why the command did not run.
#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    /// The index could not start.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// No command was given.
    #[error("no command to run: custody guard [OPTIONS] -- pip install ...")]
    NoCommand,
    /// The command could not be started.
    #[error("cannot start {program:?}: {source}")]
    Spawn {
        /// The program.
        program: String,
        /// Why.
        source: std::io::Error,
    },
}

/// Starts the index (`options.listen` is replaced by a free loopback
/// port), runs `command` with inherited standard streams and the
/// installers' index settings pointed at it, and reports.
///
/// # Errors
/// See [`GuardError`]; the command's own failure is in the report.
pub fn guard(mut options: ServeOptions, command: &[OsString]) -> Result<GuardReport, GuardError> {
    let (program, args) = command.split_first().ok_or(GuardError::NoCommand)?;
    options.listen = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let server = super::bind(&options)?;
    let addr = server.local_addr().map_err(|source| IndexError::Bind {
        addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        source,
    })?;
    let url = format!("http://{addr}/simple/");
    let clock = || options.now.unwrap_or_else(jiff::Timestamp::now);
    let started = clock();
    let session = server.spawn();
    let (set, removed) = environment(&url);
    let mut child = std::process::Command::new(program);
    child.args(args);
    for name in removed {
        child.env_remove(name);
    }
    child.envs(set);
    let status = child.status().map_err(|source| GuardError::Spawn {
        program: program.to_string_lossy().into_owned(),
        source,
    })?;
    let decisions = session.decisions();
    let mut report = GuardReport {
        schema: SCHEMA,
        index: url,
        command: command
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect(),
        exit_code: status.code(),
        signal: std::os::unix::process::ExitStatusExt::signal(&status),
        served: 0,
        inspected: 0,
        blocked: Vec::new(),
        faults: Vec::new(),
        decisions: decisions.clone(),
        session: (started, clock()),
    };
    let mut files_served = std::collections::BTreeSet::new();
    for d in decisions {
        match d.action {
            Action::Allowed if d.status == Some(200) => {
                files_served.insert(d.filename.clone());
                report.inspected += usize::from(d.inspected == Some(true));
            }
            Action::Allowed => {}
            Action::Hidden | Action::Refused => report.blocked.push(d),
            Action::Fault => report.faults.push(d),
        }
    }
    report.served = files_served.len();
    Ok(report)
}
