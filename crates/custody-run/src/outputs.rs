//! What the step left in its outputs that custody will not attest: a
//! symbolic link (it could point at a secret, and whoever copies the
//! folder with links followed ships the secret), a FIFO or socket (reading
//! it hangs or talks to a process), a device node, a set-user-ID or
//! set-group-ID file (it would run with its owner's rights wherever the
//! output lands). Outputs are regular files and folders; an output holding
//! anything else is refused: its subject carries no digest, and the
//! attestation lists what was found. Nothing is opened or followed here.

use std::os::unix::fs::{FileTypeExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Why an entry is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A symbolic link.
    Symlink,
    /// A named pipe.
    Fifo,
    /// A unix socket.
    Socket,
    /// A character device.
    CharDevice,
    /// A block device.
    BlockDevice,
    /// A file with the set-user-ID or set-group-ID bit.
    SetId,
    /// An output custody could not read to hash (an entry only the step
    /// may open, a folder too deep): it cannot vouch for it.
    Unreadable,
}

/// One refused entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refused {
    /// The entry's path, escaped.
    pub path: String,
    /// What it is.
    pub kind: Kind,
    /// The link's target or the mode, escaped.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

/// At most this many refused entries are listed per output; all are
/// counted.
pub const MAX_LISTED: usize = 100;

/// The refused entries of one output (a file or a folder, walked without
/// following links), and how many there are in all. Names the step chose
/// are shown as [`crate::describe::path`] shows them (the output's own
/// path, then `…`), so they cannot carry data into the attestation.
pub fn audit(output: &Path) -> (Vec<Refused>, u64) {
    let mut listed = Vec::new();
    let mut count = 0u64;
    let label = crate::text::escape(output.as_os_str().as_encoded_bytes());
    let places = crate::describe::Places::new(vec![(output.to_path_buf(), label)]);
    for entry in walkdir::WalkDir::new(output).follow_links(false) {
        let Ok(entry) = entry else { continue };
        let Some(r) = judge(entry.path(), &places) else {
            continue;
        };
        count += 1;
        if listed.len() < MAX_LISTED {
            listed.push(r);
        }
    }
    (listed, count)
}

/// What `path` is, if custody refuses it.
fn judge(path: &Path, places: &crate::describe::Places) -> Option<Refused> {
    let meta = path.symlink_metadata().ok()?;
    let ft = meta.file_type();
    let exists = |p: &Path| p.symlink_metadata().is_ok();
    let shown = |p: &Path| crate::describe::path(p, places, &exists).0;
    let (kind, detail) = if ft.is_symlink() {
        let target = fs_err::read_link(path).unwrap_or_else(|_| PathBuf::from("?"));
        let target = path
            .parent()
            .map_or(target.clone(), |d| crate::describe::absolute(d, &target));
        (Kind::Symlink, shown(&target))
    } else if ft.is_fifo() {
        (Kind::Fifo, String::new())
    } else if ft.is_socket() {
        (Kind::Socket, String::new())
    } else if ft.is_char_device() {
        (Kind::CharDevice, String::new())
    } else if ft.is_block_device() {
        (Kind::BlockDevice, String::new())
    } else if ft.is_file() && meta.permissions().mode() & 0o6000 != 0 {
        (
            Kind::SetId,
            format!("mode {:o}", meta.permissions().mode() & 0o7777),
        )
    } else {
        return None;
    };
    Some(Refused {
        path: shown(path),
        kind,
        detail,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]
    use super::*;

    #[test]
    fn links_pipes_and_set_id_files_are_refused() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("out");
        std::fs::create_dir_all(out.join("sub")).unwrap();
        std::fs::write(out.join("ok.jsonl"), "{}\n").unwrap();
        std::fs::write(out.join("sub/run"), "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(out.join("sub/run"), std::fs::Permissions::from_mode(0o4755))
            .unwrap();
        std::os::unix::fs::symlink("/root/.ssh/id_rsa", out.join("key")).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(out.join("pipe"))
            .status()
            .unwrap();
        assert!(made.success());
        let (got, n) = audit(&out);
        assert_eq!(n, 3);
        let mut kinds: Vec<(Kind, &str)> =
            got.iter().map(|r| (r.kind, r.detail.as_str())).collect();
        kinds.sort_by_key(|k| format!("{:?}", k.0));
        // The link's target reads as a path the record may name: `/root`
        // exists or not, `.ssh` and `id_rsa` are in the vocabulary.
        assert_eq!(kinds[0].0, Kind::Fifo);
        assert_eq!(kinds[1], (Kind::SetId, "mode 4755"));
        assert_eq!(kinds[2].0, Kind::Symlink);
        assert!(kinds[2].1.ends_with("/.ssh/id_rsa"), "{kinds:?}");
        // Names the step chose inside the output do not reach the record.
        let shown = crate::text::escape(out.as_os_str().as_encoded_bytes());
        assert!(got.iter().all(|r| r.path.starts_with(&shown)), "{got:?}");
        assert!(got.iter().all(|r| !r.path.contains("pipe")), "{got:?}");
        assert!(audit(&out.join("ok.jsonl")).0.is_empty());
    }
}
