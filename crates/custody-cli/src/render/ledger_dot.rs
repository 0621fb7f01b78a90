//! `impact --format dot`: the paths of an impact answer as one Graphviz
//! digraph. Every step of every path is a node (a package version, an
//! environment, a run, an artifact by digest); consecutive steps are
//! edges, labelled `read` or `wrote` where a run meets an artifact.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use custody::ledger::{ArtifactHit, Impact, Step};

/// A node's id, shape and label.
fn node(step: &Step, names: &BTreeMap<&str, String>) -> (String, &'static str, String) {
    match step {
        Step::Package { name, version } => (
            format!("pkg:{name}=={version}"),
            "box",
            format!("{name}=={version}"),
        ),
        Step::Environment { id, prefix } => (
            format!("env:{id}"),
            "folder",
            format!("environment\n{prefix}"),
        ),
        Step::Run { id } => (format!("run:{id}"), "ellipse", format!("run {}", short(id))),
        Step::Read { digest } | Step::Wrote { digest } => (
            format!("data:{digest}"),
            "cylinder",
            names
                .get(digest.as_str())
                .cloned()
                .unwrap_or_else(|| short(digest).to_owned()),
        ),
    }
}

fn short(d: &str) -> &str {
    d.get(..12).unwrap_or(d)
}

/// Quoted for DOT: `"` and `\` escaped, newlines as `\n`.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An artifact's label: its sealed names, else its attested name.
fn label(a: &ArtifactHit) -> String {
    if a.datasets.is_empty() {
        return format!("{}\n{}", a.name, short(&a.digest));
    }
    a.datasets
        .iter()
        .map(|d| format!("{}@{}", d.name, short(&d.root)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The digraph.
pub fn impact(r: &Impact) -> String {
    let mut names: BTreeMap<&str, String> = BTreeMap::new();
    for a in r.exposed.iter().chain(&r.written).chain(&r.downstream) {
        names.entry(a.digest.as_str()).or_insert_with(|| label(a));
    }
    let mut nodes: BTreeMap<String, (&'static str, String, &'static str)> = BTreeMap::new();
    let held: Vec<Vec<Step>> = r
        .environments
        .iter()
        .map(|e| {
            vec![
                Step::Package {
                    name: e.name.clone(),
                    version: e.version.clone(),
                },
                Step::Environment {
                    id: e.id.clone(),
                    prefix: e.prefix.clone(),
                },
            ]
        })
        .collect();
    // Edges point the way data and trust flow: package -> environment ->
    // run; data -> the run that read it; run -> the data it wrote.
    let mut edges: BTreeMap<(String, String), &'static str> = BTreeMap::new();
    let paths = held
        .iter()
        .chain(r.runs.iter().map(|x| &x.path))
        .chain(r.exposed.iter().map(|a| &a.path))
        .chain(r.written.iter().map(|a| &a.path))
        .chain(r.downstream.iter().map(|a| &a.path));
    for path in paths {
        let mut prev: Option<(String, &Step)> = None;
        for step in path {
            let (id, shape, text) = node(step, &names);
            let colour = match step {
                Step::Package { .. } => "red",
                Step::Read { .. } => "orange",
                Step::Wrote { .. } => "firebrick",
                _ => "black",
            };
            nodes.entry(id.clone()).or_insert((shape, text, colour));
            if let Some((p, before)) = prev {
                let (from, to, how) = match (before, step) {
                    (_, Step::Read { .. }) => (id.clone(), p, "read"),
                    (_, Step::Wrote { .. }) => (p, id.clone(), "wrote"),
                    (Step::Wrote { .. } | Step::Read { .. }, Step::Run { .. }) => {
                        (p, id.clone(), "read")
                    }
                    (_, Step::Run { .. }) => (p, id.clone(), "ran"),
                    _ => (p, id.clone(), "holds"),
                };
                edges.entry((from, to)).or_insert(how);
            }
            prev = Some((id, step));
        }
    }
    let mut s = String::from("digraph impact {\n  rankdir=LR;\n  node [fontsize=10];\n");
    for (id, (shape, text, colour)) in &nodes {
        let _ = writeln!(
            s,
            "  {} [shape={shape}, color={colour}, label={}];",
            quote(id),
            quote(text)
        );
    }
    for ((from, to), how) in &edges {
        let _ = writeln!(s, "  {} -> {} [label={how}];", quote(from), quote(to));
    }
    s.push_str("}\n");
    s
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn labels_are_escaped() {
        assert_eq!(quote("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
    }
}
