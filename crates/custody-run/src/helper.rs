//! The sandbox helper: custody started again by [`crate::run`] with the
//! policy in an environment variable. It opens its report file (in a
//! folder the step cannot reach), restricts itself, writes what the kernel
//! enforced through the already open file, and executes the step.

use std::io::{IoSlice, Read as _, Write as _};
use std::os::fd::{AsRawFd as _, RawFd};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;

use crate::enforce::{self, Policy};

/// Environment variable carrying the policy (JSON) to the helper.
pub const POLICY_ENV: &str = "CUSTODY_SANDBOX_POLICY";
/// Environment variable naming the helper's report file.
pub const REPORT_ENV: &str = "CUSTODY_SANDBOX_REPORT";
/// Environment variable naming the supervisor's socket (when observing).
pub const SUPERVISOR_ENV: &str = "CUSTODY_SANDBOX_SUPERVISOR";
/// Exit code when the sandbox cannot be set up (the step never ran).
pub const SETUP_FAILED: u8 = 125;

/// Runs the helper: never returns on success (the step replaces it).
/// Returns a message when the sandbox could not be set up.
pub fn main(command: &[String]) -> String {
    // Descriptors the caller left open without close-on-exec (a shell's
    // extra redirections, a CI runner's pipes) must not reach the step.
    // Everything opened from here on is close-on-exec already: Rust's own
    // files and sockets, and seccomp's listener.
    close_fds::set_fds_cloexec(3, &[]);
    let policy: Policy = match std::env::var(POLICY_ENV)
        .map_err(|e| e.to_string())
        .and_then(|s| serde_json::from_str(&s).map_err(|e| e.to_string()))
    {
        Ok(p) => p,
        Err(e) => return format!("no sandbox policy ({POLICY_ENV}): {e}"),
    };
    let Some(report_path) = std::env::var_os(REPORT_ENV).map(PathBuf::from) else {
        return format!("no report file ({REPORT_ENV})");
    };
    let Some((program, args)) = command.split_first() else {
        return "no command to run".into();
    };
    // Opened before the restriction: the step will not be able to reach it.
    let mut report = match fs_err::File::create(&report_path) {
        Ok(f) => f,
        Err(e) => return e.to_string(),
    };
    // Connected before the restriction: afterwards no socket may connect.
    let mut supervisor = match std::env::var_os(SUPERVISOR_ENV).filter(|_| policy.observe) {
        Some(path) => match UnixStream::connect(&path) {
            Ok(s) => Some(s),
            Err(e) => return format!("cannot reach the supervisor: {e}"),
        },
        None => None,
    };
    let enforced = match enforce::apply(&policy).and_then(|applied| {
        match (supervisor.as_mut(), applied.listener) {
            (Some(s), Some(fd)) => {
                hand_over(s, fd, applied.filter, applied.private_shm)
                    .map_err(enforce::SandboxSetupError::Supervisor)?;
            }
            (None, Some(_)) => {
                return Err(enforce::SandboxSetupError::Supervisor(
                    "no supervisor to listen".into(),
                ));
            }
            _ => {}
        }
        Ok(applied.enforced)
    }) {
        Ok(e) => e,
        Err(e) => {
            let _ = writeln!(
                report,
                "{{\"error\": {}}}",
                serde_json::Value::String(e.to_string())
            );
            return e.to_string();
        }
    };
    // One write, not one per token: after the filter is loaded every call
    // is checked.
    let text = serde_json::to_vec(&enforced).unwrap_or_default();
    if let Err(e) = report.write_all(&text) {
        return e.to_string();
    }
    drop(report);
    let err = std::process::Command::new(program)
        .args(args)
        .env_remove(POLICY_ENV)
        .env_remove(REPORT_ENV)
        .env_remove(SUPERVISOR_ENV)
        .exec();
    format!("cannot run {program}: {err}")
}

/// Sends the seccomp listener, the filter's options and whether
/// `/dev/shm` is private to the supervisor, and waits until it holds them:
/// the step's first trapped call (its `execve`) must find it listening.
fn hand_over(
    stream: &mut UnixStream,
    listener: RawFd,
    filter: crate::filter::Options,
    private_shm: bool,
) -> Result<(), String> {
    use nix::sys::socket::{ControlMessage, MsgFlags, sendmsg};
    let [net, ro] = filter.to_bytes();
    sendmsg::<()>(
        stream.as_raw_fd(),
        &[IoSlice::new(&[b'L', net, ro, u8::from(private_shm)])],
        &[ControlMessage::ScmRights(&[listener])],
        MsgFlags::empty(),
        None,
    )
    .map_err(|e| format!("cannot hand the listener to the supervisor: {e}"))?;
    let mut ack = [0u8; 1];
    stream
        .read_exact(&mut ack)
        .map_err(|e| format!("the supervisor did not take the listener: {e}"))
}
