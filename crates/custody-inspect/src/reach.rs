//! Functions of one module that another module runs when it is imported.
//!
//! A package's `__init__.py` that does `from .payload import run` and then
//! `run()` (or `Thread(target=run).start()`, or calls it from a function
//! its top level calls) runs `payload.run` whenever the package is
//! imported. Droppers split this way so that neither file looks like one.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::archive::Member;
use crate::paths::{NOT_SHIPPED_DIRS, SMALL_FILE, basename};
use crate::{python, skeleton};

/// For each module of the package, the names of its functions that an
/// `__init__.py` runs at import (one level: the package's own modules).
pub(crate) fn package_roots(members: &[Member]) -> HashMap<String, Vec<String>> {
    let paths: HashSet<&str> = members.iter().map(|m| m.path.as_str()).collect();
    let mut out: HashMap<String, Vec<String>> = HashMap::default();
    for m in members.iter().filter(|m| {
        basename(&m.path) == "__init__.py"
            && !m.path.split('/').any(|c| NOT_SHIPPED_DIRS.contains(&c))
    }) {
        let dir = m.path.strip_suffix("__init__.py").unwrap_or("");
        let package = dir.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        // Only what runs at import matters: big files are cut to their
        // import-time skeleton first (most of their text is function bodies).
        let skeleton = (m.data.len() > SMALL_FILE).then(|| skeleton::skeleton(&m.data));
        let source = skeleton
            .as_ref()
            .and_then(|s| s.text.as_deref())
            .unwrap_or(&m.data);
        if !may_run_imported(source, package) {
            continue;
        }
        let facts = python::facts(source);
        let reach = facts.reachable_at_import();
        for (target, from) in &facts.imported_refs {
            if from.as_ref().is_some_and(|f| !reach.contains(f)) {
                continue;
            }
            // `.payload.run`, or `package.payload.run`.
            let relative = target
                .strip_prefix('.')
                .filter(|r| !r.starts_with('.'))
                .or_else(|| {
                    target
                        .strip_prefix(package)
                        .and_then(|r| r.strip_prefix('.'))
                        .filter(|_| !package.is_empty())
                });
            let Some((module, name)) = relative.and_then(|r| r.rsplit_once('.')) else {
                continue;
            };
            let module = module.replace('.', "/");
            for p in [
                format!("{dir}{module}.py"),
                format!("{dir}{module}/__init__.py"),
            ] {
                if paths.contains(p.as_str()) {
                    out.entry(p).or_default().push(name.to_owned());
                }
            }
        }
    }
    out
}

/// A cheap look before parsing: a name imported from the package's own
/// modules (`from .x import a, b` on one line) that the file calls or
/// hands to a thread.
fn may_run_imported(data: &[u8], package: &str) -> bool {
    let text = String::from_utf8_lossy(data);
    let own = |module: &str| {
        module.starts_with('.')
            || (!package.is_empty() && module.starts_with(&format!("{package}.")))
    };
    let names: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("from "))
        .filter_map(|l| l.split_once(" import "))
        .filter(|(module, _)| own(module.trim()))
        .flat_map(|(_, names)| names.split(','))
        .filter_map(|n| {
            let n = n.trim().trim_matches(['(', ')', ' ']);
            let n = n.rsplit(" as ").next().unwrap_or(n).trim();
            // A function's name; `Client()` makes an object.
            n.starts_with(|c: char| c.is_lowercase() || c == '_')
                .then_some(n)
        })
        .collect();
    names
        .iter()
        .any(|n| text.contains(&format!("{n}(")) || text.contains(&format!("target={n}")))
}
