//! The finding codes, one row each: code, level, one-line summary. The
//! rules table of `docs/npm-scripts.md` is checked against [`RULES`].

use std::fmt;

use serde::Serialize;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Install-time code exists: legitimate and common (esbuild, node-gyp).
    Info,
    /// One signal a payload would show; legitimate packages rarely do.
    Suspicious,
    /// A combination of signals, or a known worm's file or name.
    Malicious,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Info => "info",
            Self::Suspicious => "suspicious",
            Self::Malicious => "malicious",
        })
    }
}

/// The lifecycle script that runs the code a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// `preinstall`: before the package's dependencies are installed.
    Preinstall,
    /// `install` (or the implied `node-gyp rebuild` of a `binding.gyp`).
    Install,
    /// `postinstall`.
    Postinstall,
    /// `prepare`: npm runs it for git and local folder dependencies (and the
    /// root project), not for registry tarballs.
    Prepare,
}

impl Phase {
    /// Every phase, in the order npm runs them.
    pub const ALL: [Phase; 4] = [
        Self::Preinstall,
        Self::Install,
        Self::Postinstall,
        Self::Prepare,
    ];

    /// The `scripts` key.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Preinstall => "preinstall",
            Self::Install => "install",
            Self::Postinstall => "postinstall",
            Self::Prepare => "prepare",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A finding's stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// A lifecycle script is declared.
    LifecycleScript,
    /// A `binding.gyp` implies `node-gyp rebuild` as `install`.
    ImplicitNodeGyp,
    /// Install-time code downloads and runs code.
    FetchExec,
    /// Install-time code runs a very large file.
    LargeFile,
    /// Install-time code runs a minified or obfuscated file.
    Obfuscated,
    /// Install-time code names credential places.
    Credentials,
    /// Install-time code names a way out for data.
    Exfiltration,
    /// Install-time code writes CI, editor, agent or shell start-up config.
    Persistence,
    /// Install-time code runs AI CLIs with their permission checks off.
    AiAgentAbuse,
    /// Credentials and a way out, both at install time.
    StealAndSend,
    /// AI CLIs without permission checks, with credentials or a way out.
    AiSecretHunt,
    /// Code fetched and a large or obfuscated file run.
    Dropper,
    /// Config written for persistence, with credentials or a way out.
    PersistentStealer,
    /// A known worm's file or name.
    KnownWorm,
}

/// One rule: its code, level and summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The code findings carry.
    pub code: Code,
    /// Their level.
    pub level: Level,
    /// One line saying what the rule reports.
    pub summary: &'static str,
}

/// Every rule, one row each.
pub const RULES: &[Rule] = &[
    rule(
        Code::LifecycleScript,
        Level::Info,
        "a preinstall, install, postinstall or prepare script is declared",
    ),
    rule(
        Code::ImplicitNodeGyp,
        Level::Info,
        "a binding.gyp without an install script: npm runs `node-gyp rebuild` as install",
    ),
    rule(
        Code::FetchExec,
        Level::Suspicious,
        "install-time code downloads and runs code (curl piped to sh, wget, the Bun installer, npx of an undeclared package)",
    ),
    rule(
        Code::LargeFile,
        Level::Suspicious,
        "install-time code runs a file larger than 1 MiB",
    ),
    rule(
        Code::Obfuscated,
        Level::Suspicious,
        "install-time code runs a minified or obfuscated file (very long lines, `_0x` names, hex escapes)",
    ),
    rule(
        Code::Credentials,
        Level::Suspicious,
        "install-time code names credential places (.npmrc, NPM_TOKEN, GITHUB_TOKEN, ~/.aws, ~/.ssh, cloud metadata, TruffleHog)",
    ),
    rule(
        Code::Exfiltration,
        Level::Suspicious,
        "install-time code names a way out for data (webhook.site, a repository created, an HTTP upload)",
    ),
    rule(
        Code::Persistence,
        Level::Suspicious,
        "install-time code writes CI, editor, agent or shell start-up config (.github/workflows/, .vscode/tasks.json, .claude/settings.json, ~/.bashrc)",
    ),
    rule(
        Code::AiAgentAbuse,
        Level::Suspicious,
        "install-time code runs AI CLIs with permission checks off (--dangerously-skip-permissions, --yolo, --trust-all-tools)",
    ),
    rule(
        Code::StealAndSend,
        Level::Malicious,
        "install-time code names credential places and a way out",
    ),
    rule(
        Code::AiSecretHunt,
        Level::Malicious,
        "install-time code runs AI CLIs without permission checks and names credentials, a way out or persistence",
    ),
    rule(
        Code::Dropper,
        Level::Malicious,
        "install-time code downloads a runtime or code and runs a large or obfuscated file",
    ),
    rule(
        Code::PersistentStealer,
        Level::Malicious,
        "install-time code writes persistence config and names credentials or a way out",
    ),
    rule(
        Code::KnownWorm,
        Level::Malicious,
        "a file or name of a known npm worm (Shai-Hulud 1 and 2, s1ngularity)",
    ),
];

const fn rule(code: Code, level: Level, summary: &'static str) -> Rule {
    Rule {
        code,
        level,
        summary,
    }
}

impl Code {
    /// The rule of this code.
    pub fn rule(self) -> &'static Rule {
        // Every code has exactly one row (tested).
        RULES.iter().find(|r| r.code == self).unwrap_or(&RULES[0])
    }

    /// The level of findings with this code.
    pub fn level(self) -> Level {
        self.rule().level
    }

    /// The stable kebab-case name (`steal-and-send`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LifecycleScript => "lifecycle-script",
            Self::ImplicitNodeGyp => "implicit-node-gyp",
            Self::FetchExec => "fetch-exec",
            Self::LargeFile => "large-file",
            Self::Obfuscated => "obfuscated",
            Self::Credentials => "credentials",
            Self::Exfiltration => "exfiltration",
            Self::Persistence => "persistence",
            Self::AiAgentAbuse => "ai-agent-abuse",
            Self::StealAndSend => "steal-and-send",
            Self::AiSecretHunt => "ai-secret-hunt",
            Self::Dropper => "dropper",
            Self::PersistentStealer => "persistent-stealer",
            Self::KnownWorm => "known-worm",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_one_row_and_serialises_as_its_name() {
        for r in RULES {
            assert_eq!(RULES.iter().filter(|o| o.code == r.code).count(), 1);
            assert_eq!(r.code.rule().code, r.code);
            assert_eq!(
                serde_json::to_value(r.code).unwrap(),
                serde_json::Value::String(r.code.as_str().into())
            );
        }
        assert_eq!(RULES.len(), 14);
    }
}
