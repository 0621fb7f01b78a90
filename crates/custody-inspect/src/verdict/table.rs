//! Every verdict rule, in the order it is applied: what must hold, over
//! which findings (its scope and phases), and the reason the report gives.
//!
//! A rule holds for a group of findings when every `all` finding and one
//! of `any` (when not empty) is there at the level named or above, and its
//! `check` (a condition codes alone cannot say) holds. Consecutive rules of
//! one scope and phases are applied together, group by group (file by
//! file, function by function) in path order; see [`super::verdict`].

use super::checks;
use super::{Phases, Rule, Scope};
use crate::code::Code;
use crate::report::Level;

/// A rule over one file's findings before run time, given once per package.
const FILE_EARLY: Rule = Rule {
    scope: Scope::File,
    phases: Phases::BeforeRunTime,
    once: true,
    all: &[],
    any: &[],
    check: None,
    reason: "",
};

/// A rule over all of one file's findings, given for each file it holds in.
const FILE_ANY: Rule = Rule {
    scope: Scope::File,
    phases: Phases::Any,
    once: false,
    ..FILE_EARLY
};

/// A rule over one function's findings, whenever it runs: combinations no
/// library function has, so run time is no excuse.
const FUNCTION: Rule = Rule {
    scope: Scope::Function,
    phases: Phases::Any,
    once: true,
    ..FILE_EARLY
};

/// A rule over one module as a whole, whenever its code runs: a stealer
/// often collects in one method and sends in another.
const MODULE: Rule = Rule {
    scope: Scope::Module,
    ..FUNCTION
};

/// The malicious rules. Behaviour combines within one file (its decoded
/// layers included): a big SDK with a credential path in one module and an
/// HTTP client in another is not an exfiltration.
pub(crate) const RULES: &[Rule] = &[
    Rule {
        check: Some(checks::secrets_sent_or_run),
        reason: "reads secrets and sends or runs something before any function is called",
        ..FILE_EARLY
    },
    Rule {
        check: Some(checks::installs_a_decoded_payload),
        reason: "decodes a hidden payload and starts a program while being installed",
        ..FILE_EARLY
    },
    Rule {
        all: &[(Code::DropBox, Level::High)],
        any: &[
            (Code::NetworkEgress, Level::Medium),
            (Code::ProcessSpawn, Level::Medium),
            (Code::HostRecon, Level::Medium),
        ],
        reason: "reports to a known drop box before any function is called",
        ..FILE_EARLY
    },
    Rule {
        all: &[(Code::ShellPayload, Level::High)],
        any: &[
            (Code::ProcessSpawn, Level::Medium),
            (Code::DynamicCode, Level::Medium),
        ],
        reason: "runs a shell downloader or reverse shell before any function is called",
        ..FILE_EARLY
    },
    Rule {
        all: &[(Code::Obfuscation, Level::High)],
        any: &[
            (Code::ProcessSpawn, Level::Medium),
            (Code::NetworkEgress, Level::Medium),
            (Code::DynamicCode, Level::Medium),
        ],
        reason: "obfuscated code that runs programs or code before any function is called",
        ..FILE_EARLY
    },
    Rule {
        all: &[(Code::DynamicCode, Level::Critical)],
        any: &[],
        reason: "runs a large encoded or encrypted blob at install, start-up or import",
        ..FILE_EARLY
    },
    Rule {
        all: &[(Code::HiddenCode, Level::High)],
        any: &[
            (Code::DynamicCode, Level::Medium),
            (Code::ProcessSpawn, Level::Medium),
            (Code::NetworkEgress, Level::Medium),
        ],
        reason: "code hidden off-screen that runs code, programs or the network",
        ..FILE_EARLY
    },
    Rule {
        all: &[(Code::DynamicCode, Level::High)],
        any: &[
            (Code::EncodedPayload, Level::Medium),
            (Code::NetworkEgress, Level::Medium),
        ],
        reason: "runs hidden (encoded or downloaded) code at install, start-up or import",
        ..FILE_EARLY
    },
    Rule {
        all: &[
            (Code::DynamicCode, Level::Medium),
            (Code::EncodedPayload, Level::Medium),
        ],
        any: &[],
        reason: "runs code next to an encoded payload at install, start-up or import",
        ..FILE_EARLY
    },
    Rule {
        all: &[
            (Code::ProcessSpawn, Level::High),
            (Code::EncodedPayload, Level::Medium),
        ],
        any: &[],
        reason: "writes a decoded payload and starts it",
        ..FILE_EARLY
    },
    Rule {
        all: &[
            (Code::NetworkEgress, Level::Medium),
            (Code::MakeExecutable, Level::Medium),
            (Code::ProcessSpawn, Level::Medium),
        ],
        any: &[],
        reason: "downloads a binary, makes it executable and runs it",
        ..FILE_EARLY
    },
    Rule {
        all: &[
            (Code::Persistence, Level::High),
            (Code::MakeExecutable, Level::Medium),
            (Code::ProcessSpawn, Level::Medium),
        ],
        any: &[],
        reason: "makes a program executable, registers it to survive restarts and starts it",
        ..FILE_EARLY
    },
    Rule {
        all: &[(Code::PthExec, Level::High)],
        any: &[
            (Code::DynamicCode, Level::High),
            (Code::NetworkEgress, Level::Medium),
        ],
        reason: "a .pth start-up hook that runs hidden or networked code",
        ..FILE_EARLY
    },
    Rule {
        all: &[
            (Code::ShellRedirect, Level::High),
            (Code::NetworkEgress, Level::Medium),
        ],
        any: &[],
        reason: "connects out and hands the connection a shell (reverse shell)",
        ..FILE_EARLY
    },
    Rule {
        all: &[(Code::DownloadExec, Level::High)],
        any: &[],
        reason: "runs a downloader or encoded PowerShell before any function is called",
        ..FILE_EARLY
    },
    Rule {
        all: &[
            (Code::PayloadUrl, Level::High),
            (Code::NetworkEgress, Level::Medium),
        ],
        any: &[],
        reason: "talks to a raw public IP address before any function is called",
        ..FILE_EARLY
    },
    Rule {
        all: &[
            (Code::PayloadUrl, Level::Medium),
            (Code::ProcessSpawn, Level::Medium),
        ],
        any: &[],
        reason: "names a program on a throwaway host and starts a program before any function is called",
        ..FILE_EARLY
    },
    Rule {
        all: &[(Code::PrivilegedPod, Level::High)],
        any: &[
            (Code::NetworkEgress, Level::Medium),
            (Code::ProcessSpawn, Level::Medium),
            (Code::SecretAccess, Level::High),
        ],
        reason: "creates a privileged pod (a foothold on the cluster's nodes) before any function is called",
        ..FILE_EARLY
    },
    Rule {
        all: &[(Code::HostRecon, Level::High)],
        any: &[],
        reason: "runs a reconnaissance command (whoami, hostname, ...) before any function is called",
        ..FILE_EARLY
    },
    Rule {
        all: &[(Code::NetworkEgress, Level::High)],
        any: &[],
        reason: "beacons by DNS before any function is called",
        ..FILE_EARLY
    },
    Rule {
        check: Some(checks::sends_identity),
        reason: "sends the host's or user's identity out before any function is called",
        ..FILE_EARLY
    },
    Rule {
        check: Some(checks::calls_out_and_runs_at_install),
        reason: "calls out and runs a program while being installed",
        ..FILE_EARLY
    },
    Rule {
        check: Some(checks::calls_out_and_runs_at_import),
        reason: "calls out and runs a program when imported",
        ..FILE_EARLY
    },
    Rule {
        check: Some(checks::changed_and_acts),
        reason: "a file changed after install, and what it does acts before run time",
        ..FILE_EARLY
    },
    Rule {
        check: Some(checks::persists_fetched_or_hidden_code),
        reason: "installs persistence for code it fetches or hides",
        ..FILE_EARLY
    },
    Rule {
        check: Some(checks::persists_and_runs_at_install),
        reason: "plants persistence or hijacks a tool and starts a program while being installed",
        ..FILE_EARLY
    },
    // Obfuscation that stands for itself: a setup.py spelled in escapes, or
    // a module with code pushed off-screen on several lines and hidden text.
    Rule {
        check: Some(checks::obfuscated_setup_py),
        reason: "setup.py is obfuscated, and pip runs it",
        ..FILE_ANY
    },
    Rule {
        check: Some(checks::hides_three_times),
        reason: "hides what it imports or calls in three or more places, before any function is called",
        ..FILE_ANY
    },
    Rule {
        check: Some(checks::heavily_obfuscated),
        reason: "heavily obfuscated code with parts hidden off-screen",
        ..FILE_ANY
    },
    Rule {
        scope: Scope::Finding,
        all: &[(Code::OrphanStartupHook, Level::Low)],
        reason: "a start-up hook no distribution owns (an implant)",
        ..FILE_ANY
    },
    Rule {
        scope: Scope::Package,
        all: &[
            (Code::MediaPayload, Level::Low),
            (Code::DynamicCode, Level::High),
        ],
        reason: "code hidden in a media file and run",
        ..FILE_ANY
    },
    // A program fetched from a throwaway host and started, whenever it runs.
    Rule {
        all: &[
            (Code::PayloadUrl, Level::Low),
            (Code::NetworkEgress, Level::Medium),
            (Code::ProcessSpawn, Level::Medium),
        ],
        reason: "downloads from a throwaway host and starts a program",
        ..FILE_ANY
    },
    // A chat webhook with its token, a request bin or interaction catcher,
    // and code that sends: a stealer, even when the sending waits for a
    // function call (outside tests: a tunnel client's tests talk to its
    // tunnels).
    Rule {
        scope: Scope::ShippedFile,
        all: &[
            (Code::DropBox, Level::Critical),
            (Code::NetworkEgress, Level::Medium),
        ],
        reason: "sends to a drop box it names (a chat webhook with its token, or a request bin)",
        ..FILE_ANY
    },
    Rule {
        all: &[
            (Code::NetworkEgress, Level::Medium),
            (Code::DynamicCode, Level::Medium),
        ],
        any: &[],
        reason: "one function fetches from the network and runs code",
        ..FUNCTION
    },
    Rule {
        all: &[
            (Code::NetworkEgress, Level::Medium),
            (Code::ProcessSpawn, Level::High),
        ],
        any: &[],
        reason: "one function downloads and starts a program",
        ..FUNCTION
    },
    Rule {
        all: &[
            (Code::SecretAccess, Level::High),
            (Code::NetworkEgress, Level::Medium),
        ],
        any: &[],
        reason: "one function reads secrets and sends",
        ..FUNCTION
    },
    Rule {
        all: &[
            (Code::DropBox, Level::High),
            (Code::NetworkEgress, Level::Medium),
        ],
        any: &[
            (Code::SecretAccess, Level::Medium),
            (Code::HostRecon, Level::Medium),
            (Code::EnvDump, Level::Medium),
        ],
        reason: "one function collects the host's or user's data and sends it to a chat webhook or paste site",
        ..FUNCTION
    },
    Rule {
        all: &[
            (Code::NetworkEgress, Level::Medium),
            (Code::MakeExecutable, Level::Medium),
            (Code::ProcessSpawn, Level::Medium),
        ],
        any: &[],
        reason: "one function downloads, makes a file executable and runs it",
        ..FUNCTION
    },
    Rule {
        all: &[(Code::DownloadExec, Level::Critical)],
        any: &[],
        reason: "one function runs a command it decoded or downloaded",
        ..FUNCTION
    },
    Rule {
        all: &[
            (Code::ShellPayload, Level::High),
            (Code::ProcessSpawn, Level::Medium),
        ],
        any: &[
            (Code::DropBox, Level::High),
            (Code::PayloadUrl, Level::Medium),
        ],
        reason: "one function runs a shell dropper fetching from a paste site or throwaway host",
        ..FUNCTION
    },
    Rule {
        all: &[
            (Code::DropBox, Level::High),
            (Code::NetworkEgress, Level::Medium),
            (Code::ProcessSpawn, Level::Medium),
        ],
        any: &[],
        reason: "one function fetches from a paste site or chat drop box and starts a program",
        ..FUNCTION
    },
    Rule {
        all: &[
            (Code::ShellPayload, Level::Critical),
            (Code::ProcessSpawn, Level::Medium),
        ],
        any: &[],
        reason: "one function starts a program next to a shell dropper it hid in an encoding",
        ..FUNCTION
    },
    Rule {
        all: &[
            (Code::DynamicCode, Level::Medium),
            (Code::EncodedPayload, Level::Medium),
        ],
        any: &[],
        reason: "one function runs code next to a payload it decodes",
        ..FUNCTION
    },
    Rule {
        all: &[
            (Code::EnvDump, Level::High),
            (Code::NetworkEgress, Level::Medium),
        ],
        any: &[],
        reason: "one function sends the environment out",
        ..FUNCTION
    },
    Rule {
        all: &[
            (Code::Persistence, Level::High),
            (Code::NetworkEgress, Level::Medium),
            (Code::ProcessSpawn, Level::Medium),
        ],
        any: &[],
        reason: "one function downloads, runs a program and makes something survive a restart or hijack a tool",
        ..FUNCTION
    },
    Rule {
        all: &[
            (Code::DropBox, Level::High),
            (Code::NetworkEgress, Level::Medium),
        ],
        any: &[
            (Code::SecretAccess, Level::High),
            (Code::EnvDump, Level::Medium),
            (Code::HostRecon, Level::Medium),
        ],
        reason: "one module reads credential stores and talks to a chat webhook or paste site",
        ..MODULE
    },
];
