//! Core metadata (`METADATA`, `PKG-INFO`): the header block of an RFC 822
//! style message. Only the fields an inventory needs are extracted.

use crate::{PackageName, Version};

/// Name and version of a distribution, as its core metadata states them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreMetadata {
    /// Normalised distribution name.
    pub name: PackageName,
    /// The `Name` field as written.
    pub raw_name: String,
    /// The parsed `Version` field.
    pub version: Version,
    /// The `Version` field as written.
    pub raw_version: String,
    /// 1-based line of the `Version` header.
    pub version_line: usize,
}

/// Why a core-metadata file could not be read. Lines are 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    /// A required header is absent from the header block.
    #[error("missing required field `{0}`")]
    Missing(&'static str),
    /// The `Name` header is not a valid distribution name.
    #[error("line {line}: {source}")]
    Name {
        /// Line of the `Name` header.
        line: usize,
        /// What is wrong with it.
        source: crate::InvalidName,
    },
    /// The `Version` header is not a PEP 440 version.
    #[error("line {line}: invalid version {value:?}: {reason}")]
    Version {
        /// Line of the `Version` header.
        line: usize,
        /// The value as written.
        value: String,
        /// The parser's explanation.
        reason: String,
    },
}

/// Parses the header block of a core-metadata file.
///
/// Stops at the first blank line (the body holds the long description).
/// Continuation lines (starting with whitespace) are ignored: neither `Name`
/// nor `Version` may be folded.
pub fn parse(text: &str) -> Result<CoreMetadata, MetadataError> {
    let mut name = None;
    let mut version = None;
    for (idx, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            break;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if key.eq_ignore_ascii_case("name") && name.is_none() {
            name = Some((idx + 1, value.to_owned()));
        } else if key.eq_ignore_ascii_case("version") && version.is_none() {
            version = Some((idx + 1, value.to_owned()));
        }
    }
    let (name_line, raw_name) = name.ok_or(MetadataError::Missing("Name"))?;
    let (version_line, raw_version) = version.ok_or(MetadataError::Missing("Version"))?;
    let name = PackageName::new(&raw_name).map_err(|source| MetadataError::Name {
        line: name_line,
        source,
    })?;
    let version = crate::parse_version(&raw_version).map_err(|reason| MetadataError::Version {
        line: version_line,
        value: raw_version.clone(),
        reason,
    })?;
    Ok(CoreMetadata {
        name,
        raw_name,
        version,
        raw_version,
        version_line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_name_and_version() {
        let m =
            parse("Metadata-Version: 2.1\nName: Jinja2\nVersion: 2.10\n\nName: body\n").unwrap();
        assert_eq!(m.name.as_str(), "jinja2");
        assert_eq!(m.version.to_string(), "2.10");
    }

    #[test]
    fn missing_version_is_an_error() {
        assert_eq!(
            parse("Metadata-Version: 2.1\nName: x\n"),
            Err(MetadataError::Missing("Version"))
        );
    }

    #[test]
    fn bad_version_names_line() {
        let err = parse("Name: x\nVersion: 1.0-junk!\n").unwrap_err();
        assert!(
            matches!(err, MetadataError::Version { line: 2, .. }),
            "{err}"
        );
    }
}
