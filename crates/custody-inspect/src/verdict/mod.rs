//! Verdicts: the rules that turn a package's findings into `malicious`,
//! `suspicious` or `clean`.
//!
//! Every malicious rule is a row of [`table::RULES`] with its scope (one
//! file, one function, one module, each finding, or the package), the
//! phases it looks at, the findings it needs and the reason it gives;
//! conditions codes cannot say are named functions in [`checks`]. When no
//! rule holds, a package is suspicious if a strong finding acts before run
//! time; run-time-only behaviour is what libraries legitimately do.
//! `docs/inspect.md` lists the rules in words.

mod checks;
mod table;

use std::collections::{BTreeMap, BTreeSet};

use crate::code::Code;
use crate::paths::NOT_SHIPPED_DIRS;
use crate::report::{Finding, Level, Phase, Verdict};
use crate::rules::markers::CURL_IN_TEXT;

/// Which findings a rule looks at together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// One file (its decoded layers included).
    File,
    /// One file outside test, docs and example folders.
    ShippedFile,
    /// Each finding on its own.
    Finding,
    /// One function, outside tests (a cloud metadata endpoint or a pod's
    /// service-account token, where SDKs get their credentials, aside).
    Function,
    /// One module as a whole, outside tests (same exception).
    Module,
    /// The whole package.
    Package,
}

/// Which phases' findings a rule counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phases {
    /// Install, start-up and import: before any function is called.
    BeforeRunTime,
    /// Whenever the code runs.
    Any,
}

/// One verdict rule: a row of [`table::RULES`].
#[derive(Clone, Copy)]
pub(crate) struct Rule {
    pub(crate) scope: Scope,
    pub(crate) phases: Phases,
    /// Given once per package (for the first group it holds in), else once
    /// per group.
    pub(crate) once: bool,
    /// Findings (code, minimum level) that must all be there.
    pub(crate) all: &'static [(Code, Level)],
    /// Findings of which one must be there, when not empty.
    pub(crate) any: &'static [(Code, Level)],
    /// A further condition, when codes alone cannot say it.
    pub(crate) check: Option<fn(&Group<'_>) -> bool>,
    /// Why the package is malicious, as the report says it.
    pub(crate) reason: &'static str,
}

impl Rule {
    fn holds(&self, g: &Group<'_>) -> bool {
        self.all.iter().all(|(c, l)| g.has(*c, *l))
            && (self.any.is_empty() || self.any.iter().any(|(c, l)| g.has(*c, *l)))
            && self.check.is_none_or(|check| check(g))
    }
}

/// The findings one rule looks at: of one file, one function, one
/// finding or the package.
pub(crate) struct Group<'f> {
    /// The file (empty for the package).
    path: &'f str,
    /// The function, for [`Scope::Function`].
    function: Option<&'f str>,
    here: Vec<&'f Finding>,
    scope: Scope,
}

impl Group<'_> {
    /// Whether one finding has `code` at `min` or above.
    fn has(&self, code: Code, min: Level) -> bool {
        self.here.iter().any(|f| f.code == code && f.level >= min)
    }

    fn count(&self, code: Code) -> usize {
        self.here.iter().filter(|f| f.code == code).count()
    }

    fn at_install(&self) -> bool {
        self.here.iter().any(|f| f.phase == Phase::Install)
    }

    /// Whether `a` and `b` (medium or above) are in one function, or both
    /// at top level.
    fn together(&self, a: Code, b: Code) -> bool {
        let in_a: BTreeSet<Option<&str>> = self
            .here
            .iter()
            .filter(|f| f.code == a && f.level >= Level::Medium)
            .map(|f| f.function.as_deref())
            .collect();
        !in_a.is_empty()
            && self.here.iter().any(|g| {
                g.code == b && g.level >= Level::Medium && in_a.contains(&g.function.as_deref())
            })
    }

    /// The reason as the report gives it: with the file (and function).
    fn say(&self, reason: &str) -> String {
        match (self.scope, self.function) {
            (Scope::Package, _) => reason.to_owned(),
            (_, Some(func)) => format!("{reason} ({}, {func})", self.path),
            (_, None) => format!("{reason} ({})", self.path),
        }
    }
}

/// Whether a file is a test or sits in a folder a user's `import` never runs.
fn in_tests(path: &str) -> bool {
    path.split('/')
        .any(|c| NOT_SHIPPED_DIRS.contains(&c) || c.starts_with("test_"))
}

/// Tests exercise clients against fake hosts and secrets; a cloud
/// metadata endpoint or a pod's service-account token is where SDKs get
/// their credentials.
fn counted_in_functions(f: &Finding) -> bool {
    let metadata = f.code == Code::SecretAccess
        && (f.message.contains("169.254.") || f.message.contains("kubernetes.io"));
    !in_tests(&f.path) && !metadata
}

/// The groups of a scope, in the order their reasons are given.
fn groups(findings: &[Finding], scope: Scope, phases: Phases) -> Vec<Group<'_>> {
    let seen = findings
        .iter()
        .filter(|f| phases == Phases::Any || f.phase != Phase::Runtime);
    let group = |path, function, here| Group {
        path,
        function,
        here,
        scope,
    };
    match scope {
        Scope::File | Scope::ShippedFile | Scope::Module => {
            let mut by_path: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
            for f in seen {
                let skip = match scope {
                    Scope::ShippedFile => in_tests(&f.path),
                    Scope::Module => !counted_in_functions(f),
                    _ => false,
                };
                if !skip {
                    by_path.entry(f.path.as_str()).or_default().push(f);
                }
            }
            by_path
                .into_iter()
                .map(|(path, here)| group(path, None, here))
                .collect()
        }
        Scope::Function => {
            let mut by_function: BTreeMap<(&str, &str), Vec<&Finding>> = BTreeMap::new();
            for f in seen.filter(|f| counted_in_functions(f)) {
                if let Some(func) = f.function.as_deref() {
                    by_function.entry((&f.path, func)).or_default().push(f);
                }
            }
            by_function
                .into_iter()
                .map(|((path, func), here)| group(path, Some(func), here))
                .collect()
        }
        Scope::Finding => seen.map(|f| group(&f.path, None, vec![f])).collect(),
        Scope::Package => vec![group("", None, seen.collect())],
    }
}

/// The reasons of every malicious rule that holds. Consecutive rules of
/// one scope and phases make a pass, applied group by group (so reasons
/// come file by file), each group's rules in table order.
fn malicious(findings: &[Finding]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = table::RULES;
    while let Some(first) = rest.first() {
        let n = rest
            .iter()
            .take_while(|r| r.scope == first.scope && r.phases == first.phases)
            .count();
        let (pass, tail) = rest.split_at(n);
        for g in groups(findings, first.scope, first.phases) {
            for rule in pass {
                let given = rule.once && out.iter().any(|m| m.starts_with(rule.reason));
                if !given && rule.holds(&g) {
                    out.push(g.say(rule.reason));
                }
            }
        }
        rest = tail;
    }
    out
}

/// Findings that name something (a credential location, a shell rc file,
/// a shell command in a string, an environment dump command) rather than
/// do it.
const NAMING_CODES: &[Code] = &[
    Code::DropBox,
    Code::SecretAccess,
    Code::Persistence,
    Code::ShellPayload,
    Code::EnvDump,
];

/// Findings of code that acts: connects, starts, runs or hides code.
const ACTING_CODES: &[Code] = &[
    Code::NetworkEgress,
    Code::ProcessSpawn,
    Code::DynamicCode,
    Code::DownloadExec,
    Code::Obfuscation,
    Code::EncodedPayload,
    Code::HiddenCode,
    Code::MakeExecutable,
];

/// A package's verdict, its score (the sum of finding weights, for
/// ranking) and the reasons. Phases before run time count; run-time-only
/// behaviour is what libraries legitimately do.
pub(crate) fn verdict(findings: &[Finding]) -> (Verdict, u32, Vec<String>) {
    let early: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.phase != Phase::Runtime)
        .collect();
    let any = |code: Code| findings.iter().any(|f| f.code == code);
    let score = findings
        .iter()
        .map(|f| match f.level {
            Level::Low => 1,
            Level::Medium => 3,
            Level::High => 8,
            Level::Critical => 20,
        } * if f.phase == Phase::Runtime { 1 } else { 2 })
        .sum();
    let malicious = malicious(findings);
    if !malicious.is_empty() {
        return (Verdict::Malicious, score, malicious);
    }
    // Names that SDKs, CLIs and lexers hold as data (a credential file's
    // path, `~/.bashrc`, a shell one-liner in a docstring-like table) are
    // worth a look only beside code that acts in the same file.
    let acts = |path: &str| {
        early.iter().any(|g| {
            g.path == path
                && g.level >= Level::Medium
                && ACTING_CODES.contains(&g.code)
                && g.message != CURL_IN_TEXT
        })
    };
    let suspicious: Vec<String> = early
        .iter()
        .filter(|f| {
            (f.level >= Level::High
                && (f.level >= Level::Critical || !NAMING_CODES.contains(&f.code) || acts(&f.path)))
                || (f.code == Code::StartupHook || f.code == Code::PthExec)
        })
        .map(|f| format!("{} in {} ({:?})", f.code, f.path, f.phase))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if !suspicious.is_empty() || any(Code::MediaPayload) || any(Code::PathTraversal) {
        let mut r = suspicious;
        if any(Code::MediaPayload) {
            r.push("a media file carries encoded code".into());
        }
        return (Verdict::Suspicious, score, r);
    }
    (Verdict::Clean, score, Vec::new())
}

/// The table of malicious rules in `docs/inspect.md`: one row per rule,
/// in the order they are applied.
#[cfg(test)]
fn rules_markdown() -> String {
    use std::fmt::Write as _;
    let codes = |list: &[(Code, Level)]| {
        list.iter()
            .map(|(c, l)| format!("`{}` ({l:?})", c.as_str().trim_start_matches("custody::")))
            .collect::<Vec<_>>()
            .join(", ")
            .to_lowercase()
    };
    let mut out =
        String::from("| scope | phases | all of | one of | reason |\n|---|---|---|---|---|\n");
    for r in table::RULES {
        let all = match (r.all.is_empty(), r.check.is_some()) {
            (true, true) => "see `verdict/checks.rs`".to_owned(),
            (false, true) => format!("{}, and a check", codes(r.all)),
            _ => codes(r.all),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {all} | {} | {} |",
            match r.scope {
                Scope::ShippedFile => "shipped file".to_owned(),
                other => format!("{other:?}").to_lowercase(),
            },
            match r.phases {
                Phases::BeforeRunTime => "before run time",
                Phases::Any => "any",
            },
            codes(r.any),
            r.reason
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: &str = "<!-- verdict-rules: generated from verdict/table.rs";
    const END: &str = "<!-- /verdict-rules -->";

    #[test]
    fn the_rule_table_of_the_docs_is_the_verdict_table() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/inspect.md");
        let doc = fs_err::read_to_string(&path).unwrap();
        let start = doc.find(START).expect("start marker");
        let body = start + doc[start..].find('\n').unwrap() + 1;
        let end = doc.find(END).expect("end marker");
        let want = rules_markdown();
        if doc[body..end] != want {
            if std::env::var_os("CUSTODY_BLESS_DOCS").is_some() {
                fs_err::write(&path, format!("{}{want}{}", &doc[..body], &doc[end..])).unwrap();
                return;
            }
            panic!(
                "docs/inspect.md's verdict rule table differs from verdict/table.rs; expected:\n{want}"
            );
        }
    }

    #[test]
    fn no_reason_starts_another() {
        // A rule given once per package is recognised by its reason's start.
        for a in table::RULES {
            for b in table::RULES {
                assert!(
                    a.reason == b.reason || !b.reason.starts_with(a.reason),
                    "`{}` starts `{}`",
                    a.reason,
                    b.reason
                );
            }
        }
    }

    #[test]
    fn every_rule_needs_something() {
        for r in table::RULES {
            assert!(
                !r.all.is_empty() || !r.any.is_empty() || r.check.is_some(),
                "{}",
                r.reason
            );
        }
    }
}
