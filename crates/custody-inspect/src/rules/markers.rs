//! Text the string rules look for, wherever it is in a file: credential
//! locations, persistence places, drop boxes, shell one-liners, pod specs
//! and host facts, each list with the code and level it raises.

use crate::code::Code;
use crate::report::Level;

/// Credential and secret locations (threats.md): paths, files, endpoints.
pub(crate) const SECRET_MARKERS: &[&str] = &[
    ".ssh/id_",
    "/.ssh",
    "ssh_host_",
    ".aws/credentials",
    ".aws/config",
    ".git-credentials",
    ".config/gcloud",
    "application_default_credentials",
    "GOOGLE_APPLICATION_CREDENTIALS",
    ".azure/",
    ".kube/config",
    "serviceaccount/token",
    "/var/run/secrets/kubernetes.io",
    ".docker/config.json",
    ".npmrc",
    ".pypirc",
    ".vault-token",
    ".netrc",
    ".pgpass",
    // The metadata services as addresses to fetch from, not as entries of a
    // proxy's exclusion list.
    "://169.254.169.254",
    "://169.254.170.2",
    "/etc/shadow",
    ".bash_history",
    "wallet.dat",
    "Login Data",
    "AWS_SECRET_ACCESS_KEY",
    "terraform.tfstate",
    "CryptUnprotectData",
    ".ROBLOSECURITY",
    "Local Storage\\leveldb",
    "Local Storage/leveldb",
    "/tekton/",
];
/// Places where code survives a reboot or hijacks a developer tool.
pub(crate) const PERSISTENCE_MARKERS: &[&str] = &[
    ".config/systemd/user",
    "crontab",
    "/etc/cron",
    ".bashrc",
    ".zshrc",
    ".bash_profile",
    "CurrentVersion\\Run",
    "Programs\\Startup",
    "Programs\\StartUp",
    "LaunchAgents",
    ".claude/settings.json",
    ".vscode/tasks.json",
    "autostart/",
    "--load-extension",
    "User Pinned\\TaskBar",
];
/// Marker lists looked for in string literals: markers, code, level, meaning.
pub(crate) const STRING_RULES: &[(&[&str], Code, Level, &str)] = &[
    (
        SECRET_MARKERS,
        Code::SecretAccess,
        Level::High,
        "names a credential location",
    ),
    (
        PERSISTENCE_MARKERS,
        Code::Persistence,
        Level::High,
        "writes where code survives or hijacks a tool",
    ),
    (
        EXFIL_MARKERS,
        Code::DropBox,
        Level::High,
        "a known drop box for stolen data",
    ),
    (
        OAST_MARKERS,
        Code::DropBox,
        Level::Critical,
        "an out-of-band catcher or request bin",
    ),
    (
        SHELL_MARKERS,
        Code::ShellPayload,
        Level::High,
        "a shell command that downloads and runs, or opens a reverse shell",
    ),
    (
        POD_MARKERS,
        Code::PrivilegedPod,
        Level::High,
        "a pod spec that breaks out to the node",
    ),
    (
        RECON_MARKERS,
        Code::HostRecon,
        Level::Medium,
        "reads the host's identity or accounts",
    ),
];
/// Shell one-liners of droppers and reverse shells (matched lower-case).
pub(crate) const SHELL_MARKERS: &[&str] = &[
    "/dev/tcp/",
    "bash -i",
    "nc -e ",
    "ncat -e ",
    "| sh",
    "|sh ",
    "| bash",
    "|bash",
    "| python",
    "|python",
    "base64 -d",
    "invoke-webrequest",
    "downloadstring",
    "net.sockets.tcpclient",
    "downloadfile(",
    "iex(",
    "iex (",
    "-encodedcommand",
    "frombase64string",
    "certutil -urlcache",
    "bitsadmin /transfer",
    "-w hidden",
    "-windowstyle hidden",
];
/// Kubernetes manifest lines that hand a pod the node.
pub(crate) const POD_MARKERS: &[&str] = &[
    "privileged: true",
    "hostPID: true",
    "hostNetwork: true",
    "\"privileged\": true",
];
/// Host facts that probes and stealers send home.
pub(crate) const RECON_MARKERS: &[&str] = &["/etc/passwd", "wmic csproduct"];
/// A curl or wget command line written in a string: text, until something
/// runs it (then the spawn is the acting finding).
pub(crate) const CURL_IN_TEXT: &str = "downloads or uploads with curl/wget";
/// Windows system programs: starting one by its file name is not starting
/// a dropped file.
pub(crate) const SYSTEM_PROGRAMS: &[&str] = &[
    "powershell.exe",
    "pwsh.exe",
    "cmd.exe",
    "wmic.exe",
    "where.exe",
    "tasklist.exe",
    "nvidia-smi.exe",
];
/// Chat webhooks and paste sites: drop boxes, and also what notification
/// libraries legitimately post to.
pub(crate) const EXFIL_MARKERS: &[&str] = &[
    "discord.com/api/webhooks",
    "discordapp.com/api/webhooks",
    "api.telegram.org/bot",
    "hooks.slack.com",
    "pastebin.com",
    "rentry.co/",
    "transfer.sh",
];
/// Out-of-band interaction catchers and request bins: nothing but probes
/// and exfiltration talks to them from inside a package.
pub(crate) const OAST_MARKERS: &[&str] = &[
    // ngrok's tunnels (where a probe sends), not ngrok's own site or CDN
    // (where its installer downloads the agent from).
    "ngrok.io",
    "ngrok-free.app",
    "ngrok-free.dev",
    "ngrok.app",
    "ngrok.dev",
    "webhook.site",
    "pipedream.net",
    "interact.sh",
    "interactsh",
    "burpcollaborator",
    "oastify.com",
    "oast.fun",
    "oast.pro",
    "oast.live",
    "oast.site",
    "oast.online",
    "oast.me",
    "dnshook.site",
    "dnslog.cn",
    "ceye.io",
    "requestrepo.com",
    "canarytokens.com",
    "requestbin",
    "beeceptor.com",
];

/// Names of secrets that no library sends anywhere: a wallet's private key
/// or seed phrase, a cloud secret key (matched lower-case in a call's
/// arguments, or in what a variable among them was assigned).
pub(crate) const SENT_SECRET_NAMES: &[&str] = &[
    "private_key",
    "privatekey",
    "priv_key",
    "mnemonic",
    "seed_phrase",
    "seedphrase",
    "secret_key",
    "secret_access_key",
    "access_key_secret",
    "accesskeysecret",
];

/// The message of text spelled in escapes: the weakest obfuscation sign
/// (tables of code points are written so too).
pub(crate) const ESCAPED_TEXT: &str =
    "plain text spelled in escape codes (\\x65\\x76...), hidden from readers";

/// File names of Windows programs and scripts: a URL ending so is a
/// payload's (`payload-url`), and a file naming one is worth parsing.
pub(crate) const PROGRAM_EXTENSIONS: &[&str] = &[".exe", ".scr", ".vbs", ".bat", ".ps1", ".msi"];
