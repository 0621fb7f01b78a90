//! A dataset's bill of materials (an ML-BOM): the sealed version, the
//! steps that produced it back to sealed sources, what each read and
//! wrote, and the packages of each step's environment, so the bill says
//! which software touched which data. Built from facts the caller has
//! already verified (seal manifests, run attestations); pure.

pub mod cyclonedx;
pub mod spdx3;

use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::license::Licensing;
use crate::model::{Component, Tool};
use crate::purl;

/// A sealed dataset version, as its manifest states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// Its name.
    pub name: String,
    /// Its Merkle root (hex).
    pub root: String,
    /// The root's hash function (`sha256`, `blake3`).
    pub algorithm: String,
    /// How many files it holds.
    pub files: usize,
}

/// A step, as its attestation states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunFacts {
    /// The attestation's SHA-256 (the run's id).
    pub id: String,
    /// Its build type.
    pub build_type: String,
    /// Start and end, RFC 3339.
    pub started: String,
    /// End.
    pub finished: String,
    /// Inputs: name and SHA-256 digest (a folder's: its seal root).
    pub inputs: Vec<(String, String)>,
    /// Outputs, the same way.
    pub outputs: Vec<(String, String)>,
    /// The environment's packages: normalised name and version.
    pub packages: Vec<(String, String)>,
}

/// A piece of data in the bill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Data {
    /// Its reference.
    pub bom_ref: String,
    /// Its name.
    pub name: String,
    /// Its digest: a seal's Merkle root, or a file's SHA-256.
    pub digest: String,
    /// The digest's function.
    pub algorithm: String,
    /// Files, when sealed.
    pub files: Option<usize>,
}

/// A step in the bill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Its reference.
    pub bom_ref: String,
    /// The facts.
    pub run: RunFacts,
    /// Data it read (indexes into [`DataBom::data`]).
    pub inputs: Vec<usize>,
    /// Data it wrote.
    pub outputs: Vec<usize>,
    /// Packages of its environment (indexes into [`DataBom::components`]).
    pub packages: Vec<usize>,
}

/// The bill of a dataset version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataBom {
    /// `urn:uuid:...`.
    pub serial: String,
    /// When it was made.
    pub created: Timestamp,
    /// What made it.
    pub tool: Tool,
    /// The delivered version: `data[0]`.
    pub data: Vec<Data>,
    /// The steps, in the order given.
    pub steps: Vec<Step>,
    /// Every package of every step's environment, once.
    pub components: Vec<Component>,
}

impl DataBom {
    /// The bill of `delivered`, with the sealed `sources` and the `runs`
    /// that produced it.
    pub fn new(
        delivered: &Sealed,
        sources: &[Sealed],
        runs: &[RunFacts],
        tool: Tool,
        created: Timestamp,
    ) -> Self {
        let mut data: Vec<Data> = Vec::new();
        let mut by_digest: BTreeMap<String, usize> = BTreeMap::new();
        for s in std::iter::once(delivered).chain(sources) {
            if by_digest.contains_key(&s.root) {
                continue;
            }
            by_digest.insert(s.root.clone(), data.len());
            data.push(Data {
                bom_ref: format!("data:{}@{}:{}", s.name, s.algorithm, s.root),
                name: s.name.clone(),
                digest: s.root.clone(),
                algorithm: s.algorithm.clone(),
                files: Some(s.files),
            });
        }
        let mut components: Vec<Component> = Vec::new();
        let mut by_purl: BTreeMap<String, usize> = BTreeMap::new();
        let mut steps = Vec::new();
        for run in runs {
            let mut artifact = |(name, digest): &(String, String)| -> usize {
                *by_digest.entry(digest.clone()).or_insert_with(|| {
                    data.push(Data {
                        bom_ref: format!("data:{name}@sha256:{digest}"),
                        name: name.clone(),
                        digest: digest.clone(),
                        algorithm: "sha256".into(),
                        files: None,
                    });
                    data.len() - 1
                })
            };
            let inputs = run.inputs.iter().map(&mut artifact).collect();
            let outputs = run.outputs.iter().map(&mut artifact).collect();
            let packages = run
                .packages
                .iter()
                .filter_map(|(name, version)| {
                    let p = purl::pypi(name, Some(version))?;
                    Some(*by_purl.entry(p.clone()).or_insert_with(|| {
                        components.push(Component {
                            bom_ref: p.clone(),
                            name: name.clone(),
                            version: Some(version.clone()),
                            purl: Some(p),
                            indexed: true,
                            hashes: Vec::new(),
                            licensing: Licensing::None,
                            subjects: Vec::new(),
                            dev: false,
                            optional: false,
                            location: None,
                        });
                        components.len() - 1
                    }))
                })
                .collect();
            steps.push(Step {
                bom_ref: format!("run:{}", run.id),
                run: run.clone(),
                inputs,
                outputs,
                packages,
            });
        }
        let serial = crate::model::serial_of(
            data.iter()
                .map(|d| d.bom_ref.as_str())
                .chain(steps.iter().map(|s| s.bom_ref.as_str())),
            created,
        );
        Self {
            serial,
            created,
            tool,
            data,
            steps,
            components,
        }
    }
}
