//! SARIF 2.1.0: one rule per advisory (or custody rule), one result per
//! finding and location.

use std::collections::BTreeMap;

use custody::report::{Finding, ScanReport};
use serde_json::{Value, json};

use super::display_path;
use crate::exit::CliError;

fn level(f: &Finding) -> &'static str {
    if f.malicious || f.severity.rank() >= 3 {
        "error"
    } else if f.severity.rank() == 2 {
        "warning"
    } else {
        "note"
    }
}

/// GitHub code scanning reads `security-severity` as a CVSS-like number.
fn security_severity(f: &Finding) -> String {
    let score = f.cvss.unwrap_or(match f.severity {
        custody::Severity::Critical => 9.5,
        custody::Severity::High | custody::Severity::Unknown => 7.5,
        custody::Severity::Medium => 5.0,
        custody::Severity::Low => 2.0,
    });
    format!("{score:.1}")
}

fn uri(path: &std::path::Path) -> String {
    let shown = display_path(path);
    let s = shown.replace('\\', "/");
    if s.starts_with('/') {
        format!("file://{s}")
    } else {
        s
    }
}

/// SARIF rule names are PascalCase; the stable code stays in `properties.code`.
fn rule_name(code: &str) -> &'static str {
    match code {
        custody::report::codes::MALICIOUS => "MaliciousPackage",
        custody::report::codes::COOLDOWN => "PackageYoungerThanMinimumAge",
        _ => "VulnerablePackage",
    }
}

/// Renders the report as a SARIF log.
pub fn scan(r: &ScanReport) -> Result<String, CliError> {
    let mut rules: BTreeMap<String, Value> = BTreeMap::new();
    let mut results = Vec::new();
    for f in &r.findings {
        let rule_id = f.id.clone().unwrap_or_else(|| f.code.to_owned());
        let help = if f.fixed.is_empty() {
            format!("{} {}: {}", f.package, f.version, f.summary)
        } else {
            format!(
                "{} {}: {} Upgrade to {}.",
                f.package,
                f.version,
                f.summary,
                f.fixed.join(" or ")
            )
        };
        rules.entry(rule_id.clone()).or_insert_with(|| {
            json!({
                "id": rule_id,
                "name": rule_name(f.code),
                "shortDescription": {"text": if f.summary.is_empty() { rule_id.clone() } else { f.summary.clone() }},
                "fullDescription": {"text": help},
                "help": {"text": help},
                "properties": {
                    "security-severity": security_severity(f),
                    "tags": ["security", if f.malicious { "malicious" } else { "vulnerability" }],
                    "aliases": f.aliases,
                },
            })
        });
        let message = format!(
            "{}{} {} is affected by {}{}",
            if f.malicious { "MALICIOUS: " } else { "" },
            f.package,
            f.version,
            rule_id,
            if f.aliases.is_empty() {
                String::new()
            } else {
                format!(" ({})", f.aliases.join(", "))
            }
        );
        let locations: Vec<Value> = f
            .locations
            .iter()
            .map(|o| {
                let mut phys = json!({"artifactLocation": {"uri": uri(&o.path)}});
                if let Some(l) = o.line {
                    phys["region"] = json!({"startLine": l});
                }
                json!({"physicalLocation": phys})
            })
            .collect();
        results.push(json!({
            "ruleId": rule_id,
            "level": level(f),
            "message": {"text": message},
            "locations": locations,
            "partialFingerprints": {"custody/v1": format!("{}@{}:{}", f.package, f.version, rule_id)},
            "properties": {"code": f.code, "severity": f.severity, "malicious": f.malicious, "fixed": f.fixed},
        }));
    }
    let rule_list: Vec<Value> = rules.into_values().collect();
    let index: BTreeMap<String, usize> = rule_list
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r["id"].as_str().map(|s| (s.to_owned(), i)))
        .collect();
    for res in &mut results {
        if let Some(i) = res["ruleId"].as_str().and_then(|id| index.get(id)) {
            res["ruleIndex"] = json!(i);
        }
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "custody",
                "version": r.tool_version,
                "semanticVersion": r.tool_version,
                "rules": rule_list,
            }},
            "results": results,
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": r.warnings.iter().map(|w| json!({"level": "warning", "message": {"text": w}})).collect::<Vec<_>>(),
            }],
        }],
    });
    super::json(&log)
}
