//! Verifying data against a manifest: the same walk and hashing with the
//! manifest's settings, record indexes only for files that changed.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use crate::compare::{self, Report};
use crate::error::DataError;
use crate::manifest::{Entry, Manifest};
use crate::records::Index;
use crate::seal::{self, Options, Plan};
use crate::walk::Listed;

/// The seal options a manifest was made with.
pub fn options_of(manifest: &Manifest, skip: Vec<PathBuf>) -> Options {
    Options {
        algorithm: manifest.algorithm,
        chunk_size: manifest.chunk_size,
        symlinks: manifest.symlinks,
        excludes: manifest.excludes.clone(),
        records: true,
        record_key: manifest.record_key.clone(),
        name: Some(manifest.name.clone()),
        skip,
    }
}

/// Hashes the planned files as `manifest` was made and compares.
pub fn verify(
    manifest: &Manifest,
    plan: &Plan,
    options: &Options,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Report, DataError> {
    let done = AtomicU64::new(0);
    let files: Vec<Entry> = plan
        .files
        .par_iter()
        .map(|l| {
            let e = seal::entry(l, options, false)?;
            progress(done.fetch_add(l.size, Ordering::Relaxed) + l.size);
            Ok(e)
        })
        .collect::<Result<_, DataError>>()?;
    let local = Manifest {
        schema: manifest.schema.clone(),
        name: manifest.name.clone(),
        algorithm: manifest.algorithm,
        chunk_size: manifest.chunk_size,
        root: String::new(),
        symlinks: manifest.symlinks,
        excludes: manifest.excludes.clone(),
        record_key: manifest.record_key.clone(),
        files,
    };
    let listed: HashMap<&str, &Listed> = plan.files.iter().map(|l| (l.name.as_str(), l)).collect();
    let records = |e: &Entry| -> Option<Index> {
        let l = listed.get(e.path.as_str())?;
        let r = seal::record_index(l, options).ok().flatten().or_else(|| {
            // A record that lost its key field: index by content alone.
            let unkeyed = Options {
                record_key: None,
                ..options.clone()
            };
            seal::record_index(l, &unkeyed).ok().flatten()
        })?;
        r.to_index().ok()
    };
    Ok(compare::compare(manifest, &local, &records))
}
