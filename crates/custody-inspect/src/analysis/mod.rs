//! From a package's files to findings and a verdict.
//!
//! Each Python file is analysed for what it does and *when*: at install
//! (`setup.py`), at every interpreter start (`.pth` import lines,
//! `sitecustomize.py`, `usercustomize.py`, PEP 829 `.start` files, and the
//! modules they import), at import (module top level, and functions it
//! reaches), or only at run time. Encoded string literals and payloads
//! hidden in media files are decoded statically and analysed as code of the
//! same phase. Secret access plus a way out before run time is malicious.
//!
//! The signal families each have a module: `network`, `secrets`, `spawn`
//! (processes), `dynamic` (dynamic code), `obfuscation`, `strings`,
//! `files` (media) and `startup` (start-up hooks), over the shared
//! `predicates`; this module walks a package's files and dispatches.

mod dynamic;
mod files;
mod network;
mod obfuscation;
mod predicates;
mod secrets;
mod spawn;
mod startup;
mod strings;

use std::collections::HashSet;

use rayon::prelude::*;

use crate::archive::{Anomaly, Contents, Member};
use crate::code::Code;
use crate::options::Options;
use crate::paths::{
    MEDIA, NOT_SHIPPED_DIRS, SMALL_FILE, basename, first_code_line, is_startup_surface,
};
use crate::python::{self, Facts};
use crate::report::order;
use crate::report::{Finding, Level, Phase, Report};
use crate::roles::Roles;
use crate::rules::calls::{CODE_CALLS, HOST_RECON_CALLS, NETWORK_CALLS, SPAWN_CALLS};
use crate::rules::markers::CURL_IN_TEXT;
use crate::{prefilter, skeleton};
use dynamic::{builtin_aliases, code_signals, fetched_builtin, runs_fetched_text};
use files::media_payload;
use network::{network_signals, stream_signals};
use obfuscation::{hidden_code, look_alike_identifiers, obfuscation_signals};
use secrets::{env_dump_level, secret_signals};
use spawn::{spawn_signals, spawn_wrapper, spawn_wrappers};
use startup::orphans;
use strings::string_signals;

/// Analyses one package with the default options.
pub fn inspect(contents: &Contents) -> Report {
    inspect_with(contents, Options::default())
}

/// Analyses one package.
pub fn inspect_with(contents: &Contents, options: Options) -> Report {
    let mut findings = Vec::new();
    let roles = Roles::of(contents);
    // Files are independent: analyse them on all cores, keep member order.
    let per_member: Vec<Vec<Finding>> = contents
        .members
        .par_iter()
        .map(|m| {
            let mut out = Vec::new();
            analyse_member(m, &roles, options, &mut out);
            out
        })
        .collect();
    findings.extend(per_member.into_iter().flatten());
    text_until_run(&mut findings);
    orphans(contents, &mut findings);
    for m in crate::integrity::mismatches(contents) {
        let phase = if is_startup_surface(&m.path) {
            Phase::Startup
        } else if m.path.ends_with(".py") {
            Phase::Import
        } else {
            Phase::Runtime
        };
        findings.push(Finding {
            code: Code::RecordMismatch,
            level: Level::High,
            phase,
            path: m.path,
            line: None,
            layer: None,
            snippet: format!(
                "{} line {}: {}, file: {}",
                m.record, m.line, m.recorded, m.actual
            ),
            message:
                "changed after it was packaged or installed: its RECORD hash no longer matches"
                    .into(),
            function: None,
        });
    }
    for a in &contents.anomalies {
        if let Anomaly::UnsafePath { path } = a {
            findings.push(Finding {
                code: Code::PathTraversal,
                level: Level::High,
                phase: Phase::Install,
                path: path.clone(),
                line: None,
                layer: None,
                snippet: path.clone(),
                message: "archive member would be written outside the extraction folder".into(),
                function: None,
            });
        }
    }
    order(&mut findings);
    let (verdict, score, reasons) = crate::verdict::verdict(&findings);
    Report {
        path: contents.path.display().to_string(),
        format: contents.format,
        verdict,
        score,
        reasons,
        findings,
        anomalies: contents.anomalies.clone(),
    }
}

/// One member, by what kind of file it is.
fn analyse_member(m: &Member, roles: &Roles, options: Options, out: &mut Vec<Finding>) {
    let base = basename(&m.path);
    if m.path.ends_with(".pth") {
        startup::pth_lines(m, out);
        return;
    }
    if base.ends_with(".start") {
        startup::start_entries(m, out);
        return;
    }
    if base.ends_with(".py") {
        python_member(m, roles, options, out);
        return;
    }
    let lower = base.to_ascii_lowercase();
    if MEDIA.iter().any(|e| lower.ends_with(e)) {
        media_payload(m, out);
    } else if lower.ends_with(".js") {
        files::script_exec(m, out);
    }
}

/// When a Python file's top level runs: at install (`setup.py` and what it
/// imports), never by import (`__main__.py`, tests, docs, files an sdist
/// does not install), at start-up (hooks and the modules they import), or
/// at import.
fn python_phase(m: &Member, roles: &Roles) -> Phase {
    let base = basename(&m.path);
    let depth = m.path.matches('/').count();
    let module = base.trim_end_matches(".py");
    if (base == "setup.py" && depth <= 1) || roles.install_paths.contains_key(&m.path) {
        Phase::Install
    } else if base == "__main__.py"
        || m.path.split('/').any(|c| NOT_SHIPPED_DIRS.contains(&c))
        || !roles.installed(&m.path)
    {
        // `python -m pkg` runs __main__.py; nothing imports it.
        // Test suites, docs and examples are not imported by users.
        Phase::Runtime
    } else if roles.startup_surface(&m.path)
        || (depth == 0 && roles.startup_modules.contains(module))
        || (depth == 1
            && base == "__init__.py"
            && m.path
                .split('/')
                .next()
                .is_some_and(|p| roles.startup_modules.contains(p)))
    {
        Phase::Startup
    } else {
        Phase::Import
    }
}

/// A Python file: its phase, look-alike letters, start-up hooks, and the
/// parse (whole, import-time skeleton, or not at all).
fn python_member(m: &Member, roles: &Roles, options: Options, out: &mut Vec<Finding>) {
    let base = basename(&m.path);
    let phase = python_phase(m, roles);
    // Python reads identifiers NFKC-normalised: `𝐞𝐱𝐞𝐜` is `exec`.
    let normalized = look_alike_identifiers(&m.data);
    if normalized.is_some() {
        out.push(finding(
            Code::Obfuscation,
            Level::High,
            phase,
            &m.path,
            None,
            None,
            "",
            "identifiers spelled in mathematical look-alike letters (Python reads them as plain ASCII)",
        ));
    }
    let data = normalized.as_deref().unwrap_or(&m.data);
    if matches!(base, "sitecustomize.py" | "usercustomize.py") && phase == Phase::Startup {
        out.push(finding(
            Code::StartupHook,
            Level::Medium,
            Phase::Startup,
            &m.path,
            Some(1),
            None,
            first_code_line(&m.data),
            "sitecustomize/usercustomize run at every Python start-up",
        ));
    }
    match phase {
        // Nothing a user imports: only worth reading when asked, or
        // when it names a drop box (a stealer waiting to be run).
        Phase::Runtime if !options.deep && !prefilter::needs_full_read(data) => {}
        Phase::Import if !options.deep && !roles.package_roots.contains_key(&m.path) => {
            // A drop box or a throwaway host anywhere in the file: read
            // the functions too, whatever runs them is worth seeing.
            // So for small files: a whole malicious package is often
            // one short module, and reading it costs little.
            // (A small file whose text names nothing a rule looks at is
            // still not parsed.)
            if prefilter::needs_full_read(data)
                || (data.len() <= SMALL_FILE && prefilter::worth_parsing(data))
            {
                analyse_source(&m.path, data, phase, None, 0, out);
            } else {
                let skeleton = skeleton::skeleton(data);
                let source = skeleton.text.as_deref().unwrap_or(data);
                // Comments and docstrings cannot act; a file whose code
                // holds no token a rule knows is not parsed.
                if prefilter::worth_parsing(skeleton.code.as_deref().unwrap_or(source)) {
                    analyse_source(&m.path, source, phase, None, 0, out);
                }
            }
        }
        _ => {
            let roots: Vec<String> = [
                &roles.install_paths.get(&m.path),
                &roles.package_roots.get(&m.path),
            ]
            .into_iter()
            .flatten()
            .flat_map(|r| r.iter().cloned())
            .collect();
            analyse_with_roots(&m.path, data, phase, None, 0, &roots, out);
        }
    }
}

#[expect(clippy::too_many_arguments, reason = "a finding has this many parts")]
fn finding(
    code: Code,
    level: Level,
    phase: Phase,
    path: &str,
    line: Option<usize>,
    layer: Option<&str>,
    snippet: &str,
    message: &str,
) -> Finding {
    let s = snippet.trim();
    let snippet = if s.chars().count() > 160 {
        format!("{}...", s.chars().take(157).collect::<String>())
    } else {
        s.to_owned()
    };
    Finding {
        code,
        level,
        phase,
        path: path.to_owned(),
        line,
        layer: layer.map(str::to_owned),
        snippet,
        message: message.to_owned(),
        function: None,
    }
}

/// What the signal rules need to place a finding.
struct Ctx<'a> {
    path: &'a str,
    layer: Option<&'a str>,
    line_offset: usize,
    lines: Vec<&'a str>,
    file_phase: Phase,
    facts: &'a Facts,
    reach: HashSet<String>,
    /// Names assigned from `getattr(builtins, ...)` (see [`fetched_builtin`]).
    builtin_aliases: HashSet<String>,
    /// Local functions that spawn what they are given (see [`spawn_wrapper`]).
    spawn_wrappers: HashSet<String>,
}

impl Ctx<'_> {
    /// The phase of code at `scope` inside `func`.
    fn phase(&self, scope: python::Scope, func: Option<&String>) -> Phase {
        // Decoded install-time payloads run whole.
        if (self.file_phase == Phase::Install && self.layer.is_some())
            || self
                .facts
                .runs_at_import(scope, func.map(String::as_str), &self.reach)
        {
            self.file_phase
        } else {
            Phase::Runtime
        }
    }

    /// How many decoded layers deep this code is (0: the file itself).
    fn depth(&self) -> usize {
        self.layer.map_or(0, |l| l.matches('>').count() + 1)
    }

    /// The function the call or string on `line` is in (looked up only
    /// for the few lines that make findings).
    fn function_at(&self, line: usize) -> Option<&str> {
        let facts = self.facts;
        facts
            .calls
            .iter()
            .find(|c| c.line == line)
            .map(|c| c.func.as_deref())
            .or_else(|| {
                facts
                    .strings
                    .iter()
                    .find(|s| s.line == line)
                    .map(|s| s.func.as_deref())
            })
            .flatten()
    }

    fn at(&self, code: Code, level: Level, phase: Phase, line: usize, message: &str) -> Finding {
        let text = self.lines.get(line.wrapping_sub(1)).copied().unwrap_or("");
        let mut f = finding(
            code,
            level,
            phase,
            self.path,
            Some(line + self.line_offset),
            self.layer,
            text,
            message,
        );
        f.function = self.function_at(line).map(str::to_owned);
        f
    }
}

/// Analyses Python source; `line_offset` shifts lines (a `.pth` line in its file).
fn analyse_source(
    path: &str,
    source: &[u8],
    file_phase: Phase,
    layer: Option<&str>,
    line_offset: usize,
    out: &mut Vec<Finding>,
) {
    analyse_with_roots(path, source, file_phase, layer, line_offset, &[], out);
}

/// Commands pip runs while installing: a `setup.py` class that extends one
/// of them (or is registered for one in `cmdclass`) runs at install.
const PIP_COMMANDS: &[&str] = &["install", "develop", "egg_info", "build", "bdist", "sdist"];

/// Like [`analyse_source`], with functions that another file calls (`roots`).
fn analyse_with_roots(
    path: &str,
    source: &[u8],
    file_phase: Phase,
    layer: Option<&str>,
    line_offset: usize,
    roots: &[String],
    out: &mut Vec<Finding>,
) {
    let facts: Facts = python::facts(source);
    let text = String::from_utf8_lossy(source);
    let mut reach = facts.reachable_at_import();
    reach.extend(roots.iter().cloned());
    if file_phase == Phase::Install && layer.is_none() {
        // Methods of classes that pip's commands run.
        let install_classes: HashSet<&str> = facts
            .classes
            .iter()
            .filter(|(name, bases)| {
                let bases = bases.to_ascii_lowercase();
                PIP_COMMANDS.iter().any(|c| bases.contains(c))
                    || PIP_COMMANDS.iter().any(|c| {
                        text.contains(&format!("'{c}': {name}"))
                            || text.contains(&format!("\"{c}\": {name}"))
                    })
            })
            .map(|(n, _)| n.as_str())
            .collect();
        for (method, class) in &facts.methods {
            if install_classes.contains(class.as_str()) {
                reach.insert(method.clone());
            }
        }
        // pip runs setup.py as `__main__` (setuptools' build backend
        // too), so its `if __name__ == "__main__":` block runs.
        if basename(path) == "setup.py" {
            reach.insert(python::SCRIPT.to_owned());
        }
    }
    // ... and what the roots and those methods call, transitively.
    if !roots.is_empty() || file_phase == Phase::Install {
        loop {
            let before = reach.len();
            for (name, from) in &facts.refs {
                if from.as_ref().is_some_and(|f| reach.contains(f)) {
                    reach.insert(name.clone());
                }
            }
            if reach.len() == before {
                break;
            }
        }
    }
    let lines: Vec<&str> = text.lines().collect();
    let ctx = Ctx {
        path,
        layer,
        line_offset,
        builtin_aliases: builtin_aliases(&text, &lines),
        spawn_wrappers: spawn_wrappers(&facts),
        lines,
        file_phase,
        facts: &facts,
        reach,
    };
    string_signals(&ctx, out);
    if layer.is_none() {
        hidden_code(&ctx, out);
    }
    for a in &facts.attrs {
        if matches!(a.name.as_str(), "os.environ.copy" | "os.environ.values") {
            out.push(ctx.at(
                Code::EnvDump,
                env_dump_level(&ctx, a.line),
                ctx.phase(a.scope, a.func.as_ref()),
                a.line,
                "reads the whole environment (secrets included)",
            ));
        }
    }
    call_signals(&ctx, out);
}

/// Analyses code found in a string (decoded, or written out as a script)
/// as its own layer; what it does belongs to the function holding the
/// string, so the per-function rules see it.
fn analyse_layer(
    ctx: &Ctx<'_>,
    line: usize,
    inner: &[u8],
    phase: Phase,
    layer: &str,
    line_offset: usize,
    out: &mut Vec<Finding>,
) {
    let before = out.len();
    analyse_source(ctx.path, inner, phase, Some(layer), line_offset, out);
    if let Some(func) = ctx.function_at(line) {
        for f in &mut out[before..] {
            f.function.get_or_insert_with(|| func.to_owned());
        }
    }
}

/// `outer>inner`, or `inner` at the first layer.
fn layered(outer: Option<&str>, inner: &str) -> String {
    match outer {
        Some(l) => format!("{l}>{inner}"),
        None => inner.to_owned(),
    }
}

/// Signals in calls: network, processes, dynamic code, environment dumps.
fn call_signals(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for c in &ctx.facts.calls {
        let phase = ctx.phase(c.scope, c.func.as_ref());
        let callee = c.callee.as_str();
        let mut add =
            |code, level, message: &str| out.push(ctx.at(code, level, phase, c.line, message));
        let args = c.args.trim_start_matches('(');
        let whole_env = args.starts_with("os.environ)") || args.starts_with("os.environ,");
        if (matches!(callee, "dict" | "str" | "json.dumps" | "repr" | "list") && whole_env)
            || args.starts_with("os.environ)")
        {
            add(
                Code::EnvDump,
                env_dump_level(ctx, c.line),
                "copies the whole environment (secrets included)",
            );
        }
        network_signals(ctx, c, phase, &mut add);
        secret_signals(ctx, c, &mut add);
        if matches!(
            callee,
            "os.environ.items" | "os.environ.values" | "environ.items" | "environ.values"
        ) && ctx
            .lines
            .get(c.line.wrapping_sub(1))
            .is_some_and(|l| l.trim_start().starts_with("for "))
        {
            // Every value walked: with a network call in the same function,
            // the environment is on its way out.
            let sends = ctx
                .facts
                .calls
                .iter()
                .any(|d| d.func == c.func && NETWORK_CALLS.contains(&d.callee.as_str()));
            add(
                Code::EnvDump,
                if sends { Level::High } else { Level::Medium },
                "walks every environment variable (secrets included)",
            );
        }
        if spawn_wrapper(ctx, callee) && runs_fetched_text(ctx, c) {
            add(
                Code::DownloadExec,
                Level::Critical,
                "hands text it fetched to a function that runs it as a command",
            );
        }
        if SPAWN_CALLS.contains(&callee) {
            spawn_signals(ctx, c, &mut add);
        }
        obfuscation_signals(ctx, callee, args, &mut add);
        if fetched_builtin(ctx, callee) {
            add(
                Code::DynamicCode,
                Level::Medium,
                "calls a builtin it fetched with getattr (exec or eval by another name?)",
            );
        }
        if CODE_CALLS.contains(&callee) {
            code_signals(ctx, c, phase, out);
            continue;
        }
        if HOST_RECON_CALLS.contains(&callee) {
            add(
                Code::HostRecon,
                Level::Medium,
                "reads the host's or user's identity",
            );
        }
        if [
            "privileged=True",
            "'privileged': True",
            "\"privileged\": True",
        ]
        .iter()
        .any(|m| c.args.contains(m))
        {
            add(
                Code::PrivilegedPod,
                Level::High,
                "asks Kubernetes for a privileged container (a foothold on the node)",
            );
        }
        if callee == "os.dup2" || callee == "pty.spawn" {
            stream_signals(ctx, c, &mut add);
        }
        if callee == "os.chmod"
            && (c.args.contains("S_IX")
                || c.args.contains("0o7")
                || c.args.contains("0o5")
                || c.args.contains("493"))
        {
            add(
                Code::MakeExecutable,
                Level::Medium,
                "makes a file executable (a downloaded binary?)",
            );
        }
    }
}

/// A curl or wget command line in a string is text (low) unless a process
/// is started with it: a spawn in the same function within three lines
/// (`os.system('wget ...')`). An install one-liner kept in a help text or
/// a constant is not a download.
fn text_until_run(findings: &mut [Finding]) {
    let spawns: Vec<(String, Option<String>, usize)> = findings
        .iter()
        .filter(|f| f.code == Code::ProcessSpawn)
        .filter_map(|f| Some((f.path.clone(), f.function.clone(), f.line?)))
        .collect();
    for f in findings
        .iter_mut()
        .filter(|f| f.code == Code::NetworkEgress && f.message == CURL_IN_TEXT)
    {
        let run = f.line.is_some_and(|line| {
            spawns
                .iter()
                .any(|(p, func, l)| *p == f.path && *func == f.function && l.abs_diff(line) <= 3)
        });
        if !run {
            f.level = Level::Low;
        }
    }
}
