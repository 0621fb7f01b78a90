#![allow(
    clippy::format_push_string,
    clippy::format_collect,
    clippy::type_complexity,
    clippy::missing_panics_doc,
    reason = "test scaffolding: a static upstream written for clarity"
)]
//! The world of the index tests: a static PEP 503/691 upstream served on
//! 127.0.0.1 (the real wheels of `fixtures/wheels` plus harmless replicas
//! built here), `custody index serve` in front of it, and real pip and uv.

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};

/// The replicas' start-up hook: read the planted key, write it to the
/// marker (the proof it ran), try a loopback socket (a discard port).
pub fn hook(key: &Path, marker: &Path) -> String {
    use base64::Engine as _;
    let payload = format!(
        "try:\n    k = open({key:?}).read()\nexcept Exception:\n    k = 'unreadable'\n\
         open({marker:?}, 'w').write(k)\n\
         try:\n    s = socket.create_connection(('127.0.0.1', 9), 1)\n    s.sendall(k.encode())\n    s.close()\n\
         except Exception:\n    pass\n",
        key = key.display().to_string(),
        marker = marker.display().to_string()
    );
    let encoded = base64::engine::general_purpose::STANDARD.encode(payload);
    format!("import os, socket, base64; exec(base64.b64decode({encoded:?}))\n")
}

/// A wheel with these files (and its dist-info), as bytes.
pub fn wheel(name: &str, version: &str, files: &[(&str, String)]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut buf);
    let opts = zip::write::SimpleFileOptions::default();
    let di = format!("{name}-{version}.dist-info");
    let mut all: Vec<(String, String)> = files
        .iter()
        .map(|(p, c)| ((*p).to_owned(), c.clone()))
        .collect();
    all.push((
        format!("{di}/METADATA"),
        format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"),
    ));
    all.push((
        format!("{di}/WHEEL"),
        "Wheel-Version: 1.0\nGenerator: custody-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
            .into(),
    ));
    let mut record = String::new();
    for (p, _) in &all {
        record.push_str(&format!("{p},,\n"));
    }
    record.push_str(&format!("{di}/RECORD,,\n"));
    all.push((format!("{di}/RECORD"), record));
    for (p, c) in &all {
        z.start_file(p.as_str(), opts).unwrap();
        z.write_all(c.as_bytes()).unwrap();
    }
    z.finish().unwrap();
    buf.into_inner()
}

pub fn hex(b: &[u8]) -> String {
    Sha256::digest(b)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The upstream's content: project → files (name, bytes, upload time, listed sha256).
pub struct Upstream {
    pub projects: HashMap<String, Vec<(String, Vec<u8>, String, String)>>,
    /// Special pages: project → raw (content type, body).
    pub raw: HashMap<String, (String, String)>,
    /// PEP 658 metadata files: file name → (bytes, listed sha256).
    pub metadata: HashMap<String, (Vec<u8>, String)>,
}

pub fn serve_upstream(up: Upstream) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let up = Arc::new(up);
    std::thread::spawn(move || {
        for s in listener.incoming().flatten() {
            let up = Arc::clone(&up);
            std::thread::spawn(move || answer(&up, s, port));
        }
    });
    port
}

pub fn answer(up: &Upstream, mut s: TcpStream, port: u16) {
    let mut r = BufReader::new(s.try_clone().unwrap());
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    let mut accept = String::new();
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).unwrap() == 0 || h.trim().is_empty() {
            break;
        }
        if h.to_ascii_lowercase().starts_with("accept:") {
            h[7..].trim().clone_into(&mut accept);
        }
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let send = |s: &mut TcpStream, status: &str, ct: &str, body: &[u8], extra: &str| {
        let _ = write!(
            s,
            "HTTP/1.1 {status}\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n",
            body.len()
        );
        let _ = s.write_all(body);
    };
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match parts.as_slice() {
        ["simple", "redirector"] => send(
            &mut s,
            "302 Found",
            "text/plain",
            b"",
            &format!("Location: http://localhost:{port}/simple/idna/\r\n"),
        ),
        ["simple", "slow"] => {
            std::thread::sleep(Duration::from_secs(4));
            send(&mut s, "200 OK", "text/html", b"", "");
        }
        ["simple", name] if up.raw.contains_key(*name) => {
            let (ct, body) = &up.raw[*name];
            send(&mut s, "200 OK", ct, body.as_bytes(), "");
        }
        ["simple", name] if up.projects.contains_key(*name) => {
            let files = &up.projects[*name];
            if accept.contains("json") {
                let list: Vec<_> = files
                    .iter()
                    .map(|(f, b, t, h)| {
                        let mut j = serde_json::json!({
                            "filename": f, "url": format!("../../packages/{f}"),
                            "hashes": {"sha256": h}, "upload-time": t, "size": b.len()});
                        if let Some((_, m)) = up.metadata.get(f) {
                            j["core-metadata"] = serde_json::json!({"sha256": m});
                        }
                        j
                    })
                    .collect();
                let body = serde_json::json!({"meta": {"api-version": "1.1"}, "name": name, "files": list}).to_string();
                send(
                    &mut s,
                    "200 OK",
                    "application/vnd.pypi.simple.v1+json",
                    body.as_bytes(),
                    "",
                );
            } else {
                let mut body = String::from("<html><body>\n");
                for (f, _, _, h) in files {
                    body.push_str(&format!(
                        "<a href=\"../../packages/{f}#sha256={h}\">{f}</a><br/>\n"
                    ));
                }
                body.push_str("</body></html>\n");
                send(&mut s, "200 OK", "text/html", body.as_bytes(), "");
            }
        }
        ["packages", file] if file.ends_with(".metadata") => {
            match up.metadata.get(file.trim_end_matches(".metadata")) {
                Some((b, _)) => send(&mut s, "200 OK", "application/octet-stream", b, ""),
                None => send(&mut s, "404 Not Found", "text/plain", b"", ""),
            }
        }
        ["packages", file] => {
            let found = up.projects.values().flatten().find(|(f, ..)| f == file);
            match found {
                Some((f, b, ..)) if f.starts_with("cutoff") => {
                    let _ = write!(
                        s,
                        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        b.len()
                    );
                    let _ = s.write_all(&b[..10]);
                }
                Some((_, b, ..)) => send(&mut s, "200 OK", "application/octet-stream", b, ""),
                None => send(&mut s, "404 Not Found", "text/plain", b"", ""),
            }
        }
        _ => send(&mut s, "404 Not Found", "text/plain", b"", ""),
    }
}

pub struct World {
    pub dir: tempfile::TempDir,
    pub upstream: u16,
    pub index: u16,
    pub server: Child,
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

pub const OLD: &str = "2018-06-14T00:00:00Z";

pub fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let upstream = serve_upstream(content(dir.path()));
    start(dir, upstream)
}

/// The upstream's projects: the real wheels, the replicas and the faults.
pub fn content(dir: &Path) -> Upstream {
    let key = dir.join("home/.ssh/id_ed25519");
    std::fs::create_dir_all(key.parent().unwrap()).unwrap();
    std::fs::write(&key, "PLANTED-KEY-not-a-secret\n").unwrap();
    let mut projects: HashMap<String, Vec<_>> = HashMap::new();
    let mut add = |project: &str, file: &str, bytes: Vec<u8>, time: &str| {
        let h = hex(&bytes);
        projects.entry(project.to_owned()).or_default().push((
            file.to_owned(),
            bytes,
            time.to_owned(),
            h,
        ));
    };
    for entry in std::fs::read_dir(super::fixture("wheels")).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(".whl") {
            let project = stem.split('-').next().unwrap().to_ascii_lowercase();
            add(&project, &name, std::fs::read(&p).unwrap(), OLD);
        }
    }
    let marker = |n: &str| dir.join(format!("ran-{n}"));
    add(
        "litellm",
        "litellm-1.82.6-py3-none-any.whl",
        wheel(
            "litellm",
            "1.82.6",
            &[("litellm/__init__.py", "__version__ = '1.82.6'\n".into())],
        ),
        OLD,
    );
    add(
        "litellm",
        "litellm-1.82.8-py3-none-any.whl",
        wheel(
            "litellm",
            "1.82.8",
            &[
                ("litellm/__init__.py", "__version__ = '1.82.8'\n".into()),
                ("litellm_init.pth", hook(&key, &marker("litellm"))),
            ],
        ),
        OLD,
    );
    add(
        "helperkit",
        "helperkit-0.1-py3-none-any.whl",
        wheel(
            "helperkit",
            "0.1",
            &[
                ("helperkit/__init__.py", String::new()),
                ("helperkit_init.pth", hook(&key, &marker("helperkit"))),
            ],
        ),
        OLD,
    );
    add(
        "coolpkg",
        "coolpkg-1.0-py3-none-any.whl",
        wheel("coolpkg", "1.0", &[("coolpkg/__init__.py", String::new())]),
        OLD,
    );
    add(
        "coolpkg",
        "coolpkg-2.0-py3-none-any.whl",
        wheel("coolpkg", "2.0", &[("coolpkg/__init__.py", String::new())]),
        "2026-11-23T11:00:00Z",
    );
    add(
        "cutoff",
        "cutoff-1.0-py3-none-any.whl",
        wheel(
            "cutoff",
            "1.0",
            &[("cutoff/__init__.py", "x = 1\n".repeat(100))],
        ),
        OLD,
    );
    let liar = wheel("liar", "1.0", &[("liar/__init__.py", String::new())]);
    projects.entry("liar".into()).or_default().push((
        "liar-1.0-py3-none-any.whl".into(),
        liar,
        OLD.into(),
        "0".repeat(64),
    ));
    Upstream {
        projects,
        raw: malformed(),
        metadata: metadata(),
    }
}

/// PEP 658 files: idna's as listed, liar's with a wrong listed digest.
pub fn metadata() -> HashMap<String, (Vec<u8>, String)> {
    let idna_meta = b"Metadata-Version: 2.1\nName: idna\nVersion: 2.7\n".to_vec();
    HashMap::from([
        (
            "idna-2.7-py2.py3-none-any.whl".to_owned(),
            (idna_meta.clone(), hex(&idna_meta)),
        ),
        (
            "liar-1.0-py3-none-any.whl".to_owned(),
            (idna_meta, "0".repeat(64)),
        ),
    ])
}

/// Pages that are not what their content type says.
pub fn malformed() -> HashMap<String, (String, String)> {
    HashMap::from([
        (
            "badhtml".to_owned(),
            (
                "text/html".to_owned(),
                "<html><a href=\"badhtml-1.0.tar.gz".to_owned(),
            ),
        ),
        (
            "badjson".to_owned(),
            (
                "application/vnd.pypi.simple.v1+json".to_owned(),
                "{\"files\": [".to_owned(),
            ),
        ),
    ])
}

/// `custody index serve` in front of the upstream, min-age 3 days.
pub fn start(dir: tempfile::TempDir, upstream: u16) -> World {
    let policy = dir.path().join("custody.toml");
    std::fs::write(&policy, "[index]\nmin-age = \"3d\"\n").unwrap();
    let index = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = super::custody(&dir.path().join("custody-home"))
        .args([
            "index",
            "serve",
            "--upstream",
            &format!("http://127.0.0.1:{upstream}/simple/"),
            "--listen",
            &format!("127.0.0.1:{index}"),
            "--timeout",
            "2",
            "--policy",
        ])
        .arg(&policy)
        .arg("--log")
        .arg(dir.path().join("decisions.jsonl"))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stderr.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.contains("serving"), "{line}");
    World {
        dir,
        upstream,
        index,
        server,
    }
}

impl World {
    pub fn index_url(&self) -> String {
        format!("http://127.0.0.1:{}/simple/", self.index)
    }

    pub fn upstream_url(&self) -> String {
        format!("http://127.0.0.1:{}/simple/", self.upstream)
    }

    pub fn venv(&self, name: &str) -> PathBuf {
        let v = self.dir.path().join(name);
        assert!(
            Command::new("python3")
                .args(["-m", "venv"])
                .arg(&v)
                .status()
                .unwrap()
                .success()
        );
        v
    }

    pub fn pip(&self, venv: &Path, index: &str, args: &[&str]) -> Output {
        Command::new(venv.join("bin/python"))
            .args([
                "-m",
                "pip",
                "install",
                "--no-cache-dir",
                "--disable-pip-version-check",
                "--retries",
                "0",
                "--index-url",
                index,
            ])
            .args(args)
            .env("HOME", self.dir.path().join("home"))
            .env_remove("PIP_INDEX_URL")
            .env_remove("PIP_FIND_LINKS")
            .env("PIP_CONFIG_FILE", "/dev/null")
            .env_remove("http_proxy")
            .env_remove("HTTP_PROXY")
            .output()
            .unwrap()
    }

    pub fn marker(&self, n: &str) -> PathBuf {
        self.dir.path().join(format!("ran-{n}"))
    }

    /// Starts the venv's Python once (a .pth would run).
    pub fn start_python(venv: &Path) {
        assert!(
            Command::new(venv.join("bin/python"))
                .args(["-c", "pass"])
                .status()
                .unwrap()
                .success()
        );
    }

    pub fn log(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.dir.path().join("decisions.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    pub fn get(&self, path: &str) -> (u16, String) {
        let mut s = TcpStream::connect(("127.0.0.1", self.index)).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut s, &mut bytes).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let status = text.split_whitespace().nth(1).unwrap().parse().unwrap();
        (status, text.lines().next().unwrap().to_owned())
    }
}

/// uv from PyPI, in a tool venv under target/ (made once).
pub fn uv() -> PathBuf {
    super::pip_venv("uv-tool", &["uv==0.13.10"]).join("bin/uv")
}

impl World {
    /// `uv venv` then `uv pip install` from `index` into it.
    pub fn uv_install(&self, name: &str, index: &str, args: &[&str]) -> Output {
        let v = self.dir.path().join(name);
        let cache = self.dir.path().join("uv-cache");
        let run = |c: &mut Command| {
            c.env("UV_CACHE_DIR", &cache)
                .env("HOME", self.dir.path().join("home"))
                .env("UV_NO_CONFIG", "1")
                .env("UV_PYTHON_DOWNLOADS", "never")
                .env_remove("UV_INDEX_URL")
                .env_remove("UV_DEFAULT_INDEX")
                .env_remove("http_proxy")
                .env_remove("HTTP_PROXY")
                .output()
                .unwrap()
        };
        let o = run(Command::new(uv())
            .args(["venv", "--python", "python3"])
            .arg(&v));
        assert!(o.status.success(), "{}", text(&o));
        run(Command::new(uv())
            .args([
                "pip",
                "install",
                "--no-cache",
                "--default-index",
                index,
                "--python",
            ])
            .arg(v.join("bin/python"))
            .args(args))
    }
}

/// One GET: the status, the status line and the body.
pub fn request(port: u16, path: &str, accept: Option<&str>) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let accept = accept
        .map(|a| format!("Accept: {a}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\n{accept}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut s, &mut bytes).unwrap();
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (
        status,
        head.lines().next().unwrap().to_owned(),
        bytes[end + 4..].to_vec(),
    )
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A running `custody index serve`, killed when dropped.
pub struct Serving {
    pub child: Child,
    pub port: u16,
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Serving {
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/simple/", self.port)
    }
}

/// `custody index serve --listen <free port> ARGS` with `home`: the
/// server once it says it is serving, or its exit code and stderr.
pub fn spawn_serve(
    home: &Path,
    args: &[&std::ffi::OsStr],
) -> Result<Serving, (Option<i32>, String)> {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = super::custody(home)
        .args(["index", "serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(args)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    err.read_line(&mut line).unwrap();
    if line.contains("serving") {
        return Ok(Serving { child, port });
    }
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut err, &mut rest).unwrap();
    let status = child.wait().unwrap();
    Err((status.code(), format!("{line}{rest}")))
}

/// `python -m venv` at `path`.
pub fn make_venv(path: &Path) -> PathBuf {
    assert!(
        Command::new("python3")
            .args(["-m", "venv"])
            .arg(path)
            .status()
            .unwrap()
            .success()
    );
    path.to_owned()
}

/// The arguments of a quiet, cache-less `pip install` with `venv`'s pip.
pub fn pip_args(venv: &Path) -> Vec<std::ffi::OsString> {
    let mut v: Vec<std::ffi::OsString> = vec![venv.join("bin/python").into()];
    for a in [
        "-m",
        "pip",
        "install",
        "--no-cache-dir",
        "--disable-pip-version-check",
        "--retries",
        "0",
    ] {
        v.push(a.into());
    }
    v
}
