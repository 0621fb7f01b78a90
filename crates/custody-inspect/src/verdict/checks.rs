//! Conditions of verdict rules that codes and levels alone cannot say:
//! the phase a file runs in, two findings in one function, counts, or a
//! finding's message. Each is named by the rule that uses it in
//! [`super::table::RULES`].

use super::Group;
use crate::code::Code;
use crate::paths::basename;
use crate::report::{Level, Phase};
use crate::rules::markers::ESCAPED_TEXT;

/// Secrets read beside a way out: sent, or handed to a program.
pub(super) fn secrets_sent_or_run(g: &Group<'_>) -> bool {
    (g.has(Code::SecretAccess, Level::High)
        && (g.has(Code::NetworkEgress, Level::Medium)
            || g.has(Code::ProcessSpawn, Level::High)
            || (g.at_install() && g.has(Code::ProcessSpawn, Level::Medium))))
        || (g.has(Code::EnvDump, Level::High) && g.has(Code::NetworkEgress, Level::Medium))
}

pub(super) fn installs_a_decoded_payload(g: &Group<'_>) -> bool {
    g.at_install()
        && g.has(Code::EncodedPayload, Level::Medium)
        && g.has(Code::ProcessSpawn, Level::Medium)
}

/// The identity read where the connection is made, or gathered by a
/// function of a file that connects (`detect()` collects, `send()` posts);
/// platform facts kept at the top of a build script beside a download
/// helper are not a beacon.
pub(super) fn sends_identity(g: &Group<'_>) -> bool {
    let gathered = g
        .here
        .iter()
        .any(|f| f.code == Code::HostRecon && f.level >= Level::Medium && f.function.is_some());
    g.together(Code::HostRecon, Code::NetworkEgress)
        || (gathered && g.has(Code::NetworkEgress, Level::Medium))
}

/// Both in one function (or both at top level): a download and a build
/// step in two helpers of a setup.py are not a dropper.
pub(super) fn calls_out_and_runs_at_install(g: &Group<'_>) -> bool {
    g.together(Code::NetworkEgress, Code::ProcessSpawn) && g.at_install()
}

pub(super) fn calls_out_and_runs_at_import(g: &Group<'_>) -> bool {
    g.together(Code::NetworkEgress, Code::ProcessSpawn) && !g.at_install()
}

pub(super) fn changed_and_acts(g: &Group<'_>) -> bool {
    g.has(Code::RecordMismatch, Level::High)
        && g.here
            .iter()
            .any(|f| f.code != Code::RecordMismatch && f.level >= Level::Medium)
}

pub(super) fn persists_fetched_or_hidden_code(g: &Group<'_>) -> bool {
    g.has(Code::Persistence, Level::Medium)
        && (g.has(Code::NetworkEgress, Level::Medium) || g.has(Code::DynamicCode, Level::High))
}

pub(super) fn persists_and_runs_at_install(g: &Group<'_>) -> bool {
    g.at_install()
        && g.has(Code::Persistence, Level::Medium)
        && g.has(Code::ProcessSpawn, Level::Medium)
}

pub(super) fn obfuscated_setup_py(g: &Group<'_>) -> bool {
    basename(g.path) == "setup.py" && g.count(Code::Obfuscation) >= 3
}

/// Imports, builtins or code hidden three times over (escaped text aside),
/// in code that runs before any function is called.
pub(super) fn hides_three_times(g: &Group<'_>) -> bool {
    let tricks = g
        .here
        .iter()
        .filter(|f| {
            f.code == Code::Obfuscation && f.phase != Phase::Runtime && f.message != ESCAPED_TEXT
        })
        .count();
    !obfuscated_setup_py(g) && tricks >= 3
}

pub(super) fn heavily_obfuscated(g: &Group<'_>) -> bool {
    !obfuscated_setup_py(g)
        && !hides_three_times(g)
        && g.count(Code::Obfuscation) >= 1
        && g.count(Code::HiddenCode) >= 3
}
