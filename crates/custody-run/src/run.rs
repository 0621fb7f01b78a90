//! The parent side of `custody run`: policy, private folders, scrubbed
//! environment, the helper process, the wait for the whole process tree,
//! and what happened.

use std::os::unix::fs::PermissionsExt as _;
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use crate::attempts::Observed;
use crate::describe::Places;
use crate::enforce::{Enforced, Net, Policy};
use crate::helper::{POLICY_ENV, REPORT_ENV, SUPERVISOR_ENV};
use crate::outputs::Refused;
use crate::supervisor::Watch;
use crate::tree::Process;
use crate::wait::{Ended, Signals};

/// The PATH a step sees.
pub const STEP_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

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
    /// Record the step's opens, executions and refused calls.
    pub observe: bool,
    /// Kill the step's tree after this long.
    pub timeout: Option<Duration>,
    /// Hash the outputs, inputs and executable for an attestation (without
    /// one, nothing is hashed: a 1 GiB input costs nothing after the run).
    pub hash: bool,
    /// The command and its arguments.
    pub command: Vec<String>,
    /// The custody executable (started again as the helper).
    pub helper: PathBuf,
}

/// An output custody refuses to attest, with what it found in it.
#[derive(Debug, Clone)]
pub struct RefusedOutput {
    /// The output as declared.
    pub output: PathBuf,
    /// The entries found (at most [`crate::outputs::MAX_LISTED`]).
    pub entries: Vec<Refused>,
    /// How many in all.
    pub count: u64,
}

/// What happened.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Exit code of the step, if it exited.
    pub exit_code: Option<i32>,
    /// Signal that ended it, if any.
    pub signal: Option<i32>,
    /// How the run ended: on its own, by a signal to custody, by timeout.
    pub ended: Ended,
    /// Processes still running when the main process ended, killed.
    pub killed: Vec<Process>,
    /// How many were killed in all.
    pub killed_count: u64,
    /// Processes of the step still alive when custody gave up killing
    /// (after five seconds): 0 unless a process outran the kill (possible
    /// only with `--no-observe`, where forks are not gated).
    pub survivors: u64,
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
    /// Outputs holding links, pipes, devices or set-ID files, or that
    /// could not be hashed.
    pub refused_outputs: Vec<RefusedOutput>,
    /// Digests of the outputs, inputs and executable, computed once the
    /// step's tree had ended.
    pub digests: crate::digests::Digests,
}

/// Why `custody run` could not start the step.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// No command.
    #[error("no command given (custody run [OPTIONS] -- COMMAND ARGS...)")]
    NoCommand,
    /// The command is not found.
    #[error("{0}: command not found on PATH")]
    NotFound(String),
    /// The command is a version manager's shim, which needs HOME.
    #[error(
        "{0} is a version manager's shim: it runs the manager from your HOME, which the step may not read; give the interpreter itself (for pyenv: $(pyenv which python3))"
    )]
    Shim(PathBuf),
    /// I/O.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StartError + '_ {
    move |source| StartError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Resolves `program` like a shell: a path as given, else on `PATH`.
pub fn resolve(program: &str) -> Result<PathBuf, StartError> {
    let found = if program.contains('/') {
        std::path::absolute(program).unwrap_or_else(|_| PathBuf::from(program))
    } else {
        let path = std::env::var_os("PATH").unwrap_or_default();
        std::env::split_paths(&path)
            .map(|d| d.join(program))
            .find(|p| p.is_file())
            .ok_or_else(|| StartError::NotFound(program.to_owned()))?
    };
    if is_shim(&found) {
        return Err(StartError::Shim(found));
    }
    Ok(found)
}

/// pyenv's, asdf's and rbenv's shims: scripts that run the manager.
fn is_shim(p: &Path) -> bool {
    p.parent().is_some_and(|d| {
        d.file_name().is_some_and(|n| n == "shims")
            && d.parent().and_then(Path::file_name).is_some_and(|m| {
                [".pyenv", ".asdf", ".rbenv", "pyenv"]
                    .iter()
                    .any(|x| m == *x)
            })
    })
}

/// custody's private folders for one run (the step's HOME and TMPDIR, and
/// the control folder the step cannot reach), mode 0700, removed when
/// dropped, whatever way the run ends.
struct Private {
    step: PathBuf,
    control: PathBuf,
}

impl Private {
    fn new() -> Result<Self, StartError> {
        let step = tempfile_dir("custody-run-")?;
        let control = tempfile_dir("custody-run-control-").inspect_err(|_| {
            let _ = fs_err::remove_dir_all(&step);
        })?;
        let me = Self { step, control };
        for d in [me.home(), me.tmp()] {
            fs_err::create_dir_all(&d).map_err(io(&d))?;
            fs_err::set_permissions(&d, std::fs::Permissions::from_mode(0o700)).map_err(io(&d))?;
        }
        Ok(me)
    }

    fn home(&self) -> PathBuf {
        self.step.join("home")
    }

    fn tmp(&self) -> PathBuf {
        self.step.join("tmp")
    }
}

impl Drop for Private {
    fn drop(&mut self) {
        for d in [&self.step, &self.control] {
            if fs_err::remove_dir_all(d).is_err() {
                // The step may have closed folders of its own (chmod 500):
                // open them again, they are custody's user's, and retry.
                for e in walkdir::WalkDir::new(d).into_iter().flatten() {
                    if e.file_type().is_dir() {
                        let _ = fs_err::set_permissions(
                            e.path(),
                            std::fs::Permissions::from_mode(0o700),
                        );
                    }
                }
                let _ = fs_err::remove_dir_all(d);
            }
        }
    }
}

/// Whether `name` is a Python interpreter's file name (`python`,
/// `python3`, `python3.11`).
fn is_python(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("python") else {
        return false;
    };
    rest.is_empty()
        || rest
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// A Python prefix: a folder with `lib/python3.*`.
fn python_prefix(prefix: &Path) -> bool {
    fs_err::read_dir(prefix.join("lib")).is_ok_and(|l| {
        l.flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("python3"))
    })
}

/// What an interpreter needs to read beyond the system paths: its
/// virtual environment (`pyvenv.cfg` beside `bin/`), and the prefix of the
/// interpreter it was made from. Only for a real Python: any other
/// program gets nothing here, so a binary in `~/bin` never opens HOME.
pub fn interpreter_reads(executable: &Path) -> Vec<PathBuf> {
    let resolved = fs_err::canonicalize(executable).unwrap_or_else(|_| executable.to_owned());
    let name = |p: &Path| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(is_python)
    };
    if !name(executable) && !name(&resolved) {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Some(venv) = executable
        .parent()
        .and_then(Path::parent)
        .filter(|p| p.join("pyvenv.cfg").is_file())
    {
        out.push(venv.to_owned());
        // The base interpreter the venv was made from (`home = .../bin`).
        let home = fs_err::read_to_string(venv.join("pyvenv.cfg"))
            .ok()
            .and_then(|t| {
                t.lines().find_map(|l| {
                    let (k, v) = l.split_once('=')?;
                    (k.trim() == "home").then(|| PathBuf::from(v.trim()))
                })
            });
        if let Some(prefix) = home
            .as_deref()
            .and_then(Path::parent)
            .filter(|p| python_prefix(p))
        {
            out.push(prefix.to_owned());
        }
    }
    if let Some(prefix) = resolved
        .parent()
        .and_then(Path::parent)
        .filter(|p| python_prefix(p))
    {
        out.push(prefix.to_owned());
    }
    out
}

/// The interpreter a script names on its `#!` line (`/usr/bin/env NAME`
/// looked up on the step's PATH), if `executable` is a script.
pub fn shebang(executable: &Path) -> Option<PathBuf> {
    use std::io::Read as _;
    let mut head = [0u8; 256];
    let n = fs_err::File::open(executable).ok()?.read(&mut head).ok()?;
    let line = head[..n].strip_prefix(b"#!")?;
    let line = &line[..line.iter().position(|&b| b == b'\n').unwrap_or(line.len())];
    let text = std::str::from_utf8(line).ok()?;
    let mut words = text.split_whitespace();
    let interpreter = PathBuf::from(words.next()?);
    if interpreter.file_name().is_some_and(|n| n == "env") {
        let name = words.find(|w| !w.starts_with('-'))?;
        return std::env::split_paths(STEP_PATH)
            .map(|d| d.join(name))
            .find(|p| p.is_file());
    }
    Some(interpreter)
}

/// The paths the step may read: the system's, its inputs, the executable
/// itself (never its folder), and what a real interpreter needs.
fn read_paths(req: &Request, executable: &Path) -> Vec<PathBuf> {
    let mut read = crate::system::read(Path::new("/etc"));
    read.extend(req.inputs.iter().cloned());
    read.extend(req.allow_read.iter().cloned());
    let resolved = fs_err::canonicalize(executable).unwrap_or_else(|_| executable.to_owned());
    read.push(executable.to_owned());
    read.push(resolved.clone());
    read.extend(interpreter_reads(executable));
    if let Some(interp) = shebang(&resolved) {
        read.push(interp.clone());
        if let Ok(real) = fs_err::canonicalize(&interp) {
            read.push(real);
        }
        read.extend(interpreter_reads(&interp));
    }
    read
}

/// The policy for `req`: the paths the step may read and write.
fn policy(req: &Request, executable: &Path, private: &Private, outputs: &[PathBuf]) -> Policy {
    let mut write: Vec<PathBuf> = crate::system::WRITE.iter().map(PathBuf::from).collect();
    write.extend(outputs.iter().cloned());
    write.push(private.step.clone());
    Policy {
        read: canonical_all(read_paths(req, executable)),
        write: canonical_all(write),
        net: req.net,
        allow_degraded: req.allow_degraded,
        observe: req.observe,
        namespaces: std::env::var_os("CUSTODY_TEST_NO_NAMESPACES").is_none(),
    }
}

/// The step's writable places as the record names them.
fn places(private: &Private, outputs: &[PathBuf]) -> Places {
    let canonical = |p: PathBuf| fs_err::canonicalize(&p).unwrap_or(p);
    let mut places = vec![
        (canonical(private.home()), "$HOME".to_owned()),
        (canonical(private.tmp()), "$TMPDIR".to_owned()),
        (
            canonical(private.step.clone()),
            "$CUSTODY_PRIVATE".to_owned(),
        ),
    ];
    for p in outputs
        .iter()
        .cloned()
        .chain(crate::system::WRITE.iter().map(PathBuf::from))
    {
        let label = crate::text::escape(p.as_os_str().as_encoded_bytes());
        places.push((p, label));
    }
    Places::new(places)
}

/// The helper (custody again) that restricts itself and executes the
/// step, with the scrubbed environment.
fn helper_command(req: &Request, executable: &Path, private: &Private, policy: &Policy) -> Command {
    let mut cmd = Command::new(&req.helper);
    cmd.arg("__sandbox-exec")
        .arg("--")
        .arg(executable)
        .args(&req.command[1..])
        .env_clear()
        .env("PATH", STEP_PATH)
        .env("HOME", private.home())
        .env("TMPDIR", private.tmp())
        .env("LANG", "C.UTF-8")
        .env(
            POLICY_ENV,
            serde_json::to_string(policy).unwrap_or_default(),
        )
        .env(REPORT_ENV, private.control.join("enforced.json"))
        .env(SUPERVISOR_ENV, private.control.join("supervisor.sock"));
    for name in &req.env {
        if let Some(v) = std::env::var_os(name) {
            cmd.env(name, v);
        }
    }
    cmd
}

/// Runs the step.
pub fn run(req: &Request) -> Result<Outcome, StartError> {
    let program = req.command.first().ok_or(StartError::NoCommand)?;
    let executable = resolve(program)?;
    let private = Private::new()?;
    let report = private.control.join("enforced.json");
    for out in &req.outputs {
        if out.symlink_metadata().is_err() {
            if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
                fs_err::create_dir_all(parent).map_err(io(parent))?;
            }
            fs_err::File::create(out).map_err(io(out))?;
        }
    }
    let outputs = absolute_all(req.outputs.clone());
    let policy = policy(req, &executable, &private, &outputs);
    let watch = Watch {
        policy: policy.clone(),
        places: places(&private, &canonical_all(outputs.clone())),
        ending: Arc::new(AtomicBool::new(false)),
    };
    let socket = private.control.join("supervisor.sock");
    let listener = if req.observe {
        Some(UnixListener::bind(&socket).map_err(io(&socket))?)
    } else {
        None
    };
    let mut cmd = helper_command(req, &executable, &private, &policy);
    let started = SystemTime::now();
    let deadline = req.timeout.map(|t| std::time::Instant::now() + t);
    let ran =
        supervise(&mut cmd, listener, &watch, deadline, req.timeout).map_err(io(&req.helper))?;
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
    let mut refused_outputs: Vec<RefusedOutput> = outputs
        .iter()
        .filter_map(|o| {
            let (entries, count) = crate::outputs::audit(o);
            (count > 0).then(|| RefusedOutput {
                output: o.clone(),
                entries,
                count,
            })
        })
        .collect();
    // For an attestation only: the outputs custody vouches for, the
    // inputs and the executable.
    let to_hash: Vec<PathBuf> = if req.hash {
        outputs
            .iter()
            .filter(|o| !refused_outputs.iter().any(|r| &r.output == *o))
            .cloned()
            .chain(absolute_all(req.inputs.clone()))
            .chain([executable.clone()])
            .collect()
    } else {
        Vec::new()
    };
    let (digests, ended) = hash(to_hash, &ran, deadline, req.timeout);
    // An output that could not be read is refused; one not hashed because
    // the run was stopped says so in its subject, and the run's end says
    // why.
    for o in outputs.iter().filter(|_| ended == Ended::Exited) {
        if let Some(Err(e)) = digests.get(o) {
            refused_outputs.push(RefusedOutput {
                output: o.clone(),
                entries: vec![Refused {
                    path: crate::text::escape(o.as_os_str().as_encoded_bytes()),
                    kind: crate::outputs::Kind::Unreadable,
                    detail: e.clone(),
                }],
                count: 1,
            });
        }
    }
    drop(private);
    Ok(Outcome {
        exit_code: ran.status.code(),
        signal: std::os::unix::process::ExitStatusExt::signal(&ran.status),
        ended,
        killed: ran.killed,
        killed_count: ran.killed_count,
        survivors: ran.survivors,
        started,
        finished,
        enforced,
        setup_error,
        policy,
        executable,
        observed: ran.observed,
        refused_outputs,
        digests,
    })
}

/// Hashes `paths` in a worker thread, unless a stop signal comes or the
/// deadline passes first (a huge or sparse output must not make custody
/// deaf): then the paths not yet hashed carry the reason, and the run
/// ended by that signal or timeout.
fn hash(
    paths: Vec<PathBuf>,
    ran: &Ran,
    deadline: Option<std::time::Instant>,
    timeout: Option<Duration>,
) -> (crate::digests::Digests, Ended) {
    if ran.ended != Ended::Exited {
        // Already stopped: hash without waiting for more signals.
        return (crate::digests::digest_all(&paths), ran.ended);
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let work = paths.clone();
    std::thread::spawn(move || {
        let _ = tx.send(crate::digests::digest_all(&work));
    });
    match crate::wait::work(&rx, &ran.signals, deadline, timeout) {
        Ok(d) => (d, Ended::Exited),
        Err(ended) => {
            let why = match ended {
                Ended::TimedOut { .. } => "not hashed: --timeout passed".to_owned(),
                Ended::Interrupted { signal } => {
                    format!("not hashed: custody was stopped by signal {signal}")
                }
                Ended::Exited => "not hashed".to_owned(),
            };
            let d = paths.into_iter().map(|p| (p, Err(why.clone()))).collect();
            (d, ended)
        }
    }
}

/// What [`supervise`] saw.
struct Ran {
    status: std::process::ExitStatus,
    ended: Ended,
    killed: Vec<Process>,
    killed_count: u64,
    survivors: u64,
    observed: Option<Observed>,
    signals: Signals,
}

/// Starts the helper and, when observing, the supervisor beside it; waits
/// for the main process, a stop signal or the timeout; kills what is left
/// of the tree; then stops the supervisor.
fn supervise(
    cmd: &mut Command,
    listener: Option<UnixListener>,
    watch: &Watch,
    deadline: Option<std::time::Instant>,
    timeout: Option<Duration>,
) -> std::io::Result<Ran> {
    // Before any thread starts: all inherit the blocked mask.
    let signals = Signals::block()?;
    rustix::process::set_child_subreaper(Some(rustix::process::getpid()))?;
    let mut child = cmd.spawn()?;
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = listener.map(|l| {
        let (watch, stop) = (watch.clone(), Arc::clone(&stop));
        std::thread::spawn(move || crate::supervisor::serve(&l, &watch, &stop))
    });
    let ended = crate::wait::main_process(&child, &signals, deadline, timeout);
    // From now on the supervisor refuses every new process and thread.
    watch.ending.store(true, Ordering::Release);
    if ended != Ended::Exited {
        let _ = child.kill();
    }
    let status = child.wait();
    // Whatever the step left running: killed and reaped before its outputs
    // are hashed.
    let (killed, killed_count, survivors) = crate::tree::kill_all();
    stop.store(true, Ordering::Release);
    let observed = watcher.and_then(|w| w.join().ok()).flatten();
    Ok(Ran {
        status: status?,
        ended,
        killed,
        killed_count,
        survivors,
        observed,
        signals,
    })
}

fn absolute_all(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    paths
        .into_iter()
        .map(|p| std::path::absolute(&p).unwrap_or(p))
        .collect()
}

/// Paths as the kernel reaches them (links followed, `..` resolved), so
/// that the supervisor judges an open by the policy Landlock applies: a
/// relative `--input ../data.csv` is the file it names.
fn canonical_all(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    paths
        .into_iter()
        .map(|p| fs_err::canonicalize(&p).unwrap_or_else(|_| crate::describe::absolute(&cwd, &p)))
        .collect()
}

/// A fresh private folder under the system temp dir (mode 0700), kept
/// until the run removes it.
fn tempfile_dir(prefix: &str) -> Result<PathBuf, StartError> {
    let base = std::env::temp_dir();
    let dir = tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(&base)
        .map(tempfile::TempDir::keep)
        .map_err(io(&base))?;
    fs_err::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).map_err(io(&dir))?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]
    use super::*;

    #[test]
    fn python_names() {
        for n in ["python", "python3", "python3.11", "python3.13"] {
            assert!(is_python(n), "{n}");
        }
        for n in ["pythonista", "python3.", "python-config", "ipython", "step"] {
            assert!(!is_python(n), "{n}");
        }
    }

    /// A program under ~/bin beside ~/lib is no interpreter: nothing of
    /// HOME is granted. A venv's python gets its venv.
    #[test]
    fn only_a_real_interpreter_gets_its_prefix() {
        let home = tempfile::tempdir().unwrap();
        let h = home.path();
        std::fs::create_dir_all(h.join("bin")).unwrap();
        std::fs::create_dir_all(h.join("lib/python3.11")).unwrap();
        std::fs::write(h.join("bin/step"), "#!/bin/sh\n").unwrap();
        assert!(interpreter_reads(&h.join("bin/step")).is_empty());
        std::fs::create_dir_all(h.join("venv/bin")).unwrap();
        std::fs::write(h.join("venv/pyvenv.cfg"), "home = /nonexistent/bin\n").unwrap();
        std::os::unix::fs::symlink("/usr/bin/python3", h.join("venv/bin/python")).unwrap();
        let got = interpreter_reads(&h.join("venv/bin/python"));
        assert_eq!(got.first(), Some(&h.join("venv")));
        assert!(!got.iter().any(|p| p == h), "{got:?}");
    }

    #[test]
    fn scripts_name_their_interpreter() {
        let d = tempfile::tempdir().unwrap();
        let s = d.path().join("s");
        std::fs::write(&s, "#!/usr/bin/env -S python3 -I\nprint(1)\n").unwrap();
        assert_eq!(
            shebang(&s).map(|p| p.file_name().unwrap().to_owned()),
            Some("python3".into())
        );
        std::fs::write(&s, "#!/bin/sh -e\n").unwrap();
        assert_eq!(shebang(&s), Some(PathBuf::from("/bin/sh")));
        std::fs::write(&s, "\x7fELF").unwrap();
        assert_eq!(shebang(&s), None);
    }
}
