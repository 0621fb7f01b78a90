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
/// following links), and how many there are in all.
pub fn audit(output: &Path) -> (Vec<Refused>, u64) {
    let mut listed = Vec::new();
    let mut count = 0u64;
    for entry in walkdir::WalkDir::new(output).follow_links(false) {
        let Ok(entry) = entry else { continue };
        let Some(r) = judge(entry.path()) else {
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
fn judge(path: &Path) -> Option<Refused> {
    let meta = path.symlink_metadata().ok()?;
    let ft = meta.file_type();
    let shown = |p: &Path| crate::text::escape(p.as_os_str().as_encoded_bytes());
    let (kind, detail) = if ft.is_symlink() {
        let target = fs_err::read_link(path).unwrap_or_else(|_| PathBuf::from("?"));
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
        let (mut got, n) = audit(&out);
        got.sort_by(|a, b| a.path.cmp(&b.path));
        assert_eq!(n, 3);
        let kinds: Vec<(Kind, &str)> = got.iter().map(|r| (r.kind, r.detail.as_str())).collect();
        assert_eq!(
            kinds,
            [
                (Kind::Symlink, "/root/.ssh/id_rsa"),
                (Kind::Fifo, ""),
                (Kind::SetId, "mode 4755")
            ]
        );
        assert!(audit(&out.join("ok.jsonl")).0.is_empty());
    }
}
