//! Writing to stdout and stderr. A closed pipe (`custody scan | head`) is
//! not an error.

use std::io::{self, Write};

use crate::exit::CliError;

/// Writes `text` to stdout; a broken pipe counts as success.
pub fn stdout(text: &str) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(CliError::internal(
            anyhow::Error::new(e).context("cannot write to standard output"),
        )),
        _ => Ok(()),
    }
}

/// Writes a line to stderr (logs, warnings, progress).
pub fn note(text: &str) {
    let _ = writeln!(io::stderr().lock(), "{text}");
}

/// On a terminal, ends whatever styling the text before left on (a step
/// shares custody's stderr and may have hidden or recoloured it), on a new
/// line, so that what custody writes next reads as written.
pub fn reset_terminal() {
    use std::io::IsTerminal;
    if io::stderr().is_terminal() {
        let _ = writeln!(io::stderr().lock(), "\x1b[0m");
    }
}

/// A record counter on stderr while `what` runs, shown only when stderr is a
/// terminal (logs and CI output stay clean).
pub fn progress(what: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::new_spinner();
    pb.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg}: {human_pos} records, {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    pb.set_message(what.to_owned());
    pb.enable_steady_tick(std::time::Duration::from_millis(100));
    pb
}

/// A spinner naming the item being worked on and counting items, on
/// stderr, shown only when stderr is a terminal.
pub fn items(what: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::new_spinner();
    pb.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {prefix} {pos}: {msg} ({elapsed})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    pb.set_prefix(what.to_owned());
    pb.enable_steady_tick(std::time::Duration::from_millis(100));
    pb
}

/// A byte progress bar with throughput on stderr, shown only on a terminal.
pub fn bytes_progress(what: &str, total: u64) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::new(total);
    pb.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg} [{bar:30}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    pb.set_message(what.to_owned());
    pb.enable_steady_tick(std::time::Duration::from_millis(200));
    pb
}

/// A [`bytes_progress`] bar made when a workflow knows the size.
pub struct Bytes {
    what: &'static str,
    bar: std::sync::OnceLock<indicatif::ProgressBar>,
}

impl Bytes {
    pub fn new(what: &'static str) -> Self {
        Self {
            what,
            bar: std::sync::OnceLock::new(),
        }
    }
}

impl custody::workflow::progress::ByteProgress for Bytes {
    fn start(&self, total: u64) {
        let _ = self.bar.set(bytes_progress(self.what, total));
    }

    fn advance(&self, done: u64) {
        if let Some(b) = self.bar.get() {
            b.set_position(done);
        }
    }

    fn finish(&self) {
        if let Some(b) = self.bar.get() {
            b.finish_and_clear();
        }
    }
}
