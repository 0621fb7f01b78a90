//! Core metadata (`METADATA`, `PKG-INFO`): the header block of an RFC 822
//! style message. Only the fields an inventory and a bill of materials
//! need are extracted: name, version, licence fields and `Requires-Dist`.

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
    /// `License-Expression` (core metadata 2.4), as written.
    pub license_expression: Option<String>,
    /// `License`, as written (continuation lines joined with newlines).
    pub license: Option<String>,
    /// `Classifier: License :: ...` values.
    pub license_classifiers: Vec<String>,
    /// `Requires-Dist` values, as written.
    pub requires_dist: Vec<String>,
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
    let mut license_expression = None;
    let mut license: Option<String> = None;
    let mut license_classifiers = Vec::new();
    let mut requires_dist = Vec::new();
    // Whether the last header was `License` (its folded lines continue it).
    let mut in_license = false;
    for (idx, line) in text.lines().enumerate() {
        // Only an empty line ends the headers: a line of spaces is a
        // folded continuation (a `License` text with blank lines in it).
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if in_license && let Some(l) = license.as_mut() {
                // Old setuptools folds with "        |" before each line.
                let folded = line.trim_start();
                let folded = folded.strip_prefix('|').unwrap_or(folded);
                l.push('\n');
                l.push_str(folded.trim());
            }
            continue;
        }
        in_license = false;
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if key.eq_ignore_ascii_case("name") && name.is_none() {
            name = Some((idx + 1, value.to_owned()));
        } else if key.eq_ignore_ascii_case("version") && version.is_none() {
            version = Some((idx + 1, value.to_owned()));
        } else if key.eq_ignore_ascii_case("license-expression") && !value.is_empty() {
            license_expression = Some(value.to_owned());
        } else if key.eq_ignore_ascii_case("license") && license.is_none() {
            license = Some(value.to_owned());
            in_license = true;
        } else if key.eq_ignore_ascii_case("classifier") && value.starts_with("License ::") {
            license_classifiers.push(value.to_owned());
        } else if key.eq_ignore_ascii_case("requires-dist") && !value.is_empty() {
            requires_dist.push(value.to_owned());
        }
    }
    let license = license
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty() && !l.eq_ignore_ascii_case("UNKNOWN"));
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
        license_expression,
        license,
        license_classifiers,
        requires_dist,
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
    fn reads_licence_fields_and_requirements() {
        let m = parse(
            "Metadata-Version: 2.1\nName: x\nVersion: 1\nLicense: BSD\n        |\n        \n        | Copyright x\n\
             Classifier: License :: OSI Approved :: BSD License\nClassifier: Programming Language :: Python\n\
             Requires-Dist: idna (<3,>=2.5)\nRequires-Dist: PySocks ; extra == 'socks'\n\nRequires-Dist: body\n",
        )
        .unwrap();
        assert_eq!(m.license.as_deref(), Some("BSD\n\n\nCopyright x"));
        assert_eq!(
            m.license_classifiers,
            ["License :: OSI Approved :: BSD License"]
        );
        assert_eq!(
            m.requires_dist,
            ["idna (<3,>=2.5)", "PySocks ; extra == 'socks'"]
        );
        assert_eq!(m.license_expression, None);
        let m =
            parse("Name: x\nVersion: 1\nLicense-Expression: MIT OR Apache-2.0\nLicense: UNKNOWN\n")
                .unwrap();
        assert_eq!(m.license_expression.as_deref(), Some("MIT OR Apache-2.0"));
        assert_eq!(m.license, None, "UNKNOWN is no licence");
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
