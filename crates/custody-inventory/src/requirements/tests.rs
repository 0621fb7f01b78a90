#![expect(clippy::disallowed_methods, reason = "std::fs is fine in tests")]

use super::*;

fn env(name: &str) -> Option<String> {
    (name == "TORCH_VERSION").then(|| "2.3.0".to_owned())
}

/// Reads `content` as `requirements.txt` in a fresh folder (plus `others`).
fn read_text(content: &[u8], others: &[(&str, &str)]) -> Inventory {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("requirements.txt");
    std::fs::write(&p, content).unwrap();
    for (name, text) in others {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    read_with_env(&p, &env).unwrap()
}

fn pins(inv: &Inventory) -> Vec<(String, Option<String>, bool, Option<usize>)> {
    inv.packages
        .iter()
        .map(|p| {
            (
                p.name.to_string(),
                p.version_text.clone(),
                p.version.is_some(),
                p.origin.line,
            )
        })
        .collect()
}

fn pin(
    name: &str,
    v: &str,
    checkable: bool,
    line: usize,
) -> (String, Option<String>, bool, Option<usize>) {
    (name.into(), Some(v.into()), checkable, Some(line))
}

#[test]
fn utf8_byte_order_mark() {
    let inv = read_text(b"\xEF\xBB\xBFrequests==2.19.1\nidna==2.7\n", &[]);
    assert!(inv.problems.is_empty(), "{:?}", inv.problems);
    assert_eq!(
        pins(&inv),
        vec![
            pin("requests", "2.19.1", true, 1),
            pin("idna", "2.7", true, 2)
        ]
    );
}

#[test]
fn short_config_settings_option() {
    let inv = read_text(
        b"foo==1.0 -C key=val\nbar==2.0 --config-settings=a=b\n",
        &[],
    );
    assert!(inv.problems.is_empty(), "{:?}", inv.problems);
    assert_eq!(
        pins(&inv),
        vec![pin("foo", "1.0", true, 1), pin("bar", "2.0", true, 2)]
    );
}

#[test]
fn arbitrary_equality_is_an_exact_pin() {
    let inv = read_text(
        b"foo===1.0-custom\nbar[x] === 2.0 ; python_version > \"3\"\n",
        &[],
    );
    assert!(inv.problems.is_empty(), "{:?}", inv.problems);
    assert_eq!(
        pins(&inv),
        vec![
            pin("foo", "1.0-custom", false, 1),
            pin("bar", "2.0", true, 2)
        ]
    );
    assert!(inv.packages.iter().all(|p| p.pin == Pin::Exact));
    assert_eq!(inv.packages[1].extras, vec!["x".to_owned()]);
    assert!(inv.packages[1].marker.is_some());
}

#[test]
fn env_variables_expand_and_unset_ones_stay() {
    let inv = read_text(
        b"torch==${TORCH_VERSION}\nfoo @ https://h/foo-${UNSET}.tar.gz\n",
        &[],
    );
    assert!(inv.problems.is_empty(), "{:?}", inv.problems);
    assert_eq!(pins(&inv)[0], pin("torch", "2.3.0", true, 1));
    assert!(matches!(&inv.packages[1].pin, Pin::Url { url } if url.contains("UNSET")));
}

#[test]
fn continuation_inside_a_token() {
    let inv = read_text(b"req\\\nuests==1.0\nidna==2.7\n", &[]);
    assert!(inv.problems.is_empty(), "{:?}", inv.problems);
    assert_eq!(
        pins(&inv),
        vec![pin("requests", "1.0", true, 1), pin("idna", "2.7", true, 3)]
    );
}

#[test]
fn a_bad_line_is_a_problem_and_the_rest_is_read() {
    let inv = read_text(
        b"requests==2.19.1\nfoo==>1\n--bogus\nidna==2.7\n-r missing.txt\nsix==1.16.0 --hash=md5:00\nflask>=2\n",
        &[],
    );
    let problems: Vec<_> = inv
        .problems
        .iter()
        .map(|p| (p.line, p.message.as_str()))
        .collect();
    assert_eq!(problems.len(), 4, "{problems:?}");
    assert_eq!(problems[0].0, 2);
    assert!(
        problems[0].1.starts_with("invalid requirement"),
        "{problems:?}"
    );
    assert_eq!(problems[1], (3, "no such option: --bogus"));
    assert_eq!(problems[2].0, 5);
    assert!(
        problems[2].1.contains("missing.txt cannot be read"),
        "{problems:?}"
    );
    assert_eq!(problems[3].0, 6);
    assert!(problems[3].1.contains("sha256"), "{problems:?}");
    assert!(
        inv.problems
            .iter()
            .all(|p| p.path.ends_with("requirements.txt"))
    );
    let names: Vec<_> = inv.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["requests", "idna", "flask"]);
}

#[test]
fn problems_of_an_included_file_name_that_file() {
    let inv = read_text(
        b"-r base.txt\nidna==2.7\n",
        &[("base.txt", "ok==1\nbad line ==\n")],
    );
    assert_eq!(inv.problems.len(), 1);
    assert!(inv.problems[0].path.ends_with("base.txt"));
    assert_eq!(inv.problems[0].line, 2);
    assert_eq!(inv.packages.len(), 2);
}

#[test]
fn url_wheel_keeps_its_local_version() {
    let url =
        "https://download.pytorch.org/whl/cu121/torch-2.3.0%2Bcu121-cp311-cp311-linux_x86_64.whl";
    let inv = read_text(format!("torch @ {url}\n{url}\n").as_bytes(), &[]);
    assert_eq!(
        pins(&inv),
        vec![
            pin("torch", "2.3.0+cu121", true, 1),
            pin("torch", "2.3.0+cu121", true, 2)
        ]
    );
}

#[test]
fn local_archives_and_vcs_are_listed_but_not_checkable() {
    let inv = read_text(
        b"./dist/my_pkg-0.1.tar.gz\nmy-other @ file:///w/my_other-1.0-py3-none-any.whl\n",
        &[],
    );
    assert_eq!(
        pins(&inv),
        vec![
            pin("my-pkg", "0.1", false, 1),
            pin("my-other", "1.0", false, 2)
        ]
    );
    assert!(
        inv.packages
            .iter()
            .all(|p| matches!(p.pin, Pin::Local { .. }))
    );
}

#[test]
fn credentials_in_urls_are_not_kept() {
    let inv = read_text(b"https://user:s3cret@h.example/p/x-1.0.tar.gz\n", &[]);
    let Pin::Url { url } = &inv.packages[0].pin else {
        panic!()
    };
    assert!(!url.contains("s3cret"), "{url}");
}

#[test]
fn a_requirement_in_a_constraints_file_include_is_a_requirement_again() {
    let inv = read_text(
        b"-c c.txt\nurllib3\n",
        &[
            ("c.txt", "urllib3==1.23\n-r more.txt\n"),
            ("more.txt", "idna==2.7\n"),
        ],
    );
    assert_eq!(
        pins(&inv),
        vec![pin("idna", "2.7", true, 1), pin("urllib3", "1.23", true, 2)]
    );
}

#[test]
fn versions_are_pep440_normalised() {
    let inv = read_text(b"foo==1.0.0-RC1\n", &[]);
    assert_eq!(pins(&inv), vec![pin("foo", "1.0.0rc1", true, 1)]);
}
