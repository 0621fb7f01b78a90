//! pip requirements files: `requirements.txt` as pip-compile writes it and as
//! people write it by hand, read the way pip 26.3's `req_file.py` reads them
//! (`lines`: encoding, continuations, comments, `${VAR}`; `options`: pip's
//! option parser; `direct`: URLs, paths and VCS references).
//!
//! Handled: `-r`/`-c` includes (relative to the including file), `-e`,
//! per-requirement `--hash` and `-C`/`--config-settings`, global options
//! (ignored), PEP 508 requirements with extras and markers, `===`
//! arbitrary equality, `name @ url`, bare URLs and paths with `#egg=`.
//! Constraint files pin the requirements they name but add no packages of
//! their own (pip installs nothing only because it is constrained).
//!
//! A line custody cannot read becomes a [`Problem`] with its file and line
//! and the rest of the file is still read; pip would refuse the whole file,
//! so the caller treats any problem as bad input.

mod direct;
mod lines;
mod options;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use custody_pypa::{Operator, PackageName};
use pep508_rs::{Requirement, VersionOrUrl};

use crate::InventoryError;
use crate::model::{Inventory, Origin, Package, Pin, Problem, Source, SourceKind, Unresolved};
use lines::Logical;
use options::Effect;

/// How many files deep `-r`/`-c` includes are followed (pip has no limit;
/// a chain of 20,000 files overflowed the stack). An include deeper is a
/// problem at its line; the rest is read.
pub const MAX_INCLUDE_DEPTH: usize = 64;

/// Reads a requirements file and everything it includes. `${NAME}` is
/// expanded from the process environment, as pip does.
pub(crate) fn read(path: &Path) -> Result<Inventory, InventoryError> {
    read_with_env(path, &|name| std::env::var(name).ok())
}

/// [`read`] with the environment lookup injected.
pub(crate) fn read_with_env(
    path: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Inventory, InventoryError> {
    let mut state = State {
        env,
        files: Vec::new(),
        visited: HashSet::new(),
        depth: 0,
        packages: Vec::new(),
        unresolved: Vec::new(),
        problems: Vec::new(),
        constraints: BTreeMap::new(),
    };
    state.read_file(path, false)?;
    state.apply_constraints();
    let mut inv = Inventory::default();
    for (file, count) in state.files {
        inv.sources.push(Source {
            path: file,
            kind: SourceKind::RequirementsTxt,
            packages: count,
            python: None,
        });
    }
    inv.packages = state.packages;
    inv.unresolved = state.unresolved;
    inv.problems = state.problems;
    Ok(inv)
}

struct State<'e> {
    env: &'e dyn Fn(&str) -> Option<String>,
    /// Files read, with the number of packages each contributed.
    files: Vec<(PathBuf, usize)>,
    visited: HashSet<PathBuf>,
    /// How many includes deep the file being read is.
    depth: usize,
    packages: Vec<Package>,
    unresolved: Vec<Unresolved>,
    problems: Vec<Problem>,
    /// Exact pins from constraint files: name -> (version text, origin).
    constraints: BTreeMap<PackageName, (String, Origin)>,
}

impl State<'_> {
    fn read_file(&mut self, path: &Path, constraint: bool) -> Result<(), InventoryError> {
        let key = fs_err::canonicalize(path).map_err(|e| InventoryError::io(path, &e))?;
        if !self.visited.insert(key) {
            return Ok(());
        }
        let bytes = crate::text::read_bytes(path)?;
        let content = lines::decode(path, bytes)?;
        let before = self.packages.len();
        let file_index = self.files.len();
        self.files.push((path.to_owned(), 0));
        for logical in lines::logical_lines(&content, self.env) {
            if let Err(message) = self.read_line(path, &logical, constraint) {
                self.problems.push(Problem {
                    path: path.to_owned(),
                    line: logical.line,
                    message,
                });
            }
        }
        self.files[file_index].1 = self.packages.len() - before;
        Ok(())
    }

    /// One logical line; `Err` is the message of a problem at that line.
    fn read_line(&mut self, path: &Path, l: &Logical, constraint: bool) -> Result<(), String> {
        let origin = Origin {
            path: path.to_owned(),
            line: Some(l.line),
        };
        let (args, opts_text) = options::break_args_options(&l.text);
        let opts = options::parse(&opts_text)?;
        let args = args.trim();
        if !args.is_empty() {
            let editable = opts.first(Effect::Editable).is_some();
            if direct::looks_like_direct(args) {
                return self.add_direct(origin, args, editable);
            }
            let mut pkg = requirement(origin, args)?;
            pkg.hashes = opts.all(Effect::Hash).map(str::to_owned).collect();
            if constraint {
                if let Some(v) = pkg.version_text.clone() {
                    self.constraints
                        .insert(pkg.name.clone(), (v, pkg.origin.clone()));
                }
                return Ok(());
            }
            self.packages.push(pkg);
            return Ok(());
        }
        if let Some(target) = opts.first(Effect::Editable) {
            return self.add_direct(origin, target, true);
        }
        // pip: `-r` wins over `-c` on one line; a file a constraints file
        // includes with `-r` is a requirements file again.
        let include = opts
            .first(Effect::Requirement)
            .map(|t| (t, false))
            .or_else(|| opts.first(Effect::Constraint).map(|t| (t, true)));
        if let Some((target, is_constraint)) = include {
            return self.include(path, origin, &l.text, target, is_constraint);
        }
        Ok(())
    }

    fn include(
        &mut self,
        path: &Path,
        origin: Origin,
        line: &str,
        target: &str,
        is_constraint: bool,
    ) -> Result<(), String> {
        if target.contains("://") {
            self.unresolved.push(Unresolved {
                text: direct::redact(line),
                reason: "remote include not read (custody works offline)".into(),
                origin,
            });
            return Ok(());
        }
        let base = path.parent().unwrap_or(Path::new("."));
        let included = base.join(target);
        if self.depth >= MAX_INCLUDE_DEPTH {
            return Err(format!(
                "included file {} not read: includes nest deeper than {MAX_INCLUDE_DEPTH} files",
                included.display()
            ));
        }
        self.depth += 1;
        let read = self.read_file(&included, is_constraint);
        self.depth -= 1;
        read.map_err(|e| match e {
            InventoryError::Io { path: p, reason } => {
                format!("included file {} cannot be read: {reason}", p.display())
            }
            other => format!("included file: {other}"),
        })
    }

    /// A bare URL, path or VCS reference, possibly with `#egg=name`.
    fn add_direct(&mut self, origin: Origin, target: &str, editable: bool) -> Result<(), String> {
        let (name, version) = direct::name_and_version(target);
        let Some(name_raw) = name else {
            self.unresolved.push(Unresolved {
                text: direct::redact(target),
                reason: if editable {
                    "editable install of a local project; its name is not in the requirements file"
                        .into()
                } else {
                    "direct reference without a package name (#egg=)".into()
                },
                origin,
            });
            return Ok(());
        };
        let name = PackageName::new(&name_raw).map_err(|e| e.to_string())?;
        let pin = direct::classify(target, editable);
        let mut pkg = Package::new(name, origin, SourceKind::RequirementsTxt, pin);
        pkg.version_text.clone_from(&version);
        if let Some(v) = version
            && !editable
            && let Ok(parsed) = custody_pypa::parse_version(&v)
        {
            // A wheel or sdist file name states its version, and pip refuses
            // an archive whose metadata disagrees, so a URL archive is checkable.
            pkg = pkg.with_version(parsed, &v);
        }
        self.packages.push(pkg.local_unless_indexed());
        Ok(())
    }

    /// Pins unpinned requirements that a constraint file pins exactly.
    fn apply_constraints(&mut self) {
        for p in &mut self.packages {
            if !matches!(p.pin, Pin::Unpinned { .. }) {
                continue;
            }
            if let Some((v, _)) = self.constraints.get(&p.name)
                && let Ok(parsed) = custody_pypa::parse_version(v)
            {
                p.version = Some(parsed);
                p.version_text = Some(v.clone());
                p.pin = Pin::Exact;
            }
        }
    }
}

/// A PEP 508 requirement (options already split off).
fn requirement(origin: Origin, req_text: &str) -> Result<Package, String> {
    // pep508_rs panics on these rather than returning an error.
    if custody_pypa::requirement_identifier_ends_in_separator(req_text) {
        return Err(
            "invalid requirement: a package or extra name ends in '-', '_' or '.'".to_owned(),
        );
    }
    let req = match Requirement::<pep508_rs::VerbatimUrl>::from_str(req_text) {
        Ok(r) => r,
        Err(e) => {
            return arbitrary_equality(origin, req_text).unwrap_or_else(|| {
                Err(format!(
                    "invalid requirement: {}",
                    first_line(&e.to_string())
                ))
            });
        }
    };
    let name = PackageName::new(req.name.as_ref()).map_err(|e| e.to_string())?;
    let marker = req.marker.contents().map(|m| m.to_string());
    let extras: Vec<String> = req.extras.iter().map(ToString::to_string).collect();
    let mut pkg = match &req.version_or_url {
        Some(VersionOrUrl::VersionSpecifier(specs)) => {
            let exact = (specs.len() == 1)
                .then(|| specs.iter().next())
                .flatten()
                .filter(|s| matches!(s.operator(), Operator::Equal | Operator::ExactEqual));
            match exact {
                Some(s) => {
                    let v = s.version().clone();
                    let text_v = v.to_string();
                    Package::new(name, origin, SourceKind::RequirementsTxt, Pin::Exact)
                        .with_version(v, &text_v)
                }
                None => Package::new(
                    name,
                    origin,
                    SourceKind::RequirementsTxt,
                    Pin::Unpinned {
                        specifier: specs.to_string(),
                    },
                ),
            }
        }
        Some(VersionOrUrl::Url(url)) => {
            let u = url.to_string();
            let pin = direct::classify(&u, false);
            let mut pkg = Package::new(name, origin, SourceKind::RequirementsTxt, pin);
            // As in `add_direct`: an archive's file name states its version.
            if let Some(v) = direct::name_and_version(&u).1 {
                pkg.version_text = Some(v.clone());
                if let Ok(parsed) = custody_pypa::parse_version(&v) {
                    pkg = pkg.with_version(parsed, &v);
                }
            }
            pkg.local_unless_indexed()
        }
        None => Package::new(
            name,
            origin,
            SourceKind::RequirementsTxt,
            Pin::Unpinned {
                specifier: String::new(),
            },
        ),
    };
    pkg.marker = marker;
    pkg.extras = extras;
    Ok(pkg)
}

/// `name===text`: PEP 440 arbitrary equality, a string match that pip
/// accepts for versions that are not PEP 440 (`foo===1.0-custom`). Pinned
/// exactly; checkable only when the text is also a PEP 440 version. `None`
/// when the line has no `===` (the PEP 508 error stands).
fn arbitrary_equality(origin: Origin, req_text: &str) -> Option<Result<Package, String>> {
    let (head, marker) = match req_text.split_once(';') {
        Some((h, m)) => (h, Some(m)),
        None => (req_text, None),
    };
    let (name_part, version) = head.split_once("===")?;
    let version = version.trim();
    if version.is_empty() || version.contains([',', ' ', '\t', '=', '<', '>', '!', '~']) {
        return None;
    }
    let rest = marker.map_or_else(String::new, |m| format!(";{m}"));
    let mut pkg = match requirement(origin, &format!("{}{rest}", name_part.trim_end())) {
        Ok(p) => p,
        Err(e) => return Some(Err(e)),
    };
    pkg.pin = Pin::Exact;
    pkg.version_text = Some(version.to_owned());
    if let Ok(v) = custody_pypa::parse_version(version) {
        pkg = pkg.with_version(v, version);
    }
    Some(Ok(pkg))
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

#[cfg(test)]
mod tests;
