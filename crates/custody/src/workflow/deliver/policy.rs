//! `delivery.toml`: what a lab requires of a delivery. Every key is
//! optional; unknown keys are errors (a typo must not switch a rule off);
//! every error names its line.
//!
//! ```toml
//! signers = ["7b0c…"]         # key ids that may sign the bundle and its documents
//! sandboxed = true           # every step ran under custody run, Landlock and seccomp enforced
//! network = "none"           # every step's network policy
//! sealed-sources = true      # every step input is a sealed source or another step's output
//! reject-severity = "high"   # vulnerable packages at or above this reject (malicious always do)
//! max-age = "30d"            # the bundle was made at most this long ago
//! min-package-age = "7d"     # every package was this old when its step started
//! ```

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::advisory::Severity;
use crate::policy::{PolicyError, parse_duration, parse_toml, read_text};

/// A validated delivery policy.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DeliveryPolicy {
    /// The file.
    pub path: PathBuf,
    /// Key ids allowed to sign; empty: any trusted key.
    pub signers: Vec<String>,
    /// Every step sandboxed.
    pub sandboxed: bool,
    /// Every step's network policy, when required.
    pub network: Option<String>,
    /// Inputs chain back to sealed sources.
    pub sealed_sources: bool,
    /// Vulnerabilities at or above this reject.
    pub reject_severity: Option<Severity>,
    /// Maximum bundle age.
    #[serde(skip)]
    pub max_age: Option<jiff::SignedDuration>,
    /// Minimum age of every package of a step's environment when the step
    /// started (a cooldown): needs upload times, which lockfile
    /// inventories carry.
    #[serde(skip)]
    pub min_package_age: Option<jiff::SignedDuration>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    signers: Option<Vec<String>>,
    sandboxed: Option<bool>,
    network: Option<Spanned<String>>,
    sealed_sources: Option<bool>,
    reject_severity: Option<Spanned<String>>,
    max_age: Option<Spanned<String>>,
    min_package_age: Option<Spanned<String>>,
}

impl DeliveryPolicy {
    /// Reads and validates `path`.
    ///
    /// # Errors
    /// [`PolicyError`], with the line.
    pub fn load(path: &Path) -> Result<Self, PolicyError> {
        Self::parse(path, &read_text(path)?)
    }

    /// Validates policy text; `path` names it in messages.
    ///
    /// # Errors
    /// [`PolicyError::Invalid`], with the line.
    pub fn parse(path: &Path, text: &str) -> Result<Self, PolicyError> {
        let (raw, invalid) = parse_toml::<Raw>(path, text);
        let raw = raw?;
        let network = match raw.network {
            Some(n) if !matches!(n.get_ref().as_str(), "none" | "loopback" | "any") => {
                return Err(invalid(
                    n.span().start,
                    format!("network: {:?} is none of none, loopback, any", n.get_ref()),
                ));
            }
            Some(n) if n.get_ref() == "any" => None,
            other => other.map(Spanned::into_inner),
        };
        let reject_severity = raw
            .reject_severity
            .map(|s| {
                s.get_ref()
                    .parse::<Severity>()
                    .map_err(|m| invalid(s.span().start, format!("reject-severity: {m}")))
            })
            .transpose()?;
        let max_age = raw
            .max_age
            .map(|s| {
                parse_duration(s.get_ref())
                    .map_err(|m| invalid(s.span().start, format!("max-age: {m}")))
            })
            .transpose()?;
        let min_package_age = raw
            .min_package_age
            .map(|s| {
                parse_duration(s.get_ref())
                    .map_err(|m| invalid(s.span().start, format!("min-package-age: {m}")))
            })
            .transpose()?;
        Ok(Self {
            min_package_age,
            path: path.to_owned(),
            signers: raw.signers.unwrap_or_default(),
            sandboxed: raw.sandboxed.unwrap_or(false),
            network,
            sealed_sources: raw.sealed_sources.unwrap_or(false),
            reject_severity,
            max_age,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        DeliveryPolicy::parse(Path::new("d.toml"), text)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn every_rule_parses() {
        let p = DeliveryPolicy::parse(
            Path::new("d.toml"),
            "signers = [\"abc\"]\nsandboxed = true\nnetwork = \"none\"\nsealed-sources = true\n\
             reject-severity = \"high\"\nmax-age = \"30d\"\nmin-package-age = \"7d\"\n",
        )
        .unwrap();
        assert_eq!(p.signers, ["abc"]);
        assert!(p.sandboxed && p.sealed_sources);
        assert_eq!(p.network.as_deref(), Some("none"));
        assert_eq!(p.reject_severity, Some(Severity::High));
        assert_eq!(p.max_age, Some(jiff::SignedDuration::from_hours(720)));
        assert_eq!(
            p.min_package_age,
            Some(jiff::SignedDuration::from_hours(168))
        );
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(
            err("sandboxed = true\nnetwork = \"wifi\"\n"),
            "d.toml: line 2: network: \"wifi\" is none of none, loopback, any"
        );
        assert!(
            err("sandboxed = true\n\nsandbox = true\n")
                .starts_with("d.toml: line 3: unknown field `sandbox`")
        );
        assert!(err("max-age = \"3 fortnights\"\n").starts_with("d.toml: line 1: max-age:"));
        assert!(
            err("reject-severity = \"huge\"\n").starts_with("d.toml: line 1: reject-severity:")
        );
    }
}
