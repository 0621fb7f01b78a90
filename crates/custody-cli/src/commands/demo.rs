//! `custody demo`: the Mercor story, offline, in a folder, with harmless
//! replicas. Each step is a real `custody` command run as a user would
//! type it (this binary, from the demo folder); the narrative prints the
//! command and what it showed, and the demo fails if a step does not end
//! as the story says.

use std::io::Read as _;
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use custody::workflow::demo::{self, PLANTED};

use crate::cli::DemoArgs;
use crate::exit::{CliError, CmdResult, Exit};
use crate::output;

/// What a step's command did.
struct Ran {
    code: i32,
    out: String,
}

/// The bytes that reached the listener.
type Received = Arc<Mutex<Vec<u8>>>;

/// Listens on a loopback port and keeps what arrives.
fn listen() -> Result<(u16, Received), CliError> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(|e| CliError::internal(anyhow::anyhow!("cannot listen on 127.0.0.1: {e}")))?;
    let port = listener
        .local_addr()
        .map_err(|e| CliError::internal(anyhow::anyhow!("{e}")))?
        .port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&got);
    std::thread::spawn(move || {
        for mut s in listener.incoming().map_while(Result::ok) {
            let mut buf = Vec::new();
            let _ = s.read_to_end(&mut buf);
            if let Ok(mut g) = sink.lock() {
                g.extend(buf);
            }
        }
    });
    Ok((port, got))
}

fn received(got: &Received) -> String {
    got.lock()
        .map(|g| String::from_utf8_lossy(&g).into_owned())
        .unwrap_or_default()
}

struct Demo<'a> {
    dir: &'a Path,
    home: std::path::PathBuf,
    verbose: bool,
    step: u32,
}

impl Demo<'_> {
    fn title(&mut self, text: &str) {
        self.step += 1;
        output::note(&format!("\n{}. {text}", self.step));
    }

    /// Runs `custody ARGS` in the demo folder; `expect` is the exit code
    /// the story needs.
    fn custody(&self, args: &[&str], expect: i32) -> Result<Ran, CliError> {
        let exe = std::env::current_exe()
            .map_err(|e| CliError::internal(anyhow::anyhow!("cannot find custody itself: {e}")))?;
        output::note(&format!("   $ custody {}", args.join(" ")));
        let out = Command::new(exe)
            .args(args)
            .current_dir(self.dir)
            .env("CUSTODY_HOME", &self.home)
            .env_remove("CUSTODY_LEDGER")
            .env_remove("CUSTODY_NOW")
            .output()
            .map_err(|e| CliError::internal(anyhow::anyhow!("cannot run custody: {e}")))?;
        let ran = Ran {
            code: out.status.code().unwrap_or(-1),
            out: format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        };
        if self.verbose {
            for l in ran.out.lines() {
                output::note(&format!("     | {l}"));
            }
        }
        if ran.code != expect {
            return Err(CliError::internal(anyhow::anyhow!(
                "the demo's step `custody {}` exited {} (the story expects {expect}):\n{}",
                args.join(" "),
                ran.code,
                ran.out
            )));
        }
        Ok(ran)
    }
}

/// What a step showed, in the narrative.
fn says(text: &str) {
    output::note(&format!("   -> {text}"));
}

fn check(ok: bool, what: &str, ran: &Ran) -> Result<(), CliError> {
    if ok {
        Ok(())
    } else {
        Err(CliError::internal(anyhow::anyhow!(
            "the demo expected {what}, got:\n{}",
            ran.out
        )))
    }
}

#[expect(
    clippy::too_many_lines,
    reason = "the story, step by step, reads best in one place"
)]
pub fn run(args: &DemoArgs) -> CmdResult {
    let started = std::time::Instant::now();
    let dir = args.dir.clone().unwrap_or_else(demo::default_dir);
    let (port, got) = listen()?;
    let stage = demo::stage(&dir, &args.python, port).map_err(|e| {
        CliError::bad_input(e)
            .with_hint("the demo needs python3 with its venv module (Debian: python3-venv)")
    })?;
    let mut d = Demo {
        dir: &dir,
        home: dir.join("custody-home"),
        verbose: args.verbose,
        step: 0,
    };
    let site = demo::site_packages(&stage);
    let site = site.to_string_lossy();
    output::note(&format!(
        "custody demo: the March 2026 litellm compromise, replayed with harmless replicas in {}",
        dir.display()
    ));

    d.title("A data vendor's curation environment holds litellm 1.82.8 (a replica).");
    says(
        "its litellm_init.pth runs at every Python start-up: it reads the vendor's SSH key and sends it out",
    );
    d.title("Without custody, any Python start-up there leaks the key.");
    output::note("   $ vendor-env/bin/python -c pass");
    let _ = Command::new(&stage.python)
        .args(["-c", "pass"])
        .current_dir(&dir)
        .output();
    std::thread::sleep(std::time::Duration::from_millis(200));
    let leaked = received(&got).contains(PLANTED);
    says(if leaked {
        "a listener on 127.0.0.1 received the planted key"
    } else {
        "the listener received nothing (the replica could not run here)"
    });
    got.lock().map(|mut g| g.clear()).ok();

    d.title("The vendor makes a signing key; its ledger trusts it.");
    d.custody(&["key", "generate", "-o", "vendor"], 0)?;
    d.custody(&["ledger", "trust", "add", "vendor.pub"], 0)?;

    d.title("custody scan finds the release, offline, and records the environment's inventory.");
    let ran = d.custody(&["scan", "vendor-env", "--record", "-k", "vendor.key"], 1)?;
    check(
        ran.out.contains("MAL-2026-2144") && ran.out.contains("MALICIOUS"),
        "MAL-2026-2144 and a malicious verdict",
        &ran,
    )?;
    says(
        "exit 1: litellm 1.82.8 matches MAL-2026-2144 (built in), and inspection judges the environment malicious",
    );

    d.title("custody inspect says what the code does, without running it.");
    let ran = d.custody(&["inspect", &site], 1)?;
    check(
        ran.out.contains("reads secrets and sends"),
        "the secret-sending verdict",
        &ran,
    )?;
    says(
        "malicious: reads secrets and sends or runs something before any function is called (litellm_init.pth)",
    );

    d.title("The vendor seals the raw data (SHA-256, so runs can name it) and records it.");
    d.custody(
        &[
            "seal",
            "raw",
            "-k",
            "vendor.key",
            "-o",
            "raw.manifest.json",
            "--hash",
            "sha256",
            "--record",
        ],
        0,
    )?;

    d.title(
        "The curation step runs under custody run, recorded: the replica runs, and is stopped.",
    );
    let ran = d.custody(
        &[
            "run",
            "--input",
            "raw",
            "--allow-read",
            "curate.py",
            "--output",
            "clean",
            "-k",
            "vendor.key",
            "--attest",
            "curate.att.json",
            "--record",
            "--",
            "vendor-env/bin/python",
            "curate.py",
        ],
        0,
    )?;
    check(
        ran.out.contains("id_ed25519 [credential]") && ran.out.contains("connect  127.0.0.1:"),
        "the refused key read and connection",
        &ran,
    )?;
    std::thread::sleep(std::time::Duration::from_millis(200));
    let after = received(&got);
    check(
        after.is_empty(),
        "nothing at the listener",
        &Ran {
            code: 0,
            out: after.clone(),
        },
    )?;
    says(
        "the step's open of vendor-home/.ssh/id_ed25519 was refused and its connection had no network: the listener received nothing; the attestation lists both",
    );

    d.title("The vendor seals the curated data and delivers it with its evidence.");
    d.custody(
        &[
            "seal",
            "clean",
            "-k",
            "vendor.key",
            "-o",
            "clean.manifest.json",
            "--hash",
            "sha256",
            "--record",
        ],
        0,
    )?;
    let ran = d.custody(
        &[
            "deliver",
            "clean.manifest.json",
            "-k",
            "vendor.key",
            "-o",
            "clean.delivery.json",
            "--record",
        ],
        0,
    )?;
    check(
        ran.out.contains("1 run attestation(s), 1 inventory(ies)"),
        "the step's attestation and inventory in the bundle",
        &ran,
    )?;
    says(
        "one signed bundle: the seal, the raw data's seal, the step's attestation, the environment's inventory",
    );

    d.title("The lab checks the delivery against its policy, rejects it, and signs its decision.");
    d.custody(&["key", "generate", "-o", "lab"], 0)?;
    d.custody(&["ledger", "trust", "add", "lab.pub"], 0)?;
    let ran = d.custody(
        &[
            "accept",
            "clean.delivery.json",
            "--policy",
            "delivery.toml",
            "--trust",
            "vendor.pub",
            "--data",
            "clean",
            "-k",
            "lab.key",
            "--record",
        ],
        1,
    )?;
    check(
        ran.out.contains("REJECT")
            && ran.out.contains("MAL-2026-2144 (malicious)")
            && ran.out.matches("FAIL").count() == 1,
        "a rejection for MAL-2026-2144 alone",
        &ran,
    )?;
    says(
        "REJECT: the step's environment held litellm==1.82.8 (MAL-2026-2144); signature, sandbox, network, sources, age and data all passed",
    );

    d.title("The security lead asks what the release touched.");
    let ran = d.custody(&["impact", "--advisory", "MAL-2026-2144"], 0)?;
    check(
        ran.out.contains("environments: 1") && ran.out.contains("runs: 1"),
        "one environment and one run",
        &ran,
    )?;
    says("1 environment, 1 run; raw exposed (read), clean possibly injected (written)");

    d.title("And writes the incident report, with the notification deadlines.");
    let ran = d.custody(
        &[
            "report",
            "incident",
            "--advisory",
            "MAL-2026-2144",
            "-o",
            "incident.html",
        ],
        0,
    )?;
    check(
        ran.out.contains("1 environment(s), 1 run(s)")
            && ran.out.contains("1 delivery(ies) to recall"),
        "the report's summary with the delivery",
        &ran,
    )?;
    says(
        "deadlines from now, the step's credentials in scope, raw and clean, the rejected delivery to recall",
    );
    output::note(&format!(
        "\nDone in {:.1} s. The report: {}\nEverything the demo made is in {} (delete it when done).",
        started.elapsed().as_secs_f64(),
        dir.join("incident.html").display(),
        dir.display()
    ));
    Ok(Exit::Success)
}
