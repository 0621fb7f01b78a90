//! The bill of materials every writer renders: the sources read
//! (subjects), the components in them with their purls, hashes and
//! licences, and the dependency edges the sources state. Built from an
//! inventory by [`Bom::from_inventory`]; pure.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::str::FromStr as _;

use custody_inventory::{Depends, Inventory, Package, SourceKind};
use jiff::Timestamp;
use sha2::{Digest as _, Sha256};

use crate::license::{self, Licensing};
use crate::purl;

/// The tool that made the bill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tool {
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// A source that was read: an environment or a lockfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// Its reference inside the bill.
    pub bom_ref: String,
    /// Its path.
    pub path: PathBuf,
    /// What it is.
    pub kind: SourceKind,
    /// For environments: the Python versions it may run (markers).
    pub python: Option<Vec<pep508_rs::pep440_rs::Version>>,
}

pub use crate::hash::Hash;

/// One package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// Its reference inside the bill: its purl (with the source index
    /// when two sources hold different packages of one purl cannot happen:
    /// one purl is one component).
    pub bom_ref: String,
    /// The name: PEP 503 normalised for PyPI, as npm (`@scope/name`) and
    /// Cargo write it otherwise.
    pub name: String,
    /// Version as written, when known.
    pub version: Option<String>,
    /// Its purl, for releases of a package index or registry.
    pub purl: Option<String>,
    /// Whether it comes from a package index or registry (not a local
    /// project, folder, VCS checkout or other URL).
    pub indexed: bool,
    /// Hashes of its files.
    pub hashes: Vec<Hash>,
    /// Its licensing.
    pub licensing: Licensing,
    /// Indexes of the subjects holding it.
    pub subjects: Vec<usize>,
    /// Needed only for development, by every source that holds it and
    /// says so (npm's `dev`, pnpm's dev packages).
    pub dev: bool,
    /// Installed only where possible, by every source that holds it and
    /// says so (npm's and pnpm's `optional`).
    pub optional: bool,
    /// Where a package that is not a registry release comes from (`git:
    /// URL#COMMIT`, `path: FOLDER`, `resolved: URL`), as its source says.
    pub location: Option<String>,
}

/// A bill of materials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bom {
    /// `urn:uuid:...`, derived from the content and the time.
    pub serial: String,
    /// When it was made.
    pub created: Timestamp,
    /// What made it.
    pub tool: Tool,
    /// What was read.
    pub subjects: Vec<Subject>,
    /// The packages, sorted by reference.
    pub components: Vec<Component>,
    /// Per component: the components it depends on, when its source says
    /// (`None`: unknown, which is not "none").
    pub depends: Vec<Option<Vec<usize>>>,
    /// Per subject: its components that no other of its components
    /// depends on (all of them when no dependency is known).
    pub roots: Vec<Vec<usize>>,
}

/// Which subject a package was read from: the longest source path its
/// origin lies under (an environment's METADATA lies under the prefix; a
/// lockfile's entry is the lockfile itself).
fn subject_of(subjects: &[Subject], origin: &Path) -> usize {
    subjects
        .iter()
        .enumerate()
        .filter(|(_, s)| origin.starts_with(&s.path))
        .max_by_key(|(_, s)| s.path.as_os_str().len())
        .map_or(0, |(i, _)| i)
}

/// Hex digits a digest of `algorithm` has, for the algorithms whose
/// length is fixed.
fn hex_len(algorithm: &str) -> Option<usize> {
    Some(match algorithm {
        "md5" => 32,
        "sha1" => 40,
        "sha256" | "sha3_256" | "sha3-256" | "blake2b_256" | "blake2b-256" | "blake3" => 64,
        "sha384" => 96,
        "sha512" | "sha3_512" | "sha3-512" | "blake2b_512" | "blake2b-512" => 128,
        _ => return None,
    })
}

/// The package's file hashes that are digests: a known algorithm and hex
/// of its length (a lockfile may hold anything).
fn hashes(p: &Package) -> Vec<Hash> {
    p.hashes
        .iter()
        .filter_map(|h| h.split_once(':'))
        .map(|(a, x)| Hash {
            algorithm: a.to_ascii_lowercase(),
            hex: x.to_ascii_lowercase(),
        })
        .filter(|h| {
            hex_len(&h.algorithm) == Some(h.hex.len())
                && h.hex.bytes().all(|b| b.is_ascii_hexdigit())
        })
        .collect()
}

/// The package a `Requires-Dist` line names, when the line applies with no
/// extra requested and, where the environment's Python version is known,
/// for that version. Other markers (platform, implementation) are not
/// known from the files, so a requirement they guard is kept: stated, and
/// possibly in effect.
fn required_name(line: &str, python: Option<&[pep508_rs::pep440_rs::Version]>) -> Option<String> {
    // pep508_rs panics on these rather than returning an error.
    if custody_pypa::requirement_identifier_ends_in_separator(line) {
        return None;
    }
    let req = pep508_rs::Requirement::<pep508_rs::VerbatimUrl>::from_str(line).ok()?;
    if !crate::marker::possible(&req.marker, python) {
        return None;
    }
    custody_pypa::PackageName::new(req.name.as_ref())
        .ok()
        .map(|n| n.as_str().to_owned())
}

/// Components gathered one package at a time, one per reference.
#[derive(Default)]
struct Gather<'a> {
    index: BTreeMap<String, usize>,
    components: Vec<Component>,
    /// Per (subject, name): the component, to resolve dependencies by
    /// name within a subject.
    by_name: BTreeMap<(usize, String), usize>,
    /// Python packages whose dependencies may be stated.
    stated: Vec<(usize, usize, &'a Package)>,
}

impl Gather<'_> {
    /// The component of `new`'s reference (`new` when it is the first),
    /// holding `subject`, with `hashes` added and the flags narrowed: a
    /// component is dev (optional) only when every package of it is.
    fn add(&mut self, subject: usize, new: Component, hashes: Vec<Hash>) -> usize {
        let c = if let Some(&c) = self.index.get(&new.bom_ref) {
            let comp = &mut self.components[c];
            comp.dev &= new.dev;
            comp.optional &= new.optional;
            c
        } else {
            self.index
                .insert(new.bom_ref.clone(), self.components.len());
            self.components.push(new);
            self.components.len() - 1
        };
        let comp = &mut self.components[c];
        if !comp.subjects.contains(&subject) {
            comp.subjects.push(subject);
        }
        for h in hashes {
            if !comp.hashes.contains(&h) {
                comp.hashes.push(h);
            }
        }
        c
    }
}

impl Bom {
    /// The bill of `inv`, made by `tool` at `created`: its Python packages
    /// and its npm and crates.io packages.
    pub fn from_inventory(inv: &Inventory, tool: Tool, created: Timestamp) -> Self {
        let subjects: Vec<Subject> = inv
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| Subject {
                bom_ref: format!("subject-{}", i + 1),
                path: s.path.clone(),
                kind: s.kind,
                python: s.python.as_deref().and_then(crate::marker::candidates),
            })
            .collect();
        let mut g = Gather::default();
        for p in &inv.packages {
            let subject = subject_of(&subjects, &p.origin.path);
            let indexed = p.pin.is_from_index();
            let version = p.version_text.clone();
            let purl = indexed
                .then(|| purl::pypi(p.name.as_str(), version.as_deref()))
                .flatten();
            let bom_ref = purl.clone().unwrap_or_else(|| {
                format!(
                    "local:{}@{}",
                    p.name.as_str(),
                    version.as_deref().unwrap_or("unknown")
                )
            });
            let new = Component {
                bom_ref,
                name: p.name.as_str().to_owned(),
                version,
                purl,
                indexed,
                hashes: Vec::new(),
                licensing: license::resolve(&p.license),
                subjects: Vec::new(),
                dev: false,
                optional: false,
                location: None,
            };
            let c = g.add(subject, new, hashes(p));
            g.by_name.insert((subject, p.name.as_str().to_owned()), c);
            g.stated.push((subject, c, p));
        }
        for p in &inv.ecosystems.packages {
            let subject = subject_of(&subjects, &p.origin.path);
            let e = crate::ecosystem::entry(p);
            let new = Component {
                bom_ref: e.bom_ref,
                name: p.name.clone(),
                version: p.version.clone(),
                purl: e.purl,
                indexed: e.indexed,
                hashes: Vec::new(),
                licensing: e.licensing,
                subjects: Vec::new(),
                dev: p.dev,
                optional: p.optional,
                location: e.location,
            };
            g.add(subject, new, e.hashes);
        }
        let depends = stated_depends(&g, &subjects);
        let components = g.components;
        let roots = roots(&components, &depends, subjects.len());
        let serial = serial_of(components.iter().map(|c| c.bom_ref.as_str()), created);
        let mut bom = Self {
            serial,
            created,
            tool,
            subjects,
            components,
            depends,
            roots,
        };
        bom.sort();
        bom
    }

    /// Sorts components by reference, renumbering every index.
    fn sort(&mut self) {
        let mut order: Vec<usize> = (0..self.components.len()).collect();
        order.sort_by(|a, b| {
            self.components[*a]
                .bom_ref
                .cmp(&self.components[*b].bom_ref)
        });
        let mut new_of = vec![0; order.len()];
        for (new, old) in order.iter().enumerate() {
            new_of[*old] = new;
        }
        let remap = |v: &Vec<usize>| {
            let mut v: Vec<usize> = v.iter().map(|i| new_of[*i]).collect();
            v.sort_unstable();
            v
        };
        self.components = order.iter().map(|i| self.components[*i].clone()).collect();
        self.depends = order
            .iter()
            .map(|i| self.depends[*i].as_ref().map(remap))
            .collect();
        self.roots = self.roots.iter().map(remap).collect();
    }
}

/// Per component: the components it depends on, where its source states
/// them (Python sources only: custody-ecosystems keeps no edges).
fn stated_depends(g: &Gather<'_>, subjects: &[Subject]) -> Vec<Option<Vec<usize>>> {
    let mut depends: Vec<Option<Vec<usize>>> = vec![None; g.components.len()];
    for &(subject, c, p) in &g.stated {
        let names: Vec<String> = match &p.depends {
            Depends::Unknown => continue,
            Depends::Requirements(lines) => {
                let python = subjects[subject].python.as_deref();
                lines
                    .iter()
                    .filter_map(|l| required_name(l, python))
                    .collect()
            }
            Depends::Locked(names) => names.iter().map(|n| n.as_str().to_owned()).collect(),
        };
        let edges = depends[c].get_or_insert_with(Vec::new);
        for n in names {
            if let Some(&t) = g.by_name.get(&(subject, n))
                && t != c
                && !edges.contains(&t)
            {
                edges.push(t);
            }
        }
    }
    depends
}

/// Per subject, its components that none of its components depends on.
fn roots(
    components: &[Component],
    depends: &[Option<Vec<usize>>],
    subjects: usize,
) -> Vec<Vec<usize>> {
    (0..subjects)
        .map(|s| {
            let held: Vec<usize> = (0..components.len())
                .filter(|&c| components[c].subjects.contains(&s))
                .collect();
            held.iter()
                .copied()
                .filter(|c| {
                    !held
                        .iter()
                        .any(|o| depends[*o].as_ref().is_some_and(|d| d.contains(c)))
                })
                .collect()
        })
        .collect()
}

/// A UUID (RFC 9562 version 8, variant 10) from the SHA-256 of the time
/// and the references in the bill: the same bill made at the same time
/// gets the same serial number.
pub fn serial_of<'a>(refs: impl Iterator<Item = &'a str>, created: Timestamp) -> String {
    let mut h = Sha256::new();
    h.update(created.to_string().as_bytes());
    for r in refs {
        h.update(r.as_bytes());
        h.update([0]);
    }
    let d = h.finalize();
    let mut b = [0_u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = b.iter().fold(String::new(), |mut s, x| {
        let _ = write!(s, "{x:02x}");
        s
    });
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    /// `Requires-Dist` lines whose name or extra ends in a separator panicked
    /// in pep508_rs (found by fuzzing the requirement-file reader).
    #[test]
    fn requirements_pep508_rs_panics_on_are_skipped() {
        for line in ["idna-=2.7", "x[a-]>=1", "x.; python_version > '3'"] {
            assert_eq!(super::required_name(line, None), None, "{line:?}");
        }
        assert_eq!(
            super::required_name("IDNA>=2.7", None).as_deref(),
            Some("idna")
        );
    }
}
