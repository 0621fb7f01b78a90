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
Exit codes: 0 ok, 1 findings, 2 bad usage or input, 3 internal error.")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inventory Python environments and lockfiles and match every package
    /// against advisories, offline.
    #[command(long_about = SCAN_ABOUT)]
    Scan(ScanArgs),
    /// Find malicious code in packages without running them: wheels, sdists,
    /// unpacked folders, site-packages (first version: see issue 3).
    #[command(long_about = INSPECT_ABOUT)]
    Inspect(InspectArgs),
    /// Manage the local advisory database.
    #[command(subcommand)]
    Db(DbCommand),
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
Inventory Python environments and lockfiles and match every package against
advisories, offline.

PATH may be:
  * a virtual environment or installation prefix (its site-packages is read
    from disk; its Python is never started, so an implant cannot run);
  * a site-packages folder;
  * a lockfile: requirements*.txt, uv.lock, poetry.lock, Pipfile.lock,
    pdm.lock, pylock.toml;
  * a project folder, searched for all of the above;
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

Examples:
  custody scan .venv
  custody scan uv.lock --format sarif > custody.sarif
  custody scan . --fail-on critical --min-age 3d";

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
    /// Environments, lockfiles, project folders, or package archives (.whl,
    /// .tar.gz: inspected for malicious code) to scan.
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
