//! The sandbox helper: custody started again by [`crate::run`] with the
//! policy in an environment variable. It opens its report file (in a
//! folder the step cannot reach), restricts itself, writes what the kernel
//! enforced through the already open file, and executes the step.

use std::io::Write as _;
use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;

use crate::enforce::{self, Policy};

/// Environment variable carrying the policy (JSON) to the helper.
pub const POLICY_ENV: &str = "CUSTODY_SANDBOX_POLICY";
/// Environment variable naming the helper's report file.
pub const REPORT_ENV: &str = "CUSTODY_SANDBOX_REPORT";
/// Exit code when the sandbox cannot be set up (the step never ran).
pub const SETUP_FAILED: u8 = 125;

/// Runs the helper: never returns on success (the step replaces it).
/// Returns a message when the sandbox could not be set up.
pub fn main(command: &[String]) -> String {
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
    let enforced = match enforce::apply(&policy) {
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
    if let Err(e) = serde_json::to_writer(&mut report, &enforced) {
        return e.to_string();
    }
    drop(report);
    let err = std::process::Command::new(program)
        .args(args)
        .env_remove(POLICY_ENV)
        .env_remove(REPORT_ENV)
        .exec();
    format!("cannot run {program}: {err}")
}
