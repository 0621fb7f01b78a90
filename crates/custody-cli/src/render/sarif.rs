//! SARIF 2.1.0: one rule per advisory (or custody rule), one result per
//! finding and location.

use std::collections::BTreeMap;

use custody::report::{Finding, ScanReport};
use serde_json::{Value, json};

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

/// The `artifactLocation.uri` of a path: relative to the working folder
/// when under it, else a `file://` URI; percent-encoded per RFC 3986 so
/// that a space, `#`, `?`, `%` or a non-ASCII letter stays part of the
/// path (each path segment encoded, `/` kept).
fn uri(path: &std::path::Path) -> String {
    let rel = std::env::current_dir().ok().and_then(|cwd| {
        path.strip_prefix(cwd)
            .ok()
            .map(std::path::Path::to_path_buf)
    });
    let shown = rel.as_deref().unwrap_or(path);
    let bytes = shown.as_os_str().as_encoded_bytes();
    let absolute = bytes.first() == Some(&b'/');
    let encoded = custody::seal::percent_encode_path(bytes, !absolute);
    if absolute {
        format!("file://{encoded}")
    } else {
        encoded
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
/// Renders a scan as a SARIF log: advisory findings, and the findings of
/// every inspected environment or archive judged malicious or suspicious.
pub fn scan(r: &ScanReport, inspected: &[custody::inspect::Report]) -> Result<String, CliError> {
    let mut rules: BTreeMap<String, Value> = BTreeMap::new();
    let mut results = Vec::new();
    for f in &r.findings {
        let rule_id = f.id.clone().unwrap_or_else(|| f.code.to_owned());
        let help = if f.fixed.is_empty() {
            format!("{} {}: {}", f.label(), f.version, f.summary)
        } else {
            format!(
                "{} {}: {} Upgrade to {}.",
                f.label(),
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
            f.label(),
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
            "partialFingerprints": {"custody/v1": format!("{}@{}:{}", f.key(), f.version, rule_id)},
            "properties": {"code": f.code, "severity": f.severity, "malicious": f.malicious, "fixed": f.fixed},
        }));
    }
    let (inspect_rules, inspect_results) = inspect_parts(inspected);
    for (code, rule) in inspect_rules {
        rules.entry(code.to_owned()).or_insert(rule);
    }
    results.extend(inspect_results);
    let notes: Vec<Value> = r
        .warnings
        .iter()
        .map(|w| json!({"level": "warning", "message": {"text": w}}))
        .collect();
    let rules: Vec<Value> = rules.into_values().collect();
    super::json(&log(r.tool_version, &rules, results, &notes))
}

/// A SARIF 2.1.0 log of one run: results get the index of their rule.
fn log(version: &str, rules: &[Value], mut results: Vec<Value>, notes: &[Value]) -> Value {
    let index: BTreeMap<String, usize> = rules
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r["id"].as_str().map(|s| (s.to_owned(), i)))
        .collect();
    for res in &mut results {
        if let Some(i) = res["ruleId"].as_str().and_then(|id| index.get(id)) {
            res["ruleIndex"] = json!(i);
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "custody",
                "version": version,
                "semanticVersion": version,
                "rules": rules,
            }},
            "results": results,
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notes,
            }],
        }],
    })
}

/// Renders an inspection batch as a SARIF log: one rule per finding code,
/// one result per finding of each package judged malicious or suspicious.
pub fn inspect(reports: &[custody::inspect::Report], version: &str) -> Result<String, CliError> {
    let (rules, results) = inspect_parts(reports);
    let rules: Vec<Value> = rules.into_values().collect();
    super::json(&log(version, &rules, results, &[]))
}

/// The rules and results of an inspection batch, for an inspect log or
/// for the scan log that includes them.
fn inspect_parts(
    reports: &[custody::inspect::Report],
) -> (BTreeMap<&'static str, Value>, Vec<Value>) {
    use custody::inspect::{Level, Verdict};
    let mut rules: BTreeMap<&'static str, Value> = BTreeMap::new();
    let mut results = Vec::new();
    for r in reports.iter().filter(|r| r.verdict != Verdict::Clean) {
        let archive = std::path::Path::new(&r.path);
        let is_folder = archive.is_dir();
        for f in &r.findings {
            let worst = worst_level(reports, f.code);
            rules
                .entry(f.code.as_str())
                .or_insert_with(|| inspect_rule(f.code, worst));
            let level = match (r.verdict, f.level) {
                (Verdict::Malicious, Level::High | Level::Critical) => "error",
                (_, Level::Low) => "note",
                _ => "warning",
            };
            // Inside an archive the place is in the message; the region is
            // the archive's first line.
            let (uri_path, line) = if is_folder {
                (archive.join(&f.path), f.line.unwrap_or(1))
            } else {
                (archive.to_path_buf(), 1)
            };
            let phys = json!({
                "artifactLocation": {"uri": uri(&uri_path)},
                "region": {"startLine": line},
            });
            let place = match f.line {
                Some(l) => format!("{}:{l}", f.path),
                None => f.path.clone(),
            };
            results.push(json!({
                "ruleId": f.code,
                "level": level,
                "message": {"text": format!("{} ({:?}, {}): `{}`", f.message, f.phase, place, f.snippet)},
                "locations": [{"physicalLocation": phys}],
                "partialFingerprints": {"custody/v1": format!("{}:{}:{}", f.code, f.path, f.line.unwrap_or(0))},
                "properties": {"verdict": r.verdict, "verdictReasons": r.reasons, "phase": f.phase, "member": f.path, "layer": f.layer},
            }));
        }
    }
    (rules, results)
}

/// The SARIF rule of an inspect finding code: its description is the
/// code's own summary (the row of `docs/inspect.md`'s code table), never a
/// finding's message; its `security-severity` (read by GitHub code
/// scanning) follows the strongest finding of that code in the log.
fn inspect_rule(code: custody::inspect::Code, worst: custody::inspect::Level) -> Value {
    use custody::inspect::Level;
    let name: String = code
        .as_str()
        .trim_start_matches("custody::")
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|h| h.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    json!({
        "id": code.as_str(),
        "name": name,
        "shortDescription": {"text": code.summary()},
        "fullDescription": {"text": format!("{} (custody inspect; codes in docs/inspect.md)", code.summary())},
        "help": {"text": "custody inspect finding; see docs/inspect.md"},
        "properties": {
            "tags": ["security", "malicious-code"],
            "security-severity": match worst {
                Level::Critical => "9.5",
                Level::High => "7.5",
                Level::Medium => "5.0",
                Level::Low => "2.0",
            },
        },
    })
}

/// The strongest level of any finding with `code` in reports that are not
/// clean.
fn worst_level(
    reports: &[custody::inspect::Report],
    code: custody::inspect::Code,
) -> custody::inspect::Level {
    reports
        .iter()
        .filter(|r| r.verdict != custody::inspect::Verdict::Clean)
        .flat_map(|r| &r.findings)
        .filter(|f| f.code == code)
        .map(|f| f.level)
        .max()
        .unwrap_or(custody::inspect::Level::Low)
}
