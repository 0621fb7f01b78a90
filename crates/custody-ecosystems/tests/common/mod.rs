//! Helpers shared by the integration tests.
#![allow(dead_code, reason = "each test binary uses a part of these helpers")]

use std::fmt::Write as _;
use std::path::PathBuf;

use custody_ecosystems::{Inventory, Source};

/// A path under `fixtures/ecosystems/`.
pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/ecosystems")
        .join(rel)
}

/// One line per package: name, version, line, flags, source, digests
/// (shortened), with paths relative to `fixtures/ecosystems/`.
pub fn render(inv: &Inventory) -> String {
    let root = fixture("");
    let rel = |p: &std::path::Path| {
        p.strip_prefix(&root)
            .unwrap_or(p)
            .to_string_lossy()
            .into_owned()
    };
    let mut out = String::new();
    for s in &inv.sources {
        let _ = writeln!(
            out,
            "source {} {:?} format {}",
            rel(&s.path),
            s.kind,
            s.format_version.as_deref().unwrap_or("-")
        );
    }
    for p in &inv.packages {
        let mut flags = Vec::new();
        if p.dev {
            flags.push("dev");
        }
        if p.optional {
            flags.push("optional");
        }
        if p.install_script {
            flags.push("install-script");
        }
        let source = match &p.source {
            Source::Registry(None) => "registry".to_owned(),
            Source::Registry(Some(u)) => format!("registry {u}"),
            Source::Git(u) => format!("git {u}"),
            Source::Path(None) => "path".to_owned(),
            Source::Path(Some(p)) => format!("path {p}"),
            Source::Other(t) => format!("other {t}"),
            Source::Unknown => "unknown".to_owned(),
        };
        let digests: Vec<String> = p
            .integrity
            .iter()
            .map(|d| d.chars().take(20).collect())
            .collect();
        let _ = writeln!(
            out,
            "{:>4} {}@{} [{}] {} {{{}}}{}",
            p.origin
                .line
                .map_or_else(|| "-".to_owned(), |l| l.to_string()),
            p.name,
            p.version.as_deref().unwrap_or("?"),
            flags.join(","),
            source,
            digests.join(" "),
            if inv.sources.len() == 1 && p.origin.path == inv.sources[0].path {
                String::new()
            } else {
                format!(" in {}", rel(&p.origin.path))
            }
        );
    }
    out
}

/// `(name, version)` pairs, sorted, versions `?` when unknown.
pub fn pairs(inv: &Inventory) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = inv
        .packages
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                p.version.clone().unwrap_or_else(|| "?".into()),
            )
        })
        .collect();
    v.sort();
    v
}
