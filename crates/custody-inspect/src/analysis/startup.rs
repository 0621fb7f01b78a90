//! Start-up hooks: the lines of `.pth` files Python runs, PEP 829
//! `*.start` entries, and hooks at the top of a folder that no
//! distribution's file list owns.

use std::collections::BTreeSet;

use super::dynamic::EXEC_LITERAL;
use super::{analyse_source, finding};
use crate::archive::{Contents, Format, Member};
use crate::code::Code;
use crate::paths::{first_code_line, is_startup_surface};
use crate::report::{Finding, Level, Phase};
use crate::roles::pth_code;

/// In a site-packages folder: start-up hooks and files no RECORD owns.
pub(super) fn orphans(contents: &Contents, out: &mut Vec<Finding>) {
    if contents.format != Format::Folder {
        return;
    }
    let mut owned: BTreeSet<String> = BTreeSet::new();
    let mut has_record = false;
    for m in contents
        .members
        .iter()
        .filter(|m| m.path.ends_with(".dist-info/RECORD"))
    {
        has_record = true;
        // A RECORD that is not valid UTF-8 CSV owns nothing: its hooks count as orphans.
        let rows = std::str::from_utf8(&m.data)
            .ok()
            .and_then(|t| custody_pypa::record::parse(t).ok());
        owned.extend(rows.into_iter().flatten().map(|e| e.path));
    }
    if !has_record {
        return;
    }
    for m in &contents.members {
        if owned.contains(&m.path)
            || m.path.contains("__pycache__/")
            || m.path.ends_with(".pyc")
            || m.path.contains(".dist-info/")
        {
            continue;
        }
        if is_startup_surface(&m.path) && !m.path.contains('/') {
            out.push(finding(
                Code::OrphanStartupHook,
                Level::Critical,
                Phase::Startup,
                &m.path,
                Some(1),
                None,
                first_code_line(&m.data),
                "a start-up hook that no installed distribution's RECORD lists: an implant",
            ));
        }
    }
}

/// A `.pth` file: each line Python runs is analysed as start-up code, and
/// one whose behaviour the rules find is a `pth-exec`.
pub(super) fn pth_lines(m: &Member, out: &mut Vec<Finding>) {
    for (line, code) in pth_code(&String::from_utf8_lossy(&m.data)) {
        let before = out.len();
        analyse_source(
            &m.path,
            code.as_bytes(),
            Phase::Startup,
            None,
            line - 1,
            out,
        );
        // `exec('...')` of code in plain sight that does nothing the
        // rules look at (coverage's and coloredlogs' hooks: import the
        // package when an environment variable asks) is not a threat.
        let plain = |f: &Finding| f.code == Code::DynamicCode && f.message == EXEC_LITERAL;
        if out[before..].iter().any(|f| !plain(f)) {
            out.push(finding(
                Code::PthExec,
                Level::High,
                Phase::Startup,
                &m.path,
                Some(line),
                None,
                &code,
                "a .pth line that runs code with the behaviour below at every Python start-up",
            ));
        }
    }
}

/// A PEP 829 `*.start` file: each entry runs at every start-up.
pub(super) fn start_entries(m: &Member, out: &mut Vec<Finding>) {
    let text = String::from_utf8_lossy(&m.data);
    for (i, l) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
    {
        out.push(finding(
            Code::StartupHook,
            Level::Medium,
            Phase::Startup,
            &m.path,
            Some(i + 1),
            None,
            l,
            "PEP 829 start-up entry point: runs at every Python start-up",
        ));
    }
}
