//! The pure core: a manifest and some of the package's files in, findings
//! out. Lifecycle commands are followed to the files they run (through
//! `npm run`, `node -e "require('./x')"` and file names in the code, a few
//! hops deep); run code is searched for the pattern words and measured;
//! shipped files are checked for worm names; combinations are derived last.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use serde_json::{Map, Value};

use super::command::{Action, actions, referenced_paths};
use super::patterns::{COMBINATIONS, FILE_IOCS};
use super::report::{Finding, PackageFile, PackageReport, Skipped};
use super::rules::{Code, Phase};
use super::scan::{escape, excerpt, hits, line_of, shape};
use crate::json_lines::KeyLines;
use crate::text::json_error;
use crate::{Error, Location};

/// A run file larger than this is reported (real install scripts are a few
/// KiB; Shai-Hulud's payloads were 3.6 MB and 10 MB).
pub const LARGE_FILE_BYTES: u64 = 1 << 20;
/// `npm run` chains followed this deep.
const MAX_SCRIPT_DEPTH: usize = 4;
/// File-to-file references followed this deep.
const MAX_HOPS: usize = 3;
/// At most this many files of one package are inspected as run code.
pub const MAX_RUN_FILES: usize = 32;

const MANIFEST: &str = "package.json";

/// The analysis, and the paths it would have read but was not given.
pub(crate) struct Outcome {
    pub(crate) report: PackageReport,
    /// Candidate paths named by commands or code and absent from the files.
    pub(crate) missing: BTreeSet<String>,
}

struct Analysis<'a> {
    files: HashMap<&'a str, &'a PackageFile<'a>>,
    scripts: Map<String, Value>,
    deps: BTreeSet<String>,
    dev_deps: BTreeSet<String>,
    keys: KeyLines,
    findings: Vec<Finding>,
    skipped: Vec<Skipped>,
    missing: BTreeSet<String>,
    ran: BTreeSet<String>,
}

/// Inspects a package from its manifest text and files.
pub(crate) fn analyse(
    manifest_path: &Path,
    text: &str,
    files: &[PackageFile<'_>],
) -> Result<Outcome, Error> {
    let doc: Value = serde_json::from_str(text).map_err(|e| json_error(manifest_path, &e))?;
    let Some(obj) = doc.as_object() else {
        return Err(Error::parse(
            manifest_path,
            Location::Line(1),
            "package.json is not a JSON object",
        ));
    };
    let string = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_owned);
    let deps = ["dependencies", "optionalDependencies", "peerDependencies"]
        .iter()
        .filter_map(|k| obj.get(*k).and_then(Value::as_object))
        .flat_map(|m| m.keys().cloned())
        .collect();
    let dev_deps = obj
        .get("devDependencies")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let mut a = Analysis {
        files: files.iter().map(|f| (f.path, f)).collect(),
        scripts: obj
            .get("scripts")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        deps,
        dev_deps,
        keys: KeyLines::new(text),
        findings: Vec::new(),
        skipped: Vec::new(),
        missing: BTreeSet::new(),
        ran: BTreeSet::new(),
    };
    a.lifecycle();
    a.shipped(files);
    a.combinations();
    a.findings.sort_by_key(|f| match f.code {
        Code::LifecycleScript | Code::ImplicitNodeGyp => 0,
        c if COMBINATIONS.iter().any(|r| r.code == c) => 2,
        _ => 1,
    });
    let report = PackageReport {
        dir: manifest_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default(),
        name: string("name"),
        version: string("version"),
        level: a.findings.iter().map(|f| f.level).max(),
        findings: a.findings,
        skipped: a.skipped,
    };
    Ok(Outcome {
        report,
        missing: a.missing,
    })
}

impl Analysis<'_> {
    fn push(
        &mut self,
        code: Code,
        phase: Option<Phase>,
        file: &str,
        line: Option<usize>,
        evidence: String,
        reason: &str,
    ) {
        let dup = self
            .findings
            .iter()
            .any(|f| f.code == code && f.phase == phase && f.file == file);
        if !dup {
            self.findings.push(Finding {
                code,
                level: code.level(),
                phase,
                file: file.to_owned(),
                line,
                evidence,
                reason: reason.to_owned(),
            });
        }
    }

    /// The four lifecycle scripts, and `binding.gyp`'s implied one.
    fn lifecycle(&mut self) {
        for phase in Phase::ALL {
            let Some(cmd) = self.scripts.get(phase.as_str()).and_then(Value::as_str) else {
                continue;
            };
            let cmd = cmd.to_owned();
            let line = self.keys.line(&["scripts", phase.as_str()]);
            let reason = if phase == Phase::Prepare {
                "npm runs it when installing from git or a local folder"
            } else {
                "npm runs it when the package is installed"
            };
            self.push(
                Code::LifecycleScript,
                Some(phase),
                MANIFEST,
                line,
                escape(&cmd),
                reason,
            );
            self.command(phase, &cmd, line, 0);
        }
        let scripted = |k: &str| self.scripts.contains_key(k);
        if self.files.contains_key("binding.gyp") && !scripted("install") && !scripted("preinstall")
        {
            self.push(
                Code::ImplicitNodeGyp,
                Some(Phase::Install),
                "binding.gyp",
                None,
                "node-gyp rebuild".into(),
                "npm builds the native addon with node-gyp when installing",
            );
        }
    }

    /// A command line of `phase`: its own words, then what it runs.
    fn command(&mut self, phase: Phase, cmd: &str, line: Option<usize>, depth: usize) {
        self.text(phase, MANIFEST, cmd.as_bytes(), line);
        for action in actions(cmd) {
            match action {
                Action::RunFile(path) => self.run_file(phase, "", &path, 0, true),
                Action::Inline(code) => {
                    for r in referenced_paths(&code) {
                        self.run_file(phase, "", &r, 1, false);
                    }
                }
                Action::Npx(spec) => {
                    let name = super::npx_name(&spec);
                    // `prepare` runs with devDependencies installed.
                    let dev = phase == Phase::Prepare && self.dev_deps.contains(name);
                    if !self.deps.contains(name) && !dev {
                        self.push(
                            Code::FetchExec,
                            Some(phase),
                            MANIFEST,
                            line,
                            escape(&format!("npx {spec}")),
                            "runs a package that is not a dependency: npx downloads it at install time",
                        );
                    }
                }
                Action::Script(name) => {
                    let next = self
                        .scripts
                        .get(&name)
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    if let Some(next) = next.filter(|_| depth < MAX_SCRIPT_DEPTH) {
                        let line = self.keys.line(&["scripts", &name]);
                        self.command(phase, &next, line, depth + 1);
                    }
                }
            }
        }
    }

    /// Pattern words in run code (`line` overrides the match's own line,
    /// for a command inside package.json).
    fn text(&mut self, phase: Phase, file: &str, bytes: &[u8], line: Option<usize>) {
        for h in hits(bytes, true) {
            let at = line.or_else(|| Some(line_of(bytes, h.start)));
            let evidence = excerpt(bytes, h.start, h.end);
            self.push(
                h.pattern.code,
                Some(phase),
                file,
                at,
                evidence,
                h.pattern.reason,
            );
        }
    }

    /// A file a command or code runs, named `reference` from folder `base`.
    fn run_file(&mut self, phase: Phase, base: &str, reference: &str, hop: usize, direct: bool) {
        let Some(candidates) = candidates(base, reference) else {
            if direct {
                self.skip(reference, "outside the package: not read");
            }
            return;
        };
        let Some(path) = candidates
            .iter()
            .find(|c| self.files.contains_key(c.as_str()))
            .cloned()
        else {
            self.missing.extend(candidates);
            if direct {
                self.skip(
                    reference,
                    "run by a lifecycle script but not in the package",
                );
            }
            return;
        };
        if !self.ran.insert(path.clone()) {
            return;
        }
        if self.ran.len() > MAX_RUN_FILES {
            self.skip(
                &path,
                &format!("more than {MAX_RUN_FILES} run files: not inspected"),
            );
            return;
        }
        let file = self.files[path.as_str()];
        let Some(content) = file.content else {
            self.missing.insert(path.clone());
            self.skip(&path, "run at install time but its content was not given");
            return;
        };
        self.measure(phase, &path, file.size, content);
        self.text(phase, &path, content, None);
        if hop < MAX_HOPS {
            let dir = path.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
            for r in referenced_paths(&String::from_utf8_lossy(content)) {
                self.run_file(phase, &dir, &r, hop + 1, false);
            }
        }
    }

    /// Size and shape of a run file.
    fn measure(&mut self, phase: Phase, path: &str, size: u64, content: &[u8]) {
        if (content.len() as u64) < size {
            let read = content.len();
            self.skip(path, &format!("read the first {read} of {size} bytes"));
        }
        if size > LARGE_FILE_BYTES {
            let why = "install scripts are a few KiB; Shai-Hulud's payloads were 3.6 MB and 10 MB";
            self.push(
                Code::LargeFile,
                Some(phase),
                path,
                None,
                format!("{size} bytes"),
                why,
            );
        }
        if let Some((start, end, what)) = shape(content) {
            let evidence = format!(
                "{what}: {}",
                excerpt(content, start, end.min(content.len()))
            );
            let line = Some(line_of(content, start));
            let why =
                "install scripts are written to be read; payloads are packed to hide what they do";
            self.push(Code::Obfuscated, Some(phase), path, line, evidence, why);
        }
    }

    fn skip(&mut self, file: &str, reason: &str) {
        let s = Skipped {
            file: file.to_owned(),
            reason: reason.to_owned(),
        };
        if !self.skipped.contains(&s) {
            self.skipped.push(s);
        }
    }

    /// Worm files by name, and worm names in shipped files not run.
    fn shipped(&mut self, files: &[PackageFile<'_>]) {
        let mut sorted: Vec<&PackageFile<'_>> = files.iter().collect();
        sorted.sort_by_key(|f| f.path);
        for f in sorted {
            if let Some(ioc) = FILE_IOCS.iter().find(|i| i.path == f.path) {
                self.push(
                    Code::KnownWorm,
                    None,
                    f.path,
                    None,
                    escape(f.path),
                    ioc.reason,
                );
            }
            if self.ran.contains(f.path) || f.path == MANIFEST {
                continue;
            }
            for h in f.content.map(|c| hits(c, false)).unwrap_or_default() {
                let c = f.content.unwrap_or_default();
                let (line, evidence) = (Some(line_of(c, h.start)), excerpt(c, h.start, h.end));
                self.push(
                    Code::KnownWorm,
                    None,
                    f.path,
                    line,
                    evidence,
                    h.pattern.reason,
                );
            }
        }
    }

    /// The combination rows over the signals found in run code.
    fn combinations(&mut self) {
        let signals: BTreeSet<Code> = self
            .findings
            .iter()
            .filter(|f| f.phase.is_some())
            .map(|f| f.code)
            .collect();
        for row in COMBINATIONS {
            let all = row.all.iter().all(|c| signals.contains(c));
            let any = row.any.is_empty() || row.any.iter().any(|c| signals.contains(c));
            if !(all && any) {
                continue;
            }
            let parts: Vec<&Finding> = row
                .all
                .iter()
                .chain(row.any)
                .filter_map(|c| {
                    self.findings
                        .iter()
                        .find(|f| f.code == *c && f.phase.is_some())
                })
                .collect();
            let evidence = parts
                .iter()
                .map(|f| {
                    format!(
                        "{} {}:{}",
                        f.code,
                        f.file,
                        f.line.map_or("-".into(), |l| l.to_string())
                    )
                })
                .collect::<Vec<_>>()
                .join(" + ");
            let first = parts[0];
            let (phase, file, line) = (first.phase, first.file.clone(), first.line);
            self.push(row.code, phase, &file, line, evidence, row.reason);
        }
    }
}

/// The paths `reference` may name from folder `base` (as given, then with
/// `.js`, `.cjs`, `.mjs`, `/index.js` as Node.js resolves them); `None`
/// when it leaves the package.
fn candidates(base: &str, reference: &str) -> Option<Vec<String>> {
    if reference.starts_with('/') || reference.contains('\\') {
        return None;
    }
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for seg in reference.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let path = parts.join("/");
    if path.is_empty() {
        return None;
    }
    Some(vec![
        path.clone(),
        format!("{path}.js"),
        format!("{path}.cjs"),
        format!("{path}.mjs"),
        format!("{path}/index.js"),
    ])
}
