//! One severity per record: from CVSS vectors (v3, v4), GHSA-style labels,
//! or `critical` for malicious packages.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Advisory;

/// A finding's severity. `Unknown` means the record states none; for
/// gating it counts as `High` (a record without a score is not harmless).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// No score given.
    Unknown,
    /// CVSS 0.1-3.9.
    Low,
    /// CVSS 4.0-6.9.
    Medium,
    /// CVSS 7.0-8.9.
    High,
    /// CVSS 9.0-10, and every malicious package.
    Critical,
}

impl Severity {
    /// Rank for gating and sorting: `Unknown` ranks with `High`.
    pub fn rank(self) -> u8 {
        match self {
            Self::Low => 1,
            Self::Medium => 2,
            Self::Unknown | Self::High => 3,
            Self::Critical => 4,
        }
    }

    /// Whether this severity is at or above `threshold`.
    pub fn meets(self, threshold: Severity) -> bool {
        self.rank() >= threshold.rank()
    }

    /// Lower-case label.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }

    fn from_label(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "low" => Some(Self::Low),
            "moderate" | "medium" => Some(Self::Medium),
            "high" | "important" => Some(Self::High),
            "critical" => Some(Self::Critical),
            _ => None,
        }
    }

    fn from_cvss(s: cvss::Severity) -> Option<Self> {
        match s {
            cvss::Severity::None => None,
            cvss::Severity::Low => Some(Self::Low),
            cvss::Severity::Medium => Some(Self::Medium),
            cvss::Severity::High => Some(Self::High),
            cvss::Severity::Critical => Some(Self::Critical),
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_label(s).ok_or_else(|| {
            format!("unknown severity {s:?} (expected low, medium, high or critical)")
        })
    }
}

/// The severity of a record, with the CVSS base score when one was used.
pub fn of(adv: &Advisory) -> (Severity, Option<f64>) {
    if adv.is_malicious() {
        return (Severity::Critical, None);
    }
    let scores = adv
        .severity
        .iter()
        .chain(adv.affected.iter().flat_map(|a| a.severity.iter()));
    let mut best: Option<(Severity, Option<f64>)> = None;
    for s in scores {
        let parsed = match s.kind.as_str() {
            "CVSS_V3" => cvss::v3::Vector::from_str(&s.score)
                .ok()
                .map(|b| (b.score().severity(), b.score().value())),
            "CVSS_V4" => cvss::v4::Vector::from_str(&s.score)
                .ok()
                .map(|v| (v.score().severity(), v.score().value())),
            _ => None,
        };
        let cand = parsed
            .and_then(|(sev, val)| Severity::from_cvss(sev).map(|s| (s, Some(val))))
            .or_else(|| Severity::from_label(&s.score).map(|s| (s, None)));
        if let Some(c) = cand
            && best.is_none_or(|b| c.0.rank() > b.0.rank())
        {
            best = Some(c);
        }
    }
    if let Some(b) = best {
        return b;
    }
    let label = adv
        .database_specific
        .as_ref()
        .and_then(|d| d.get("severity"))
        .and_then(serde_json::Value::as_str)
        .and_then(Severity::from_label);
    (label.unwrap_or(Severity::Unknown), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cvss_v3_vector() {
        let adv = crate::parse::json(br#"{"id":"X","modified":"2024-01-01T00:00:00Z","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]}"#).unwrap();
        assert_eq!(of(&adv), (Severity::Critical, Some(9.8)));
    }

    #[test]
    fn ghsa_label() {
        let adv = crate::parse::json(br#"{"id":"X","modified":"2024-01-01T00:00:00Z","database_specific":{"severity":"MODERATE"}}"#).unwrap();
        assert_eq!(of(&adv).0, Severity::Medium);
    }

    #[test]
    fn malicious_is_critical_and_unknown_gates_as_high() {
        let adv = crate::parse::json(br#"{"id":"MAL-2026-1","modified":"2024-01-01T00:00:00Z"}"#)
            .unwrap();
        assert_eq!(of(&adv).0, Severity::Critical);
        assert!(Severity::Unknown.meets(Severity::High));
        assert!(!Severity::Unknown.meets(Severity::Critical));
    }
}
