//! The HTTP front: a blocking HTTP/1.1 server on a loopback socket, one
//! thread per connection (at most [`MAX_CONNECTIONS`] at once), one
//! request per connection (`Connection: close`), GET and HEAD only.

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use custody_pypa::PackageName;
use sha2::{Digest, Sha256};

use super::evidence::Message;
use super::gate::Outcome;
use super::log::DecisionLog;
use super::upstream::{Fault, hex};
use super::vet::{Filtered, Vetter};
use super::{IndexError, ServeOptions};
use crate::index::{self, Code, CoreMetadata, Decision, DistFile, Format, Route};

/// Connections served at once; more are answered 503.
pub const MAX_CONNECTIONS: usize = 64;
/// The largest request head read.
const MAX_HEAD: u64 = 16 * 1024;

/// A bound index, ready to [`Server::run`].
pub struct Server {
    listener: TcpListener,
    state: Arc<State>,
}

struct State {
    vet: Vetter,
    log: DecisionLog,
    /// The decisions of this session, kept for `custody guard` (`None`:
    /// not kept, as a long-running index would grow without bound).
    tap: Mutex<Option<Vec<Decision>>>,
    /// Where every decision is also sent when they are recorded in a
    /// ledger (`--ledger`): the batch writer of [`super::evidence`].
    sink: OnceLock<Sender<Message>>,
    active: AtomicUsize,
    /// Filtered pages recently fetched, for the downloads that follow a
    /// page (a client fetches the page, then its files).
    recent: Mutex<HashMap<PackageName, (Instant, Arc<Filtered>)>>,
}

/// How long a filtered page is reused for downloads.
const RECENT: Duration = Duration::from_secs(60);

/// Checks the options, opens the advisory index, the cache and the log,
/// and binds the socket.
pub fn bind(options: &ServeOptions) -> Result<Server, IndexError> {
    if !options.listen.ip().is_loopback() {
        return Err(IndexError::NotLoopback(options.listen));
    }
    let (vet, log) = super::vetter(options)?;
    let listener = TcpListener::bind(options.listen).map_err(|source| IndexError::Bind {
        addr: options.listen,
        source,
    })?;
    Ok(Server {
        listener,
        state: Arc::new(State {
            vet,
            log,
            tap: Mutex::new(None),
            sink: OnceLock::new(),
            active: AtomicUsize::new(0),
            recent: Mutex::new(HashMap::new()),
        }),
    })
}

impl Server {
    /// The address it listens on.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Sends every decision from now on to `sink` too (once; a second
    /// sink is ignored).
    pub fn send_decisions(&self, sink: Sender<Message>) {
        let _ = self.state.sink.set(sink);
    }

    /// `serve` with `--ledger`: answers requests on a thread of its own,
    /// every decision also sent to `writer` (the batch writer of
    /// [`super::evidence`]), until SIGINT, SIGTERM or SIGHUP; then what is
    /// pending is recorded (waiting at most `grace`) and the signal's
    /// number returned. `signals` must have been blocked before any thread
    /// started.
    pub fn run_until_stopped(
        self,
        signals: &crate::run::Signals,
        writer: &Sender<Message>,
        grace: Duration,
    ) -> i32 {
        self.send_decisions(writer.clone());
        std::thread::spawn(move || self.run());
        let signal = signals.wait();
        let (ack, done) = std::sync::mpsc::channel();
        if writer.send(Message::Flush(ack)).is_ok() {
            let _ = done.recv_timeout(grace);
        }
        signal
    }

    /// Answers requests on a thread of its own until the process ends,
    /// keeping this session's decisions for the [`Session`] returned.
    pub fn spawn(self) -> Session {
        if let Ok(mut tap) = self.state.tap.lock() {
            *tap = Some(Vec::new());
        }
        let state = Arc::clone(&self.state);
        std::thread::spawn(move || self.run());
        Session { state }
    }

    /// Answers requests until the process ends.
    pub fn run(self) -> std::io::Result<()> {
        for stream in self.listener.incoming() {
            let Ok(stream) = stream else { continue };
            let state = Arc::clone(&self.state);
            if state.active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
                state.active.fetch_sub(1, Ordering::SeqCst);
                let _ = respond(
                    &stream,
                    &Response::text(503, "Busy", "too many connections"),
                    false,
                );
                continue;
            }
            std::thread::spawn(move || {
                let _ = serve(&state, &stream);
                state.active.fetch_sub(1, Ordering::SeqCst);
            });
        }
        Ok(())
    }
}

/// A spawned index, for reading what it decided.
pub struct Session {
    state: Arc<State>,
}

impl Session {
    /// Every decision so far, in order.
    pub fn decisions(&self) -> Vec<Decision> {
        self.state
            .tap
            .lock()
            .ok()
            .and_then(|t| t.clone())
            .unwrap_or_default()
    }
}

/// An answer.
struct Response {
    status: u16,
    phrase: String,
    content_type: &'static str,
    body: Vec<u8>,
    location: Option<String>,
    content_range: Option<String>,
}

/// The content type of files and metadata files.
const OCTETS: &str = "application/octet-stream";

impl Response {
    fn text(status: u16, phrase: &str, body: &str) -> Self {
        Self {
            status,
            phrase: phrase.to_owned(),
            content_type: "text/plain; charset=utf-8",
            body: format!("{body}\n").into_bytes(),
            location: None,
            content_range: None,
        }
    }

    /// A refusal or fault: the one-line reason as the reason phrase (pip
    /// shows it) and as the body.
    fn decision(d: &Decision, status: u16) -> Self {
        let line = d.client_line();
        Self::text(status, &line, &line)
    }

    fn ok(content_type: &'static str, body: Vec<u8>) -> Self {
        Self {
            status: 200,
            phrase: "OK".into(),
            content_type,
            body,
            location: None,
            content_range: None,
        }
    }
}

fn respond(mut stream: &TcpStream, r: &Response, head_only: bool) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\nVary: Accept\r\n",
        r.status,
        r.phrase,
        r.content_type,
        r.body.len()
    );
    if let Some(l) = &r.location {
        head = format!("{head}Location: {l}\r\n");
    }
    if r.content_type == OCTETS {
        head.push_str("Accept-Ranges: bytes\r\n");
    }
    if let Some(c) = &r.content_range {
        head = format!("{head}Content-Range: {c}\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(&r.body)?;
    }
    stream.flush()
}

/// Reads one request head and answers it.
fn serve(state: &State, stream: &TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.take(MAX_HEAD));
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let (mut accept, mut range) = (None, None);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.trim().eq_ignore_ascii_case("accept") {
                accept = Some(v.trim().to_owned());
            } else if k.trim().eq_ignore_ascii_case("range") {
                range = Some(v.trim().to_owned());
            }
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let head_only = method == "HEAD";
    let response = if method == "GET" || head_only {
        ranged(answer(state, target, accept.as_deref()), range.as_deref())
    } else {
        Response::text(405, "Method Not Allowed", "only GET and HEAD are served")
    };
    respond(stream, &response, head_only)
}

/// A served file cut to the one range asked for (uv reads a wheel's
/// central directory so); pages and refusals are never cut.
fn ranged(mut r: Response, range: Option<&str>) -> Response {
    if r.status != 200 || r.content_type != OCTETS {
        return r;
    }
    let len = r.body.len() as u64;
    match index::range(range, len) {
        index::Ranged::Whole => r,
        index::Ranged::Part { start, end } => {
            let (from, to) = (
                usize::try_from(start).unwrap_or(usize::MAX),
                usize::try_from(end).unwrap_or(usize::MAX),
            );
            r.body = r
                .body
                .get(from..=to)
                .map(<[u8]>::to_vec)
                .unwrap_or_default();
            r.status = 206;
            "Partial Content".clone_into(&mut r.phrase);
            r.content_range = Some(format!("bytes {start}-{end}/{len}"));
            r
        }
        index::Ranged::Unsatisfiable => Response {
            content_range: Some(format!("bytes */{len}")),
            ..Response::text(416, "Range Not Satisfiable", "range not satisfiable")
        },
    }
}

fn now(state: &State) -> jiff::Timestamp {
    state.vet.now()
}

/// Logs `d` (a log failure is reported on the answer's body only: the
/// decision stands).
fn record(state: &State, d: &Decision) {
    let _ = state.log.write(d);
    if let Some(sink) = state.sink.get() {
        // Never blocks (the channel is unbounded); a writer gone is not
        // the client's problem.
        let _ = sink.send(Message::Decision(d.clone()));
    }
    if let Ok(mut tap) = state.tap.lock()
        && let Some(kept) = tap.as_mut()
    {
        kept.push(d.clone());
    }
}

fn answer(state: &State, target: &str, accept: Option<&str>) -> Response {
    let route = match index::route(target) {
        Ok(r) => r,
        Err(e) => {
            let code = match e {
                index::RouteError::BadPath(_) => Code::BadPath,
                index::RouteError::NotFound(_) => Code::NotFound,
            };
            let d = Decision::new(now(state), code, e.to_string()).status(code.rule().status);
            record(state, &d);
            return Response::decision(&d, code.rule().status);
        }
    };
    match route {
        Route::Redirect(to) => Response {
            location: Some(to.clone()),
            ..Response::text(301, "Moved Permanently", &to)
        },
        Route::Root => page_format(state, accept).map_or_else(
            |r| r,
            |format| match state.vet.client.projects() {
                Ok(names) => Response::ok(
                    format.content_type(),
                    index::render_root(&names, format).into_bytes(),
                ),
                Err(f) => fault(state, &f, None),
            },
        ),
        Route::Project(name) => page_format(state, accept)
            .map_or_else(|r| r, |format| project_page(state, &name, format)),
        Route::File(name, file) => download(state, &name, &file),
        Route::Metadata(name, file) => metadata(state, &name, &file),
    }
}

fn page_format(state: &State, accept: Option<&str>) -> Result<Format, Response> {
    index::negotiate(accept).ok_or_else(|| {
        let d = Decision::new(
            now(state),
            Code::NotAcceptable,
            format!("Accept: {}", accept.unwrap_or_default()),
        )
        .status(406);
        record(state, &d);
        Response::decision(&d, 406)
    })
}

fn fault(state: &State, f: &Fault, name: Option<&PackageName>) -> Response {
    let status = f.code.rule().status;
    let mut d = Decision::new(now(state), f.code, f.reason.clone()).status(status);
    if let Some(n) = name {
        d = d.project(n.as_str());
    }
    record(state, &d);
    Response::decision(&d, status)
}

fn project_page(state: &State, name: &PackageName, format: Format) -> Response {
    match state.vet.filtered(name) {
        Err(f) => fault(state, &f, Some(name)),
        Ok(None) => not_found(state, name, "the upstream has no such project"),
        Ok(Some(filtered)) => {
            let filtered = Arc::new(filtered);
            if let Ok(mut recent) = state.recent.lock() {
                recent.retain(|_, (at, _)| at.elapsed() < RECENT);
                recent.insert(name.clone(), (Instant::now(), Arc::clone(&filtered)));
            }
            let (page, decisions, _) = &*filtered;
            for d in decisions {
                record(state, d);
            }
            let url =
                |f: &DistFile| format!("/files/{name}/{}", index::percent_encode(&f.filename));
            Response::ok(
                format.content_type(),
                index::render_project(page, format, &url).into_bytes(),
            )
        }
    }
}

fn not_found(state: &State, name: &PackageName, why: &str) -> Response {
    let d = Decision::new(now(state), Code::NotFound, format!("{name}: {why}"))
        .project(name.as_str())
        .status(404);
    record(state, &d);
    Response::decision(&d, 404)
}

/// The file if its release is on the filtered page, or the decision that
/// left it off.
fn find(state: &State, name: &PackageName, filename: &str) -> Result<DistFile, Response> {
    let recent = state.recent.lock().ok().and_then(|r| {
        r.get(name)
            .filter(|(at, _)| at.elapsed() < RECENT)
            .map(|(_, f)| Arc::clone(f))
    });
    let filtered = match recent {
        Some(f) => f,
        None => match state.vet.filtered(name) {
            Err(f) => return Err(fault(state, &f, Some(name))),
            Ok(None) => return Err(not_found(state, name, "the upstream has no such project")),
            Ok(Some(x)) => Arc::new(x),
        },
    };
    let (page, decisions, _) = &*filtered;
    if let Some(f) = page.files.iter().find(|f| f.filename == filename) {
        return Ok(f.clone());
    }
    if let Some(d) = decisions
        .iter()
        .find(|d| d.filename.as_deref() == Some(filename))
    {
        let status = d.code.rule().status;
        let mut d = d.clone();
        d.action = index::Action::Refused;
        d.time = now(state).to_string();
        d = d.status(status);
        record(state, &d);
        return Err(Response::decision(&d, status));
    }
    Err(not_found(state, name, &format!("no file {filename:?}")))
}

fn download(state: &State, name: &PackageName, filename: &str) -> Response {
    let file = match find(state, name, filename) {
        Ok(f) => f,
        Err(r) => return r,
    };
    match state.vet.gate.pass(&state.vet.client, &file) {
        Err(f) => {
            let status = f.code.rule().status;
            let d = Decision::new(now(state), f.code, f.reason.clone())
                .project(name.as_str())
                .file(filename, file.sha256())
                .status(status);
            record(state, &d);
            Response::decision(&d, status)
        }
        Ok((Outcome::Refuse(code, reason), inspected)) => {
            let status = code.rule().status;
            let mut d = Decision::new(now(state), code, reason)
                .project(name.as_str())
                .file(filename, file.sha256())
                .status(status);
            d.inspected = Some(inspected);
            record(state, &d);
            Response::decision(&d, status)
        }
        Ok((Outcome::Serve(bytes, code, reason), inspected)) => {
            let mut d = Decision::new(now(state), code, reason)
                .project(name.as_str())
                .file(filename, Some(&hex(&Sha256::digest(&bytes))))
                .status(200);
            d.inspected = Some(inspected);
            record(state, &d);
            Response::ok(OCTETS, bytes)
        }
    }
}

/// PEP 658: the core metadata of a file on the filtered page, checked
/// against the upstream's listed digest.
fn metadata(state: &State, name: &PackageName, filename: &str) -> Response {
    let file = match find(state, name, filename) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let CoreMetadata::Present(hashes) = &file.core_metadata else {
        return not_found(state, name, &format!("{filename} has no metadata file"));
    };
    let bytes = match state.vet.client.bytes(&file, ".metadata", 16 * 1024 * 1024) {
        Ok(b) => b,
        Err(f) => return fault(state, &f, Some(name)),
    };
    if let Some(want) = hashes.get("sha256") {
        let got = hex(&Sha256::digest(&bytes));
        if &got != want {
            let f = Fault {
                code: Code::MetadataMismatch,
                reason: format!("{filename}.metadata: sha256 {got}, the upstream lists {want}"),
            };
            return fault(state, &f, Some(name));
        }
    }
    Response::ok(OCTETS, bytes)
}
