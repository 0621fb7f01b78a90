//! From a package's files to findings and a verdict.
//!
//! Each Python file is analysed for what it does and *when*: at install
//! (`setup.py`), at every interpreter start (`.pth` import lines,
//! `sitecustomize.py`, `usercustomize.py`, PEP 829 `.start` files, and the
//! modules they import), at import (module top level, and functions it
//! reaches), or only at run time. Encoded string literals and payloads
//! hidden in media files are decoded statically and analysed as code of the
//! same phase. Secret access plus a way out before run time is malicious.

use std::collections::{BTreeSet, HashSet};

use rayon::prelude::*;

use crate::archive::{Anomaly, Contents, Format, Member};
use crate::code::Code;
use crate::decode;
use crate::options::Options;
use crate::paths::{
    MEDIA, NOT_SHIPPED_DIRS, SMALL_FILE, basename, first_code_line, is_startup_surface,
};
use crate::python::{self, Facts};
use crate::report::order;
use crate::report::{Finding, Level, Phase, Report};
use crate::roles::{Roles, pth_code};
use crate::rules::calls::{
    CODE_CALLS, DECODE_CALLS, HOST_RECON_CALLS, NETWORK_CALLS, NETWORK_CLIENTS, RECON_COMMANDS,
    SPAWN_CALLS,
};
use crate::rules::markers::{
    CURL_IN_TEXT, ESCAPED_TEXT, PROGRAM_EXTENSIONS, SENT_SECRET_NAMES, SHELL_MARKERS, STRING_RULES,
    SYSTEM_PROGRAMS,
};
use crate::{prefilter, skeleton};

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
            code: Code::RecordMismatch.as_str(),
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
                code: Code::PathTraversal.as_str(),
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

#[expect(
    clippy::too_many_lines,
    reason = "a flat list of rules, read top to bottom; to be split into rule tables"
)]
fn analyse_member(m: &Member, roles: &Roles, options: Options, out: &mut Vec<Finding>) {
    let base = basename(&m.path);
    let depth = m.path.matches('/').count();
    if m.path.ends_with(".pth") {
        for (line, code) in pth_code(&String::from_utf8_lossy(&m.data)) {
            let before = out.len();
            analyse_source(
                &m.path,
                code.as_bytes(),
                Phase::Startup,
                None,
                line - 1,
                out,
            );
            // `exec('...')` of code in plain sight that does nothing the
            // rules look at (coverage's and coloredlogs' hooks: import the
            // package when an environment variable asks) is not a threat.
            let plain = |f: &Finding| f.code == Code::DynamicCode && f.message == EXEC_LITERAL;
            if out[before..].iter().any(|f| !plain(f)) {
                out.push(finding(
                    Code::PthExec,
                    Level::High,
                    Phase::Startup,
                    &m.path,
                    Some(line),
                    None,
                    &code,
                    "a .pth line that runs code with the behaviour below at every Python start-up",
                ));
            }
        }
        return;
    }
    if base.ends_with(".start") {
        let text = String::from_utf8_lossy(&m.data);
        for (i, l) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        {
            out.push(finding(
                Code::StartupHook,
                Level::Medium,
                Phase::Startup,
                &m.path,
                Some(i + 1),
                None,
                l,
                "PEP 829 start-up entry point: runs at every Python start-up",
            ));
        }
        return;
    }
    if base.ends_with(".py") {
        let module = base.trim_end_matches(".py");
        let phase =
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
            };
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
        return;
    }
    let lower = base.to_ascii_lowercase();
    if MEDIA.iter().any(|e| lower.ends_with(e)) {
        media_payload(m, out);
    } else if lower.ends_with(".js") {
        let text = String::from_utf8_lossy(&m.data);
        if let Some((i, l)) = text
            .lines()
            .enumerate()
            .find(|(_, l)| l.contains("new Function(") || l.contains("eval("))
        {
            out.push(finding(
                Code::EmbeddedScriptExec,
                Level::Medium,
                Phase::Runtime,
                &m.path,
                Some(i + 1),
                None,
                l,
                "JavaScript that builds and runs code from strings, shipped in a Python package",
            ));
        }
    }
}

/// `data` with characters of Unicode's Mathematical Alphanumeric Symbols
/// block (U+1D400 to U+1D7FF) replaced by their NFKC forms, as Python's
/// parser reads identifiers; `None` when there are none.
fn look_alike_identifiers(data: &[u8]) -> Option<Vec<u8>> {
    use unicode_normalization::UnicodeNormalization as _;
    // Every character of the block starts with these two bytes in UTF-8.
    if !data.windows(2).any(|w| w == [0xF0, 0x9D]) {
        return None;
    }
    let text = std::str::from_utf8(data).ok()?;
    if !math_letters_in_code(text) {
        return None; // symbol tables and docs quote them as text
    }
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    for c in text.chars() {
        if ('\u{1D400}'..='\u{1D7FF}').contains(&c) {
            out.extend(std::iter::once(c).nfkc());
            changed = true;
        } else {
            out.push(c);
        }
    }
    changed.then(|| out.into_bytes())
}

/// Whether a Mathematical Alphanumeric Symbol (U+1D400 to U+1D7FF: UTF-8
/// `F0 9D 90..9F ..`) stands outside every string literal and comment.
fn math_letters_in_code(text: &str) -> bool {
    skeleton::in_code(text.as_bytes(), |rest| {
        matches!(rest, [0xF0, 0x9D, 0x90..=0x9F, ..])
    })
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
        code: code.as_str(),
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

/// Code pushed far right on a line by a run of spaces, out of an editor's view.
fn hidden_code(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    /// Spaces in a row that push code out of view.
    const RUN: usize = 100;
    for (i, l) in ctx.lines.iter().enumerate() {
        if l.len() <= RUN || l.trim_start().starts_with('#') {
            continue;
        }
        // The end of the first run of RUN spaces, if any.
        let mut spaces = 0;
        let after = l.bytes().position(|b| {
            spaces = if b == b' ' { spaces + 1 } else { 0 };
            spaces == RUN
        });
        if let Some(at) = after
            && !l[at..].trim().is_empty()
        {
            out.push(ctx.at(
                Code::HiddenCode,
                Level::High,
                ctx.file_phase,
                i + 1,
                "code hidden after a long run of spaces",
            ));
        }
    }
}

/// Signals in string literals, and encoded payloads decoded and analysed.
fn string_signals(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for s in &ctx.facts.strings {
        let phase = ctx.phase(s.scope, s.func.as_ref());
        if any_marker(&s.value) {
            string_markers(ctx, s, phase, out);
        }
        if matches!(
            s.value.as_str(),
            "KEY" | "TOKEN" | "SECRET" | "PASSWORD" | "API_KEY" | "_KEY" | "_TOKEN"
        ) && ctx
            .lines
            .get(s.line.wrapping_sub(1))
            .is_some_and(|l| l.contains("environ") && l.contains(" for "))
        {
            out.push(ctx.at(
                Code::EnvDump,
                Level::Medium,
                phase,
                s.line,
                "collects the environment variables whose names look like secrets",
            ));
        }
        if is_telegram_bot_token(&s.value) || is_discord_bot_token(&s.value) {
            out.push(ctx.at(
                Code::DropBox,
                Level::Critical,
                phase,
                s.line,
                "a Telegram or Discord bot token: the key to a chat drop box or command channel, shipped in the package",
            ));
        }
        string_payloads(ctx, s, phase, out);
    }
    if ctx
        .lines
        .iter()
        .any(|l| l.contains("^ ord(") || l.contains("^ord("))
    {
        xor_payloads(ctx, out);
    }
}

/// A `chr(ord(c) ^ ord(k))` loop: every long string XOR-ed with every other
/// string of the same function (bounded), and what decodes to Python code
/// analysed as a layer.
fn xor_payloads(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    if ctx.depth() >= decode::MAX_DEPTH {
        return;
    }
    let usable = |s: &&python::Str| !s.bare && !s.value.is_empty() && s.value.len() <= 1 << 20;
    let ciphers = ctx
        .facts
        .strings
        .iter()
        .filter(usable)
        .filter(|s| s.value.len() >= 64)
        .take(8);
    for c in ciphers {
        let keys = ctx
            .facts
            .strings
            .iter()
            .filter(usable)
            .filter(|k| k.func == c.func && !std::ptr::eq(*k, c) && k.value.len() <= 4096)
            .take(16);
        for k in keys {
            if let Some(inner) = decode::xor_with_key(&c.value, &k.value) {
                let phase = ctx.phase(c.scope, c.func.as_ref());
                let chain = layered(ctx.layer, "xor");
                out.push(ctx.at(
                    Code::EncodedPayload,
                    Level::Medium,
                    phase,
                    c.line,
                    "a string that decodes (XOR with a key in the same code) to Python code",
                ));
                analyse_layer(ctx, c.line, &inner, phase, &chain, 0, out);
                break;
            }
        }
    }
}

/// Whether a string holds any marker of any string rule (case-insensitive,
/// one pass): most strings hold none and skip the rules.
fn any_marker(v: &str) -> bool {
    static ALL: std::sync::LazyLock<aho_corasick::AhoCorasick> = std::sync::LazyLock::new(|| {
        let mut pats: Vec<&str> = STRING_RULES
            .iter()
            .flat_map(|r| r.0.iter().copied())
            .collect();
        pats.extend([
            "COMPUTERNAME",
            "USERNAME",
            "USERDOMAIN",
            "LOGNAME",
            "printenv",
            "curl",
            "wget",
            "privileged",
        ]);
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(pats)
            .expect("fixed patterns build")
    });
    ALL.is_match(v)
}

/// Whether a marker is an environment variable's name (`AWS_SECRET_ACCESS_KEY`).
fn is_env_name(marker: &str) -> bool {
    marker
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// Marker rules on one string.
fn string_markers(ctx: &Ctx<'_>, s: &python::Str, phase: Phase, out: &mut Vec<Finding>) {
    let lower = s.value.to_ascii_lowercase();
    // Docstrings and help text that mention a path do not touch it.
    let prose = s.bare || is_prose(&s.value);
    for (markers, code, level, meaning) in STRING_RULES {
        if prose
            && matches!(
                *code,
                Code::SecretAccess | Code::Persistence | Code::HostRecon | Code::PrivilegedPod
            )
        {
            continue;
        }
        // A docstring's example address (`url="https://webhook.site/..."` in
        // an API client's documentation) is not where anything is sent.
        if s.bare && *code == Code::DropBox {
            continue;
        }
        let hay = if *code == Code::ShellPayload {
            &lower
        } else {
            &s.value
        };
        if let Some(m) = markers.iter().find(|m| prefilter::marker_in(hay, m)) {
            let level = if *code == Code::DropBox && has_chat_token(&s.value) {
                // A chat webhook with its token: a drop box in use.
                Level::Critical
            } else if *code == Code::SecretAccess && is_env_name(m) {
                // A credential's environment variable, by name: what the
                // client it belongs to reads for its own service.
                Level::Medium
            } else {
                *level
            };
            out.push(ctx.at(*code, level, phase, s.line, &format!("{meaning} ({m})")));
        }
    }
    if matches!(
        s.value.as_str(),
        "COMPUTERNAME" | "USERNAME" | "USERDOMAIN" | "LOGNAME"
    ) {
        out.push(ctx.at(
            Code::HostRecon,
            Level::Medium,
            phase,
            s.line,
            "reads the host's or user's identity",
        ));
    }
    // `{'privileged': True}` in a pod spec built as a dict.
    if s.value == "privileged"
        && ctx
            .lines
            .get(s.line.wrapping_sub(1))
            .is_some_and(|l| l.contains("privileged': True") || l.contains("privileged\": True"))
    {
        out.push(ctx.at(
            Code::PrivilegedPod,
            Level::High,
            phase,
            s.line,
            "asks Kubernetes for a privileged container (a foothold on the node)",
        ));
    }
    if s.value.contains("printenv") {
        out.push(ctx.at(
            Code::EnvDump,
            Level::High,
            phase,
            s.line,
            "dumps the whole environment (printenv)",
        ));
    }
    // A docstring that tells people to `wget` something runs nothing.
    if !prose
        && ["curl ", "wget ", "curl\"", "wget\""]
            .iter()
            .any(|c| s.value.contains(c))
        && s.value.contains("http")
    {
        // Text until something runs it: see `text_until_run`.
        out.push(ctx.at(
            Code::NetworkEgress,
            Level::Medium,
            phase,
            s.line,
            CURL_IN_TEXT,
        ));
    }
}

/// Payloads in a string literal: download hosts, spelled-out or encoded
/// code, encrypted tokens; decoded layers are analysed as code.
/// What a string says on its face: a payload URL, a `python -c` fetch,
/// text spelled in escape codes.
fn string_surface(ctx: &Ctx<'_>, s: &python::Str, phase: Phase, out: &mut Vec<Finding>) {
    if let Some(why) = payload_url(&s.value).filter(|_| !s.bare) {
        // No service a library talks to hides behind a bare public address.
        let level = if why == RAW_IP {
            Level::High
        } else {
            Level::Medium
        };
        out.push(ctx.at(
            Code::PayloadUrl,
            level,
            phase,
            s.line,
            &format!("a download from {why}"),
        ));
    }
    if !s.bare && is_python_c_fetch(&s.value) {
        out.push(ctx.at(
            Code::NetworkEgress,
            Level::Medium,
            phase,
            s.line,
            "a `python -c` one-liner that connects out",
        ));
    }
    if s.spelled >= 6 && !s.bytes && !is_char_ranges(&s.value) && is_mostly_text(&s.value) {
        out.push(ctx.at(Code::Obfuscation, Level::High, phase, s.line, ESCAPED_TEXT));
    }
}

/// Whether decoded escapes spell text (nine in ten characters printable),
/// not binary data written as a string (PyPDF2's encryption padding:
/// `'\x28\xbf\x4e...'`).
fn is_mostly_text(v: &str) -> bool {
    let total = v.chars().count();
    let printable = v
        .chars()
        .filter(|c| c.is_ascii_graphic() || c.is_ascii_whitespace())
        .count();
    printable * 10 >= total * 9
}

fn string_payloads(ctx: &Ctx<'_>, s: &python::Str, phase: Phase, out: &mut Vec<Finding>) {
    string_surface(ctx, s, phase, out);
    // Decoded once: for the blob check and, below, for analysis.
    let layers = if s.value.len() >= 40 {
        decode::unwrap(&s.data())
    } else {
        Vec::new()
    };
    if layers.is_empty()
        && s.value.len() >= 24
        && let Some((chain, text)) = decode::text_layer(&s.data())
        && (is_shell_dropper(&text) || is_script_launcher(&text))
    {
        // Hidden as well as harmful: no tool encodes its own install hint.
        out.push(ctx.at(
            Code::ShellPayload,
            Level::Critical,
            phase,
            s.line,
            &format!("an encoded ({chain}) shell command that downloads and runs, or opens a reverse shell"),
        ));
    }
    if s.value.len() >= 512 && is_opaque_blob(&s.value) && layers.is_empty() {
        out.push(ctx.at(
            Code::EncodedPayload,
            Level::Medium,
            phase,
            s.line,
            "a long encoded blob (not Python once decoded, or not decodable)",
        ));
    }
    if is_fernet_token(&s.value) {
        out.push(ctx.at(
            Code::EncodedPayload,
            Level::Medium,
            phase,
            s.line,
            "a Fernet-encrypted token (encrypted code?)",
        ));
    }
    if ctx.depth() >= decode::MAX_DEPTH {
        return;
    }
    if let Some(plain) = decode::l111(&s.value) {
        let layer = layered(ctx.layer, "l111");
        out.push(ctx.at(
            Code::EncodedPayload,
            Level::Medium,
            phase,
            s.line,
            "a string hidden by the l111 obfuscator's character shift",
        ));
        analyse_layer(
            ctx,
            s.line,
            plain.as_bytes(),
            phase,
            &layer,
            s.line - 1,
            out,
        );
    }
    if !s.bare && s.value.len() >= 30 && is_code_in_string(&s.value) {
        // A second-stage script written to a file or passed to `python -c`.
        let layer = layered(ctx.layer, "string-code");
        analyse_layer(
            ctx,
            s.line,
            s.value.as_bytes(),
            phase,
            &layer,
            s.line - 1,
            out,
        );
    }
    for (chain, inner) in layers {
        let chain = layered(ctx.layer, &chain);
        out.push(ctx.at(
            Code::EncodedPayload,
            Level::Medium,
            phase,
            s.line,
            &format!("an encoded string that decodes ({chain}) to Python code"),
        ));
        analyse_layer(ctx, s.line, &inner, phase, &chain, 0, out);
    }
}

/// Whether `callee` is a plain name assigned from `getattr(builtins, ...)`
/// (or `__builtins__`) somewhere in the file.
fn fetched_builtin(ctx: &Ctx<'_>, callee: &str) -> bool {
    ctx.builtin_aliases.contains(callee)
}

/// Names assigned from `getattr(builtins, ...)` or `getattr(__builtins__,
/// ...)` in a file, read once per file.
fn builtin_aliases(text: &str, lines: &[&str]) -> HashSet<String> {
    if !text.contains("getattr(") {
        return HashSet::new();
    }
    lines
        .iter()
        .flat_map(|l| l.split(';'))
        .filter_map(|stmt| {
            let (lhs, rhs) = stmt.split_once('=')?;
            let rhs: String = rhs.chars().filter(|c| !c.is_whitespace()).collect();
            let name = lhs.trim();
            (rhs.starts_with("getattr(builtins,") || rhs.starts_with("getattr(__builtins__,"))
                .then(|| name.to_owned())
                .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_alphanumeric() || c == '_'))
        })
        .collect()
}

/// Whether `callee` is a function of this file that starts a process with
/// what it is given (`def run(cmd): subprocess.run(cmd, shell=True)`): a
/// call of it is a spawn, one level deep.
fn spawn_wrapper(ctx: &Ctx<'_>, callee: &str) -> bool {
    ctx.spawn_wrappers.contains(callee)
}

/// The functions of a file that spawn a process from a name (a parameter),
/// found once per file.
fn spawn_wrappers(facts: &Facts) -> HashSet<String> {
    facts
        .calls
        .iter()
        .filter(|e| {
            SPAWN_CALLS.contains(&e.callee.as_str())
                && e.literal.is_none()
                && e.args
                    .trim_start_matches(['(', '['])
                    .starts_with(|ch: char| ch.is_alphabetic() || ch == '_')
        })
        .filter_map(|e| e.func.clone())
        .filter(|f| facts.defs.contains(f))
        .collect()
}

/// Whether a call's first argument is a variable last assigned, earlier in
/// the same function, from a network call or its `.text`/`.content`
/// (`resp = requests.get(c2)`, `resp = resp.text`, `run(resp)`).
fn runs_fetched_text(ctx: &Ctx<'_>, c: &python::Call) -> bool {
    let var: String = c
        .args
        .trim_start_matches(['(', '['])
        .chars()
        .take_while(|ch| ch.is_alphanumeric() || *ch == '_')
        .collect();
    if var.is_empty() {
        return false;
    }
    ctx.facts.calls.iter().any(|d| {
        d.func == c.func
            && d.line < c.line
            && NETWORK_CALLS.contains(&d.callee.as_str())
            && ctx
                .lines
                .get(d.line.wrapping_sub(1))
                .is_some_and(|l| assigned(l.trim_start(), &var).is_some())
    })
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

/// Whether call arguments are nothing but three or more string literals
/// joined by `+` (a name or code cut into pieces to hide it).
fn is_spliced_literal(args: &str) -> bool {
    let inner = args.trim().trim_end_matches(')').trim();
    let mut pieces = 0;
    let mut rest = inner;
    loop {
        rest = rest.trim_start();
        let Some(q) = rest.chars().next().filter(|q| matches!(q, '"' | '\'')) else {
            return false;
        };
        let Some(end) = rest[1..].find(q) else {
            return false;
        };
        if rest[1..=end].contains('\\') {
            return false;
        }
        pieces += 1;
        rest = rest[end + 2..].trim_start();
        if rest.is_empty() {
            return pieces >= 3;
        }
        let Some(after) = rest.strip_prefix('+') else {
            return false;
        };
        rest = after;
    }
}

/// The text of a module-level string constant a spawn runs by name
/// (`CMD = ('python3 -c ...' 's.connect(...)' ...)` then `run(CMD, ...)`),
/// its implicitly joined pieces put together.
fn constant_command(ctx: &Ctx<'_>, c: &python::Call) -> Option<String> {
    let name: String = c
        .args
        .trim_start_matches(|ch: char| ch == '(' || ch == '[' || ch.is_whitespace())
        .chars()
        .take_while(|ch| ch.is_alphanumeric() || *ch == '_')
        .collect();
    if name.is_empty() || name.starts_with(|ch: char| ch.is_ascii_digit()) {
        return None;
    }
    let start = ctx
        .lines
        .iter()
        .position(|l| assigned(l, &name).is_some())?;
    // The statement: its first line and the continuation lines after it.
    let end = ctx.lines[start + 1..]
        .iter()
        .position(|l| !(l.starts_with([' ', '\t', ')', '\'', '"']) || l.is_empty()))
        .map_or(ctx.lines.len(), |n| start + 1 + n);
    let text: String = ctx
        .facts
        .strings
        .iter()
        .filter(|s| s.line > start && s.line <= end.min(start + 40))
        .map(|s| s.value.as_str())
        .collect();
    (!text.is_empty()).then_some(text)
}

/// A reverse shell in Python or shell: a socket handed to a shell.
fn is_reverse_shell(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains("socket")
        && lower.contains("dup2")
        && ["/bin/sh", "/bin/bash", "sh -i", "cmd.exe", "pty.spawn"]
            .iter()
            .any(|m| lower.contains(m))
}

/// Whether text is a shell dropper or reverse shell ([`SHELL_MARKERS`], or
/// curl/wget with a URL).
fn is_shell_dropper(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    SHELL_MARKERS
        .iter()
        .any(|m| prefilter::marker_in(&lower, m))
        || ((lower.contains("curl ") || lower.contains("wget ")) && lower.contains("http"))
}

/// A Windows script (VBScript, JScript) that starts programs through the
/// script host's shell object: what a dropper writes out to launch its
/// payload. Counted only when the text was hidden in an encoding.
fn is_script_launcher(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    (lower.contains("wscript.shell") || lower.contains("shell.application"))
        && [".run ", ".run(", ".exec ", ".exec(", "shellexecute"]
            .iter()
            .any(|m| lower.contains(m))
}

/// A command line that runs `python -c` with code that connects out.
fn is_python_c_fetch(v: &str) -> bool {
    let Some(at) = v.find("python") else {
        return false;
    };
    let rest = &v[at..];
    rest.contains(" -c")
        && [
            "requests.",
            "urlopen",
            "urllib.request",
            "socket.",
            "http.client",
        ]
        .iter()
        .any(|m| rest.contains(m))
}

/// `outer>inner`, or `inner` at the first layer.
fn layered(outer: Option<&str>, inner: &str) -> String {
    match outer {
        Some(l) => format!("{l}>{inner}"),
        None => inner.to_owned(),
    }
}

/// A whole string that is a Telegram bot token: the bot's id, a colon and
/// 35 characters of secret (`123456789:AA...`).
fn is_telegram_bot_token(v: &str) -> bool {
    let Some((id, secret)) = v.split_once(':') else {
        return false;
    };
    (8..=12).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_digit())
        && secret.len() == 35
        && secret.starts_with("AA")
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

/// A whole string that is a Discord bot token: the bot's id (17 to 20
/// digits) in base64, a dot, 6 characters of timestamp, a dot, and an HMAC
/// of 27 or more characters.
fn is_discord_bot_token(v: &str) -> bool {
    use base64::Engine as _;
    let parts: Vec<&str> = v.split('.').collect();
    let token_chars = |p: &str| {
        p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
    };
    let [id, time, mac] = parts.as_slice() else {
        return false;
    };
    (time.len() == 6 && mac.len() >= 27 && token_chars(time) && token_chars(mac) && token_chars(id))
        && base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(id.trim_end_matches('='))
            .is_ok_and(|d| (17..=20).contains(&d.len()) && d.iter().all(u8::is_ascii_digit))
}

/// A chat webhook URL or bot token with its secret part: a drop box in use.
fn has_chat_token(v: &str) -> bool {
    let after = |marker: &str| v.split_once(marker).map(|(_, rest)| rest);
    if let Some(rest) = after("/api/webhooks/") {
        let id: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let token = rest[id.len()..].strip_prefix('/').unwrap_or("");
        return id.len() >= 17
            && token
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
                .count()
                >= 60;
    }
    if let Some(rest) = after("api.telegram.org/bot") {
        let (id, token) = rest.split_once(':').unwrap_or(("", ""));
        return id.len() >= 8
            && id.chars().all(|c| c.is_ascii_digit())
            && token
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
                .count()
                >= 30;
    }
    false
}

/// What [`payload_url`] says of a URL whose host is a public IPv4 address.
const RAW_IP: &str = "a raw IP address";

/// Where a URL points when it is a throwaway host for payloads: a raw public
/// IP address, a file-sharing link or a program on a code host.
fn payload_url(v: &str) -> Option<&'static str> {
    let at = v.find("http://").or_else(|| v.find("https://"))?;
    let rest = &v[at..];
    let host = rest.split("://").nth(1)?.split(['/', ':', '?']).next()?;
    if let Ok(ip) = host.parse::<std::net::Ipv4Addr>() {
        // Private, loopback, link-local, carrier-grade NAT (100.64/10),
        // multicast and reserved addresses are no one's server.
        let [a, b, ..] = ip.octets();
        let local = ip.is_private()
            || ip.is_loopback()
            || ip.is_link_local()
            || ip.is_unspecified()
            || ip.is_broadcast()
            || ip.is_multicast()
            || a == 0
            || a >= 240
            || (a == 100 && (64..128).contains(&b));
        return (!local).then_some(RAW_IP);
    }
    let lower = rest.to_ascii_lowercase();
    let program = PROGRAM_EXTENSIONS
        .iter()
        .any(|e| lower.split(['?', '#']).next().unwrap_or("").ends_with(e));
    if [
        "cdn.discordapp.com/attachments",
        "dropbox.com/s/",
        "mediafire.com",
        "anonfiles",
        "transfer.sh",
    ]
    .iter()
    .any(|h| lower.contains(h))
    {
        return Some("a file-sharing host");
    }
    if program && (host.contains("github") || host.contains("gitlab")) {
        return Some("a program on a code host");
    }
    program.then_some("a Windows program or script")
}

/// How bad a copy of the environment on `line` is: high when it reaches a
/// network call (on that line, or through the variable it is assigned to),
/// medium when it is kept or handed to a child process.
fn env_dump_level(ctx: &Ctx<'_>, line: usize) -> Level {
    let text = ctx.lines.get(line.wrapping_sub(1)).copied().unwrap_or("");
    let var = text
        .split_once('=')
        .map(|(lhs, _)| lhs.trim())
        .filter(|v| !v.is_empty() && v.chars().all(|c| c.is_alphanumeric() || c == '_'));
    let sends = ctx.facts.calls.iter().any(|c| {
        NETWORK_CALLS.contains(&c.callee.as_str())
            && (c.line == line
                || var.is_some_and(|v| {
                    c.args
                        .split(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                        .any(|w| w == v)
                }))
    });
    if sends { Level::High } else { Level::Medium }
}

/// Sentences for people (help text, docs), not a path or a command line.
fn is_prose(v: &str) -> bool {
    v.matches(' ').count() >= 8
        && !["|", ">", "&&", ";", "$(", "`", "curl", "wget"]
            .iter()
            .any(|m| v.contains(m))
}

/// A run of base64 or hex alphabet only (no spaces or punctuation).
fn is_opaque_blob(v: &str) -> bool {
    v.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_'))
}

/// A Fernet token (`gAAAAA...`, URL-safe base64 of a versioned ciphertext).
fn is_fernet_token(v: &str) -> bool {
    v.len() >= 100
        && v.starts_with("gAAAAA")
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'='))
}

/// A string literal that holds a script that reaches out or runs code.
fn is_code_in_string(v: &str) -> bool {
    (v.contains("import ") || v.contains("__import__"))
        && [
            "exec(",
            "urlopen",
            "subprocess",
            "os.system",
            "socket",
            "requests.",
            "b64decode",
        ]
        .iter()
        .any(|m| v.contains(m))
}

/// Calls nested in `c`'s arguments.
fn nested_calls<'a>(
    ctx: &'a Ctx<'_>,
    c: &'a python::Call,
) -> impl Iterator<Item = &'a python::Call> {
    ctx.facts
        .calls
        .iter()
        .filter(move |d| d.span.0 > c.span.0 && d.span.1 <= c.span.1 && c.span.1 > c.span.0)
}

/// The names an f-string argument splices in: `f"b'{raw}'"` gives `raw`.
fn interpolated(args: &str) -> impl Iterator<Item = &str> {
    let fstring = args.contains("f\"") || args.contains("f'");
    args.split('{')
        .skip(1)
        .filter(move |_| fstring)
        .filter_map(|piece| piece.split_once('}').map(|(name, _)| name.trim()))
}

/// Whether a call's arguments are decoded, decrypted or downloaded data.
fn fed_by_hidden_data(ctx: &Ctx<'_>, c: &python::Call) -> bool {
    let hides = |callee: &str| {
        DECODE_CALLS.contains(&callee)
            || NETWORK_CALLS.contains(&callee)
            || callee.ends_with(".decrypt")
            || callee.ends_with("b64decode")
            || callee.ends_with(".decompress")
            || callee.ends_with(".loads") && callee.contains("marshal")
    };
    // `cmd = b64decode(...)` earlier in the same function, then `run(cmd)`.
    let first_arg = c
        .args
        .trim_start_matches(['(', '[', ' '])
        .split([',', ')', ']', ' '])
        .next()
        .unwrap_or("");
    // ... or `eval(f"b'{raw}'")`: a variable spliced into an f-string.
    let vars: Vec<&str> = std::iter::once(first_arg)
        .chain(interpolated(&c.args))
        .filter(|v| !v.is_empty() && v.chars().all(|ch| ch.is_alphanumeric() || ch == '_'))
        .collect();
    let assigned_hidden = !vars.is_empty()
        && ctx.facts.calls.iter().any(|d| {
            d.func == c.func
                && d.line < c.line
                && hides(&d.callee)
                && ctx
                    .lines
                    .get(d.line.wrapping_sub(1))
                    .is_some_and(|l| vars.iter().any(|v| assigned(l.trim_start(), v).is_some()))
        });
    assigned_hidden
        || nested_calls(ctx, c).any(|d| {
            hides(&d.callee)
            // A local wrapper (`def b64d(s): return b64decode(s)`), one level deep.
            || (ctx.facts.defs.contains(&d.callee)
                && ctx
                    .facts
                    .calls
                    .iter()
                    .any(|e| e.func.as_deref() == Some(d.callee.as_str()) && hides(&e.callee)))
        })
        || DECODE_CALLS
            .iter()
            .any(|d| c.args.contains(d.rsplit('.').next().unwrap_or(d)))
        || c.args.contains("urlopen")
        || c.args.contains(".decrypt(")
        || ([".read()", ".text", ".content"]
            .iter()
            .any(|r| c.args.contains(r))
            && ctx
                .facts
                .calls
                .iter()
                .any(|d| d.func == c.func && NETWORK_CALLS.contains(&d.callee.as_str())))
}

/// Calls that hide what they call: builtins looked up by computed names,
/// modules imported by decoded names, names spliced from string pieces.
fn obfuscation_signals(
    ctx: &Ctx<'_>,
    callee: &str,
    args: &str,
    add: &mut impl FnMut(Code, Level, &str),
) {
    // A name computed by an expression, or by a variable spelled in
    // character codes (`name = ''.join(map(chr, [101, 120, 101, 99]))`).
    let computed = |n: &str| {
        let n = n.trim().trim_end_matches(')').trim();
        n.contains(['(', '[', '+'])
            || (!n.is_empty()
                && n.chars().all(|c| c.is_alphanumeric() || c == '_')
                && ctx
                    .lines
                    .iter()
                    .any(|l| assigned(l, n).is_some_and(|r| r.contains("chr"))))
    };
    if callee == "getattr"
        && (args.starts_with("__builtins__") || args.starts_with("builtins"))
        && args.split_once(',').is_some_and(|(_, n)| computed(n))
    {
        add(
            Code::Obfuscation,
            Level::High,
            "looks up a builtin by a computed name (obfuscated code)",
        );
    }
    if matches!(callee, "__import__" | "importlib.import_module")
        && ["bytes([", "chr(", "[::-1]", "decode(", "b64decode"]
            .iter()
            .any(|m| args.contains(m))
    {
        add(
            Code::Obfuscation,
            Level::High,
            "imports a module by a name it decodes (obfuscated code)",
        );
    }
    if callee == "__pyarmor__" || callee.ends_with("pyarmor_runtime") {
        add(
            Code::Obfuscation,
            Level::High,
            "runs PyArmor-encrypted code (what it does cannot be read)",
        );
    }
    if CODE_CALLS.contains(&callee) && is_spliced_literal(args) {
        add(
            Code::Obfuscation,
            Level::High,
            "evaluates a name or code spliced from string pieces (`eval(\"o\"+\"s.sy\"+...)`)",
        );
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

/// `os.dup2`/`pty.spawn`: a process's standard streams rewired.
fn stream_signals(ctx: &Ctx<'_>, c: &python::Call, add: &mut impl FnMut(Code, Level, &str)) {
    let callee = c.callee.as_str();
    // Output capture (py, jax's test helpers) redirects streams to
    // files; a reverse shell hands them a socket of the same code.
    let socket_near = ctx
        .facts
        .calls
        .iter()
        .any(|d| d.func == c.func && NETWORK_CALLS.contains(&d.callee.as_str()));
    if socket_near {
        add(
            Code::ShellRedirect,
            Level::High,
            "wires a process's standard streams to a connection (a reverse shell)",
        );
    } else if callee == "pty.spawn" {
        add(
            Code::ShellRedirect,
            Level::High,
            "starts a program on a pseudo-terminal (a reverse shell's interactive shell?)",
        );
    } else {
        add(
            Code::ShellRedirect,
            Level::Medium,
            "wires a process's standard streams (output capture, or a reverse shell?)",
        );
    }
}

/// Network calls: connections, sends, clients, DNS lookups.
fn network_signals(
    ctx: &Ctx<'_>,
    c: &python::Call,
    phase: Phase,
    add: &mut impl FnMut(Code, Level, &str),
) {
    let callee = c.callee.as_str();
    let dns = matches!(
        callee,
        "socket.gethostbyname" | "socket.getaddrinfo" | "dns.resolver.resolve"
    );
    let host = if dns {
        c.literal
            .as_ref()
            .map(|l| l.value.clone())
            .or_else(|| constant_argument(ctx, c))
    } else {
        None
    };
    let dns_of_constant = host.is_some();
    // `urllib.urlrequest.urlretrieve`: a typo that fails at run time, or a
    // module of the package's own; either way it means to download.
    let fetches = NETWORK_CALLS.contains(&callee)
        || callee.ends_with(".urlretrieve")
        || callee.ends_with(".urlopen");
    if (fetches && !dns_of_constant)
        || (callee == "urllib.request.Request" && c.args.contains("data"))
    {
        add(
            Code::NetworkEgress,
            Level::Medium,
            "opens a network connection",
        );
    } else if dns_of_constant
        && phase != Phase::Runtime
        && host.as_deref().is_some_and(is_probe_host)
    {
        add(
            Code::NetworkEgress,
            Level::High,
            "looks up a fixed host name by DNS before any function is called (a beacon: the answer is not used, the query is the message)",
        );
    } else if NETWORK_CLIENTS.contains(&callee) || dns_of_constant {
        add(
            Code::NetworkEgress,
            Level::Low,
            "makes a network client (sends nothing yet)",
        );
    }
}

/// A line's assignment `lhs = rhs` (not a comparison): the target, its
/// trailing blanks cut, and the right-hand side.
fn assignment(line: &str) -> Option<(&str, &str)> {
    let (lhs, rhs) = line.split_once('=')?;
    (!rhs.starts_with('=')).then_some((lhs.trim_end(), rhs))
}

/// The right-hand side when `line` assigns to `name` (the line starts with
/// it: callers trim indentation when they allow it).
fn assigned<'l>(line: &'l str, name: &str) -> Option<&'l str> {
    assignment(line).and_then(|(lhs, rhs)| (lhs == name).then_some(rhs))
}

/// How far back an assignment feeding a network call is looked for.
const SECRET_LOOKBACK: usize = 40;

/// Secrets reached through an SDK, or sent over the network (a Dropbox
/// upload included).
fn secret_signals(ctx: &Ctx<'_>, c: &python::Call, add: &mut impl FnMut(Code, Level, &str)) {
    let callee = c.callee.as_str();
    let aws_sdk = || {
        ctx.facts.imports.iter().any(|(m, _, _)| {
            let root = m.split('.').next().unwrap_or("");
            matches!(root, "boto3" | "botocore" | "aiobotocore")
        })
    };
    if callee.ends_with("CryptUnprotectData") {
        add(
            Code::SecretAccess,
            Level::High,
            "decrypts data sealed with the Windows user's key (saved browser passwords, cookies, tokens)",
        );
    }
    if (callee.ends_with(".get_credentials") || callee.ends_with(".get_frozen_credentials"))
        && aws_sdk()
    {
        // Signing a request needs them too: only worth a verdict when
        // the keys themselves are sent (see `sends_secret`).
        add(
            Code::SecretAccess,
            Level::Medium,
            "reads the AWS SDK's resolved credentials (access key, secret key, token)",
        );
    }
    // Cloud storage as a drop: an upload through the Dropbox SDK.
    if callee.ends_with(".files_upload")
        && ctx
            .facts
            .imports
            .iter()
            .any(|(m, _, _)| m.split('.').next() == Some("dropbox"))
    {
        add(
            Code::NetworkEgress,
            Level::Medium,
            "uploads a file to Dropbox",
        );
    }
    let sends = NETWORK_CALLS.contains(&callee) || callee.ends_with(".urlopen");
    if sends && sends_secret(ctx, c) {
        add(
            Code::SecretAccess,
            Level::High,
            "sends a private key, seed phrase or cloud secret key over the network",
        );
    }
}

/// Whether a network call's arguments name a secret of
/// [`SENT_SECRET_NAMES`], directly or through variables assigned in the
/// [`SECRET_LOOKBACK`] lines before it (`data = {"s": sk}` after
/// `sk = creds.secret_key` counts). Only what reaches the request as data
/// counts: a value passed through a call first (a signature made with the
/// key, a signer given the credentials) is not the secret.
fn sends_secret(ctx: &Ctx<'_>, c: &python::Call) -> bool {
    let secret = |w: &String| {
        let lower = w.to_ascii_lowercase();
        SENT_SECRET_NAMES.iter().any(|n| lower.contains(n))
    };
    let args = exposed_words(&c.args);
    if args.iter().any(secret) {
        return true;
    }
    let mut fed: BTreeSet<String> = args.into_iter().collect();
    for l in ctx.lines[..c.line.saturating_sub(1).min(ctx.lines.len())]
        .iter()
        .rev()
        .take(SECRET_LOOKBACK)
    {
        let Some((lhs, rhs)) = assignment(l.trim_start()) else {
            continue;
        };
        if !fed.contains(lhs) {
            continue;
        }
        let words = exposed_words(rhs);
        if words.iter().any(secret) {
            return true;
        }
        fed.extend(words);
    }
    // Instance state: `self.secret = environ.get('AWS_SECRET_ACCESS_KEY')`
    // in one method, `self.secret` in the request of another.
    let attrs: Vec<&str> = c
        .args
        .split("self.")
        .skip(1)
        .filter_map(|r| {
            r.split(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                .next()
        })
        .filter(|a| !a.is_empty())
        .collect();
    !attrs.is_empty()
        && ctx.lines.iter().any(|l| {
            assignment(l.trim_start()).is_some_and(|(lhs, rhs)| {
                lhs.strip_prefix("self.")
                    .is_some_and(|a| attrs.contains(&a))
                    && exposed_words(rhs).iter().any(secret)
            })
        })
}

/// Calls that only package data: what goes in comes out in what is sent.
const DATA_BUILDERS: &[&str] = &[
    "dict",
    "list",
    "tuple",
    "set",
    "str",
    "dumps",
    "format",
    "encode",
    "b64encode",
    "urlencode",
    // A lookup by name returns what it names: `environ.get('AWS_SECRET_ACCESS_KEY')`.
    "get",
    "getenv",
];

/// Identifiers and quoted words of `text` that are not inside the
/// arguments of a call other than a [`DATA_BUILDERS`] one.
fn exposed_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    // For each open bracket: whether what is inside still reaches the outside.
    let mut stack: Vec<bool> = Vec::new();
    let mut word = String::new();
    let mut last_word = String::new();
    for ch in text.chars().chain(std::iter::once(' ')) {
        if ch.is_alphanumeric() || ch == '_' {
            word.push(ch);
            continue;
        }
        if !word.is_empty() {
            if stack.iter().all(|open| *open)
                && word
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_alphabetic() || c == '_')
            {
                out.push(word.clone());
            }
            last_word = std::mem::take(&mut word);
        } else if !ch.is_whitespace() && ch != '(' {
            last_word.clear();
        }
        match ch {
            '(' => stack.push(last_word.is_empty() || DATA_BUILDERS.contains(&last_word.as_str())),
            '[' | '{' => stack.push(true),
            ')' | ']' | '}' => {
                stack.pop();
            }
            _ => {}
        }
        if ch != '(' && !ch.is_whitespace() {
            last_word.clear();
        }
    }
    out
}

/// Whether a spawn runs a file (named by a variable) that the same
/// function downloaded: `urlretrieve(url, f)`, or `open(f, "wb")` beside a
/// network call, before `run([f])`.
fn runs_what_it_downloaded(ctx: &Ctx<'_>, c: &python::Call) -> bool {
    let var: String = c
        .args
        .trim_start_matches(['(', '[', ' '])
        .chars()
        .take_while(|ch| ch.is_alphanumeric() || *ch == '_' || *ch == '.')
        .collect();
    if var.is_empty() || var.starts_with(|ch: char| ch.is_ascii_digit()) {
        return false;
    }
    let before = || {
        ctx.facts
            .calls
            .iter()
            .filter(|d| d.func == c.func && d.line <= c.line)
    };
    let first_two = |args: &str| -> Vec<String> {
        args.trim_start_matches('(')
            .split(',')
            .take(2)
            .map(|a| a.trim().trim_end_matches(')').trim().to_owned())
            .collect()
    };
    let retrieved = before().any(|d| {
        d.callee.ends_with("urlretrieve") && first_two(&d.args).get(1).is_some_and(|a| *a == var)
    });
    let written = before().any(|d| {
        d.callee == "open"
            && first_two(&d.args).first().is_some_and(|a| *a == var)
            && (d.args.contains("'wb'") || d.args.contains("\"wb\""))
    }) && before().any(|d| NETWORK_CALLS.contains(&d.callee.as_str()));
    retrieved || written
}

/// A DNS lookup's literal host: a dotted name that is not local.
fn is_probe_host(host: &str) -> bool {
    let h = host.trim().to_ascii_lowercase();
    h.contains('.')
        && !h.ends_with(".local")
        && !h.starts_with("localhost")
        && h.parse::<std::net::IpAddr>().is_err()
}

/// The string a call's first argument names, when it is a variable last
/// assigned a plain string literal earlier in the same function
/// (`hostname = "x.example"`, then `gethostbyname(hostname)`).
fn constant_argument(ctx: &Ctx<'_>, c: &python::Call) -> Option<String> {
    let var = c
        .args
        .trim_start_matches('(')
        .split([',', ')'])
        .next()?
        .trim();
    if var.is_empty() || !var.chars().all(|ch| ch.is_alphanumeric() || ch == '_') {
        return None;
    }
    ctx.facts
        .strings
        .iter()
        .filter(|s| s.func == c.func && s.line < c.line && !s.value.contains('{'))
        .filter(|s| {
            ctx.lines
                .get(s.line.wrapping_sub(1))
                .and_then(|l| assigned(l.trim_start(), var))
                .is_some_and(|rhs| {
                    let rhs = rhs.trim().trim_start_matches(['f', 'r', 'b', 'u']);
                    rhs.len() == s.value.len() + 2
                })
        })
        .max_by_key(|s| s.line)
        .map(|s| s.value.clone())
}

/// A process start: what it runs and with what.
fn spawn_signals(ctx: &Ctx<'_>, c: &python::Call, add: &mut impl FnMut(Code, Level, &str)) {
    let lower = c.args.to_ascii_lowercase();
    let dropped = SYSTEM_PROGRAMS
        .iter()
        .fold(lower.clone(), |l, p| l.replace(p, ""));
    if c.callee.starts_with("pip.") || lower.contains("pip install") || lower.contains("-m pip") {
        add(
            Code::ProcessSpawn,
            Level::Medium,
            "installs packages while running (pip)",
        );
    } else if c.args.contains("sys.executable")
        || lower.contains("pythonw")
        || [
            ".vbs", ".bat", ".ps1", ".cmd", ".scr", ".hta", ".jar", ".exe",
        ]
        .iter()
        .any(|x| dropped.contains(x))
    {
        add(
            Code::ProcessSpawn,
            Level::High,
            "starts a second Python on a file (a dropped payload)",
        );
    } else {
        add(Code::ProcessSpawn, Level::Medium, "starts a process");
    }
    // The command's first word, when it is a literal.
    let first_word = c
        .literal
        .as_ref()
        .map(|l| l.value.trim().to_ascii_lowercase())
        .or_else(|| {
            let a = c.args.trim_start_matches(['[', '(', ' ']);
            let q = a.chars().next().filter(|q| matches!(q, '\'' | '"'))?;
            a[1..].split(q).next().map(str::to_ascii_lowercase)
        })
        .unwrap_or_default();
    // `dig @1.1.1.1 x.example`, `nslookup x.example`: a DNS beacon when
    // the name is fixed (the query is the message).
    let mut words = first_word.split_whitespace();
    if matches!(words.next(), Some("dig" | "nslookup" | "host"))
        && words.any(|w| !w.starts_with(['@', '-']) && is_probe_host(w))
    {
        let early = ctx.phase(c.scope, c.func.as_ref()) != Phase::Runtime;
        add(
            Code::NetworkEgress,
            if early { Level::High } else { Level::Medium },
            "looks up a fixed host name with a DNS tool (a beacon: the query is the message)",
        );
    }
    // `env > file`, `env | ...`: the whole environment written out, as
    // `printenv` does.
    if first_word == "env"
        || ["env >", "env>", "env |", "env|"]
            .iter()
            .any(|p| first_word.starts_with(p))
    {
        add(
            Code::DownloadExec,
            Level::High,
            "dumps the environment (secrets included) with `env`",
        );
    }
    // A command word ends at a space; a URL opener's scheme runs on.
    if RECON_COMMANDS.iter().any(|r| {
        first_word == *r
            || first_word.starts_with(&format!("{r} "))
            || (r.ends_with(" http") && first_word.starts_with(r))
    }) {
        add(
            Code::HostRecon,
            Level::High,
            "runs a command that reports who and where it runs (whoami, hostname, ...)",
        );
    }
    command_signals(ctx, c, &lower, add);
}

/// What a spawned command does: a downloader, a dropper in one line, a
/// web shell, a constant or fetched command, a decoded one.
fn command_signals(
    ctx: &Ctx<'_>,
    c: &python::Call,
    lower: &str,
    add: &mut impl FnMut(Code, Level, &str),
) {
    let runs_downloader = [
        "curl",
        "wget",
        "printenv",
        "-encodedcommand",
        "-enc ",
        "certutil",
        "bitsadmin",
        "mshta",
        "downloadstring",
        "invoke-webrequest",
        "iex",
    ]
    .iter()
    .any(|x| lower.contains(x))
        || SHELL_MARKERS.iter().any(|x| lower.contains(x));
    let fetches = ["curl", "wget", "invoke-webrequest"]
        .iter()
        .any(|x| lower.contains(x));
    if fetches && (lower.contains("chmod +x") || lower.contains("chmod 7")) {
        add(
            Code::DownloadExec,
            Level::Critical,
            "downloads a program, makes it executable and runs it, in one command",
        );
    } else if runs_downloader {
        add(
            Code::DownloadExec,
            Level::High,
            "runs a downloader, an environment dump or encoded PowerShell",
        );
    } else if [
        "request.args",
        "request.form",
        "request.values",
        "request.json",
        "request.get_json",
        "request.data",
    ]
    .iter()
    .any(|r| c.args.contains(r))
    {
        add(
            Code::DownloadExec,
            Level::Critical,
            "runs a command taken from an HTTP request (a web shell)",
        );
    } else if constant_command(ctx, c).is_some_and(|cmd| {
        is_shell_dropper(&cmd) || is_python_c_fetch(&cmd) || is_reverse_shell(&cmd)
    }) {
        add(
            Code::DownloadExec,
            Level::Critical,
            "runs a command kept in a module constant that downloads and runs, or opens a reverse shell",
        );
    } else if runs_what_it_downloaded(ctx, c) {
        add(
            Code::DownloadExec,
            Level::Critical,
            "runs the file the same function has just downloaded",
        );
    } else if fed_by_hidden_data(ctx, c) {
        add(
            Code::DownloadExec,
            Level::Critical,
            "runs a command that was decoded or downloaded",
        );
    }
}

/// A regular expression's character ranges (`0-9A-Za-z` spelled
/// `\x30-\x39\x41-\x5a...`, as wcmatch does): not hidden text.
fn is_char_ranges(value: &str) -> bool {
    let v: Vec<char> = value.chars().collect();
    let ranges = (1..v.len().saturating_sub(1))
        .filter(|&i| v[i] == '-')
        .count();
    ranges > 0 && ranges * 4 >= v.len()
}

/// The message of `exec('literal')`: the code is analysed as its own layer.
const EXEC_LITERAL: &str = "runs code from a string literal";

/// exec/eval/compile: of a literal (analysed as code), or of hidden data.
fn code_signals(ctx: &Ctx<'_>, c: &python::Call, phase: Phase, out: &mut Vec<Finding>) {
    // An f-string that splices in fetched or decoded text is not literal.
    let spliced = interpolated(&c.args).next().is_some() && fed_by_hidden_data(ctx, c);
    if let Some(lit) = c.literal.as_ref().filter(|_| !spliced) {
        // exec('literal'): the code is in plain sight; analyse it instead.
        if ctx.depth() <= decode::MAX_DEPTH {
            let layer = layered(ctx.layer, "exec-literal");
            out.push(ctx.at(
                Code::DynamicCode,
                Level::Medium,
                phase,
                c.line,
                EXEC_LITERAL,
            ));
            analyse_source(
                ctx.path,
                lit.value.as_bytes(),
                phase,
                Some(&layer),
                lit.line.saturating_sub(1) + ctx.line_offset,
                out,
            );
        }
        return;
    }
    if let Some(code) = chr_list_code(ctx, c) {
        out.push(ctx.at(
            Code::EncodedPayload,
            Level::Medium,
            phase,
            c.line,
            "Python code spelled as a list of character codes",
        ));
        out.push(ctx.at(
            Code::DynamicCode,
            Level::High,
            phase,
            c.line,
            "runs code spelled as character codes",
        ));
        if ctx.depth() <= decode::MAX_DEPTH {
            let layer = layered(ctx.layer, "chr-list");
            analyse_source(ctx.path, code.as_bytes(), phase, Some(&layer), 0, out);
        }
        return;
    }
    // (`spliced` already found the hidden data.)
    if spliced || fed_by_hidden_data(ctx, c) {
        if c.span.1.saturating_sub(c.span.0) >= 512 {
            out.push(ctx.at(
                Code::DynamicCode,
                Level::Critical,
                phase,
                c.line,
                "runs a large blob of encoded or encrypted code",
            ));
        } else {
            out.push(ctx.at(
                Code::DynamicCode,
                Level::High,
                phase,
                c.line,
                "runs code decoded, decompressed or downloaded at run time",
            ));
        }
    } else {
        out.push(ctx.at(
            Code::DynamicCode,
            Level::Medium,
            phase,
            c.line,
            "runs code built at run time",
        ));
    }
}

/// `exec("".join(map(chr, [105, 109, ...])))`: the code the list of
/// character codes spells, when it is Python.
fn chr_list_code(ctx: &Ctx<'_>, c: &python::Call) -> Option<String> {
    if !c.args.contains("chr") {
        return None;
    }
    // The argument list may be longer than `args` keeps: read the lines.
    let text = ctx
        .lines
        .iter()
        .skip(c.line.checked_sub(1)?)
        .take(400)
        .copied()
        .collect::<Vec<_>>()
        .join("\n");
    let from = text.find("chr")?;
    let open = from + text[from..].find('[')?;
    let close = open + text[open..].find(']')?;
    let code = text[open + 1..close]
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| n.parse::<u32>().ok().and_then(char::from_u32))
        .collect::<Option<String>>()?;
    (code.len() >= 16 && decode::looks_like_code(code.as_bytes())).then_some(code)
}

/// A media file carrying an encoded payload or code after its data.
fn media_payload(m: &Member, out: &mut Vec<Finding>) {
    // Look for a long run of base64 alphabet, as a carrier would append.
    let data = &m.data;
    let mut start = None;
    for (i, b) in data
        .iter()
        .enumerate()
        .chain(std::iter::once((data.len(), &0u8)))
    {
        let in_alpha =
            i < data.len() && (b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
        match (in_alpha, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s >= 200 {
                    for (chain, inner) in decode::unwrap(&data[s..i]) {
                        // Show up to 16 printable bytes before the payload: carriers put a marker there.
                        let marker_at = data[s.saturating_sub(16)..s]
                            .iter()
                            .rposition(|b| !b.is_ascii_graphic())
                            .map_or(s.saturating_sub(16), |p| s.saturating_sub(16) + p + 1);
                        out.push(finding(
                            Code::MediaPayload,
                            Level::Critical,
                            Phase::Runtime,
                            &m.path,
                            None,
                            Some(&chain),
                            &format!(
                                "byte {s}, after `{}`",
                                String::from_utf8_lossy(&data[marker_at..s])
                            ),
                            "a media file carries encoded Python code",
                        ));
                        analyse_source(
                            &m.path,
                            &inner,
                            Phase::Runtime,
                            Some(&format!("media>{chain}")),
                            0,
                            out,
                        );
                    }
                }
                start = None;
            }
            _ => {}
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

/// In a site-packages folder: start-up hooks and files no RECORD owns.
fn orphans(contents: &Contents, out: &mut Vec<Finding>) {
    if contents.format != Format::Folder {
        return;
    }
    let mut owned: BTreeSet<String> = BTreeSet::new();
    let mut has_record = false;
    for m in contents
        .members
        .iter()
        .filter(|m| m.path.ends_with(".dist-info/RECORD"))
    {
        has_record = true;
        // A RECORD that is not valid UTF-8 CSV owns nothing: its hooks count as orphans.
        let rows = std::str::from_utf8(&m.data)
            .ok()
            .and_then(|t| custody_pypa::record::parse(t).ok());
        owned.extend(rows.into_iter().flatten().map(|e| e.path));
    }
    if !has_record {
        return;
    }
    for m in &contents.members {
        if owned.contains(&m.path)
            || m.path.contains("__pycache__/")
            || m.path.ends_with(".pyc")
            || m.path.contains(".dist-info/")
        {
            continue;
        }
        if is_startup_surface(&m.path) && !m.path.contains('/') {
            out.push(finding(
                Code::OrphanStartupHook,
                Level::Critical,
                Phase::Startup,
                &m.path,
                Some(1),
                None,
                first_code_line(&m.data),
                "a start-up hook that no installed distribution's RECORD lists: an implant",
            ));
        }
    }
}
