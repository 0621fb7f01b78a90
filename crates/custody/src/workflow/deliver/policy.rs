//! `delivery.toml`: what a lab requires of a delivery. Every key is
//! optional; unknown keys are errors (a typo must not switch a rule off);
//! every error names its line.
//!
//! ```toml
//! signers = ["7b0c…"]         # key ids that may sign the bundle and its documents
//! # or, per vendor (not both):
//! # [vendors.acme]
//! # signers = ["7b0c…"]       # may sign acme's bundles and seal manifests
//! # step-signers = ["91fe…"]  # may sign its run attestations and scan inventories (default: signers)
//! sandboxed = true           # every step ran under custody run, Landlock and seccomp enforced
//! network = "none"           # every step's network policy
//! sealed-sources = true      # every step input is a sealed source or another step's output
//! reject-severity = "high"   # vulnerable packages at or above this reject (malicious always do)
//! max-age = "30d"            # the bundle was made at most this long ago
//! min-package-age = "7d"     # every package was this old when its step started
//! ```

use std::collections::BTreeMap;
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
    /// Per vendor, who may sign what (instead of `signers`).
    pub vendors: BTreeMap<String, Vendor>,
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

/// One vendor's keys.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Vendor {
    /// Key ids that may sign the vendor's bundles and seal manifests.
    pub signers: Vec<String>,
    /// Key ids that may sign its run attestations and scan inventories
    /// (its runners' keys); empty: `signers`.
    pub step_signers: Vec<String>,
}

/// Who may sign what in a bundle signed by a given key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signing {
    /// Whether the bundle's signer is allowed (`None`: the policy names
    /// no signer, any trusted key is).
    pub allowed: Option<bool>,
    /// The vendor it signs for.
    pub vendor: Option<String>,
    /// Why, in words.
    pub detail: String,
    /// Key ids that may sign the seal manifests (`None`: any trusted).
    pub data: Option<Vec<String>>,
    /// Key ids that may sign attestations and inventories.
    pub steps: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawVendor {
    signers: Spanned<Vec<String>>,
    step_signers: Option<Spanned<Vec<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    signers: Option<Vec<String>>,
    vendors: Option<Spanned<BTreeMap<String, RawVendor>>>,
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
        let mut vendors = BTreeMap::new();
        if let Some(v) = raw.vendors {
            if raw.signers.is_some() {
                return Err(invalid(
                    v.span().start,
                    "vendors: give either top-level signers or [vendors.NAME] tables, not both"
                        .into(),
                ));
            }
            for (name, r) in v.into_inner() {
                let empty = |l: &Spanned<Vec<String>>, what: &str| {
                    l.get_ref().is_empty().then(|| {
                        invalid(
                            l.span().start,
                            format!("vendors.{name}.{what}: name at least one key id"),
                        )
                    })
                };
                if let Some(e) = empty(&r.signers, "signers").or_else(|| {
                    r.step_signers
                        .as_ref()
                        .and_then(|l| empty(l, "step-signers"))
                }) {
                    return Err(e);
                }
                vendors.insert(
                    name,
                    Vendor {
                        signers: r.signers.into_inner(),
                        step_signers: r.step_signers.map(Spanned::into_inner).unwrap_or_default(),
                    },
                );
            }
        }
        Ok(Self {
            min_package_age,
            path: path.to_owned(),
            signers: raw.signers.unwrap_or_default(),
            vendors,
            sandboxed: raw.sandboxed.unwrap_or(false),
            network,
            sealed_sources: raw.sealed_sources.unwrap_or(false),
            reject_severity,
            max_age,
        })
    }
}

impl DeliveryPolicy {
    /// Who may sign the documents of a bundle `signer` signed. A signer
    /// the policy does not allow still gets every listed key for the
    /// documents, so each check says what it found.
    pub fn signing(&self, signer: &str) -> Signing {
        if !self.vendors.is_empty() {
            let all = |f: fn(&Vendor) -> &Vec<String>| -> Vec<String> {
                self.vendors.values().flat_map(|v| f(v).clone()).collect()
            };
            return match self
                .vendors
                .iter()
                .find(|(_, v)| v.signers.iter().any(|k| k == signer))
            {
                Some((name, v)) => Signing {
                    allowed: Some(true),
                    vendor: Some(name.clone()),
                    detail: format!("{signer} signs for vendor {name}"),
                    data: Some(v.signers.clone()),
                    steps: Some(if v.step_signers.is_empty() {
                        v.signers.clone()
                    } else {
                        v.step_signers.clone()
                    }),
                },
                None => Signing {
                    allowed: Some(false),
                    vendor: None,
                    detail: format!(
                        "{signer} signs for no vendor the policy names ({})",
                        self.vendors.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                    data: Some(all(|v| &v.signers)),
                    steps: Some(
                        all(|v| &v.signers)
                            .into_iter()
                            .chain(all(|v| &v.step_signers))
                            .collect(),
                    ),
                },
            };
        }
        if self.signers.is_empty() {
            return Signing {
                allowed: None,
                vendor: None,
                detail: String::new(),
                data: None,
                steps: None,
            };
        }
        let ok = self.signers.iter().any(|k| k == signer);
        Signing {
            allowed: Some(ok),
            vendor: None,
            detail: if ok {
                format!("{signer} is an allowed signer")
            } else {
                format!(
                    "{signer} is not among the policy's signers ({})",
                    self.signers.join(", ")
                )
            },
            data: Some(self.signers.clone()),
            steps: Some(self.signers.clone()),
        }
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
    fn vendors_sign_their_own_bundles_and_steps() {
        let p = DeliveryPolicy::parse(
            Path::new("d.toml"),
            "[vendors.acme]\nsigners = [\"a1\"]\nstep-signers = [\"r1\"]\n\
             [vendors.zeta]\nsigners = [\"z1\"]\n",
        )
        .unwrap();
        let s = p.signing("a1");
        assert_eq!(s.allowed, Some(true));
        assert_eq!(s.vendor.as_deref(), Some("acme"));
        assert_eq!(s.data.as_deref(), Some(&["a1".to_owned()][..]));
        assert_eq!(s.steps.as_deref(), Some(&["r1".to_owned()][..]));
        let s = p.signing("z1");
        assert_eq!(
            s.steps, s.data,
            "step signers default to the vendor's signers"
        );
        let s = p.signing("r1");
        assert_eq!(s.allowed, Some(false), "a runner key signs no bundle");
        assert_eq!(
            s.detail,
            "r1 signs for no vendor the policy names (acme, zeta)"
        );
        assert_eq!(DeliveryPolicy::default().signing("x").allowed, None);
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(
            err("signers = [\"a\"]\n[vendors.acme]\nsigners = [\"b\"]\n"),
            "d.toml: line 2: vendors: give either top-level signers or [vendors.NAME] tables, not both"
        );
        assert_eq!(
            err("[vendors.acme]\nsigners = [\"b\"]\nstep-signers = []\n"),
            "d.toml: line 3: vendors.acme.step-signers: name at least one key id"
        );
        assert!(
            err("[vendors.acme]\nsigner = [\"b\"]\n")
                .starts_with("d.toml: line 2: unknown field `signer`"),
            "{}",
            err("[vendors.acme]\nsigner = [\"b\"]\n")
        );
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
