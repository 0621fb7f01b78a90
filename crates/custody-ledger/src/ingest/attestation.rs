//! A `custody run` attestation: an in-toto statement with a SLSA
//! Provenance v1 predicate of build type `https://custody.dev/run/v1`
//! (see `custody-run`'s `attest` module). Subjects are the outputs;
//! `resolvedDependencies` are the inputs (first, in the order of
//! `externalParameters.inputs`), the executable, and the step's Python
//! packages as `pkg:pypi/NAME@VERSION` with an `environment` annotation.

use serde_json::Value as Json;

use crate::backend::Value;
use crate::error::Refusal;
use crate::graph::{Fact, RUN_INPUTS, RUN_OUTPUTS, RUNS};
use crate::ingest::environment;
use crate::log::Event;

/// custody's build type for a sandboxed step.
pub const BUILD_TYPE: &str = "https://custody.dev/run/v1";

/// A named artifact and its SHA-256 (empty when the run could not hash it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// The name in the attestation.
    pub name: String,
    /// Lowercase hex SHA-256 (a folder's seal Merkle root), or empty.
    pub digest: String,
}

/// What a run attestation states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// The command, as JSON text.
    pub command: String,
    /// Inputs read.
    pub inputs: Vec<Artifact>,
    /// Outputs written.
    pub outputs: Vec<Artifact>,
    /// The environment's prefix (empty when the step was not a Python).
    pub prefix: String,
    /// The environment's packages: normalised name and version.
    pub packages: Vec<(String, String)>,
    /// Start, RFC 3339.
    pub started_at: String,
    /// End, RFC 3339.
    pub finished_at: String,
    started_s: i64,
    finished_s: i64,
}

/// A PyPI name as PEP 503 normalises it: lowercase, runs of `-`, `_` and
/// `.` as one `-`.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

fn artifact(d: &Json) -> Artifact {
    Artifact {
        name: d["name"].as_str().unwrap_or_default().to_owned(),
        digest: d["digest"]["sha256"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    }
}

fn seconds(text: &str, what: &str) -> Result<i64, Refusal> {
    text.parse::<jiff::Timestamp>()
        .map(jiff::Timestamp::as_second)
        .map_err(|e| Refusal::Malformed(format!("run attestation: {what} {text:?}: {e}")))
}

impl Run {
    /// Reads a verified statement; another build type is an unknown kind.
    pub fn parse(statement: &custody_seal::manifest::Statement) -> Result<Self, Refusal> {
        let p = &statement.predicate;
        let build = &p["buildDefinition"];
        let build_type = build["buildType"].as_str().unwrap_or_default();
        if build_type != BUILD_TYPE {
            return Err(Refusal::UnknownKind(format!(
                "SLSA provenance of build type {build_type:?}, not a custody run ({BUILD_TYPE})"
            )));
        }
        let params = &build["externalParameters"];
        let n_inputs = params["inputs"].as_array().map_or(0, Vec::len);
        let deps: &[Json] = build["resolvedDependencies"]
            .as_array()
            .map_or(&[], Vec::as_slice);
        let inputs = deps.iter().take(n_inputs).map(artifact).collect();
        let mut prefix = String::new();
        let mut packages = Vec::new();
        for d in deps {
            let Some(purl) = d["uri"].as_str().and_then(|u| u.strip_prefix("pkg:pypi/")) else {
                continue;
            };
            let (name, version) = purl.split_once('@').unwrap_or((purl, ""));
            packages.push((normalize(name), version.to_owned()));
            if prefix.is_empty() {
                d["annotations"]["environment"]
                    .as_str()
                    .unwrap_or_default()
                    .clone_into(&mut prefix);
            }
        }
        packages.sort();
        packages.dedup();
        let outputs = statement
            .subject
            .iter()
            .map(|s| Artifact {
                name: s.name.clone(),
                digest: s.digest.get("sha256").cloned().unwrap_or_default(),
            })
            .collect();
        let meta = &p["runDetails"]["metadata"];
        Self::assemble(
            params["command"].to_string(),
            inputs,
            outputs,
            prefix,
            packages,
            meta["startedOn"].as_str().unwrap_or_default().to_owned(),
            meta["finishedOn"].as_str().unwrap_or_default().to_owned(),
        )
    }

    /// The run of these facts; the times must parse.
    pub(crate) fn assemble(
        command: String,
        inputs: Vec<Artifact>,
        outputs: Vec<Artifact>,
        prefix: String,
        packages: Vec<(String, String)>,
        started_at: String,
        finished_at: String,
    ) -> Result<Self, Refusal> {
        Ok(Self {
            command,
            inputs,
            outputs,
            prefix,
            packages,
            started_s: seconds(&started_at, "startedOn")?,
            finished_s: seconds(&finished_at, "finishedOn")?,
            started_at,
            finished_at,
        })
    }

    /// The environment's identity ([`environment::id`]).
    pub fn environment(&self) -> String {
        environment::id(&self.prefix, &self.packages)
    }

    /// The rows this run adds; the run's id is its document's digest.
    pub fn facts(&self, event: &Event) -> Vec<Fact> {
        let env = self.environment();
        let run = Value::from(event.digest.as_str());
        let mut facts = environment::facts(&env, &self.prefix, &self.packages);
        facts.push(Fact {
            table: RUNS,
            row: vec![
                run.clone(),
                Value::Int(event.seq),
                env.as_str().into(),
                self.command.as_str().into(),
                self.started_at.as_str().into(),
                self.finished_at.as_str().into(),
                Value::Int(self.started_s),
                Value::Int(self.finished_s),
            ],
        });
        for (table, list) in [(RUN_INPUTS, &self.inputs), (RUN_OUTPUTS, &self.outputs)] {
            for (i, a) in (0_i64..).zip(list) {
                facts.push(Fact {
                    table,
                    row: vec![
                        run.clone(),
                        Value::Int(i),
                        a.name.as_str().into(),
                        a.digest.as_str().into(),
                    ],
                });
            }
        }
        facts
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn names_normalise_as_pep_503() {
        assert_eq!(normalize("LiteLLM"), "litellm");
        assert_eq!(normalize("zope.interface__x"), "zope-interface-x");
    }
}
