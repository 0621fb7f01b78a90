//! The upstream: another simple index over HTTP(S), or a folder of
//! distribution files. Every fault is a [`Fault`] with its code; nothing
//! here caches.

use std::collections::HashMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::index::{Code, DistFile, LocalFile, ProjectPage};
use custody_pypa::PackageName;

/// The largest file the index fetches (documented in docs/index.md).
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;
/// The largest project page it reads.
const MAX_PAGE_BYTES: u64 = 64 * 1024 * 1024;
/// Redirects followed on the upstream's own host.
const MAX_REDIRECTS: usize = 5;

/// What the index asks an upstream for pages with (PEP 691).
const ACCEPT: &str = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01";

/// A fault of the upstream, with the code the client is answered with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct Fault {
    /// The rule.
    pub code: Code,
    /// The particulars.
    pub reason: String,
}

fn fault(code: Code, reason: impl Into<String>) -> Fault {
    Fault {
        code,
        reason: reason.into(),
    }
}

/// Where pages and files come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upstream {
    /// A simple index's base URL (`https://pypi.org/simple/`).
    Url(String),
    /// A folder of wheels and sdists.
    Dir(PathBuf),
}

/// A fetched body: its content type, bytes and final URL.
type Fetched = (Option<String>, Vec<u8>, String);

/// A client of one upstream.
pub struct Client {
    upstream: Upstream,
    agent: ureq::Agent,
    folder: Folder,
}

/// How a folder upstream's files are listed.
enum Folder {
    /// Read on each request; a file is hashed again only when its size,
    /// modification time or inode changed (by name).
    Live(Mutex<HashMap<String, Seen>>),
    /// A sealed mirror: the list its signed manifest states, fixed at
    /// start-up; the folder's files are checked against it as they are served.
    Sealed(Vec<LocalFile>),
}

/// A file as last hashed: size, modification time, inode, sha256.
type Seen = (u64, std::time::SystemTime, u64, String);

impl Client {
    /// A client with `timeout` for each whole exchange, trusting `roots`
    /// (PEM certificates) for https, else Mozilla's roots (webpki-roots).
    pub fn new(
        upstream: Upstream,
        timeout: Duration,
        roots: Option<&[u8]>,
    ) -> Result<Self, String> {
        let root_certs = match roots {
            None => ureq::tls::RootCerts::WebPki,
            Some(pem) => {
                let certs: Vec<_> = ureq::tls::parse_pem(pem)
                    .filter_map(|item| match item {
                        Ok(ureq::tls::PemItem::Certificate(c)) => Some(Ok(c)),
                        Ok(_) => None,
                        Err(e) => Some(Err(e.to_string())),
                    })
                    .collect::<Result<_, _>>()?;
                if certs.is_empty() {
                    return Err("no PEM certificate in it".into());
                }
                ureq::tls::RootCerts::new_with_certs(&certs)
            }
        };
        let tls = ureq::tls::TlsConfig::builder()
            .root_certs(root_certs)
            .build();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .tls_config(tls)
            .max_redirects(0)
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .user_agent(concat!("custody-index/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        let upstream = match upstream {
            Upstream::Url(u) if !u.ends_with('/') => Upstream::Url(format!("{u}/")),
            other => other,
        };
        Ok(Self {
            upstream,
            agent,
            folder: Folder::Live(Mutex::new(HashMap::new())),
        })
    }

    /// The same client, listing a sealed folder's `files` (checked by the
    /// caller) instead of reading the folder.
    #[must_use]
    pub fn sealed(mut self, files: Vec<LocalFile>) -> Self {
        self.folder = Folder::Sealed(files);
        self
    }

    /// The upstream.
    pub fn upstream(&self) -> &Upstream {
        &self.upstream
    }

    /// The project page, its file URLs made absolute (or folder paths);
    /// `None` when the upstream has no such project.
    pub fn page(&self, project: &PackageName) -> Result<Option<ProjectPage>, Fault> {
        match &self.upstream {
            Upstream::Dir(dir) => {
                let files = self.folder_files(dir)?;
                let page = crate::index::local_page(project, &files);
                Ok((!page.files.is_empty()).then_some(page))
            }
            Upstream::Url(base) => {
                let url = format!("{base}{project}/");
                let Some((content_type, body, final_url)) =
                    self.get(&url, Some(ACCEPT), MAX_PAGE_BYTES)?
                else {
                    return Ok(None);
                };
                let text = String::from_utf8(body).map_err(|_| {
                    fault(
                        Code::UpstreamMalformed,
                        format!("{url}: the page is not UTF-8"),
                    )
                })?;
                let mut page =
                    crate::index::parse_page(content_type.as_deref(), &text, project.as_str())
                        .map_err(|e| fault(Code::UpstreamMalformed, format!("{url}: {e}")))?;
                for f in &mut page.files {
                    f.url = join(&final_url, &f.url).ok_or_else(|| {
                        fault(
                            Code::UpstreamMalformed,
                            format!("{url}: file URL {:?} is neither http nor https", f.url),
                        )
                    })?;
                }
                Ok(Some(page))
            }
        }
    }

    /// The projects the folder holds; an HTTP upstream's list is not proxied.
    pub fn projects(&self) -> Result<Vec<String>, Fault> {
        match &self.upstream {
            Upstream::Dir(dir) => {
                let mut names: Vec<String> = self
                    .folder_files(dir)?
                    .iter()
                    .filter_map(|f| crate::index::project_of(&f.filename))
                    .map(|n| n.to_string())
                    .collect();
                names.sort();
                names.dedup();
                Ok(names)
            }
            Upstream::Url(_) => Ok(Vec::new()),
        }
    }

    /// The bytes at a file's URL (`suffix` appended: `.metadata`), at most `limit`.
    pub fn bytes(&self, file: &DistFile, suffix: &str, limit: u64) -> Result<Vec<u8>, Fault> {
        match &self.upstream {
            Upstream::Dir(dir) => {
                let path = dir.join(format!("{}{suffix}", file.filename));
                let f = fs_err::File::open(&path)
                    .map_err(|e| fault(Code::NotFound, format!("{}: {e}", path.display())))?;
                let mut out = Vec::new();
                f.take(limit + 1)
                    .read_to_end(&mut out)
                    .map_err(|e| fault(Code::UpstreamError, format!("{}: {e}", path.display())))?;
                if out.len() as u64 > limit {
                    return Err(fault(
                        Code::TooLarge,
                        format!("{} is larger than {limit} bytes", file.filename),
                    ));
                }
                Ok(out)
            }
            Upstream::Url(_) => {
                let url = format!("{}{suffix}", file.url);
                match self.get(&url, None, limit)? {
                    Some((_, body, _)) => Ok(body),
                    None => Err(fault(
                        Code::NotFound,
                        format!("{url}: the upstream has no such file"),
                    )),
                }
            }
        }
    }

    /// GET with redirects followed on the same host only: the content
    /// type, the body and the final URL; `None` on 404/410.
    fn get(&self, url: &str, accept: Option<&str>, limit: u64) -> Result<Option<Fetched>, Fault> {
        let mut url = url.to_owned();
        for _ in 0..=MAX_REDIRECTS {
            let mut req = self.agent.get(&url);
            if let Some(a) = accept {
                req = req.header("Accept", a);
            }
            let mut resp = req.call().map_err(|e| transport(&url, &e))?;
            let status = resp.status().as_u16();
            if (300..400).contains(&status) {
                let location = resp
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| {
                        fault(
                            Code::UpstreamError,
                            format!("{url}: redirect without a Location"),
                        )
                    })?;
                let next = join(&url, location).ok_or_else(|| {
                    fault(
                        Code::UpstreamRedirect,
                        format!("{url}: redirect to {location:?}"),
                    )
                })?;
                if origin(&next) != origin(&url) {
                    return Err(fault(
                        Code::UpstreamRedirect,
                        format!("{url}: redirected to another host ({next})"),
                    ));
                }
                url = next;
                continue;
            }
            if status == 404 || status == 410 {
                return Ok(None);
            }
            if status != 200 {
                return Err(fault(
                    Code::UpstreamError,
                    format!("{url}: the upstream answered {status}"),
                ));
            }
            let content_type = resp
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body = resp
                .body_mut()
                .with_config()
                .limit(limit)
                .read_to_vec()
                .map_err(|e| match e {
                    ureq::Error::BodyExceedsLimit(_) => {
                        fault(Code::TooLarge, format!("{url}: larger than {limit} bytes"))
                    }
                    ureq::Error::Timeout(_) => fault(Code::UpstreamTimeout, format!("{url}: {e}")),
                    e => fault(
                        Code::UpstreamTruncated,
                        format!("{url}: the body could not be read whole: {e}"),
                    ),
                })?;
            return Ok(Some((content_type, body, url)));
        }
        Err(fault(
            Code::UpstreamRedirect,
            format!("{url}: more than {MAX_REDIRECTS} redirects"),
        ))
    }
}

fn transport(url: &str, e: &ureq::Error) -> Fault {
    match e {
        ureq::Error::Timeout(_) => fault(Code::UpstreamTimeout, format!("{url}: {e}")),
        _ => fault(Code::UpstreamError, format!("{url}: {e}")),
    }
}

/// The scheme and authority of an absolute URL.
fn origin(url: &str) -> Option<&str> {
    let rest = url.find("://").map(|i| i + 3)?;
    let end = url[rest..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| rest + i);
    Some(&url[..end])
}

/// `href` resolved against `base` (RFC 3986 for the forms simple pages
/// use); `None` unless the result is http or https.
pub fn join(base: &str, href: &str) -> Option<String> {
    let scheme_ok = |u: &str| {
        let l = u.to_ascii_lowercase();
        l.starts_with("http://") || l.starts_with("https://")
    };
    if href.contains("://") {
        return scheme_ok(href).then(|| href.to_owned());
    }
    let o = origin(base)?;
    if let Some(rest) = href.strip_prefix("//") {
        let scheme = &base[..base.find("://")?];
        return Some(format!("{scheme}://{rest}"));
    }
    let (path, tail) = if let Some(abs) = href.strip_prefix('/') {
        (format!("/{abs}"), String::new())
    } else {
        let base_path = &base[o.len()..];
        let base_path = base_path.split(['?', '#']).next().unwrap_or("/");
        let dir = &base_path[..=base_path.rfind('/').unwrap_or(0)];
        (format!("{dir}{href}"), String::new())
    };
    let (p, query) = path
        .split_once('?')
        .map_or((path.as_str(), None), |(p, q)| (p, Some(q)));
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = p.split('/').skip(1).collect();
    for (i, s) in segments.iter().enumerate() {
        match *s {
            ".." => {
                out.pop();
                if i + 1 == segments.len() {
                    out.push("");
                }
            }
            "." if i + 1 == segments.len() => out.push(""),
            "." => {}
            s => out.push(s),
        }
    }
    let q = query.map(|q| format!("?{q}")).unwrap_or_default();
    Some(format!("{o}/{}{q}{tail}", out.join("/")))
}

impl Client {
    /// The folder's distribution files with their digests and times.
    fn folder_files(&self, dir: &Path) -> Result<Vec<LocalFile>, Fault> {
        match &self.folder {
            Folder::Sealed(files) => Ok(files.clone()),
            Folder::Live(seen) => {
                let mut seen = seen.lock().map_err(|_| {
                    fault(Code::UpstreamError, "the folder listing's lock is poisoned")
                })?;
                folder(dir, &mut seen)
            }
        }
    }
}

/// The folder's distribution files with their digests and times, hashing
/// only files new or changed since `seen` (which is updated).
fn folder(dir: &Path, seen: &mut HashMap<String, Seen>) -> Result<Vec<LocalFile>, Fault> {
    use std::os::unix::fs::MetadataExt as _;
    let err = |e: std::io::Error| fault(Code::UpstreamError, format!("{}: {e}", dir.display()));
    let mut out = Vec::new();
    let mut present = std::collections::HashSet::new();
    for entry in fs_err::read_dir(dir).map_err(err)? {
        let entry = entry.map_err(err)?;
        let meta = entry.metadata().map_err(err)?;
        let filename = entry.file_name().to_string_lossy().into_owned();
        if !meta.is_file() || crate::index::project_of(&filename).is_none() {
            continue;
        }
        let mtime = meta.modified().map_err(err)?;
        let key = (meta.len(), mtime, meta.ino());
        let sha256 = match seen.get(&filename) {
            Some((len, t, ino, sha)) if (*len, *t, *ino) == key => sha.clone(),
            _ => {
                let sha = hex(&Sha256::digest(fs_err::read(entry.path()).map_err(err)?));
                seen.insert(filename.clone(), (key.0, key.1, key.2, sha.clone()));
                sha
            }
        };
        present.insert(filename.clone());
        out.push(LocalFile {
            filename,
            size: meta.len(),
            modified: jiff::Timestamp::try_from(mtime).unwrap_or(jiff::Timestamp::UNIX_EPOCH),
            sha256,
        });
    }
    seen.retain(|name, _| present.contains(name));
    Ok(out)
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_the_forms_simple_pages_use() {
        let base = "http://127.0.0.1:9/simple/demo/";
        assert_eq!(
            join(base, "../../files/a.whl").unwrap(),
            "http://127.0.0.1:9/files/a.whl"
        );
        assert_eq!(
            join(base, "a.whl").unwrap(),
            "http://127.0.0.1:9/simple/demo/a.whl"
        );
        assert_eq!(
            join(base, "/p/a.whl").unwrap(),
            "http://127.0.0.1:9/p/a.whl"
        );
        assert_eq!(join(base, "//h/a.whl").unwrap(), "http://h/a.whl");
        assert_eq!(
            join(base, "https://files.example/a.whl").unwrap(),
            "https://files.example/a.whl"
        );
        assert_eq!(join(base, "file:///etc/passwd"), None);
        assert_eq!(
            origin("https://pypi.org/simple/x/"),
            Some("https://pypi.org")
        );
    }
}
