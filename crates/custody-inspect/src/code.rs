//! Finding codes: the one list of every code a finding can carry, with the
//! line that explains it.
//!
//! A code is the stable name of a kind of evidence (`custody::pth-exec`).
//! Findings, verdict rules and the prefilter name codes through [`Code`], so
//! a misspelt code does not compile; the code table of `docs/inspect.md` is
//! checked against [`Code::ALL`] by a test (`tests/docs.rs`), and SARIF rule
//! descriptors can be built from [`Code::summary`].

use std::fmt::{self, Write as _};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Declares [`Code`] from `Variant => "custody::name", "summary";` rows.
macro_rules! codes {
    ($($variant:ident => $name:literal, $summary:literal;)+) => {
        /// The kind of a finding. Serialised as its stable
        /// `custody::kebab-case` name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(
                #[doc = $summary]
                $variant,
            )+
        }

        impl Code {
            /// Every code, in the order `docs/inspect.md` lists them.
            pub const ALL: &'static [Code] = &[$(Code::$variant),+];

            /// The stable name (`custody::pth-exec`).
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)+
                }
            }

            /// What a finding of this code means, in one line (the row of
            /// `docs/inspect.md`).
            #[must_use]
            pub const fn summary(self) -> &'static str {
                match self {
                    $(Code::$variant => $summary,)+
                }
            }
        }
    };
}

codes! {
    SecretAccess => "custody::secret-access", "names a credential location: SSH keys, cloud and Kubernetes credentials, `.git-credentials`, `.npmrc`, `.pypirc`, wallets, browser login stores, cloud metadata endpoints; decrypts with Windows DPAPI (`CryptUnprotectData`: saved browser passwords); reads the AWS SDK's resolved credentials (medium: signing needs them too); sends a private key, seed phrase or cloud secret key in a request's data, directly, through variables assigned up to 40 lines before, or through an attribute of `self` assigned anywhere in the file (a value passed through another call first, such as a signature, does not count; a lookup by name such as `environ.get('AWS_SECRET_ACCESS_KEY')` does)";
    EnvDump => "custody::env-dump", "copies or serialises the whole environment; high when the copy reaches a network call, medium when it is kept or handed to a child process; medium for a loop over the environment that picks names with `KEY`, `TOKEN`, `SECRET` or `PASSWORD`, and for a loop over every variable (high when its function makes a network call)";
    NetworkEgress => "custody::network-egress", "opens a connection or sends (HTTP libraries, sockets, DNS lookups of computed names, curl/wget, `asyncio.open_connection`, a git repository cloned with GitPython or dulwich); low for client constructors that send nothing yet; high for a DNS lookup of a fixed host name before run time (a beacon: a literal, a variable assigned one earlier in the function, or `dig`/`nslookup`/`host` run on one); also a `python -c` one-liner in a string that connects out, and an upload through the Dropbox SDK";
    DropBox => "custody::drop-box", "a chat webhook or paste site (high), critical with the webhook's token, for a Telegram or Discord bot token anywhere in the code, or for request bins and interaction catchers (`webhook.site`, `*.oast.*`, `interactsh`, `pipedream.net`, ...)";
    PayloadUrl => "custody::payload-url", "a URL on a raw public IP (high), a file-sharing host, or of a Windows program or script (`.exe`, `.scr`, `.vbs`, `.bat`, `.ps1`, `.msi`) on any host (medium)";
    ProcessSpawn => "custody::process-spawn", "starts a process; high for a second Python on a file, `pythonw`, scripts and executables (`.exe`, `.vbs`, `.bat`, `.ps1`, ...)";
    DownloadExec => "custody::download-exec", "runs a downloader, an environment dump (`printenv`, `env > file`), encoded PowerShell (high), or a command that was decoded or downloaded, directly or through a variable assigned earlier in the same function (critical); critical too for a command taken from an HTTP request (`request.args`, `request.form`, ...: a web shell), for text fetched from the network handed to a function of the same file that runs its argument as a command, for a module-level string constant (its joined pieces) that downloads and runs or opens a reverse shell, run by name, for one command that downloads, `chmod +x`es and runs, and for running the file the same function downloaded (`urlretrieve(url, f)`, or `open(f, 'wb')` beside a network call, then `run([f])`)";
    ShellPayload => "custody::shell-payload", "a string holding a shell dropper or reverse shell (`| sh`, `/dev/tcp/`, `bash -i`, `IEX`, `DownloadString`, PowerShell's `Net.Sockets.TCPClient`, ...); critical when the string is encoded (base64, hex, zlib layers) and decodes to one, or to a Windows script that starts programs through `WScript.Shell` or `Shell.Application` (a dropper's launcher)";
    ShellRedirect => "custody::shell-redirect", "`os.dup2` / `pty.spawn`: a reverse shell's plumbing; high when the same function opens a connection (or for `pty.spawn`), medium otherwise (output capture points stdout at a file)";
    DynamicCode => "custody::dynamic-code", "`exec`/`eval`/`compile`/`marshal.loads`, or a name assigned from `getattr(builtins, ...)` called; high when fed by decoded, decrypted or downloaded data, critical for a blob of 512 bytes or more";
    EncodedPayload => "custody::encoded-payload", "a string that decodes (base64, reversed base64, hex, zlib; nested up to 6 layers; or XOR with another string of the same function, when the file has a `chr(ord(c) ^ ord(k))` loop; or the l111 obfuscator's character shift (2048 plus a running term, key in the last character); or a list of character codes run through `chr`) to Python code, a Fernet token, or a long opaque blob; decoded code is analysed as its own layer (`layer` says which)";
    Obfuscation => "custody::obfuscation", "builtins looked up by computed names (or by a variable spelled in character codes), `eval`/`exec` of three or more string literals joined by `+` (`eval(\"o\"+'s.sy'+...)`), a module imported by a name it decodes (`__import__(bytes([98, 97, ...]).decode())`), identifiers spelled in mathematical look-alike letters outside strings and comments (`𝘳𝙚𝘀𝗽𝗼𝗻𝘀𝘦`; the file is then analysed as Python reads it, NFKC-normalised), plain text spelled in escape codes (`\\x65\\x76\\x61\\x6c`; a regular expression's character ranges spelled so, as in wcmatch, are not), or PyArmor-encrypted code run (`__pyarmor__(...)`, `pyarmor_runtime()`: what it does cannot be read)";
    HiddenCode => "custody::hidden-code", "code pushed off-screen after 100 or more spaces on a line";
    HostRecon => "custody::host-recon", "reads the host's or user's identity (`getpass.getuser`, `socket.gethostname`, `/etc/passwd`, `wmic csproduct`, ...); high when it runs a reconnaissance command (`whoami`, `hostname`, `ipconfig`, ...)";
    Persistence => "custody::persistence", "writes where code survives or hijacks a tool: systemd user units, cron, shell rc files, Windows Run keys and Startup folders, LaunchAgents, `.claude/settings.json`, `.vscode/tasks.json`, browser `--load-extension`";
    MakeExecutable => "custody::make-executable", "`chmod +x` of a file";
    PthExec => "custody::pth-exec", "a `.pth` line that runs code with the behaviour found in it (an `exec` of code in plain sight in which no rule finds anything, as in coverage's and coloredlogs' hooks, is not one)";
    StartupHook => "custody::startup-hook", "a `sitecustomize.py`, `usercustomize.py` or PEP 829 `*.start` entry";
    OrphanStartupHook => "custody::orphan-startup-hook", "in a site-packages folder: a start-up hook that runs code and that no installed distribution's RECORD (or `installed-files.txt`) lists, when every distribution's list was read (an implant)";
    UnownedPathHook => "custody::unowned-path-hook", "in a site-packages folder: a `.pth` file no distribution lists that only adds folders to `sys.path` (low: it runs no code)";
    MediaPayload => "custody::media-payload", "an image or audio file carrying encoded Python code";
    EmbeddedScriptExec => "custody::embedded-script-exec", "JavaScript that builds and runs code from strings";
    PrivilegedPod => "custody::privileged-pod", "a Kubernetes pod spec that asks for a privileged container, the host's PID namespace or network (`privileged: True`, `hostPID: true`, ...)";
    RecordMismatch => "custody::record-mismatch", "a file whose SHA-256 differs from its distribution's RECORD row: changed after install, or a tampered wheel (dist-infos vendored inside a package are skipped; in a wheel, only the files custody reads whole are checked unless `--deep`, see Bounds)";
    PathTraversal => "custody::path-traversal", "an archive member that would be written outside the extraction folder";
}

/// A name that is no finding code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown finding code `{0}`")]
pub struct UnknownCode(pub String);

impl FromStr for Code {
    type Err = UnknownCode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownCode(s.to_owned()))
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

impl Code {
    /// The code table of `docs/inspect.md`, one row per code.
    #[must_use]
    pub fn markdown_table() -> String {
        let mut out = String::from("| code | meaning |\n|---|---|\n");
        for c in Code::ALL {
            let _ = writeln!(out, "| `{}` | {} |", c.as_str(), c.summary());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for &c in Code::ALL {
            assert_eq!(c.as_str().parse::<Code>(), Ok(c));
            assert!(seen.insert(c.as_str()), "{c} twice");
            let rest = c.as_str().strip_prefix("custody::").unwrap_or_default();
            assert!(!rest.is_empty() && rest.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
            assert_eq!(serde_json::to_string(&c).ok(), Some(format!("\"{c}\"")));
        }
        assert!("custody::nope".parse::<Code>().is_err());
    }
}
