//! The parent side of `custody run`: policy, private folders, scrubbed
//! environment, the helper process, and what happened.

use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

use crate::attempts::Observed;
use crate::enforce::{Enforced, Net, Policy};
use crate::helper::{POLICY_ENV, REPORT_ENV, SUPERVISOR_ENV};

/// The PATH a step sees.
const STEP_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// What to run and with what.
#[derive(Debug, Clone)]
pub struct Request {
    /// Declared inputs (read-only).
    pub inputs: Vec<PathBuf>,
    /// Declared outputs (read-write; a missing one is created as an empty file).
    pub outputs: Vec<PathBuf>,
    /// More read-only paths.
    pub allow_read: Vec<PathBuf>,
    /// Environment variables passed through by name.
    pub env: Vec<String>,
    /// Network policy.
    pub net: Net,
    /// Run when the kernel cannot enforce everything.
    pub allow_degraded: bool,
    /// Record the step's opens, executions and network attempts.
    pub observe: bool,
    /// The command and its arguments.
    pub command: Vec<String>,
    /// The custody executable (started again as the helper).
    pub helper: PathBuf,
}

/// What happened.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Exit code of the step, if it exited.
    pub exit_code: Option<i32>,
    /// Signal that ended it, if any.
    pub signal: Option<i32>,
    /// When it started and finished.
    pub started: SystemTime,
    /// When it finished.
    pub finished: SystemTime,
    /// What the kernel enforced (`None` if the sandbox was not set up).
    pub enforced: Option<Enforced>,
    /// Why the sandbox was not set up.
    pub setup_error: Option<String>,
    /// The policy that was asked for.
    pub policy: Policy,
    /// The executable, resolved.
    pub executable: PathBuf,
    /// What the supervisor saw (`None` when not observing).
    pub observed: Option<Observed>,
}

/// Why `custody run` could not start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No command.
    #[error("no command given (custody run [OPTIONS] -- COMMAND ARGS...)")]
    NoCommand,
    /// The command is not found.
    #[error("{0}: command not found on PATH")]
    NotFound(String),
    /// I/O.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

/// Resolves `program` like a shell: a path as given, else on `PATH`.
pub fn resolve(program: &str) -> Result<PathBuf, Error> {
    if program.contains('/') {
        return Ok(std::path::absolute(program).unwrap_or_else(|_| PathBuf::from(program)));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
        .ok_or_else(|| Error::NotFound(program.to_owned()))
}

/// Runs the step.
pub fn run(req: &Request) -> Result<Outcome, Error> {
    let program = req.command.first().ok_or(Error::NoCommand)?;
    let executable = resolve(program)?;
    let private = tempfile_dir("custody-run-")?;
    let home = private.join("home");
    let tmp = private.join("tmp");
    for d in [&home, &tmp] {
        fs_err::create_dir_all(d).map_err(io(d))?;
    }
    // The helper's report goes where the step cannot write.
    let control = tempfile_dir("custody-run-control-")?;
    let report = control.join("enforced.json");
    for out in &req.outputs {
        if !out.exists() {
            if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
                fs_err::create_dir_all(parent).map_err(io(parent))?;
            }
            fs_err::File::create(out).map_err(io(out))?;
        }
    }
    let mut read = crate::system::read(Path::new("/etc"));
    read.extend(req.inputs.iter().cloned());
    read.extend(req.allow_read.iter().cloned());
    // The interpreter's own environment: a virtual environment's python is
    // `<prefix>/bin/python`; its prefix holds site-packages.
    // A virtual environment's python links to its base interpreter, whose
    // prefix holds the standard library: allow both prefixes.
    let resolved = fs_err::canonicalize(&executable).unwrap_or_else(|_| executable.clone());
    for exe in [&executable, &resolved] {
        if let Some(bin) = exe.parent() {
            read.push(bin.to_owned());
            if let Some(prefix) = bin
                .parent()
                .filter(|p| p.join("pyvenv.cfg").is_file() || p.join("lib").is_dir())
            {
                read.push(prefix.to_owned());
            }
        }
    }
    let mut write: Vec<PathBuf> = crate::system::WRITE.iter().map(PathBuf::from).collect();
    write.extend(req.outputs.iter().cloned());
    write.push(private.clone());
    let policy = Policy {
        read: absolute_all(read),
        write: absolute_all(write),
        net: req.net,
        allow_degraded: req.allow_degraded,
        observe: req.observe,
    };
    let socket = control.join("supervisor.sock");
    let listener = if req.observe {
        Some(UnixListener::bind(&socket).map_err(io(&socket))?)
    } else {
        None
    };
    let mut cmd = Command::new(&req.helper);
    cmd.arg("__sandbox-exec")
        .arg("--")
        .arg(&executable)
        .args(&req.command[1..])
        .env_clear()
        .env("PATH", STEP_PATH)
        .env("HOME", &home)
        .env("TMPDIR", &tmp)
        .env("LANG", "C.UTF-8")
        .env(
            POLICY_ENV,
            serde_json::to_string(&policy).unwrap_or_default(),
        )
        .env(REPORT_ENV, &report)
        .env(SUPERVISOR_ENV, &socket);
    for name in &req.env {
        if let Some(v) = std::env::var_os(name) {
            cmd.env(name, v);
        }
    }
    let started = SystemTime::now();
    let (status, observed) = watch(&mut cmd, listener, &policy).map_err(io(&req.helper))?;
    let finished = SystemTime::now();
    let text = fs_err::read_to_string(&report).unwrap_or_default();
    let (enforced, setup_error) = match serde_json::from_str::<Enforced>(&text) {
        Ok(e) => (Some(e), None),
        Err(_) => (
            None,
            Some(
                serde_json::from_str::<serde_json::Value>(&text)
                    .ok()
                    .and_then(|v| v["error"].as_str().map(str::to_owned))
                    .unwrap_or_else(|| "the sandbox helper did not report".to_owned()),
            ),
        ),
    };
    let _ = fs_err::remove_dir_all(&private);
    let _ = fs_err::remove_dir_all(&control);
    Ok(Outcome {
        exit_code: status.code(),
        signal: std::os::unix::process::ExitStatusExt::signal(&status),
        started,
        finished,
        enforced,
        setup_error,
        policy,
        executable,
        observed,
    })
}

/// Starts the helper and, when observing, the supervisor beside it;
/// waits for the helper (the step), then stops the supervisor.
fn watch(
    cmd: &mut Command,
    listener: Option<UnixListener>,
    policy: &Policy,
) -> std::io::Result<(std::process::ExitStatus, Option<Observed>)> {
    let mut child = cmd.spawn()?;
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = listener.map(|l| {
        let (policy, stop) = (policy.clone(), Arc::clone(&stop));
        std::thread::spawn(move || crate::supervisor::serve(&l, &policy, &stop))
    });
    let status = child.wait();
    stop.store(true, Ordering::Release);
    let observed = watcher.and_then(|w| w.join().ok()).flatten();
    Ok((status?, observed))
}

fn absolute_all(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    paths
        .into_iter()
        .map(|p| std::path::absolute(&p).unwrap_or(p))
        .collect()
}

/// A fresh private folder under the system temp dir (mode 0700), kept
/// until the run removes it.
fn tempfile_dir(prefix: &str) -> Result<PathBuf, Error> {
    let base = std::env::temp_dir();
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(&base)
        .map(tempfile::TempDir::keep)
        .map_err(io(&base))
}
