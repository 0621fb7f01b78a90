//! The fast path of a run attestation: the verified payload read once into
//! borrowed, typed fields (no `serde_json::Value` of the ~300 resolved
//! dependencies a step's environment has), giving the same [`Run`] as
//! [`Run::parse`] of the statement. Anything it does not recognise goes
//! the slow way, which says what is wrong.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::attestation::{Artifact, BUILD_TYPE, Run, normalize};
use crate::error::Refusal;

/// A string where the statement has one; anything else reads as absent,
/// as `Value::as_str` does in the slow path.
#[derive(Default)]
struct Text<'a>(Option<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v.to_owned()))))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v))))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Text(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Text(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Text(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Text(None))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Text(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

impl Text<'_> {
    fn or_empty(&self) -> &str {
        self.0.as_deref().unwrap_or_default()
    }
}

#[derive(Deserialize)]
struct Statement<'a> {
    #[serde(rename = "_type", borrow)]
    type_: Cow<'a, str>,
    subject: Vec<custody_seal::manifest::Subject>,
    #[serde(rename = "predicateType", borrow)]
    predicate_type: Cow<'a, str>,
    #[serde(borrow)]
    predicate: &'a RawValue,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Predicate<'a> {
    #[serde(rename = "buildDefinition", borrow)]
    build: Build<'a>,
    #[serde(rename = "runDetails", borrow)]
    run_details: Details<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Build<'a> {
    #[serde(rename = "buildType", borrow)]
    kind: Text<'a>,
    #[serde(rename = "externalParameters", borrow)]
    params: Params<'a>,
    #[serde(rename = "resolvedDependencies", borrow)]
    deps: Vec<Dep<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Params<'a> {
    inputs: Option<Vec<IgnoredAny>>,
    #[serde(borrow)]
    command: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Dep<'a> {
    #[serde(borrow)]
    name: Text<'a>,
    #[serde(borrow)]
    uri: Text<'a>,
    #[serde(borrow)]
    digest: Digest<'a>,
    #[serde(borrow)]
    annotations: Annotations<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Digest<'a> {
    #[serde(borrow)]
    sha256: Text<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Annotations<'a> {
    #[serde(borrow)]
    environment: Text<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Details<'a> {
    #[serde(borrow)]
    metadata: Metadata<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Metadata<'a> {
    #[serde(rename = "startedOn", borrow)]
    started: Text<'a>,
    #[serde(rename = "finishedOn", borrow)]
    finished: Text<'a>,
}

impl Run {
    /// The run a verified payload states, read once; `None` when it is
    /// not a SLSA provenance statement this path reads (or its fields do
    /// not have the shapes it expects): [`Run::parse`] of the full
    /// statement then decides, with its reasons.
    ///
    /// # Errors
    /// As [`Run::parse`]: another build type, times that do not parse.
    pub fn from_payload(payload: &[u8]) -> Result<Option<Self>, Refusal> {
        let Ok(s) = serde_json::from_slice::<Statement<'_>>(payload) else {
            return Ok(None);
        };
        if s.type_ != custody_seal::manifest::STATEMENT_TYPE
            || s.predicate_type != custody_seal::open::SLSA_PROVENANCE
        {
            return Ok(None);
        }
        let Ok(p) = serde_json::from_str::<Predicate<'_>>(s.predicate.get()) else {
            return Ok(None);
        };
        let build_type = p.build.kind.or_empty();
        if build_type != BUILD_TYPE {
            return Err(Refusal::UnknownKind(format!(
                "SLSA provenance of build type {build_type:?}, not a custody run ({BUILD_TYPE})"
            )));
        }
        let n_inputs = p.build.params.inputs.as_ref().map_or(0, Vec::len);
        let inputs = p
            .build
            .deps
            .iter()
            .take(n_inputs)
            .map(|d| Artifact {
                name: d.name.or_empty().to_owned(),
                digest: d.digest.sha256.or_empty().to_owned(),
            })
            .collect();
        let mut prefix = String::new();
        let mut packages = Vec::new();
        for d in &p.build.deps {
            let Some(purl) = d.uri.0.as_deref().and_then(|u| u.strip_prefix("pkg:pypi/")) else {
                continue;
            };
            let (name, version) = purl.split_once('@').unwrap_or((purl, ""));
            packages.push((normalize(name), version.to_owned()));
            if prefix.is_empty() {
                d.annotations.environment.or_empty().clone_into(&mut prefix);
            }
        }
        packages.sort();
        packages.dedup();
        let outputs = s
            .subject
            .into_iter()
            .map(|x| Artifact {
                digest: x.digest.get("sha256").cloned().unwrap_or_default(),
                name: x.name,
            })
            .collect();
        // The command as the slow path writes it: compact JSON text.
        let command = match p.build.params.command {
            Some(raw) => serde_json::from_str::<serde_json::Value>(raw.get())
                .map_or_else(|_| "null".to_owned(), |v| v.to_string()),
            None => "null".to_owned(),
        };
        Run::assemble(
            command,
            inputs,
            outputs,
            prefix,
            packages,
            p.run_details.metadata.started.or_empty().to_owned(),
            p.run_details.metadata.finished.or_empty().to_owned(),
        )
        .map(Some)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::Run;

    /// Both paths on one statement: the fast one's answer, or `None`, and
    /// the slow one's.
    fn both(statement: &Value) -> (Result<Option<Run>, String>, Result<Run, String>) {
        let bytes = serde_json::to_vec(statement).unwrap();
        let fast = Run::from_payload(&bytes).map_err(|e| e.to_string());
        let slow = serde_json::from_value::<custody_seal::manifest::Statement>(statement.clone())
            .map_err(|e| e.to_string())
            .and_then(|s| Run::parse(&s).map_err(|e| e.to_string()));
        (fast, slow)
    }

    fn statement() -> Value {
        json!({
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": "out/clean", "digest": {"sha256": "ab".repeat(32)}}],
            "predicateType": "https://slsa.dev/provenance/v1",
            "predicate": {
                "buildDefinition": {
                    "buildType": "https://custody.dev/run/v1",
                    "externalParameters": {
                        "command": ["/srv/venv/bin/python", "step \"quoted\".py", "--shard", "7"],
                        "inputs": ["in/raw", "in/extra"],
                        "env": ["OPENAI_API_KEY"],
                    },
                    "resolvedDependencies": [
                        {"name": "in/raw", "digest": {"sha256": "cd".repeat(32)}},
                        {"name": "in/extra", "digest": {"sha1": "x"}},
                        {"name": "/srv/venv/bin/python", "digest": {"sha256": "ef".repeat(32)}},
                        {"name": "LiteLLM", "uri": "pkg:pypi/LiteLLM@1.82.8", "annotations": {"environment": "/srv/venv"}},
                        {"name": "zope.interface", "uri": "pkg:pypi/zope.interface@7.0", "annotations": {"environment": 3}},
                        {"name": "odd", "uri": 42},
                        {"name": "Escaped\u{e9}", "uri": "pkg:pypi/caf\u{e9}-x@1.0"},
                    ],
                },
                "runDetails": {
                    "metadata": {"startedOn": "2026-03-24T10:00:00Z", "finishedOn": "2026-03-24T10:05:00.5Z"},
                    "byproducts": [{"name": "attempts", "annotations": {"attempts": []}}],
                },
            },
        })
    }

    #[test]
    fn the_fast_path_reads_what_the_slow_path_reads() {
        let (fast, slow) = both(&statement());
        let slow = slow.unwrap();
        assert_eq!(fast.unwrap().as_ref(), Some(&slow));
        assert_eq!(slow.packages.len(), 3, "{:?}", slow.packages);
        assert_eq!(
            slow.inputs[1].digest, "",
            "a missing sha256 is empty on both"
        );
        assert!(
            slow.command.contains("step \\\"quoted\\\".py"),
            "{}",
            slow.command
        );
    }

    #[test]
    fn missing_and_mistyped_fields_read_alike() {
        let edits: [fn(&mut Value); 9] = [
            |s| s["predicate"]["buildDefinition"]["externalParameters"]["inputs"] = json!("one"),
            |s| {
                s["predicate"]["buildDefinition"]["externalParameters"]["command"] = Value::Null;
            },
            |s| s["predicate"]["buildDefinition"]["resolvedDependencies"] = Value::Null,
            |s| s["predicate"]["runDetails"]["metadata"]["startedOn"] = json!("yesterday"),
            |s| s["predicate"]["buildDefinition"]["buildType"] = json!("https://example.com/other"),
            |s| s["predicate"]["buildDefinition"]["buildType"] = json!(7),
            |s| s["subject"][0]["digest"]["sha256"] = json!(7),
            |s| {
                s["predicate"]["buildDefinition"]["resolvedDependencies"] =
                    json!({"not": "a list"});
            },
            |s| s["predicateType"] = json!("https://example.com/other"),
        ];
        for (i, edit) in edits.iter().enumerate() {
            let mut s = statement();
            edit(&mut s);
            let (fast, slow) = both(&s);
            match fast {
                // The fast path answered: exactly what the slow one says.
                Ok(Some(run)) => assert_eq!(Ok(run), slow, "edit {i}"),
                Err(e) => assert_eq!(Err(e), slow.map(|_| ()), "edit {i}"),
                // Left to the slow path, which decides.
                Ok(None) => {}
            }
        }
    }
}
