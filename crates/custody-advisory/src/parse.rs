//! OSV JSON and the PyPA database's YAML into [`Advisory`] records.

use crate::Advisory;

/// Why a record could not be read. Lines and columns are 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Malformed JSON or YAML, or the wrong shape.
    #[error("{}{message}", location.map(|(l, c)| format!("line {l}, column {c}: ")).unwrap_or_default())]
    Syntax {
        /// Where, when the parser knows.
        location: Option<(usize, usize)>,
        /// The parser's explanation.
        message: String,
    },
    /// Well-formed but not a usable OSV record.
    #[error("{0}")]
    Invalid(String),
}

/// Parses one OSV JSON record.
pub fn json(bytes: &[u8]) -> Result<Advisory, ParseError> {
    let adv: Advisory = serde_json::from_slice(bytes).map_err(|e| {
        let msg = e.to_string();
        ParseError::Syntax {
            location: (e.line() > 0).then(|| (e.line(), e.column())),
            message: msg.split(" at line ").next().unwrap_or(&msg).to_owned(),
        }
    })?;
    validate(adv)
}

/// Parses one OSV record written as YAML (the PyPA advisory database).
///
/// Plain scalars such as `2.0` or `0` are read as the strings written, never
/// as numbers, so `1.10` stays `1.10`.
pub fn yaml(text: &str) -> Result<Advisory, ParseError> {
    use custody_ecosystems::limits::{MAX_YAML_FLOW_DEPTH, yaml_flow_too_deep};
    if let Some(line) = yaml_flow_too_deep(text, MAX_YAML_FLOW_DEPTH) {
        return Err(ParseError::Syntax {
            location: Some((line, 1)),
            message: format!(
                "flow collections nest deeper than {MAX_YAML_FLOW_DEPTH} levels; not parsed"
            ),
        });
    }
    let adv: Advisory = serde_norway::from_str(text).map_err(|e| {
        let msg = e.to_string();
        ParseError::Syntax {
            location: e.location().map(|l| (l.line(), l.column())),
            message: msg.split(" at line ").next().unwrap_or(&msg).to_owned(),
        }
    })?;
    validate(adv)
}

fn validate(adv: Advisory) -> Result<Advisory, ParseError> {
    if adv.id.trim().is_empty()
        || adv.id.contains(['/', '\\'])
        || adv.id.chars().any(char::is_whitespace)
    {
        return Err(ParseError::Invalid(format!("invalid id {:?}", adv.id)));
    }
    if adv.modified.parse::<jiff::Timestamp>().is_err() {
        return Err(ParseError::Invalid(format!(
            "{}: `modified` {:?} is not an RFC 3339 timestamp",
            adv.id, adv.modified
        )));
    }
    for (i, a) in adv.affected.iter().enumerate() {
        for (j, r) in a.ranges.iter().enumerate() {
            for (k, e) in r.events.iter().enumerate() {
                let set = [&e.introduced, &e.fixed, &e.last_affected, &e.limit]
                    .iter()
                    .filter(|f| f.is_some())
                    .count();
                if set != 1 {
                    return Err(ParseError::Invalid(format!(
                        "{}: affected[{i}].ranges[{j}].events[{k}] must have exactly one of introduced, fixed, last_affected, limit",
                        adv.id
                    )));
                }
            }
        }
    }
    Ok(adv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_keeps_version_text() {
        let adv = yaml(
            "id: PYSEC-1\nmodified: 2021-01-01T00:00:00Z\naffected:\n- package: {name: x, ecosystem: PyPI}\n  versions:\n  - 1.10\n  - 2.0\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: 0\n    - fixed: 1.20\n",
        )
        .unwrap();
        assert_eq!(adv.affected[0].versions, vec!["1.10", "2.0"]);
        assert_eq!(
            adv.affected[0].ranges[0].events[0].introduced.as_deref(),
            Some("0")
        );
        assert_eq!(
            adv.affected[0].ranges[0].events[1].fixed.as_deref(),
            Some("1.20")
        );
    }

    #[test]
    fn json_error_has_location() {
        let err = json(b"{\n \"id\": \"X\",\n \"modified\": }").unwrap_err();
        assert!(
            matches!(
                err,
                ParseError::Syntax {
                    location: Some((3, _)),
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn missing_modified_is_rejected() {
        assert!(json(br#"{"id":"X"}"#).is_err());
    }

    #[test]
    fn event_with_two_fields_is_rejected() {
        let err = json(br#"{"id":"X","modified":"2024-01-01T00:00:00Z","affected":[{"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0","fixed":"1"}]}]}]}"#).unwrap_err();
        assert!(matches!(err, ParseError::Invalid(_)));
    }
}
