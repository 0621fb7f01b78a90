//! Command-line flags (clap derive). Resolution into settings happens in the
//! command modules.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// custody keeps a chain of custody over AI training-data pipelines, from the
/// packages that touch the data to the bytes that reach the cluster.
#[derive(Debug, Parser)]
#[command(name = "custody", version, about, long_about = None, propagate_version = true)]
#[command(after_help = "State (the advisory database) lives in $CUSTODY_HOME, \
else $XDG_DATA_HOME/custody, else ~/.local/share/custody.\n\
Exit codes: 0 ok, 1 findings or data differs, 2 bad usage or input, 3 internal error, \
4 manifest or signature invalid (a ledger fault), 5 a document refused by the ledger, \
6 ledger location unknown or unreachable, 7 written but not recorded (--record), \
8 watch: events not delivered (pending, sent again next round).")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inventory Python environments, lockfiles (Python, npm, Cargo) and
    /// node_modules trees and match every package against advisories, offline.
    #[command(long_about = SCAN_ABOUT)]
    Scan(ScanArgs),
    /// Find malicious code in packages without running them: wheels, sdists,
    /// unpacked folders, site-packages.
    #[command(long_about = INSPECT_ABOUT)]
    Inspect(InspectArgs),
    /// Manage the local advisory database.
    #[command(subcommand)]
    Db(DbCommand),
    /// Make signing keys (Ed25519 or ECDSA P-256).
    #[command(subcommand)]
    Key(KeyCommand),
    /// Seal a dataset: a signed Merkle manifest of every file and record.
    #[command(long_about = SEAL_ABOUT)]
    Seal(SealArgs),
    /// Verify data against a signed manifest: exit 0 only when identical
    /// and signed by a trusted key.
    #[command(long_about = VERIFY_ABOUT)]
    Verify(VerifyArgs),
    /// Compare two manifests: which files, chunks and records differ.
    #[command(long_about = DIFF_ABOUT)]
    Diff(DiffArgs),
    /// Run a pipeline step sandboxed (no network, scrubbed environment,
    /// declared inputs and outputs) and attest what it did.
    #[command(long_about = RUN_ABOUT)]
    Run(RunArgs),
    /// The evidence ledger: add signed documents, trust keys, verify the
    /// chain.
    #[command(subcommand)]
    Ledger(LedgerCommand),
    /// Everything a package version touched, from the ledger: environments,
    /// runs, datasets read, written and made from them.
    #[command(long_about = IMPACT_ABOUT)]
    Impact(ImpactArgs),
    /// Where a sealed dataset version came from and what was made from it,
    /// from the ledger.
    #[command(long_about = LINEAGE_ABOUT)]
    Lineage(LineageArgs),
    /// Replay the March 2026 litellm compromise with harmless replicas,
    /// offline, in a folder: every custody step, narrated.
    #[command(long_about = DEMO_ABOUT)]
    Demo(DemoArgs),
    /// Vendor side: sign a dataset version and the evidence behind it
    /// (its steps' attestations, their environments, sealed sources) into
    /// one bundle.
    #[command(long_about = DELIVER_ABOUT)]
    Deliver(DeliverArgs),
    /// Lab side: accept or reject a delivery bundle against a policy, with
    /// every reason.
    #[command(long_about = ACCEPT_ABOUT)]
    Accept(AcceptArgs),
    /// Reports for people outside the pipeline: an incident report for an
    /// advisory.
    #[command(subcommand)]
    Report(ReportCommand),
    /// A bill of materials (CycloneDX or SPDX) of Python environments and
    /// lockfiles: purls, hashes, licences, dependencies.
    #[command(long_about = SBOM_ABOUT)]
    Sbom(SbomArgs),
    /// Emit each asset newly affected by an advisory once: JSON lines on
    /// stdout, to a file, or as signed webhooks.
    #[command(long_about = WATCH_ABOUT)]
    Watch(WatchArgs),
    /// A vetting package index: serve pip, uv, pdm and poetry only what
    /// the policy allows.
    #[command(subcommand)]
    Index(IndexCommand),
    /// Run pip, uv or pdm behind an ephemeral vetting index and report what
    /// it hid or refused.
    #[command(long_about = GUARD_ABOUT)]
    Guard(GuardArgs),
    /// Internal: the sandbox helper `custody run` starts.
    #[command(name = "__sandbox-exec", hide = true)]
    SandboxExec(SandboxExecArgs),
}

const RUN_ABOUT: &str = "\
Run a pipeline step so that a poisoned dependency has nothing to steal and
nowhere to send it, and write a signed record of what the step did and
tried to do.

Enforced by the kernel, in a helper, before the step starts:
  * Landlock: read-only system folders (/usr, /lib*, /bin, /sbin) and an
    allow-list of /etc (loader, locale, time zone, resolver, users and
    groups, certificates: no password hashes, keys or credentials); the
    executable itself, a Python's own prefix and virtual environment; the
    --input and --allow-read paths. Read-write only the --output paths,
    /dev/null, a private temp folder (HOME and TMPDIR) and a private
    /dev/shm. Nothing else: not /opt, not your HOME, not the command's
    folder. custody checks what the kernel enforced and refuses to run if
    it is less than asked, unless --allow-degraded.
  * A mount namespace where everything but the writable paths is
    read-only: chmod, chown, utimes and xattrs fail elsewhere.
  * seccomp allow-list: the system calls data steps make (derived from
    CPython with numpy/pandas/pyarrow, a coreutils pipeline, Rust
    binaries); every other call is refused and recorded. No terminal
    injection (TIOCSTI), no SysV IPC, no datagram sockets, no namespaces,
    no ptrace, no device nodes, no set-user-ID files.
  * --net none (default): no UDP or DNS, no connect, bind or listen on any
    socket. --net loopback: a private network namespace with only its own
    loopback.
  * No capabilities, even as root; a session of its own (no controlling
    terminal); the environment scrubbed (PATH, LANG, private HOME and
    TMPDIR, only the variables named with --env); every inherited
    descriptor but 0-2 closed.

Observed by custody, outside the sandbox (seccomp user notification):
opens of credential paths (~/.ssh, ~/.aws, .env, ...), opens of existing
paths outside the policy, executions, refused network calls with their
destination, and every refused system call. Secrets and network attempts
are kept ahead of everything else; text the step chose is escaped and
bounded. They are listed on stderr and in the attestation; --no-observe
turns this off (the same calls are still refused).

When the step's main process exits, custody kills whatever it left
running. SIGINT, SIGTERM or SIGHUP to custody, or --timeout, kill the whole
step; the attestation is still written and says how the run ended.

With --attest FILE (and -k KEY to sign) custody writes an in-toto statement
with a SLSA provenance predicate: outputs as subjects, inputs and the
executable with SHA-256 digests, the step's Python packages as purls, the
policy asked for, what was enforced, the attempts, the processes killed,
exit status and times. An output holding a symbolic link, a FIFO, a
socket, a device or a set-ID file is refused: its subject has no digest.
`custody verify OUTPUT -m FILE --key PUB` checks outputs against it.

Exit codes: the step's own; 123 the step succeeded but an output was
refused; 124 --timeout passed; 125 the sandbox could not be set up;
128+N custody was stopped by signal N (130 for Ctrl-C). With --record
(which needs --attest and -k) the signed attestation is added to the
ledger once written; if it cannot be, a warning says why and custody
exits 7 when the step itself succeeded (the step's code otherwise).

Example:
  custody run --input raw.jsonl --output clean.jsonl -k lab.key --attest step.att.json \\
    -- .venv/bin/python clean.py raw.jsonl clean.jsonl";

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Inputs the step reads (files or folders, read-only).
    #[arg(long = "input", value_name = "PATH")]
    pub inputs: Vec<PathBuf>,
    /// Outputs the step writes (files are created empty if missing, or folders).
    #[arg(long = "output", value_name = "PATH")]
    pub outputs: Vec<PathBuf>,
    /// More paths the step may read.
    #[arg(long, value_name = "PATH")]
    pub allow_read: Vec<PathBuf>,
    /// Environment variables to pass through (by name; all others are dropped).
    #[arg(long = "env", value_name = "NAME")]
    pub env: Vec<String>,
    /// Network policy.
    #[arg(long, value_enum, default_value_t = NetArg::None)]
    pub net: NetArg,
    /// Run even when the kernel cannot enforce every right (recorded).
    #[arg(long)]
    pub allow_degraded: bool,
    /// Do not record the step's opens, executions and refused calls (the
    /// same calls are still refused; the seccomp filter answers them itself
    /// instead of the supervisor).
    #[arg(long)]
    pub no_observe: bool,
    /// Kill the step (its whole process tree) after this long, e.g. 90s,
    /// 30m, 2h; the attestation says so and custody exits 124.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout)]
    pub timeout: Option<std::time::Duration>,
    /// Private key to sign the attestation.
    #[arg(long, short = 'k', value_name = "KEY")]
    pub key: Option<PathBuf>,
    /// Where to write the attestation (DSSE envelope).
    #[arg(long, value_name = "FILE")]
    pub attest: Option<PathBuf>,
    /// Environment variable holding the key's passphrase.
    #[arg(long, value_name = "VAR")]
    pub passphrase_env: Option<String>,
    /// After writing it, add the signed document to the ledger (its key
    /// must be trusted there: `custody ledger trust add`). A document not
    /// recorded does not undo the command: a warning says why, exit 7.
    #[arg(long)]
    pub record: bool,
    /// The ledger `--record` adds to (default: $CUSTODY_LEDGER, else
    /// $CUSTODY_HOME/ledger.db).
    #[arg(long, value_name = "LOCATION", requires = "record")]
    pub ledger: Option<String>,
    /// The step: command and arguments, after `--`.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NetArg {
    /// No network at all.
    None,
    /// A private network namespace with only its own loopback.
    Loopback,
}

#[derive(Debug, Args)]
pub struct SandboxExecArgs {
    /// The step.
    #[arg(last = true)]
    pub command: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Write a new key pair: PREFIX.key (private, PKCS#8 PEM, mode 0600)
    /// and PREFIX.pub (public, SPKI PEM). Prints the key id.
    Generate(KeyGenerateArgs),
}

#[derive(Debug, Args)]
pub struct KeyGenerateArgs {
    /// Path prefix of the two files.
    #[arg(long, short = 'o', default_value = "custody", value_name = "PREFIX")]
    pub out: PathBuf,
    /// Signature scheme. ECDSA P-256 interoperates with Sigstore and
    /// model-signing.
    #[arg(long, value_enum, default_value_t = KeyScheme::Ed25519)]
    pub scheme: KeyScheme,
    /// Encrypt the private key with the passphrase in this environment
    /// variable (never on the command line).
    #[arg(long, value_name = "VAR")]
    pub passphrase_env: Option<String>,
    /// Overwrite existing files.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyScheme {
    /// Ed25519.
    Ed25519,
    /// ECDSA over NIST P-256 with SHA-256.
    EcdsaP256,
}

const SEAL_ABOUT: &str = "\
Seal a dataset: hash every file, index the records of JSONL, CSV and TSV
files, build a Merkle tree whose root is the dataset's identity, and sign
the manifest (an in-toto Statement v1 in a DSSE envelope).

The walk is deterministic (paths sorted by component, `/`-separated, UTF-8);
symbolic links are refused unless --symlinks says otherwise; names that
collide on some file system (case, Unicode look-alikes) are refused. Large
files are hashed in parallel chunks whose digests are kept, so a change is
located to its chunk; records are fingerprinted so a change is named as a
record (line, and key with --record-key).

Examples:
  custody key generate -o lab
  custody seal data/ -k lab.key -o data.manifest.json
  custody seal corpus.jsonl --record-key id -k lab.key -o corpus.manifest.json
  custody seal model/ --format model-signing -k p256.key -o model.sig
  custody seal data/ -k lab.key -o data.manifest.json --record

With --record the manifest is added to the ledger once written (custody
manifests only, not model-signing); if it cannot be (the key is not
trusted there, the ledger cannot be reached) the manifest stays written,
a warning says why, and custody exits 7.";

const VERIFY_ABOUT: &str = "\
Verify data against a signed manifest, with the manifest's own settings.

Exit codes: 0 identical and signed by a trusted key; 1 the data differs
(the report says which files, chunks and records); 2 bad usage or unreadable
data; 4 the manifest or its signature is invalid (tampered, malformed, or
signed by a key not given with --key).

Reads custody manifests (DSSE envelope or Sigstore bundle) and model-signing
1.x signatures made with a key.

Examples:
  custody verify data/ -m data.manifest.json --key lab.pub
  custody verify model/ -m model.sig --key p256.pub --json";

const DIFF_ABOUT: &str = "\
Compare two manifests without the data: files added, removed and modified,
the chunks and records that differ. With --key both signatures are checked
(exit 4 if either is invalid); without it they are read unchecked, and the
report says so.

Exit codes: 0 identical, 1 different, 2 bad usage, 4 invalid manifest.

Example:
  custody diff monday.manifest.json friday.manifest.json --key lab.pub";

#[derive(Debug, Args)]
pub struct SealArgs {
    /// Folders or files to seal. One folder: paths are relative to it.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Private key (PEM).
    #[arg(long, short = 'k', value_name = "KEY")]
    pub key: PathBuf,
    /// Where to write the signed manifest (written atomically).
    #[arg(long, short = 'o', value_name = "MANIFEST")]
    pub out: PathBuf,
    /// Hash function.
    #[arg(long = "hash", value_enum, default_value_t = HashArg::Blake3)]
    pub hash: HashArg,
    /// Chunk size for large files (bytes; K, M, G suffixes are powers of 2).
    #[arg(long, default_value = "8M", value_parser = parse_size)]
    pub chunk_size: u64,
    /// Symbolic links: refuse (stop with an error), skip, or follow (links
    /// must stay inside the dataset).
    #[arg(long, value_enum, default_value_t = SymlinkArg::Refuse)]
    pub symlinks: SymlinkArg,
    /// Leave out files and folders matching this glob (matched against
    /// relative paths; repeatable), e.g. --exclude .git --exclude '*.tmp'.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Name records by this field (JSONL) or column (CSV/TSV header).
    #[arg(long, value_name = "FIELD")]
    pub record_key: Option<String>,
    /// Do not index records of JSONL, CSV and TSV files.
    #[arg(long, conflicts_with = "record_key")]
    pub no_records: bool,
    /// Dataset name in the statement's subject. [default: the folder's name]
    #[arg(long)]
    pub name: Option<String>,
    /// Output container.
    #[arg(long, value_enum, default_value_t = SealFormat::Dsse)]
    pub format: SealFormat,
    /// Environment variable holding the private key's passphrase.
    /// [default: CUSTODY_KEY_PASSPHRASE when set]
    #[arg(long, value_name = "VAR")]
    pub passphrase_env: Option<String>,
    /// Print a JSON summary (root, counts, bytes) on stdout.
    #[arg(long)]
    pub json: bool,
    /// After writing it, add the signed document to the ledger (its key
    /// must be trusted there: `custody ledger trust add`). A document not
    /// recorded does not undo the command: a warning says why, exit 7.
    #[arg(long)]
    pub record: bool,
    /// The ledger `--record` adds to (default: $CUSTODY_LEDGER, else
    /// $CUSTODY_HOME/ledger.db).
    #[arg(long, value_name = "LOCATION", requires = "record")]
    pub ledger: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HashArg {
    /// BLAKE3.
    Blake3,
    /// SHA-256.
    Sha256,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SymlinkArg {
    /// Stop with an error naming the link.
    Refuse,
    /// Leave links out.
    Skip,
    /// Hash what links point to (inside the dataset only).
    Follow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SealFormat {
    /// DSSE envelope with an in-toto Statement v1.
    Dsse,
    /// Sigstore bundle v0.3 around the DSSE envelope (key hint, no log).
    Bundle,
    /// OpenSSF model-signing 1.x (SHA-256 per file; one folder; P-256 key).
    ModelSigning,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The data: the same folders or files that were sealed.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The signed manifest.
    #[arg(long, short = 'm', value_name = "MANIFEST")]
    pub manifest: PathBuf,
    /// Trusted public keys (PEM; repeatable).
    #[arg(long, required = true, value_name = "PUB")]
    pub key: Vec<PathBuf>,
    /// JSON report (`custody.verify/v1`) on stdout.
    #[arg(long)]
    pub json: bool,
    /// Refuse manifests larger than this (bytes; K, M, G suffixes).
    #[arg(long, default_value = "1G", value_parser = parse_size)]
    pub max_manifest_size: u64,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older manifest.
    pub old: PathBuf,
    /// The newer manifest.
    pub new: PathBuf,
    /// Trusted public keys: check both signatures (repeatable).
    #[arg(long, value_name = "PUB")]
    pub key: Vec<PathBuf>,
    /// JSON report (`custody.diff/v1`) on stdout.
    #[arg(long)]
    pub json: bool,
    /// Refuse manifests larger than this (bytes; K, M, G suffixes).
    #[arg(long, default_value = "1G", value_parser = parse_size)]
    pub max_manifest_size: u64,
}

/// Parses `8M`, `64K`, `1G` or a plain byte count.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let (num, mult) = match s.trim().to_ascii_uppercase() {
        t if t.ends_with("GIB") || t.ends_with('G') => (
            t.trim_end_matches("GIB").trim_end_matches('G').to_owned(),
            1u64 << 30,
        ),
        t if t.ends_with("MIB") || t.ends_with('M') => (
            t.trim_end_matches("MIB").trim_end_matches('M').to_owned(),
            1 << 20,
        ),
        t if t.ends_with("KIB") || t.ends_with('K') => (
            t.trim_end_matches("KIB").trim_end_matches('K').to_owned(),
            1 << 10,
        ),
        t => (t, 1),
    };
    let n: u64 = num
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a size (e.g. 8M, 65536)"))?;
    let v = n
        .checked_mul(mult)
        .ok_or_else(|| format!("{s:?} is too large"))?;
    if v == 0 {
        return Err("a size must be positive".into());
    }
    Ok(v)
}

const INSPECT_ABOUT: &str = "\
Find malicious code in packages without running them.

PATH may be a wheel, an sdist (.tar.gz, .zip, .tar.bz2, .tar.xz), an unpacked
package folder or a site-packages folder (where start-up hooks that no RECORD
lists are reported as implants). Archives are read in memory, never extracted.

Each package gets a verdict: malicious, suspicious or clean, with findings
(stable code, phase: install / startup / import / runtime, file, line,
snippet). Secret access plus a way out before run time is malicious.

Exit codes: 0 nothing at or above --fail-on, 1 a package at or above it,
2 a package could not be read (the others are still reported).

Examples:
  custody inspect litellm-1.82.8-py3-none-any.whl
  custody inspect .venv/lib/python3.11/site-packages --format json
  custody inspect litellm-1.82.8-py3-none-any.whl --against litellm-1.82.6-py3-none-any.whl";

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Packages to inspect.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = InspectFormat::Table)]
    pub format: InspectFormat,
    /// Compare with an older version of the same package: list files and
    /// capabilities new in PATH (a new .pth, new import-time network code,
    /// new binary blobs). Exit 1 when something new acts before run time.
    #[arg(long, value_name = "OLD")]
    pub against: Option<PathBuf>,
    /// Exit 1 when a package's verdict is at or above this.
    #[arg(long, value_enum, default_value_t = FailOn::Malicious)]
    pub fail_on: FailOn,
    /// Also read code that only runs when a function is called, and tests,
    /// docs and examples: lists run-time capabilities too (slower). Verdicts
    /// rest on install, start-up and import-time code either way.
    #[arg(long)]
    pub deep: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InspectFormat {
    /// Text for people.
    Table,
    /// The `custody.inspect/v0` JSON report (`custody.inspect-diff/v0` with --against).
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Suspicious or malicious.
    Suspicious,
    /// Malicious only.
    Malicious,
}

const SCAN_ABOUT: &str = "\
Inventory Python environments, lockfiles and node_modules trees and match
every package against advisories, offline.

PATH may be:
  * a virtual environment or installation prefix (its site-packages is read
    from disk; its Python is never started, so an implant cannot run);
  * a site-packages folder;
  * a lockfile: requirements*.txt, uv.lock, poetry.lock, Pipfile.lock,
    pdm.lock, pylock.toml; npm's package-lock.json or npm-shrinkwrap.json,
    pnpm-lock.yaml, yarn.lock (yarn 1 and 2+); Cargo.lock;
  * an installed node_modules tree (its packages' install scripts are
    inspected for what they run, fetch and send);
  * a bill of materials another tool wrote (CycloneDX or SPDX JSON);
  * a project folder, searched for all of the above; a whole unpacked root
    file system (every environment, node_modules and lockfile in it);
  * a package archive (.whl, .tar.gz, .zip): inspected, not matched.

Environments are also inspected (as `custody inspect` does): start-up hooks
and files that no RECORD owns, files changed since install, and code that
acts at start-up or import. A malicious verdict fails the scan like a
malicious advisory. `--no-inspect` skips this.

Packages are matched against the imported advisory database (`custody db
import`) and against malicious-package records built into custody, so a fresh
install already catches known compromised releases such as litellm 1.82.8.
Packages whose exact version is unknown (unpinned, URL, VCS, editable) are
listed as unchecked, never counted as clean.

`--record -k KEY` also signs the scan's full inventory (every package of
every environment and lockfile read, not only findings) and adds it to the
ledger, so `custody impact` and `custody watch` find these environments
when an advisory appears later.

Examples:
  custody scan .venv
  custody scan uv.lock --format sarif > custody.sarif
  custody scan . --fail-on critical --min-age 3d
  custody scan .venv --record -k vendor.key";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table for people.
    Table,
    /// The `custody.scan/v1` JSON report.
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Environments, lockfiles (Python, npm, Cargo), node_modules trees,
    /// bills of materials, project folders, root file systems, or package
    /// archives (.whl, .tar.gz: inspected for malicious code) to scan.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Exit 1 when a finding is at or above this severity (low, medium, high,
    /// critical). Findings without a score count as high. Malicious packages
    /// always fail. [default: high, or `fail-on` in custody.toml]
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<custody::Severity>,
    /// Policy file. [default: custody.toml in the (first) scanned folder]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Cooldown: flag locked packages uploaded less than this long ago, where
    /// the lockfile records upload times (uv.lock, pylock.toml). `0` turns it
    /// off. Units: h, d, w. [default: 7d, or `min-age` in custody.toml]
    #[arg(long, value_name = "AGE", value_parser = parse_age)]
    pub min_age: Option<jiff::SignedDuration>,
    /// Warn when the newest advisory record is older than this.
    /// [default: 7d, or `max-db-age` in custody.toml]
    #[arg(long, value_name = "AGE", value_parser = parse_age)]
    pub max_db_age: Option<jiff::SignedDuration>,
    /// Turn warnings into failures: stale advisory data exits 2.
    #[arg(long)]
    pub strict: bool,
    /// How many folder levels below a project folder to search.
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub depth: usize,
    /// Skip `custody inspect` of scanned environments (start-up hooks, files
    /// no RECORD owns, files changed since install) and of package archives
    /// given as PATH.
    #[arg(long)]
    pub no_inspect: bool,
    /// Inspect every distribution again instead of reusing results kept in
    /// `$CUSTODY_HOME/cache/inspect` (a result is reused only while the
    /// distribution's RECORD, custody's rules and each file's size, inode and
    /// change time are unchanged).
    #[arg(long)]
    pub no_cache: bool,
    #[command(flatten)]
    pub record: ScanRecordArgs,
}

/// `scan --record`: the signed inventory into the ledger.
#[derive(Debug, Args)]
pub struct ScanRecordArgs {
    /// Sign the full inventory with --key and add it to the ledger (the key
    /// must be trusted there). Not recorded: a warning says why, exit 7
    /// (unless findings already exit 1).
    #[arg(long, requires = "key")]
    pub record: bool,
    /// Private key (PEM) that signs the inventory.
    #[arg(long, short = 'k', value_name = "KEY", requires = "record")]
    pub key: Option<PathBuf>,
    /// Environment variable holding the private key's passphrase.
    /// [default: CUSTODY_KEY_PASSPHRASE when set]
    #[arg(long, value_name = "VAR", requires = "record")]
    pub passphrase_env: Option<String>,
    /// Where the signed inventory is written.
    /// [default: $CUSTODY_HOME/inventories/scan-TIME.json]
    #[arg(long, value_name = "FILE", requires = "record")]
    pub inventory: Option<PathBuf>,
    /// The ledger `--record` adds to (default: $CUSTODY_LEDGER, else
    /// $CUSTODY_HOME/ledger.db).
    #[arg(long, value_name = "LOCATION", requires = "record")]
    pub ledger: Option<String>,
}

fn parse_timeout(s: &str) -> Result<std::time::Duration, String> {
    let d: jiff::SignedDuration = s.parse().map_err(|e| {
        format!("invalid duration {s:?} ({e}); use a number with s, m or h, such as 90s or 2h")
    })?;
    std::time::Duration::try_from(d)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("invalid duration {s:?}: it must be more than zero"))
}

fn parse_age(s: &str) -> Result<jiff::SignedDuration, String> {
    custody::policy::parse_duration(s)
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Import advisories: OSV JSON files, folders of them, OSV all.zip
    /// exports, or the PyPA advisory database (YAML).
    #[command(long_about = IMPORT_ABOUT)]
    Import(ImportArgs),
    /// Show the sources, record counts and freshness of the database.
    Status(StatusArgs),
}

const IMPORT_ABOUT: &str = "\
Import advisories: OSV JSON files, folders of them, OSV all.zip exports, or the
PyPA advisory database (YAML).

Each PATH is a source; importing it again replaces what it held. When two
sources hold the same record id, the newer `modified` wins. The database is
written in one transaction under a lock: an interrupted or failed import
leaves the previous database intact.

A malformed record is reported (file and reason) and skipped; with --strict
it fails the import and nothing is written.

Examples:
  custody db import ~/osv/PyPI/all.zip
  custody db import ./pypa-advisory-db ./extra-mal-records/";

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files, folders or zip archives to import.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Fail (exit 2, nothing written) if any record is malformed.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = StatusFormat::Table)]
    pub format: StatusFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFormat {
    /// Text for people.
    Table,
    /// JSON.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImpactFormat {
    /// Text for people.
    Table,
    /// JSON (schema in docs/ledger.md).
    Json,
    /// A Graphviz digraph.
    Dot,
}

/// Where the ledger is.
#[derive(Debug, Args)]
pub struct LedgerArg {
    /// The ledger: a SQLite file (`PATH` or `sqlite:PATH`; commands that
    /// store create it when missing, commands that only read never do) or
    /// a PostgreSQL URL (`postgres://USER:PASSWORD@HOST/DB`).
    /// Default: $CUSTODY_LEDGER, else $CUSTODY_HOME/ledger.db.
    #[arg(long, value_name = "LOCATION")]
    pub ledger: Option<String>,
}

const LEDGER_EXIT: &str = "\
Exit codes: 0 ok; 2 bad usage or unreadable input; 3 the ledger's storage
failed; 4 `verify` found a fault (named); 5 a document was refused (the
reason is printed per file); 6 the ledger location is unknown or cannot be
reached (its password is never printed); 8 the ledger's storage is full
(nothing of the operation was kept; what was stored before is intact).";

#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Add signed documents: run attestations (`custody run --attest`),
    /// seal manifests (`custody seal`) and scan inventories (`custody scan
    /// --record`).
    #[command(long_about = LEDGER_ADD_ABOUT)]
    Add(LedgerAddArgs),
    /// Trust public keys for the documents added later.
    #[command(subcommand)]
    Trust(LedgerTrustCommand),
    /// Check the ledger: the hash chain, the tables derived from it, the
    /// checkpoints.
    #[command(long_about = LEDGER_VERIFY_ABOUT)]
    Verify(LedgerVerifyArgs),
    /// Did everything in an environment pass the vetting index? Each
    /// package with the index decisions the ledger holds for it.
    #[command(long_about = LEDGER_GATE_ABOUT)]
    Gate(LedgerGateArgs),
}

const LEDGER_GATE_ABOUT: &str = "\
Did everything in an environment pass the vetting index? For an environment
the ledger knows (recorded by `custody scan --record` or a recorded run),
each package with the decisions `custody index serve`, `custody guard` or
`custody index mirror` recorded with --ledger for that release: allowed
(the file's sha256 and when it was served), refused (hidden, refused or
failed, with the code and reason), or none (installed without passing the
gate, such as with pip straight from PyPI).

ENVIRONMENT is the environment's prefix as the scan named it (a path, made
absolute) or its id; for a prefix recorded several times, the latest.

Exit codes: 0 every package allowed; 1 some package refused or with no
decision; 2 the ledger knows no such environment; 3, 6 as below.

Examples:
  custody ledger gate .venv
  custody ledger gate /srv/envs/train --format json
";

#[derive(Debug, Args)]
#[command(after_help = LEDGER_EXIT)]
pub struct LedgerGateArgs {
    /// The environment: its prefix (a path) or its id.
    #[arg(value_name = "ENVIRONMENT")]
    pub environment: String,
    #[command(flatten)]
    pub ledger: LedgerArg,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = StatusFormat::Table)]
    pub format: StatusFormat,
}

/// `--ledger` and the signing key of `index serve` and `guard`.
#[derive(Debug, Args)]
pub struct DecisionsLedgerArgs {
    /// Also record the decisions in the ledger, signed with --key (its
    /// public key must be trusted there): LOCATION, or without one
    /// $CUSTODY_LEDGER, else $CUSTODY_HOME/ledger.db. The signed documents
    /// are also written to LOG.d/ (see --log), to `custody ledger add`
    /// when the ledger could not take them.
    #[arg(
        long,
        value_name = "LOCATION",
        num_args = 0..=1,
        default_missing_value = "",
        requires = "key"
    )]
    pub ledger: Option<String>,
    /// The private key (PEM) that signs the recorded decisions.
    #[arg(long, short = 'k', value_name = "KEY", requires = "ledger")]
    pub key: Option<PathBuf>,
    /// Environment variable holding the key's passphrase.
    #[arg(long, value_name = "VAR", requires = "key")]
    pub passphrase_env: Option<String>,
}

const LEDGER_ADD_ABOUT: &str = "\
Add signed documents to the ledger: run attestations written by
`custody run --attest`, manifests written by `custody seal` and scan
inventories written by `custody scan --record`. Each is
verified against the keys the ledger trusts (`custody ledger trust add`)
and stored once: the same file again is reported as already stored. A
refused file (unsigned, signed by a key not trusted, malformed) is named
with its reason and the others are still added.

Exit codes: 0 every file stored or already stored; 5 any refused; 2, 3, 6,
8 as below.

Examples:
  custody ledger trust add lab.pub
  custody ledger add data.manifest.json step.intoto.json
  custody ledger add --ledger postgres://custody@db/evidence run.intoto.json
";

const LEDGER_VERIFY_ABOUT: &str = "\
Check the ledger: recompute the hash chain of its events (an edited,
deleted, reordered or unlinked event is named by its sequence number),
rebuild the tables derived from the log and compare them row by row, and
check the signed checkpoints.

Exit codes: 0 clean; 4 a fault was found (named); 3, 6 as below.

Examples:
  custody ledger verify
  custody ledger verify --format json --ledger /srv/custody/ledger.db
";

#[derive(Debug, Args)]
#[command(after_help = LEDGER_EXIT)]
pub struct LedgerAddArgs {
    /// Signed documents: run attestations or seal manifests.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub ledger: LedgerArg,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = StatusFormat::Table)]
    pub format: StatusFormat,
}

#[derive(Debug, Subcommand)]
pub enum LedgerTrustCommand {
    /// Trust a public key (PEM, as `custody key generate` writes
    /// PREFIX.pub).
    #[command(after_help = LEDGER_TRUST_HELP)]
    Add(LedgerTrustAddArgs),
}

const LEDGER_TRUST_HELP: &str = "\
Documents signed by this key are accepted by `custody ledger add` and
`--record` from now on; trusting it again is reported as already trusted.

Exit codes: 0 trusted (or already); 2 the file is unreadable or not a
public key; 3 the ledger's storage failed; 6 the ledger location is unknown
or cannot be reached.

Example:
  custody key generate -o lab
  custody ledger trust add lab.pub";

#[derive(Debug, Args)]
pub struct LedgerTrustAddArgs {
    /// The public key file.
    #[arg(value_name = "KEY.pub")]
    pub key: PathBuf,
    #[command(flatten)]
    pub ledger: LedgerArg,
}

#[derive(Debug, Args)]
#[command(after_help = LEDGER_EXIT)]
pub struct LedgerVerifyArgs {
    #[command(flatten)]
    pub ledger: LedgerArg,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = StatusFormat::Table)]
    pub format: StatusFormat,
}

const IMPACT_ABOUT: &str = "\
Everything a package touched, from the ledger: the environments that held
it (from run attestations), the runs in those environments (within
--since/--until), the artifacts those runs read and wrote, the sealed
dataset versions they are, and what later runs made from them, each with
the path that links it to the package.

--package NAME matches every version the ledger holds; NAME==VERSION one
version; any PEP 440 specifier list a range (`litellm>=1.82.7,<1.82.9`).
--advisory ID asks for the PyPI packages and versions an OSV record
affects (imported with `custody db import`, or embedded, like
MAL-2026-2144). Without --since/--until an advisory's window is every
run in an affected environment up to now: an environment holding the
release cannot predate its upload, and the hours between the upload and
the advisory's `published` time are the ones that matter.

--format dot prints a Graphviz graph (`| dot -Tsvg > impact.svg`).

Examples:
  custody impact --advisory MAL-2026-2144
  custody impact --package litellm==1.82.7
  custody impact --package 'litellm>=1.82.7,<1.82.9' --format dot
  custody impact --package numpy --since 2026-03-01T00:00:00Z --format json
";

#[derive(Debug, Args)]
#[command(after_help = LEDGER_EXIT)]
#[command(group(clap::ArgGroup::new("question").required(true).args(["package", "advisory"])))]
pub struct ImpactArgs {
    /// The package: `NAME`, `NAME==VERSION` or `NAME` with a PEP 440 specifier.
    #[arg(long, value_name = "NAME[SPECIFIER]")]
    pub package: Option<String>,
    /// An advisory id (or alias): the PyPI versions it affects.
    #[arg(long, value_name = "ID")]
    pub advisory: Option<String>,
    /// Only runs started at or after this instant (RFC 3339).
    #[arg(long, value_name = "T")]
    pub since: Option<jiff::Timestamp>,
    /// Only runs started before this instant (RFC 3339).
    #[arg(long, value_name = "T")]
    pub until: Option<jiff::Timestamp>,
    #[command(flatten)]
    pub ledger: LedgerArg,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ImpactFormat::Table)]
    pub format: ImpactFormat,
}

const LINEAGE_ABOUT: &str = "\
Where a sealed dataset version came from and what was made from it, from
the ledger: the version as sealed (files, when), the runs that wrote what
it holds and what they read (upstream), and the runs that read it and
what they wrote (downstream), each edge with its depth.

DATASET is the name given to `custody seal --name` (or the folder's name);
ROOT is the manifest's Merkle root, as `custody seal` prints it.

DATASET alone asks for the version of that dataset recorded last.

Examples:
  custody lineage train
  custody lineage train@blake3:da04c2d6...
  custody lineage train@blake3:da04c2d6... --format json
";

#[derive(Debug, Args)]
#[command(after_help = LEDGER_EXIT)]
pub struct LineageArgs {
    /// The dataset version, `DATASET@ROOT`; `DATASET` alone is the
    /// version recorded last.
    #[arg(value_name = "DATASET[@ROOT]")]
    pub dataset_version: String,
    #[command(flatten)]
    pub ledger: LedgerArg,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = StatusFormat::Table)]
    pub format: StatusFormat,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// What an advisory means for the pipelines in the ledger: affected
    /// environments, runs, data exposed and possibly injected, credentials
    /// in scope, a rotation checklist and the GDPR and NIS2 deadlines.
    #[command(long_about = INCIDENT_ABOUT)]
    Incident(IncidentArgs),
}

const INCIDENT_ABOUT: &str = "\
An incident report for an advisory, from the ledger, for a security lead
to act on and send: a summary; the GDPR (Art. 33, 72 hours) and NIS2 (Art.
23: 24 hours, 72 hours, one month) deadlines computed from the detection
time; a timeline; the environments that held an affected release, the runs
in them, the data they read (exposed: possibly exfiltrated) and wrote
(possibly injected, with how many records differ from the version sealed
before), what was built from it; per run the credentials in scope by name
only (environment variables it was given, credential places it could read,
attempts the sandbox refused); what to re-check or recall; and a rotation
checklist.

The HTML form is one self-contained page (no script, no external
resource); the JSON form is `custody.incident/v1` (docs/deliver.md).

Examples:
  custody report incident --advisory MAL-2026-2144 -o incident.html
  custody report incident --advisory MAL-2026-2144 --detected-at 2026-03-24T12:00:00Z --format md
  custody report incident --advisory MAL-2026-2144 --format json | jq .counts
  custody report incident --advisory MAL-2026-2144 --recheck clean=/data/clean -o incident.html

Exit codes: 0 written (re-checked data that differs is in the report, not
an error); 2 an unknown advisory, a --recheck that names no affected sealed
version or unreadable data, or bad arguments; 3 the report cannot be
written; 4 a stored manifest no longer verifies (run `custody ledger
verify`); 6 no ledger at the location, or it cannot be reached.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IncidentFormat {
    /// One self-contained HTML page.
    Html,
    /// Markdown.
    Md,
    /// `custody.incident/v1` JSON.
    Json,
}

#[derive(Debug, Args)]
pub struct IncidentArgs {
    /// The advisory id (or alias), imported with `custody db import` or
    /// embedded (MAL-2026-2144).
    #[arg(long, value_name = "ID")]
    pub advisory: String,
    /// When the incident was detected (RFC 3339); the notification clocks
    /// run from it. [default: now]
    #[arg(long, value_name = "T")]
    pub detected_at: Option<jiff::Timestamp>,
    /// Output format. [default: html with -o FILE.html, else md]
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<IncidentFormat>,
    /// Write the report here (whole, or not at all) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Verify the data at PATH against the seal of the affected dataset
    /// version it names (read, written or downstream; the manifest as
    /// the ledger stored it), and put the answer in the report: the bytes
    /// are that version, or which files and records differ. ROOT (a hex
    /// prefix) picks one version when the name has several. Repeatable.
    #[arg(long, value_name = "DATASET[@ROOT]=PATH")]
    pub recheck: Vec<custody::workflow::incident::RecheckRequest>,
    #[command(flatten)]
    pub ledger: LedgerArg,
}

const DELIVER_ABOUT: &str = "\
Sign a dataset version and the evidence behind it into one delivery bundle
(`custody.dev/delivery/v1`, a DSSE envelope; docs/deliver.md): the seal
manifest, the attestations of the steps that produced it back to sealed
sources (from the ledger, or the files given with --runs), the sealed
sources' manifests and the scan inventories of the steps' environments.
Every document inside stays verifiable on its own; the manifest and --runs
files must be signed by KEY.

Runs name folders by their SHA-256 root: seal with --hash sha256 for the
ledger to find the steps that wrote the version.

Examples:
  custody deliver clean.manifest.json -k vendor.key -o clean.delivery.json
  custody deliver clean.manifest.json -k vendor.key -o d.json --runs curate.att.json
  custody deliver clean.manifest.json -k vendor.key -o d.json --runs curate.att.json --runs-signed-by runner.pub

Exit codes: 0 written; 2 bad input (a manifest or run not signed by KEY,
unreadable files); 6 no ledger at the location.";

#[derive(Debug, Args)]
pub struct DeliverArgs {
    /// The dataset version's signed seal manifest.
    pub manifest: PathBuf,
    /// Private key (PEM) that signs the bundle (and signed the documents).
    #[arg(long, short = 'k', value_name = "KEY")]
    pub key: PathBuf,
    /// Environment variable holding the private key's passphrase.
    /// [default: CUSTODY_KEY_PASSPHRASE when set]
    #[arg(long, value_name = "VAR")]
    pub passphrase_env: Option<String>,
    /// Where the bundle is written.
    #[arg(long, short = 'o', value_name = "BUNDLE")]
    pub out: PathBuf,
    /// The steps' run attestations, instead of the ledger's.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub runs: Vec<PathBuf>,
    /// Public keys (PEM files, or folders of *.pub) that may also have
    /// signed the --runs attestations: the runners' keys, when steps are
    /// signed apart from data (a lab's `[vendors.NAME] step-signers`).
    #[arg(long, value_name = "KEYS", num_args = 1.., requires = "runs")]
    pub runs_signed_by: Vec<PathBuf>,
    /// After writing it, add the bundle to the ledger (its key must be
    /// trusted there), so an incident names this delivery to recall.
    #[arg(long)]
    pub record: bool,
    #[command(flatten)]
    pub ledger: LedgerArg,
}

const ACCEPT_ABOUT: &str = "\
Check a delivery bundle against the lab's policy (delivery.toml) and
accept or reject it, with every reason. The bundle and every document in
it must verify with a key from --trust. Policy rules (docs/deliver.md):
allowed signers; every step sandboxed by `custody run`; every step's
network; every input a sealed source or another step's output; no package
in a step's environment malicious (always) or vulnerable at or above a
severity according to the advisory database now (a delivery accepted last
week is rejected today if an advisory arrived since); a maximum bundle age;
with --data, the received bytes verify against the seal.

With -k, the decision itself (accept or reject, every check, the advisory
data's date) is signed by the lab's key and written beside the bundle
(`custody.dev/delivery-decision/v1`), whatever it is.

Examples:
  custody accept clean.delivery.json --policy delivery.toml --trust keys/
  custody accept clean.delivery.json --policy delivery.toml --trust vendor.pub --data received/ --format json
  custody accept clean.delivery.json --policy delivery.toml --trust keys/ -k lab.key

Exit codes: 0 accepted; 1 rejected (every failed check is printed); 2 bad
input (not a bundle, a malformed policy with its line, unreadable keys).";

#[derive(Debug, Args)]
pub struct AcceptArgs {
    /// The delivery bundle.
    pub bundle: PathBuf,
    /// The delivery policy (TOML).
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,
    /// Trusted public keys: PEM files, or folders whose *.pub files are read.
    #[arg(long, value_name = "KEYS", required = true, num_args = 1..)]
    pub trust: Vec<PathBuf>,
    /// The received data, verified against the bundle's seal.
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Judge packages by the advisories published by T (RFC 3339), to
    /// replay an earlier decision: a delivery accepted as of last week is
    /// rejected today when an advisory arrived since. Records are as held
    /// now (a record edited since counts as it reads today). [default:
    /// every record held]
    #[arg(long, value_name = "T")]
    pub advisories_as_of: Option<jiff::Timestamp>,
    /// The lab's private key (PEM): sign the decision (accept or reject,
    /// with every check) as evidence.
    #[arg(long, short = 'k', value_name = "KEY")]
    pub key: Option<PathBuf>,
    /// Environment variable holding the private key's passphrase.
    /// [default: CUSTODY_KEY_PASSPHRASE when set]
    #[arg(long, value_name = "VAR", requires = "key")]
    pub passphrase_env: Option<String>,
    /// Where the signed decision is written. [default: BUNDLE.decision.json]
    #[arg(long, value_name = "FILE", requires = "key")]
    pub decision: Option<PathBuf>,
    /// Add the signed decision to the ledger (the lab key must be trusted
    /// there). Not recorded: a warning says why, exit 7 when accepted.
    #[arg(long, requires = "key")]
    pub record: bool,
    /// The ledger `--record` adds to (default: $CUSTODY_LEDGER, else
    /// $CUSTODY_HOME/ledger.db).
    #[arg(long, value_name = "LOCATION", requires = "record")]
    pub ledger: Option<String>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = StatusFormat::Table)]
    pub format: StatusFormat,
}
const WATCH_ABOUT: &str = "\
Compare every advisory (imported with `custody db import`, and the embedded
malicious-package records such as MAL-2026-2144) with every package version
the ledger's environments hold, and emit each affected asset (environment,
run, artifact read, written, or made downstream) that this watcher has not
emitted before: once, as one JSON object (schema in docs/ledger.md, with a
stable `id`). The cursor lives in the ledger, per --name: two watchers with
different names each see everything.

Events go to standard output as JSON lines, or with --output appended to a
file (synced before the cursor advances), or with --webhook POSTed one per
request, signed: `X-Custody-Signature: sha256=HEX`, the HMAC-SHA256 of the
exact body with the secret from --webhook-secret-file or
$CUSTODY_WEBHOOK_SECRET (http:// only: no TLS in this build). A webhook that
does not answer 2xx is tried again with exponential backoff; an event not
delivered stays pending and is sent again next round (at least once).

A summary goes to standard error (`3 new affected assets for 1 advisory;
12 already emitted`), or with --format json the round's report as JSON.
With --interval, a round runs every DURATION (the advisory database is
re-read each round, so a new `custody db import` is picked up) until
stopped.

Examples:
  custody watch
  custody watch --name soc --output affected.jsonl
  custody watch --webhook http://127.0.0.1:9000/hook --webhook-secret-file hook.secret
  custody watch --interval 10m --ledger postgres://custody@db/custody -o affected.jsonl
  custody db import osv/ && custody watch --format json
";

const WATCH_EXIT: &str = "\
Exit codes: 0 the round ran (whether or not anything was new); 2 bad usage or
input (an unreadable or empty secret, an https:// webhook); 3 the ledger's
storage or the output failed; 6 the ledger location is unknown or cannot be
reached; 9 events were not delivered (the webhook failed after its tries,
the output could not be written): they stay pending for the next round.";

#[derive(Debug, Args)]
#[command(after_help = WATCH_EXIT)]
pub struct WatchArgs {
    /// The watcher's name: its own cursor of what it emitted.
    #[arg(long, value_name = "NAME", default_value = custody::workflow::watch::DEFAULT_WATCHER)]
    pub name: String,
    /// Append events to FILE as JSON lines instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// POST each event to URL (http://), signed with the webhook secret.
    #[arg(long, value_name = "URL")]
    pub webhook: Option<String>,
    /// The webhook's shared secret (the file's text, a trailing newline
    /// removed). Default: $CUSTODY_WEBHOOK_SECRET.
    #[arg(long, value_name = "FILE", requires = "webhook")]
    pub webhook_secret_file: Option<PathBuf>,
    /// Tries per event before the webhook counts as failed.
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub webhook_tries: u32,
    /// The wait after a failed try, doubled after each next one.
    #[arg(long, value_name = "DURATION", default_value = "500ms", value_parser = parse_timeout)]
    pub webhook_backoff: std::time::Duration,
    /// Run a round every DURATION (such as 10m) until stopped.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout)]
    pub interval: Option<std::time::Duration>,
    #[command(flatten)]
    pub ledger: LedgerArg,
    /// The summary on standard error: a line, or the round's report as JSON.
    #[arg(long, short = 'f', value_enum, default_value_t = WatchFormat::Text)]
    pub format: WatchFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WatchFormat {
    /// One line for people.
    Text,
    /// The round's report (schema in docs/ledger.md).
    Json,
}

const DEMO_ABOUT: &str = "\
The story custody exists for, in under a minute, offline, with harmless
replicas: a data vendor's curation environment holds a replica of litellm
1.82.8 whose .pth runs at every Python start-up, reads a planted SSH key
and sends it to a listener on 127.0.0.1. The demo shows the leak without
custody, then `custody scan` and `inspect` catching the release, the
curation step under `custody run --record` with its attempts refused and
recorded, a sealed delivery, the lab's `accept` rejecting it with reasons,
`custody impact` and the incident report. Each step prints the command a
user would type; the demo fails if a step does not end as the story says.
It needs only this binary and python3 (with venv).

Examples:
  custody demo
  custody demo --dir /tmp/story --verbose";

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The folder to play in (created). [default: a new folder in the temp folder]
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// The Python that makes the vendor's virtual environment.
    #[arg(long, value_name = "PYTHON", default_value = "python3")]
    pub python: String,
    /// Also print each command's own output.
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

const SBOM_ABOUT: &str = "\
A bill of materials of Python environments and lockfiles, for a lab that
asks its vendors for one: every package with its purl, hashes (lockfiles),
declared licence (an SPDX expression where the metadata gives a valid one,
SPDX ids for classifiers naming one licence, names otherwise; never
guessed), dependencies where the source states them (Requires-Dist
resolved in the environment; uv.lock and poetry.lock), and the tool and
time that made it. Read like `custody scan` reads: nothing is executed. An
entry that cannot be read is an error naming its file and line.

Formats: CycloneDX JSON 1.6 (default) or 1.7; SPDX 2.3 JSON (default for
spdx) or SPDX 3.0.1 JSON-LD. Field mapping: docs/sbom.md.

Examples:
  custody sbom .venv -o sbom.cdx.json
  custody sbom uv.lock --format spdx -o sbom.spdx.json
  custody sbom .venv --spec-version 1.7 | jq '.components | length'
  custody sbom .venv --format spdx --spec-version 3.0.1 -o sbom.spdx3.jsonld
  custody sbom --dataset clean.manifest.json --trust keys/ -o clean.mlbom.json
  custody sbom --dataset clean.manifest.json --runs curate.att.json --trust vendor.pub -f spdx --spec-version 3.0.1

With --dataset the bill is of a sealed dataset version instead: the
version, the steps that produced it back to sealed sources (from the
ledger, or --runs), what each read and wrote, and the packages of each
step's environment: which software touched which data. The manifest and
every attestation must verify with a --trust key (or one the ledger
trusts). CycloneDX or SPDX 3.0.1 (SPDX 2.3 has no dataset profile).

Exit codes: 0 written; 2 bad input (an unreadable environment or lockfile
entry, nothing found, a format and version that do not go together, a
manifest or attestation that is not one or is not signed by a trusted
key); 3 the file cannot be written; 6 no ledger at the location.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SbomFormat {
    /// CycloneDX JSON.
    Cyclonedx,
    /// SPDX JSON.
    Spdx,
}

#[derive(Debug, Args)]
pub struct SbomArgs {
    /// Environments (a prefix or site-packages), lockfiles, or folders
    /// holding them.
    #[arg(required_unless_present = "dataset", conflicts_with = "dataset")]
    pub paths: Vec<PathBuf>,
    /// Instead of packages: the bill of a sealed dataset version (its
    /// signed seal manifest), with the steps that produced it (CycloneDX
    /// `data` components and `formulation`; SPDX 3.0.1 Dataset and Build
    /// profiles).
    #[arg(long, value_name = "MANIFEST")]
    pub dataset: Option<PathBuf>,
    /// With --dataset: the steps' run attestations, instead of the
    /// ledger's (every run upstream of the version).
    #[arg(long, value_name = "FILE", num_args = 1.., requires = "dataset")]
    pub runs: Vec<PathBuf>,
    /// With --dataset: public keys (PEM files, or folders of *.pub) that
    /// may have signed the manifest and the attestations; the ledger's
    /// trusted keys count too when the steps come from it.
    #[arg(long, value_name = "KEYS", num_args = 1.., requires = "dataset")]
    pub trust: Vec<PathBuf>,
    #[command(flatten)]
    pub ledger: LedgerArg,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "cyclonedx")]
    pub format: SbomFormat,
    /// Format version: 1.6 or 1.7 for CycloneDX, 2.3 or 3.0.1 for SPDX.
    /// [default: 1.6, 2.3]
    #[arg(long, value_name = "VERSION")]
    pub spec_version: Option<String>,
    /// Write the document here (whole, or not at all) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// How deep to look for environments and lockfiles inside folders.
    #[arg(long, default_value_t = 4)]
    pub depth: usize,
}

#[derive(Debug, Subcommand)]
pub enum IndexCommand {
    /// Serve a simple index (PEP 503/691) in front of an upstream: releases
    /// with a MAL- record or younger than min-age left off the pages,
    /// every file fetched, digest-checked and inspected before it is served.
    #[command(long_about = INDEX_SERVE_ABOUT)]
    Serve(IndexServeArgs),
    /// Download every pinned file of lockfiles through the index's checks
    /// into a folder, sealed: the upstream of an air-gapped index.
    #[command(long_about = INDEX_MIRROR_ABOUT)]
    Mirror(IndexMirrorArgs),
}

const INDEX_MIRROR_ABOUT: &str = "\
Build the package folder of an air-gapped site from lockfiles: every pinned
release is looked up on the upstream, vetted as `custody index serve` vets
it (MAL- records, min-age, block-severity, the upstream's sha256, the
lockfile's hashes, inspection), and each file that passes is written to
the output folder with custody-mirror.json (project, version, sha256 and
upload time of every file) and custody-mirror.seal.json, a custody seal
manifest of the whole folder signed with --key. On the other side:

  custody index serve --upstream DIR --trust KEY.pub

verifies the seal before serving a byte, and checks each file against it
as it is served. Lockfiles: requirements files (with --hash), uv.lock,
poetry.lock, Pipfile.lock, pdm.lock, pylock.toml. A pin without hashes
takes every file of that release. Exit 0: everything mirrored; 1: some
release or file refused (the rest is mirrored and sealed); 2: bad input.

  custody index mirror uv.lock -o /media/transfer/wheels -k mirror.key";

#[derive(Debug, Args)]
pub struct IndexMirrorArgs {
    /// Lockfiles whose pins are mirrored.
    #[arg(required = true, value_name = "LOCKFILE")]
    pub lockfiles: Vec<PathBuf>,
    /// The folder to write (must not exist, or be empty).
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: PathBuf,
    /// The private key that seals the folder.
    #[arg(long, short = 'k', value_name = "KEY")]
    pub key: PathBuf,
    /// Environment variable holding the key's passphrase.
    #[arg(long, value_name = "VAR")]
    pub passphrase_env: Option<String>,
    /// Print the report as one JSON document.
    #[arg(long)]
    pub json: bool,
    /// Also record every decision in the ledger, signed with --key (its
    /// public key must be trusted there): LOCATION, or without one
    /// $CUSTODY_LEDGER, else $CUSTODY_HOME/ledger.db. Not recorded: a
    /// warning says why, exit 7 (the signed document stays in LOG.d/).
    #[arg(
        long,
        value_name = "LOCATION",
        num_args = 0..=1,
        default_missing_value = ""
    )]
    pub ledger: Option<String>,
    #[command(flatten)]
    pub vet: VetArgs,
}

const GUARD_ABOUT: &str = "\
Run an install command behind an ephemeral vetting index: custody starts
`custody index serve` (the same checks and options) on a free loopback
port, runs the command with its installers pointed at it (PIP_INDEX_URL,
UV_DEFAULT_INDEX, PDM_PYPI_URL; pip's extra indexes and find-links set
empty, uv's removed), then prints what was hidden or refused and why.

  custody guard -- pip install -r requirements.txt
  custody guard --policy custody.toml -- uv pip install -r requirements.txt
  custody guard --upstream /srv/wheels --trust mirror.pub -- uv sync

Exit: the command's own code; 10 when it failed and the index had hidden
or refused something (most likely what it needed). Index settings a
project states itself (pyproject's [[tool.uv.index]], pdm sources, Poetry
sources) are not changed: point those at `custody index serve`.";

#[derive(Debug, Args)]
pub struct GuardArgs {
    #[command(flatten)]
    pub vet: VetArgs,
    #[command(flatten)]
    pub record: DecisionsLedgerArgs,
    /// Write the report (custody.guard/v1 JSON) to this file.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// The install command and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<std::ffi::OsString>,
}

const INDEX_SERVE_ABOUT: &str = "\
Serve a package index that pip, uv, pdm and poetry use unchanged, in front
of an upstream index (https://pypi.org/simple/) or a folder of wheels and
sdists (air-gapped sites), so a poisoned release never reaches an
environment.

Project pages (/simple/NAME/, HTML or JSON by the client's Accept header,
upload times and metadata files passed through) leave off:
  - releases with a malicious-package (MAL-) record (the imported advisory
    database and the records built into custody);
  - releases younger than min-age (custody.toml: [index] min-age, else the
    top-level min-age), unless an [[index.allow]] entry with package,
    reason and expires keeps them.
Files (/files/NAME/FILE) are fetched, checked against the upstream's
sha256, inspected (custody inspect's rules) and served only when clean
([index] suspicious = \"warn\" serves suspicious ones too). A refusal is a
403 whose reason line pip shows; an upstream fault is a 502 or 504.
Verdicts are cached by sha256 under --cache, so a file is inspected once.
Every decision is a JSON line in --log. Codes and keys: docs/index.md.

  custody index serve --upstream https://pypi.org/simple/ --policy custody.toml
  pip install --index-url http://127.0.0.1:3141/simple/ requests
  uv pip install --default-index http://127.0.0.1:3141/simple/ requests

A folder upstream's upload time is each file's modification time.";

#[derive(Debug, Args)]
pub struct IndexServeArgs {
    /// The loopback address to listen on (port 0: a free port, printed).
    #[arg(long, default_value = "127.0.0.1:3141", value_name = "ADDR")]
    pub listen: std::net::SocketAddr,
    #[command(flatten)]
    pub vet: VetArgs,
    #[command(flatten)]
    pub record: DecisionsLedgerArgs,
}

/// What the index vets with: shared by `index serve`, `index mirror` and `guard`.
#[derive(Debug, Args)]
pub struct VetArgs {
    /// The upstream: a simple index's URL (http:// or https://) or a folder
    /// of wheels and sdists (a sealed mirror's is verified first: --trust).
    #[arg(
        long,
        value_name = "URL|DIR",
        default_value = "https://pypi.org/simple/"
    )]
    pub upstream: String,
    /// The policy file (custody.toml: min-age, [index], [[index.allow]]).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Where verdicts and allowed files are kept [default: $CUSTODY_HOME/cache/index].
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// The JSON-lines decision log, appended [default: $CUSTODY_HOME/index/decisions.jsonl].
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
    /// Seconds allowed for each exchange with the upstream.
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    pub timeout: u64,
    /// PEM root certificates for an https upstream (as pip's --cert);
    /// without it and SSL_CERT_FILE, Mozilla's roots.
    #[arg(long, env = "SSL_CERT_FILE", value_name = "FILE")]
    pub ca_bundle: Option<PathBuf>,
    /// A public key whose seal of a folder upstream is trusted (repeatable).
    /// A folder sealed by `custody index mirror` is served only after its
    /// seal verifies with one of these keys.
    #[arg(long, value_name = "KEY.pub")]
    pub trust: Vec<PathBuf>,
}
