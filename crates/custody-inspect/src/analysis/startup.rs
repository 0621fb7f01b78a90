//! Start-up hooks: `.pth` files, `sitecustomize.py` and `*.start` entries
//! at the top of a folder that no distribution's file list owns.

use std::collections::BTreeSet;

use super::finding;
use crate::archive::{Contents, Format};
use crate::code::Code;
use crate::paths::{first_code_line, is_startup_surface};
use crate::report::{Finding, Level, Phase};

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
