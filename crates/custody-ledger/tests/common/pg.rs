//! A throwaway PostgreSQL cluster from the machine's `initdb` and `pg_ctl`:
//! a temp data folder, a free loopback port, trust authentication, run as
//! `nobody` when the tests run as root (PostgreSQL refuses root), stopped
//! (`-m immediate`) when dropped.

use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// A running cluster.
pub struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    as_nobody: bool,
    /// Its loopback port.
    pub port: u16,
    dir: tempfile::TempDir,
}

/// The folder holding `initdb` and `pg_ctl`: on PATH, else the newest
/// `/usr/lib/postgresql/*/bin`. Missing binaries fail the test.
fn bin_dir() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>());
    let mut debian: Vec<PathBuf> = fs_err::read_dir("/usr/lib/postgresql")
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    debian.sort();
    debian.reverse();
    on_path
        .chain(debian)
        .find(|d| d.join("initdb").is_file() && d.join("pg_ctl").is_file())
        .unwrap_or_else(|| {
            panic!(
                "PostgreSQL's initdb and pg_ctl are not installed (neither on PATH nor in \
                 /usr/lib/postgresql/*/bin): the PostgreSQL ledger tests need them \
                 (Debian: apt-get install postgresql)"
            )
        })
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    l.local_addr().expect("local address").port()
}

impl Cluster {
    /// Initialises and starts a cluster; panics with PostgreSQL's log when
    /// it does not start.
    #[expect(
        clippy::print_stderr,
        reason = "the harness says how long the cluster took"
    )]
    pub fn start() -> Self {
        let began = Instant::now();
        let bin = bin_dir();
        let tmp = tempfile::tempdir().expect("temp dir");
        let as_nobody = fs_err::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
        if as_nobody {
            std::os::unix::fs::chown(tmp.path(), Some(65534), Some(65534))
                .expect("chown to nobody");
        }
        let data = tmp.path().join("data");
        let mut cluster = Self {
            bin,
            data,
            as_nobody,
            port: 0,
            dir: tmp,
        };
        cluster.run(
            "initdb",
            &[
                "-D",
                &path(&cluster.data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        // Another process may take the port between bind and start: retry.
        for _ in 0..5 {
            cluster.port = free_port();
            let opts = format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
                cluster.port,
                path(cluster.dir.path())
            );
            let log = path(&cluster.dir.path().join("log"));
            if cluster.try_run(
                "pg_ctl",
                &[
                    "-D",
                    &path(&cluster.data),
                    "-o",
                    &opts,
                    "-l",
                    &log,
                    "-w",
                    "start",
                ],
            ) {
                eprintln!(
                    "PostgreSQL cluster on port {} in {:?}",
                    cluster.port,
                    began.elapsed()
                );
                return cluster;
            }
        }
        let log = fs_err::read_to_string(cluster.dir.path().join("log")).unwrap_or_default();
        panic!("PostgreSQL did not start:\n{log}");
    }

    /// The URL of its `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn command(&self, tool: &str, args: &[&str]) -> Command {
        let exe = self.bin.join(tool);
        let mut c = if self.as_nobody {
            let mut c = Command::new("runuser");
            c.args(["-u", "nobody", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        };
        c.args(args).current_dir(self.dir.path());
        c
    }

    fn try_run(&self, tool: &str, args: &[&str]) -> bool {
        self.command(tool, args)
            .output()
            .is_ok_and(|o| o.status.success())
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let out = self
            .command(tool, args)
            .output()
            .expect("run a PostgreSQL tool");
        assert!(
            out.status.success(),
            "{tool} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn path(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .command(
                "pg_ctl",
                &["-D", &path(&self.data), "-m", "immediate", "-w", "stop"],
            )
            .output();
    }
}
