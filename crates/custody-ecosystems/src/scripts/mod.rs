//! Static inspection of npm packages' install-time behaviour.
//!
//! npm runs a package's `preinstall`, `install` and `postinstall` scripts
//! when it installs it (a `binding.gyp` beside `package.json` with neither
//! `install` nor `preinstall` implies `node-gyp rebuild` as `install`), and
//! `prepare` when it installs from git or a local folder. This module reads,
//! never runs, those commands and the files they run, and reports:
//!
//! - `info`: a lifecycle script exists (esbuild's `node install.js`,
//!   node-gyp): legitimate and common;
//! - `suspicious`: one signal a payload shows (downloads and runs code, runs
//!   a very large or obfuscated file, names credential places or a way out,
//!   writes CI/editor/agent/shell config, runs AI CLIs without permission
//!   checks);
//! - `malicious`: a combination of them, or a known worm's file or name
//!   (Shai-Hulud 1 and 2, nx/s1ngularity, Mini Shai-Hulud).
//!
//! Rules are data: [`RULES`] lists every code with its level and summary;
//! the words, worm files and combinations are rows of one table each, with
//! their reasons. Files are read as bytes with size bounds
//! ([`MAX_SCRIPT_BYTES`], [`MAX_MANIFEST_BYTES`], [`MAX_CONFIG_BYTES`]);
//! what is not read is reported in [`PackageReport::skipped`].
//!
//! ```
//! use std::path::Path;
//! use custody_ecosystems::scripts::{Code, Level, PackageFile, inspect_files};
//!
//! let manifest = r#"{"name": "x", "version": "1.0.0",
//!   "scripts": {"postinstall": "node install.js"}}"#;
//! let code = b"require('https').get('https://registry.npmjs.org/x')";
//! let files = [PackageFile { path: "install.js", size: code.len() as u64, content: Some(code) }];
//! let report = inspect_files(Path::new("x/package.json"), manifest, &files)?;
//! assert_eq!(report.level, Some(Level::Info));
//! assert_eq!(report.findings[0].code, Code::LifecycleScript);
//! # Ok::<(), custody_ecosystems::Error>(())
//! ```

mod analyse;
mod command;
mod patterns;
mod read;
mod report;
mod rules;
mod scan;

use std::path::Path;

pub use analyse::{LARGE_FILE_BYTES, MAX_RUN_FILES};
pub use read::{MAX_CONFIG_BYTES, MAX_MANIFEST_BYTES, MAX_SCRIPT_BYTES};
pub use report::{Finding, PackageFile, PackageReport, Skipped};
pub use rules::{Code, Level, Phase, RULES, Rule};

use crate::Error;
use crate::npm::tree::{self, Entry};

/// Inspects one installed package folder (the folder that has the
/// `package.json`).
pub fn inspect_package(dir: &Path) -> Result<PackageReport, Error> {
    read::package(dir)
}

/// Inspects every package of an installed tree: a `node_modules` folder,
/// or a project folder that has one. Walk order as
/// [`read_node_modules`](crate::read_node_modules); links out of the tree
/// (workspace and `file:` packages) are not entered and not reported.
pub fn inspect_tree(path: &Path) -> Result<Vec<PackageReport>, Error> {
    let mut out = Vec::new();
    tree::walk(&tree::root(path), &mut |entry| {
        if let Entry::Package { dir, .. } = entry {
            out.push(read::package(dir)?);
        }
        Ok(())
    })?;
    Ok(out)
}

/// Inspects a package given as data: its `package.json` text and its files
/// (paths inside the package, `/`-separated), as an archive reader would
/// hand them over. Files a lifecycle script runs are inspected only when
/// their content is given; the others only by name (worm files) and, for
/// content given, for worm names. `manifest_path` names the manifest in
/// errors and gives [`PackageReport::dir`].
pub fn inspect_files(
    manifest_path: &Path,
    manifest: &str,
    files: &[PackageFile<'_>],
) -> Result<PackageReport, Error> {
    Ok(analyse::analyse(manifest_path, manifest, files)?.report)
}

/// The package name of an `npx` argument (`pkg@1.2.3`, `@scope/pkg@latest`).
fn npx_name(spec: &str) -> &str {
    crate::npm::split_name(spec).map_or(spec, |(name, _)| name)
}
