//! A read-only machine for the step: in a mount namespace of its own,
//! every mount is made read-only, except the policy's writable paths,
//! which are bound onto themselves (and made `nosuid`, `nodev`).
//!
//! Landlock decides opens, but not `chmod`, `chown`, `utime` or
//! `setxattr`: those change a file's attributes without opening it. On a
//! read-only mount the kernel refuses all of them (`EROFS`), on the file
//! finally reached, after every symbolic link and `/proc/self/fd` trick,
//! so a step cannot make `~/.ssh/id_rsa` world-readable. Mounts made here
//! are private: nothing propagates back to the machine.

use std::path::{Path, PathBuf};

use rustix::mount::{
    MountFlags, MountPropagationFlags, mount_bind_recursive, mount_change, mount_remount,
};

/// One line of `/proc/self/mountinfo`: where a mount is and its
/// per-mount flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// The mount point.
    pub point: PathBuf,
    /// Per-mount flags to keep when remounting (`nosuid`, `nodev`,
    /// `noexec` and the atime mode): in a user namespace the kernel
    /// refuses a remount that drops one of them.
    pub keep: MountFlags,
}

/// Why the machine could not be made read-only.
#[derive(Debug, thiserror::Error)]
#[error("cannot make the file system read-only for the step: {0}")]
pub struct ReadOnlyMountsError(String);

/// The mounts listed in `/proc/self/mountinfo` text, in order.
pub fn parse(text: &str) -> Vec<Mount> {
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split(' ');
            let point = fields.nth(4)?;
            let options = fields.next()?;
            Some(Mount {
                point: PathBuf::from(unescape(point)),
                keep: options.split(',').fold(MountFlags::empty(), |acc, o| {
                    acc | match o {
                        "nosuid" => MountFlags::NOSUID,
                        "nodev" => MountFlags::NODEV,
                        "noexec" => MountFlags::NOEXEC,
                        "noatime" => MountFlags::NOATIME,
                        "nodiratime" => MountFlags::NODIRATIME,
                        "relatime" => MountFlags::RELATIME,
                        _ => MountFlags::empty(),
                    }
                }),
            })
        })
        .collect()
}

/// Decodes mountinfo's octal escapes (`\040` is a space).
fn unescape(field: &str) -> String {
    let b = field.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            let v = b[i + 1..i + 4]
                .iter()
                .fold(0u32, |acc, c| acc * 8 + u32::from(c - b'0'));
            out.push(u8::try_from(v).unwrap_or(b'?'));
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Makes every mount read-only except `writable` (in the calling
/// process's mount namespace, which must be its own). Fails closed: an
/// error means some mount may still be writable.
pub fn read_only_except(writable: &[PathBuf]) -> Result<(), ReadOnlyMountsError> {
    let fail = |what: &str, path: &Path, e: rustix::io::Errno| {
        ReadOnlyMountsError(format!("{what} {}: {e}", path.display()))
    };
    mount_change(
        "/",
        MountPropagationFlags::PRIVATE | MountPropagationFlags::REC,
    )
    .map_err(|e| fail("making private", Path::new("/"), e))?;
    // Files and folders only: a device (`/dev/null`) stays on its own
    // mount, where writing to a device is no change to the file system,
    // and `nodev` would close it.
    let writable: Vec<&PathBuf> = writable
        .iter()
        .filter(|p| {
            p.symlink_metadata()
                .is_ok_and(|m| m.is_file() || m.is_dir())
        })
        .collect();
    for p in &writable {
        mount_bind_recursive(p.as_path(), p.as_path()).map_err(|e| fail("binding", p, e))?;
    }
    let text = fs_err::read_to_string("/proc/self/mountinfo")
        .map_err(|e| ReadOnlyMountsError(format!("reading /proc/self/mountinfo: {e}")))?;
    let mounts = parse(&text);
    for m in &mounts {
        let flags = MountFlags::BIND | MountFlags::RDONLY | m.keep;
        mount_remount(&m.point, flags, "").map_err(|e| fail("remounting", &m.point, e))?;
    }
    for p in &writable {
        let keep = mounts
            .iter()
            .rev()
            .find(|m| m.point == **p)
            .map_or(MountFlags::empty(), |m| m.keep);
        let flags = MountFlags::BIND | MountFlags::NOSUID | MountFlags::NODEV | keep;
        mount_remount(p.as_path(), flags, "").map_err(|e| fail("remounting writable", p, e))?;
    }
    Ok(())
}

/// Mounts a fresh, private tmpfs on `/dev/shm` (after
/// [`read_only_except`]): POSIX semaphores and shared memory, which
/// Python's multiprocessing needs, work, and nothing there is shared with
/// processes outside. `false` when there is no `/dev/shm` or no mount.
pub fn private_shm() -> bool {
    let shm = Path::new("/dev/shm");
    shm.is_dir()
        && rustix::mount::mount(
            "tmpfs",
            shm,
            "tmpfs",
            MountFlags::NOSUID | MountFlags::NODEV,
            c"mode=1777",
        )
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_lines() {
        let text = "\
22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
23 22 0:5 / /dev rw,nosuid,noexec,relatime shared:2 - devtmpfs udev rw
40 22 0:40 / /mnt/with\\040space rw,nodev,noatime - tmpfs tmpfs rw
";
        let m = parse(text);
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].point, PathBuf::from("/"));
        assert_eq!(m[0].keep, MountFlags::RELATIME);
        assert_eq!(
            m[1].keep,
            MountFlags::NOSUID | MountFlags::NOEXEC | MountFlags::RELATIME
        );
        assert_eq!(m[2].point, PathBuf::from("/mnt/with space"));
        assert_eq!(m[2].keep, MountFlags::NODEV | MountFlags::NOATIME);
    }

    #[test]
    fn escapes_decode_and_stray_backslashes_stay() {
        assert_eq!(unescape("a\\011b\\134c"), "a\tb\\c");
        assert_eq!(unescape("a\\9"), "a\\9");
        assert_eq!(unescape("end\\04"), "end\\04");
    }
}
