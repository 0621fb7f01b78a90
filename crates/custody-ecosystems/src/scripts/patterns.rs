//! What the rules look for, as data: the words searched in install-time
//! code, the file names of known worms, and the combinations that make a
//! package malicious. Each row carries its reason. Sources: public reporting
//! on Shai-Hulud (September 2025), "Sha1-Hulud: The Second Coming"
//! (November 2025), the nx/s1ngularity compromise (August 2025) and "Mini
//! Shai-Hulud" (May 2026).

use super::rules::Code;

/// Where a word counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Only in code a lifecycle script runs (and the script's command).
    Run,
    /// Also in the package's shipped CI and config files (worm names).
    Shipped,
}

/// A word searched in text, ASCII case-insensitively. A word that starts
/// (ends) with a letter, digit or `_` must not be preceded (followed) by
/// one, so `curl ` does not match in `curly`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pattern {
    pub(crate) code: Code,
    pub(crate) word: &'static str,
    pub(crate) scope: Scope,
    pub(crate) reason: &'static str,
}

const fn run(code: Code, word: &'static str, reason: &'static str) -> Pattern {
    Pattern {
        code,
        word,
        scope: Scope::Run,
        reason,
    }
}

const fn shipped(word: &'static str, reason: &'static str) -> Pattern {
    Pattern {
        code: Code::KnownWorm,
        word,
        scope: Scope::Shipped,
        reason,
    }
}

/// The words, by code.
pub(crate) const PATTERNS: &[Pattern] = &[
    // Downloading and running code.
    run(Code::FetchExec, "| sh", "pipes a download into a shell"),
    run(Code::FetchExec, "|sh", "pipes a download into a shell"),
    run(Code::FetchExec, "| bash", "pipes a download into a shell"),
    run(Code::FetchExec, "|bash", "pipes a download into a shell"),
    run(Code::FetchExec, "wget", "downloads with wget"),
    run(Code::FetchExec, "curl -", "downloads with curl"),
    run(Code::FetchExec, "curl http", "downloads with curl"),
    run(
        Code::FetchExec,
        "bun.sh/install",
        "installs the Bun runtime (Shai-Hulud 2's setup_bun.js)",
    ),
    run(
        Code::FetchExec,
        "bun.com/install",
        "installs the Bun runtime",
    ),
    run(
        Code::FetchExec,
        "oven-sh/bun/releases",
        "downloads the Bun runtime",
    ),
    run(
        Code::FetchExec,
        "Invoke-Expression",
        "runs downloaded PowerShell",
    ),
    run(
        Code::FetchExec,
        "irm ",
        "downloads and runs PowerShell (irm | iex)",
    ),
    // Credential places.
    run(
        Code::Credentials,
        ".npmrc",
        "npm's config, where publish tokens live",
    ),
    run(Code::Credentials, "NPM_TOKEN", "an npm publish token"),
    run(
        Code::Credentials,
        "NODE_AUTH_TOKEN",
        "an npm publish token (setup-node)",
    ),
    run(Code::Credentials, "GITHUB_TOKEN", "a GitHub token"),
    run(Code::Credentials, "GH_TOKEN", "a GitHub token"),
    run(Code::Credentials, "gho_", "a GitHub OAuth token prefix"),
    run(Code::Credentials, "ghp_", "a GitHub personal token prefix"),
    run(Code::Credentials, ".aws/credentials", "AWS credentials"),
    run(
        Code::Credentials,
        "AWS_SECRET_ACCESS_KEY",
        "AWS credentials",
    ),
    run(Code::Credentials, ".ssh/", "SSH keys"),
    run(Code::Credentials, "id_rsa", "an SSH key"),
    run(
        Code::Credentials,
        "169.254.169.254",
        "the cloud metadata endpoint (instance credentials)",
    ),
    run(
        Code::Credentials,
        "169.254.170.2",
        "the ECS credentials endpoint",
    ),
    run(
        Code::Credentials,
        "metadata.google.internal",
        "the GCP metadata endpoint",
    ),
    run(
        Code::Credentials,
        "GOOGLE_APPLICATION_CREDENTIALS",
        "GCP credentials",
    ),
    run(Code::Credentials, ".config/gcloud", "GCP credentials"),
    run(Code::Credentials, ".azure/", "Azure credentials"),
    run(Code::Credentials, ".kube/config", "Kubernetes credentials"),
    run(Code::Credentials, ".git-credentials", "git credentials"),
    run(
        Code::Credentials,
        "trufflehog",
        "a secret scanner (Shai-Hulud runs TruffleHog)",
    ),
    run(
        Code::Credentials,
        "JSON.stringify(process.env)",
        "the whole environment",
    ),
    // Ways out.
    run(
        Code::Exfiltration,
        "webhook.site",
        "a request collector (Shai-Hulud 1 sends there)",
    ),
    run(
        Code::Exfiltration,
        "/user/repos",
        "creates a GitHub repository (worms publish stolen data in one)",
    ),
    run(
        Code::Exfiltration,
        "gh repo create",
        "creates a GitHub repository",
    ),
    run(Code::Exfiltration, "curl -X POST", "uploads with curl"),
    run(Code::Exfiltration, "--data-binary", "uploads with curl"),
    run(
        Code::Exfiltration,
        "discord.com/api/webhooks",
        "a Discord webhook",
    ),
    run(Code::Exfiltration, "pipedream.net", "a request collector"),
    run(Code::Exfiltration, "requestbin", "a request collector"),
    run(Code::Exfiltration, "ngrok.io", "a tunnel"),
    run(
        Code::Exfiltration,
        "oast.",
        "an out-of-band interaction server",
    ),
    // Persistence and sabotage.
    run(
        Code::Persistence,
        ".github/workflows",
        "writes a CI workflow (Shai-Hulud's shai-hulud-workflow.yml, discussion.yaml)",
    ),
    run(
        Code::Persistence,
        ".vscode/tasks.json",
        "writes an editor task that runs on folder open (Mini Shai-Hulud)",
    ),
    run(
        Code::Persistence,
        ".claude/settings.json",
        "writes an AI agent's settings and hooks (Mini Shai-Hulud)",
    ),
    run(
        Code::Persistence,
        ".bashrc",
        "writes a shell start-up file (s1ngularity)",
    ),
    run(
        Code::Persistence,
        ".zshrc",
        "writes a shell start-up file (s1ngularity)",
    ),
    run(Code::Persistence, "crontab", "installs a cron job"),
    run(
        Code::Persistence,
        "systemd/user",
        "installs a systemd user unit",
    ),
    run(
        Code::Persistence,
        "shutdown -h",
        "shuts the machine down (s1ngularity appends it to ~/.bashrc)",
    ),
    run(
        Code::Persistence,
        "self-hosted",
        "registers a self-hosted CI runner (Shai-Hulud 2)",
    ),
    // AI CLIs without their permission checks (s1ngularity).
    run(
        Code::AiAgentAbuse,
        "--dangerously-skip-permissions",
        "Claude Code without permission checks",
    ),
    run(
        Code::AiAgentAbuse,
        "--yolo",
        "Gemini CLI without confirmations",
    ),
    run(
        Code::AiAgentAbuse,
        "--trust-all-tools",
        "Amazon Q without confirmations",
    ),
    run(
        Code::AiAgentAbuse,
        "--dangerously-bypass-approvals-and-sandbox",
        "Codex without approvals or sandbox",
    ),
    // Known worms' names, wherever they are read.
    shipped(
        "Shai-Hulud",
        "Shai-Hulud's name (its repositories and workflow)",
    ),
    shipped(
        "Sha1-Hulud",
        "Sha1-Hulud: The Second Coming (repository description)",
    ),
    shipped("SHA1HULUD", "Shai-Hulud 2's self-hosted runner name"),
    shipped(
        "s1ngularity-repository",
        "the nx/s1ngularity repository name",
    ),
    shipped("/tmp/inventory.txt", "the nx/s1ngularity inventory file"),
    shipped("bun_environment.js", "Shai-Hulud 2's payload"),
    shipped("truffleSecrets.json", "Shai-Hulud 2's secret dump"),
];

/// A known worm's file, by its path inside the package.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FileIoc {
    /// The path inside the package, `/`-separated, compared exactly.
    pub(crate) path: &'static str,
    pub(crate) reason: &'static str,
}

/// Files only a worm ships.
pub(crate) const FILE_IOCS: &[FileIoc] = &[
    FileIoc {
        path: "bun_environment.js",
        reason: "Shai-Hulud 2's obfuscated payload, run by setup_bun.js",
    },
    FileIoc {
        path: "truffleSecrets.json",
        reason: "Shai-Hulud 2's dump of TruffleHog results",
    },
    FileIoc {
        path: ".github/workflows/shai-hulud-workflow.yml",
        reason: "Shai-Hulud 1's exfiltration workflow",
    },
];

/// A malicious combination: every code of `all` and at least one of `any`
/// (an empty `any` asks nothing more), each found in install-time code.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Combination {
    pub(crate) code: Code,
    pub(crate) all: &'static [Code],
    pub(crate) any: &'static [Code],
    pub(crate) reason: &'static str,
}

/// The combinations, in the order they are reported.
pub(crate) const COMBINATIONS: &[Combination] = &[
    Combination {
        code: Code::StealAndSend,
        all: &[Code::Credentials, Code::Exfiltration],
        any: &[],
        reason: "collects secrets and has a way out, at install time (Shai-Hulud 1: TruffleHog and webhook.site)",
    },
    Combination {
        code: Code::AiSecretHunt,
        all: &[Code::AiAgentAbuse],
        any: &[Code::Credentials, Code::Exfiltration, Code::Persistence],
        reason: "asks local AI CLIs, permission checks off, to act on secrets (s1ngularity)",
    },
    Combination {
        code: Code::Dropper,
        all: &[Code::FetchExec],
        any: &[Code::LargeFile, Code::Obfuscated],
        reason: "fetches a runtime or code and runs a large or obfuscated file (Shai-Hulud 2: Bun and bun_environment.js)",
    },
    Combination {
        code: Code::PersistentStealer,
        all: &[Code::Persistence],
        any: &[Code::Credentials, Code::Exfiltration],
        reason: "writes CI, editor, agent or shell config and reaches for secrets or a way out (Shai-Hulud workflows, Mini Shai-Hulud)",
    },
];
