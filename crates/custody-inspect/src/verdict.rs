//! Verdicts: the combination rules that turn a package's findings into
//! `malicious`, `suspicious` or `clean`, per file before run time, per
//! function whenever it runs, and for the package as a whole. The rules
//! are tables, read top to bottom; `docs/inspect.md` lists them in words.

use crate::code::Code;
use std::collections::{BTreeMap, BTreeSet};

use crate::paths::{NOT_SHIPPED_DIRS, basename};
use crate::report::{Finding, Level, Phase, Verdict};
use crate::rules::markers::{CURL_IN_TEXT, ESCAPED_TEXT};

/// A per-file verdict rule: every `all` finding, and one of `any` when
/// `any` is not empty, in one file before run time.
struct Rule {
    all: &'static [(Code, Level)],
    any: &'static [(Code, Level)],
    why: &'static str,
}

impl Rule {
    /// Whether the rule holds, given which findings (code, minimum level)
    /// the file or function has.
    fn holds(&self, has: impl Fn(Code, Level) -> bool) -> bool {
        self.all.iter().all(|(c, l)| has(*c, *l))
            && (self.any.is_empty() || self.any.iter().any(|(c, l)| has(*c, *l)))
    }
}

/// The combination rules that need nothing but findings of one file.
const RULES: &[Rule] = &[
    Rule {
        all: &[(Code::DropBox, Level::High)],
        any: &[
            (Code::NetworkEgress, Level::Medium),
            (Code::ProcessSpawn, Level::Medium),
            (Code::HostRecon, Level::Medium),
        ],
        why: "reports to a known drop box before any function is called",
    },
    Rule {
        all: &[(Code::ShellPayload, Level::High)],
        any: &[
            (Code::ProcessSpawn, Level::Medium),
            (Code::DynamicCode, Level::Medium),
        ],
        why: "runs a shell downloader or reverse shell before any function is called",
    },
    Rule {
        all: &[(Code::Obfuscation, Level::High)],
        any: &[
            (Code::ProcessSpawn, Level::Medium),
            (Code::NetworkEgress, Level::Medium),
            (Code::DynamicCode, Level::Medium),
        ],
        why: "obfuscated code that runs programs or code before any function is called",
    },
    Rule {
        all: &[(Code::DynamicCode, Level::Critical)],
        any: &[],
        why: "runs a large encoded or encrypted blob at install, start-up or import",
    },
    Rule {
        all: &[(Code::HiddenCode, Level::High)],
        any: &[
            (Code::DynamicCode, Level::Medium),
            (Code::ProcessSpawn, Level::Medium),
            (Code::NetworkEgress, Level::Medium),
        ],
        why: "code hidden off-screen that runs code, programs or the network",
    },
    Rule {
        all: &[(Code::DynamicCode, Level::High)],
        any: &[
            (Code::EncodedPayload, Level::Medium),
            (Code::NetworkEgress, Level::Medium),
        ],
        why: "runs hidden (encoded or downloaded) code at install, start-up or import",
    },
    Rule {
        all: &[
            (Code::DynamicCode, Level::Medium),
            (Code::EncodedPayload, Level::Medium),
        ],
        any: &[],
        why: "runs code next to an encoded payload at install, start-up or import",
    },
    Rule {
        all: &[
            (Code::ProcessSpawn, Level::High),
            (Code::EncodedPayload, Level::Medium),
        ],
        any: &[],
        why: "writes a decoded payload and starts it",
    },
    Rule {
        all: &[
            (Code::NetworkEgress, Level::Medium),
            (Code::MakeExecutable, Level::Medium),
            (Code::ProcessSpawn, Level::Medium),
        ],
        any: &[],
        why: "downloads a binary, makes it executable and runs it",
    },
    Rule {
        all: &[
            (Code::Persistence, Level::High),
            (Code::MakeExecutable, Level::Medium),
            (Code::ProcessSpawn, Level::Medium),
        ],
        any: &[],
        why: "makes a program executable, registers it to survive restarts and starts it",
    },
    Rule {
        all: &[(Code::PthExec, Level::High)],
        any: &[
            (Code::DynamicCode, Level::High),
            (Code::NetworkEgress, Level::Medium),
        ],
        why: "a .pth start-up hook that runs hidden or networked code",
    },
    Rule {
        all: &[
            (Code::ShellRedirect, Level::High),
            (Code::NetworkEgress, Level::Medium),
        ],
        any: &[],
        why: "connects out and hands the connection a shell (reverse shell)",
    },
    Rule {
        all: &[(Code::DownloadExec, Level::High)],
        any: &[],
        why: "runs a downloader or encoded PowerShell before any function is called",
    },
    Rule {
        all: &[
            (Code::PayloadUrl, Level::High),
            (Code::NetworkEgress, Level::Medium),
        ],
        any: &[],
        why: "talks to a raw public IP address before any function is called",
    },
    Rule {
        all: &[
            (Code::PayloadUrl, Level::Medium),
            (Code::ProcessSpawn, Level::Medium),
        ],
        any: &[],
        why: "names a program on a throwaway host and starts a program before any function is called",
    },
    Rule {
        all: &[(Code::PrivilegedPod, Level::High)],
        any: &[
            (Code::NetworkEgress, Level::Medium),
            (Code::ProcessSpawn, Level::Medium),
            (Code::SecretAccess, Level::High),
        ],
        why: "creates a privileged pod (a foothold on the cluster's nodes) before any function is called",
    },
    Rule {
        all: &[(Code::HostRecon, Level::High)],
        any: &[],
        why: "runs a reconnaissance command (whoami, hostname, ...) before any function is called",
    },
    Rule {
        all: &[(Code::NetworkEgress, Level::High)],
        any: &[],
        why: "beacons by DNS before any function is called",
    },
];

/// Rules for one function, whenever it runs: combinations no library
/// function has, so run time is no excuse.
const FUNCTION_RULES: &[Rule] = &[
    Rule {
        all: &[
            (Code::NetworkEgress, Level::Medium),
            (Code::DynamicCode, Level::Medium),
        ],
        any: &[],
        why: "one function fetches from the network and runs code",
    },
    Rule {
        all: &[
            (Code::NetworkEgress, Level::Medium),
            (Code::ProcessSpawn, Level::High),
        ],
        any: &[],
        why: "one function downloads and starts a program",
    },
    Rule {
        all: &[
            (Code::SecretAccess, Level::High),
            (Code::NetworkEgress, Level::Medium),
        ],
        any: &[],
        why: "one function reads secrets and sends",
    },
    Rule {
        all: &[
            (Code::DropBox, Level::High),
            (Code::NetworkEgress, Level::Medium),
        ],
        any: &[
            (Code::SecretAccess, Level::Medium),
            (Code::HostRecon, Level::Medium),
            (Code::EnvDump, Level::Medium),
        ],
        why: "one function collects the host's or user's data and sends it to a chat webhook or paste site",
    },
    Rule {
        all: &[
            (Code::NetworkEgress, Level::Medium),
            (Code::MakeExecutable, Level::Medium),
            (Code::ProcessSpawn, Level::Medium),
        ],
        any: &[],
        why: "one function downloads, makes a file executable and runs it",
    },
    Rule {
        all: &[(Code::DownloadExec, Level::Critical)],
        any: &[],
        why: "one function runs a command it decoded or downloaded",
    },
    Rule {
        all: &[
            (Code::ShellPayload, Level::High),
            (Code::ProcessSpawn, Level::Medium),
        ],
        any: &[
            (Code::DropBox, Level::High),
            (Code::PayloadUrl, Level::Medium),
        ],
        why: "one function runs a shell dropper fetching from a paste site or throwaway host",
    },
    Rule {
        all: &[
            (Code::DropBox, Level::High),
            (Code::NetworkEgress, Level::Medium),
            (Code::ProcessSpawn, Level::Medium),
        ],
        any: &[],
        why: "one function fetches from a paste site or chat drop box and starts a program",
    },
    Rule {
        all: &[
            (Code::ShellPayload, Level::Critical),
            (Code::ProcessSpawn, Level::Medium),
        ],
        any: &[],
        why: "one function starts a program next to a shell dropper it hid in an encoding",
    },
    Rule {
        all: &[
            (Code::DynamicCode, Level::Medium),
            (Code::EncodedPayload, Level::Medium),
        ],
        any: &[],
        why: "one function runs code next to a payload it decodes",
    },
    Rule {
        all: &[
            (Code::EnvDump, Level::High),
            (Code::NetworkEgress, Level::Medium),
        ],
        any: &[],
        why: "one function sends the environment out",
    },
    Rule {
        all: &[
            (Code::Persistence, Level::High),
            (Code::NetworkEgress, Level::Medium),
            (Code::ProcessSpawn, Level::Medium),
        ],
        any: &[],
        why: "one function downloads, runs a program and makes something survive a restart or hijack a tool",
    },
];

/// Rules over one module as a whole, whenever its code runs: a stealer
/// often collects in one method and sends in another.
const MODULE_RULES: &[Rule] = &[Rule {
    all: &[
        (Code::DropBox, Level::High),
        (Code::NetworkEgress, Level::Medium),
    ],
    any: &[
        (Code::SecretAccess, Level::High),
        (Code::EnvDump, Level::Medium),
        (Code::HostRecon, Level::Medium),
    ],
    why: "one module reads credential stores and talks to a chat webhook or paste site",
}];

/// Whether a file is a test or sits in a folder a user's `import` never runs.
fn in_tests(path: &str) -> bool {
    path.split('/')
        .any(|c| NOT_SHIPPED_DIRS.contains(&c) || c.starts_with("test_"))
}

fn function_rules(findings: &[Finding]) -> Vec<String> {
    // Tests exercise clients against fake hosts and secrets; a cloud
    // metadata endpoint or a pod's service-account token is where SDKs get
    // their credentials.
    let counted = |f: &&Finding| {
        let in_tests = in_tests(&f.path);
        let metadata = f.code == Code::SecretAccess
            && (f.message.contains("169.254.") || f.message.contains("kubernetes.io"));
        !in_tests && !metadata
    };
    let mut by_function: BTreeMap<(&str, &str), Vec<&Finding>> = BTreeMap::new();
    for f in findings.iter().filter(counted) {
        if let Some(func) = f.function.as_deref() {
            by_function.entry((&f.path, func)).or_default().push(f);
        }
    }
    let by_path = by_path(findings.iter().filter(counted));
    let mut out: Vec<String> = Vec::new();
    for ((path, func), here) in &by_function {
        let has = |code: Code, min: Level| holds(here, code, min);
        apply(FUNCTION_RULES, has, path, Some(func), &mut out);
    }
    for (path, here) in &by_path {
        let has = |code: Code, min: Level| holds(here, code, min);
        apply(MODULE_RULES, has, path, None, &mut out);
    }
    out
}

/// Findings grouped by file, in path order.
fn by_path<'f>(findings: impl Iterator<Item = &'f Finding>) -> BTreeMap<&'f str, Vec<&'f Finding>> {
    let mut out: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        out.entry(f.path.as_str()).or_default().push(f);
    }
    out
}

/// Whether one of `here` has `code` at `min` or above.
fn holds(here: &[&Finding], code: Code, min: Level) -> bool {
    here.iter().any(|f| f.code == code && f.level >= min)
}

/// Adds each rule that holds for one function (or, without `func`, one
/// module) of `path`, once per rule over the package.
fn apply(
    rules: &[Rule],
    has: impl Fn(Code, Level) -> bool,
    path: &str,
    func: Option<&str>,
    out: &mut Vec<String>,
) {
    for rule in rules {
        if rule.holds(&has) && !out.iter().any(|m| m.starts_with(rule.why)) {
            out.push(match func {
                Some(func) => format!("{} ({path}, {func})", rule.why),
                None => format!("{} ({path})", rule.why),
            });
        }
    }
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

/// Verdict rules, in order. Phases before run time count; run-time-only
/// behaviour is what libraries legitimately do.
#[expect(
    clippy::too_many_lines,
    reason = "a flat list of rules, read top to bottom; to be split into rule tables"
)]
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
    // Behaviour combines within one file (its decoded layers included): a
    // big SDK with a credential path in one module and an HTTP client in
    // another is not an exfiltration.
    let mut malicious = Vec::new();
    for (path, here) in &by_path(early.iter().copied()) {
        let path = *path;
        let has = |code: Code, min: Level| holds(here, code, min);
        let mut say = |why: &str| {
            if !malicious.iter().any(|m: &String| m.starts_with(why)) {
                malicious.push(format!("{why} ({path})"));
            }
        };
        let at_install = here.iter().any(|f| f.phase == Phase::Install);
        if (has(Code::SecretAccess, Level::High)
            && (has(Code::NetworkEgress, Level::Medium)
                || has(Code::ProcessSpawn, Level::High)
                || (at_install && has(Code::ProcessSpawn, Level::Medium))))
            || (has(Code::EnvDump, Level::High) && has(Code::NetworkEgress, Level::Medium))
        {
            say("reads secrets and sends or runs something before any function is called");
        }
        if at_install
            && has(Code::EncodedPayload, Level::Medium)
            && has(Code::ProcessSpawn, Level::Medium)
        {
            say("decodes a hidden payload and starts a program while being installed");
        }
        for rule in RULES {
            if rule.holds(has) {
                say(rule.why);
            }
        }
        // Both in one function (or both at top level): a download and a
        // build step in two helpers of a setup.py are not a dropper.
        let together = |a: Code, b: Code| {
            let in_a: BTreeSet<Option<&str>> = here
                .iter()
                .filter(|f| f.code == a && f.level >= Level::Medium)
                .map(|f| f.function.as_deref())
                .collect();
            !in_a.is_empty()
                && here.iter().any(|g| {
                    g.code == b && g.level >= Level::Medium && in_a.contains(&g.function.as_deref())
                })
        };
        // The identity read where the connection is made, or gathered by a
        // function of a file that connects (`detect()` collects, `send()`
        // posts); platform facts kept at the top of a build script beside a
        // download helper are not a beacon.
        let gathered = here
            .iter()
            .any(|f| f.code == Code::HostRecon && f.level >= Level::Medium && f.function.is_some());
        if together(Code::HostRecon, Code::NetworkEgress)
            || (gathered && has(Code::NetworkEgress, Level::Medium))
        {
            say("sends the host's or user's identity out before any function is called");
        }
        if together(Code::NetworkEgress, Code::ProcessSpawn) {
            if at_install {
                say("calls out and runs a program while being installed");
            } else {
                say("calls out and runs a program when imported");
            }
        }
        if has(Code::RecordMismatch, Level::High)
            && early.iter().any(|f| {
                f.path == path && f.code != Code::RecordMismatch && f.level >= Level::Medium
            })
        {
            say("a file changed after install, and what it does acts before run time");
        }
        if has(Code::Persistence, Level::Medium)
            && (has(Code::NetworkEgress, Level::Medium) || has(Code::DynamicCode, Level::High))
        {
            say("installs persistence for code it fetches or hides");
        }
        if at_install
            && has(Code::Persistence, Level::Medium)
            && has(Code::ProcessSpawn, Level::Medium)
        {
            say("plants persistence or hijacks a tool and starts a program while being installed");
        }
    }
    // Obfuscation that stands for itself: a setup.py spelled in escapes, or
    // a module with code pushed off-screen on several lines and hidden text.
    let count = |path: &str, code: Code| {
        findings
            .iter()
            .filter(|f| f.path == path && f.code == code)
            .count()
    };
    let paths: BTreeSet<&str> = findings
        .iter()
        .filter(|f| f.code == Code::Obfuscation || f.code == Code::HiddenCode)
        .map(|f| f.path.as_str())
        .collect();
    for path in paths {
        let obfuscated = count(path, Code::Obfuscation);
        // Imports, builtins or code hidden three times over (escaped text
        // aside), in code that runs before any function is called.
        let tricks = findings
            .iter()
            .filter(|f| {
                f.path == path
                    && f.code == Code::Obfuscation
                    && f.phase != Phase::Runtime
                    && f.message != ESCAPED_TEXT
            })
            .count();
        if basename(path) == "setup.py" && obfuscated >= 3 {
            malicious.push(format!("setup.py is obfuscated, and pip runs it ({path})"));
        } else if tricks >= 3 {
            malicious.push(format!(
                "hides what it imports or calls in three or more places, before any function is called ({path})"
            ));
        } else if obfuscated >= 1 && count(path, Code::HiddenCode) >= 3 {
            malicious.push(format!(
                "heavily obfuscated code with parts hidden off-screen ({path})"
            ));
        }
    }
    for f in findings
        .iter()
        .filter(|f| f.code == Code::OrphanStartupHook)
    {
        malicious.push(format!(
            "a start-up hook no distribution owns (an implant) ({})",
            f.path
        ));
    }
    if any(Code::MediaPayload)
        && findings
            .iter()
            .any(|f| f.code == Code::DynamicCode && f.level >= Level::High)
    {
        malicious.push("code hidden in a media file and run".to_owned());
    }
    // A chat webhook with its token, and code that sends: a stealer, even
    // when the sending waits for a function call.
    // A program fetched from a throwaway host and started, whenever it runs.
    let payloads: BTreeSet<&str> = findings
        .iter()
        .filter(|f| f.code == Code::PayloadUrl)
        .map(|f| f.path.as_str())
        .collect();
    for path in payloads {
        let has_any = |code: Code| {
            findings
                .iter()
                .any(|f| f.path == path && f.code == code && f.level >= Level::Medium)
        };
        if has_any(Code::NetworkEgress) && has_any(Code::ProcessSpawn) {
            malicious.push(format!(
                "downloads from a throwaway host and starts a program ({path})"
            ));
        }
    }
    // Likewise a request bin or interaction catcher (outside tests: a
    // tunnel client's tests talk to its tunnels).
    let tokens: BTreeSet<&str> = findings
        .iter()
        .filter(|f| f.code == Code::DropBox && f.level == Level::Critical)
        .filter(|f| !in_tests(&f.path))
        .map(|f| f.path.as_str())
        .collect();
    for path in tokens {
        if findings
            .iter()
            .any(|f| f.path == path && f.code == Code::NetworkEgress && f.level >= Level::Medium)
        {
            malicious.push(format!(
                "sends to a drop box it names (a chat webhook with its token, or a request bin) ({path})"
            ));
        }
    }
    malicious.extend(function_rules(findings));
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
                && ACTING_CODES.iter().any(|c| g.code == *c)
                && g.message != CURL_IN_TEXT
        })
    };
    let suspicious: Vec<String> = early
        .iter()
        .filter(|f| {
            (f.level >= Level::High
                && (f.level >= Level::Critical
                    || !NAMING_CODES.iter().any(|c| f.code == *c)
                    || acts(&f.path)))
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
