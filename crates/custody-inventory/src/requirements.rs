//! pip requirements files: `requirements.txt` as pip-compile writes it and as
//! people write it by hand.
//!
//! Handled: line continuations, comments, `-r`/`-c` includes (relative to the
//! including file), `-e`, per-requirement `--hash`, global options (ignored),
//! PEP 508 requirements with extras and markers, `name @ url`, bare URLs and
//! paths with `#egg=`. Constraint files pin the requirements they name but add
//! no packages of their own (pip installs nothing only because it is
//! constrained).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use custody_pypa::{Operator, PackageName};
use pep508_rs::{Requirement, VersionOrUrl};

use crate::model::{Inventory, Origin, Package, Pin, Source, SourceKind, Unresolved};
use crate::{InventoryError, Location, text};

/// Options that take a value and are only meaningful to pip's resolver.
const VALUE_OPTIONS: &[&str] = &[
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--trusted-host",
    "--only-binary",
    "--no-binary",
    "--use-feature",
    "--config-settings",
    "--global-option",
    "--pre-release",
];
/// Flag options that take no value.
const FLAG_OPTIONS: &[&str] = &["--no-index", "--pre", "--prefer-binary", "--require-hashes"];

/// Reads a requirements file and everything it includes.
pub(crate) fn read(path: &Path) -> Result<Inventory, InventoryError> {
    let mut state = State::default();
    state.read_file(path, false)?;
    state.apply_constraints();
    let mut inv = Inventory::default();
    for (file, count) in state.files {
        inv.sources.push(Source {
            path: file,
            kind: SourceKind::RequirementsTxt,
            packages: count,
        });
    }
    inv.packages = state.packages;
    inv.unresolved = state.unresolved;
    Ok(inv)
}

#[derive(Default)]
struct State {
    /// Files read, with the number of packages each contributed.
    files: Vec<(PathBuf, usize)>,
    visited: HashSet<PathBuf>,
    packages: Vec<Package>,
    unresolved: Vec<Unresolved>,
    /// Exact pins from constraint files: name -> (version text, origin).
    constraints: BTreeMap<PackageName, (String, Origin)>,
}

/// One logical line: continuation lines joined, comment removed.
struct Logical {
    line: usize,
    text: String,
}

fn logical_lines(content: &str) -> Vec<Logical> {
    let mut out = Vec::new();
    let mut buf = String::new();
    let mut start = 0;
    for (idx, raw) in content.lines().enumerate() {
        if buf.is_empty() {
            start = idx + 1;
        }
        let stripped = strip_comment(raw);
        if let Some(head) = stripped.strip_suffix('\\') {
            buf.push_str(head);
            buf.push(' ');
            continue;
        }
        buf.push_str(stripped);
        let t = buf.trim();
        if !t.is_empty() {
            out.push(Logical {
                line: start,
                text: t.to_owned(),
            });
        }
        buf.clear();
    }
    if !buf.trim().is_empty() {
        out.push(Logical {
            line: start,
            text: buf.trim().to_owned(),
        });
    }
    out
}

/// pip's rule: `#` at the start of a line or after whitespace starts a comment.
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()) {
            return line[..i].trim_end();
        }
    }
    line.trim_end()
}

/// Splits `--opt=value` / `--opt value` into (option, value, rest).
fn split_option(text: &str) -> (&str, Option<&str>) {
    let (opt, rest) = match text.find(|c: char| c.is_whitespace() || c == '=') {
        Some(i) => (&text[..i], text[i + 1..].trim()),
        None => (text, ""),
    };
    (opt, if rest.is_empty() { None } else { Some(rest) })
}

impl State {
    fn read_file(&mut self, path: &Path, constraint: bool) -> Result<(), InventoryError> {
        let key = fs_err::canonicalize(path).map_err(|e| InventoryError::io(path, &e))?;
        if !self.visited.insert(key) {
            return Ok(());
        }
        let content = text::read(path)?;
        let before = self.packages.len();
        let file_index = self.files.len();
        self.files.push((path.to_owned(), 0));
        for logical in logical_lines(&content) {
            self.read_line(path, &logical, constraint)?;
        }
        self.files[file_index].1 = self.packages.len() - before;
        Ok(())
    }

    fn read_line(
        &mut self,
        path: &Path,
        l: &Logical,
        constraint: bool,
    ) -> Result<(), InventoryError> {
        let origin = Origin {
            path: path.to_owned(),
            line: Some(l.line),
        };
        let at = Location::Line(l.line);
        if l.text.starts_with('-') {
            let (opt, value) = split_option(&l.text);
            match opt {
                "-r" | "--requirement" | "-c" | "--constraint" => {
                    let target = value.ok_or_else(|| {
                        InventoryError::parse(path, at.clone(), format!("{opt} needs a file name"))
                    })?;
                    if target.contains("://") {
                        self.unresolved.push(Unresolved {
                            text: l.text.clone(),
                            reason: "remote include not read (custody works offline)".into(),
                            origin,
                        });
                        return Ok(());
                    }
                    let base = path.parent().unwrap_or(Path::new("."));
                    let included = base.join(target);
                    let is_constraint = constraint || opt == "-c" || opt == "--constraint";
                    return self
                        .read_file(&included, is_constraint)
                        .map_err(|e| match e {
                            InventoryError::Io { path: p, reason } => InventoryError::Parse {
                                path: path.to_owned(),
                                location: at,
                                message: format!(
                                    "included file {} cannot be read: {reason}",
                                    p.display()
                                ),
                            },
                            other => other,
                        });
                }
                "-e" | "--editable" => {
                    let target = value.ok_or_else(|| {
                        InventoryError::parse(
                            path,
                            at.clone(),
                            format!("{opt} needs a path or URL"),
                        )
                    })?;
                    self.add_direct(path, &at, origin, target, true)?;
                    return Ok(());
                }
                _ if VALUE_OPTIONS.contains(&opt) || FLAG_OPTIONS.contains(&opt) => return Ok(()),
                _ => {
                    return Err(InventoryError::parse(
                        path,
                        at,
                        format!("unknown option {opt:?}"),
                    ));
                }
            }
        }
        // Per-requirement options start at the first ` --`.
        let (req_text, opts) = match l.text.find(" --") {
            Some(i) => (l.text[..i].trim(), &l.text[i..]),
            None => (l.text.as_str(), ""),
        };
        let hashes = parse_hashes(path, &at, opts)?;
        if looks_like_direct(req_text) {
            return self.add_direct(path, &at, origin, req_text, false);
        }
        let mut pkg = requirement(path, &at, origin, req_text)?;
        pkg.hashes = hashes;
        if constraint {
            if let Some(v) = pkg.version_text.clone() {
                self.constraints
                    .insert(pkg.name.clone(), (v, pkg.origin.clone()));
            }
            return Ok(());
        }
        self.packages.push(pkg);
        Ok(())
    }

    /// A bare URL, path or VCS reference, possibly with `#egg=name`.
    fn add_direct(
        &mut self,
        path: &Path,
        at: &Location,
        origin: Origin,
        target: &str,
        editable: bool,
    ) -> Result<(), InventoryError> {
        // `-e name @ url` and `-e .[extra]` forms: strip extras for the egg lookup.
        let egg = target.split_once("#egg=").map(|(_, e)| {
            e.split('&')
                .next()
                .unwrap_or(e)
                .split('[')
                .next()
                .unwrap_or(e)
        });
        let from_file = wheel_or_sdist_name(target);
        let name_raw = egg
            .map(str::to_owned)
            .or_else(|| from_file.as_ref().map(|(n, _)| n.clone()));
        let Some(name_raw) = name_raw else {
            self.unresolved.push(Unresolved {
                text: target.to_owned(),
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
        let name = text::name(path, at.clone(), &name_raw)?;
        let pin = classify_url(target, editable);
        let mut pkg = Package::new(name, origin, SourceKind::RequirementsTxt, pin);
        if let Some((_, Some(v))) = from_file {
            // A wheel or sdist file name states its version, and pip refuses an
            // archive whose metadata disagrees, so it is checkable.
            match custody_pypa::parse_version(&v) {
                Ok(parsed) if !editable && !target.contains('+') => {
                    pkg = pkg.with_version(parsed, &v);
                }
                _ => pkg.version_text = Some(v),
            }
        }
        self.packages.push(pkg);
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

/// A PEP 508 requirement line (options already split off).
fn requirement(
    path: &Path,
    at: &Location,
    origin: Origin,
    req_text: &str,
) -> Result<Package, InventoryError> {
    let req = Requirement::<pep508_rs::VerbatimUrl>::from_str(req_text).map_err(|e| {
        InventoryError::parse(
            path,
            at.clone(),
            format!("invalid requirement: {}", first_line(&e.to_string())),
        )
    })?;
    let name = text::name(path, at.clone(), req.name.as_ref())?;
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
            let pin = classify_url(&u, false);
            let pkg = Package::new(name, origin, SourceKind::RequirementsTxt, pin);
            // As in `add_direct`: an archive's file name states its version.
            match wheel_or_sdist_name(&u).and_then(|(_, v)| v) {
                Some(v) if !u.contains('+') => match custody_pypa::parse_version(&v) {
                    Ok(parsed) => pkg.with_version(parsed, &v),
                    Err(_) => pkg,
                },
                _ => pkg,
            }
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

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

fn parse_hashes(path: &Path, at: &Location, opts: &str) -> Result<Vec<String>, InventoryError> {
    let mut out = Vec::new();
    let mut tokens = opts.split_whitespace().peekable();
    while let Some(tok) = tokens.next() {
        let (opt, inline) = match tok.split_once('=') {
            Some((o, v)) => (o, Some(v)),
            None => (tok, None),
        };
        match opt {
            "--hash" => {
                let value = inline
                    .map(str::to_owned)
                    .or_else(|| tokens.next().map(str::to_owned));
                let value = value.ok_or_else(|| {
                    InventoryError::parse(path, at.clone(), "--hash needs a value")
                })?;
                let ok = value.split_once(':').is_some_and(|(a, h)| {
                    !a.is_empty() && !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit())
                });
                if !ok {
                    return Err(InventoryError::parse(
                        path,
                        at.clone(),
                        format!("malformed --hash {value:?} (expected algorithm:hexdigest)"),
                    ));
                }
                out.push(value);
            }
            "--config-settings" | "--global-option" | "--install-option" => {
                if inline.is_none() {
                    tokens.next();
                }
            }
            other => {
                return Err(InventoryError::parse(
                    path,
                    at.clone(),
                    format!("unknown per-requirement option {other:?}"),
                ));
            }
        }
    }
    Ok(out)
}

fn looks_like_direct(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    if [
        "http://", "https://", "file:", "git+", "hg+", "svn+", "bzr+",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
        || s.starts_with('.')
        || s.starts_with('/')
    {
        return true;
    }
    // `name @ url` is a PEP 508 requirement, not a bare reference.
    if s.contains('@') {
        return false;
    }
    s.contains('/')
        || [".whl", ".tar.gz", ".zip", ".tar.bz2"]
            .iter()
            .any(|e| lower.ends_with(e))
}

fn classify_url(url: &str, editable: bool) -> Pin {
    let lower = url.to_ascii_lowercase();
    if editable {
        Pin::Editable {
            target: url.to_owned(),
        }
    } else if ["git+", "hg+", "svn+", "bzr+"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        Pin::Vcs {
            url: url.to_owned(),
        }
    } else if lower.starts_with("http://") || lower.starts_with("https://") {
        Pin::Url {
            url: url.to_owned(),
        }
    } else {
        Pin::Local {
            path: url.to_owned(),
        }
    }
}

/// Name and version from a wheel or sdist file name at the end of a URL/path.
fn wheel_or_sdist_name(target: &str) -> Option<(String, Option<String>)> {
    let file = target.split(['#', '?']).next()?.rsplit('/').next()?;
    if let Some(stem) = file.strip_suffix(".whl") {
        let mut parts = stem.split('-');
        let name = parts.next()?.to_owned();
        let version = parts.next().map(str::to_owned);
        return Some((name, version));
    }
    let stem = [".tar.gz", ".zip", ".tar.bz2"]
        .iter()
        .find_map(|ext| file.strip_suffix(ext))?;
    let (name, version) = stem.rsplit_once('-')?;
    Some((name.to_owned(), Some(version.to_owned())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_continuations() {
        let lines = logical_lines("a==1 \\\n  --hash=sha256:ab # c\n# full\nb # x\nurl#frag\n");
        let texts: Vec<_> = lines.iter().map(|l| (l.line, l.text.as_str())).collect();
        assert_eq!(
            texts,
            vec![(1, "a==1    --hash=sha256:ab"), (4, "b"), (5, "url#frag")]
        );
    }

    #[test]
    fn file_names() {
        assert_eq!(
            wheel_or_sdist_name("https://x/y/requests-2.19.1-py2.py3-none-any.whl"),
            Some(("requests".into(), Some("2.19.1".into())))
        );
        assert_eq!(
            wheel_or_sdist_name("./dist/my_pkg-0.1.tar.gz"),
            Some(("my_pkg".into(), Some("0.1".into())))
        );
    }
}
