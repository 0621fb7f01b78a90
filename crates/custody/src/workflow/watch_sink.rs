//! Where `watch` events go: JSON lines to a writer (standard output) or
//! appended to a file, and HTTP webhooks signed with HMAC-SHA256.
//!
//! A sink's [`Sink::send`] returning `Ok` means it accepted the event;
//! [`Sink::finish`] makes what it accepted durable (the file is synced)
//! before the cursor advances.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use hmac::{KeyInit, Mac};

/// The header carrying a webhook body's signature.
pub const SIGNATURE_HEADER: &str = "X-Custody-Signature";

/// Why a sink did not accept an event.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// The event could not be written.
    #[error("cannot write to {what}: {source}")]
    Write {
        /// The file, or standard output.
        what: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The webhook did not answer 2xx within its tries.
    #[error("webhook {url}: {detail} (after {tries} tries)")]
    Webhook {
        /// The URL.
        url: String,
        /// Tries made.
        tries: u32,
        /// The last status or transport error.
        detail: String,
    },
    /// The event could not be encoded.
    #[error("cannot encode an event: {0}")]
    Encode(String),
}

/// Accepts events, one JSON body at a time.
pub trait Sink {
    /// Delivers one event's JSON body; `Ok` once accepted.
    ///
    /// # Errors
    /// Not accepted: the event stays pending.
    fn send(&mut self, body: &[u8]) -> Result<(), SinkError>;

    /// Makes accepted events durable.
    ///
    /// # Errors
    /// They may not be: none counts as delivered.
    fn finish(&mut self) -> Result<(), SinkError> {
        Ok(())
    }
}

/// JSON lines to a writer (standard output), each line flushed.
pub struct LinesSink<W: Write> {
    out: W,
    what: String,
}

impl<W: Write> LinesSink<W> {
    /// Lines to `out`, named `what` in errors.
    pub fn new(out: W, what: &str) -> Self {
        Self {
            out,
            what: what.to_owned(),
        }
    }
}

impl<W: Write> Sink for LinesSink<W> {
    fn send(&mut self, body: &[u8]) -> Result<(), SinkError> {
        let mut line = body.to_vec();
        line.push(b'\n');
        let out = &mut self.out;
        out.write_all(&line)
            .and_then(|()| out.flush())
            .map_err(|source| SinkError::Write {
                what: self.what.clone(),
                source,
            })
    }
}

/// JSON lines appended to a file, each flushed, the file synced by
/// [`Sink::finish`].
pub struct FileSink {
    file: fs_err::File,
    path: PathBuf,
}

impl FileSink {
    /// Opens `path` for appending (created when missing).
    ///
    /// # Errors
    /// It cannot be opened.
    pub fn open(path: &Path) -> Result<Self, SinkError> {
        let file = fs_err::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|source| SinkError::Write {
                what: path.display().to_string(),
                source,
            })?;
        Ok(Self {
            file,
            path: path.to_owned(),
        })
    }

    fn error(&self, source: std::io::Error) -> SinkError {
        SinkError::Write {
            what: self.path.display().to_string(),
            source,
        }
    }
}

impl Sink for FileSink {
    fn send(&mut self, body: &[u8]) -> Result<(), SinkError> {
        let mut line = body.to_vec();
        line.push(b'\n');
        self.file
            .write_all(&line)
            .and_then(|()| self.file.flush())
            .map_err(|e| self.error(e))
    }

    fn finish(&mut self) -> Result<(), SinkError> {
        self.file.sync_all().map_err(|e| self.error(e))
    }
}

/// How often and how patiently a webhook is tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Tries per event (at least 1).
    pub tries: u32,
    /// The wait after the first failure; doubled after each next one.
    pub backoff: Duration,
    /// Each request's limit, connecting included.
    pub timeout: Duration,
}

impl Default for Retry {
    /// 5 tries, 0.5 s doubling (7.5 s of waiting at most), 10 s each.
    fn default() -> Self {
        Self {
            tries: 5,
            backoff: Duration::from_millis(500),
            timeout: Duration::from_secs(10),
        }
    }
}

/// One HTTP POST per event to a URL (`http://` only: webhooks are not sent
/// over TLS yet, though `index serve` fetches https upstreams), the body the event's JSON, signed in [`SIGNATURE_HEADER`] as
/// `sha256=HEX` (HMAC-SHA256 of the exact body with the shared secret).
/// A 2xx answer accepts it; a transport error, 408, 429 or 5xx is tried
/// again after the backoff; another status fails at once.
pub struct Webhook {
    url: String,
    secret: Vec<u8>,
    retry: Retry,
    agent: ureq::Agent,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Webhook({})", self.url)
    }
}

/// Why a webhook cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// Not an `http://` URL.
    #[error(
        "{0:?}: webhooks need an http:// URL (custody does not send webhooks over TLS yet; put a TLS-terminating proxy on the loopback in front of an https endpoint)"
    )]
    Scheme(String),
    /// An empty secret.
    #[error("the webhook secret is empty")]
    EmptySecret,
    /// The secret file cannot be read.
    #[error("cannot read the webhook secret: {0}")]
    SecretFile(std::io::Error),
}

/// The secret in `path`: its bytes without a trailing newline.
///
/// # Errors
/// It cannot be read.
pub fn read_secret(path: &Path) -> Result<Vec<u8>, WebhookError> {
    let mut secret = fs_err::read(path).map_err(WebhookError::SecretFile)?;
    while secret.last().is_some_and(|b| matches!(b, b'\n' | b'\r')) {
        secret.pop();
    }
    Ok(secret)
}

impl Webhook {
    /// A webhook to `url` signing with `secret`.
    ///
    /// # Errors
    /// See [`WebhookError`].
    pub fn new(url: &str, secret: &[u8], retry: Retry) -> Result<Self, WebhookError> {
        if !url
            .get(..7)
            .is_some_and(|p| p.eq_ignore_ascii_case("http://"))
        {
            return Err(WebhookError::Scheme(url.to_owned()));
        }
        if secret.is_empty() {
            return Err(WebhookError::EmptySecret);
        }
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(retry.timeout))
            .build();
        Ok(Self {
            url: url.to_owned(),
            secret: secret.to_vec(),
            retry: Retry {
                tries: retry.tries.max(1),
                ..retry
            },
            agent: ureq::Agent::new_with_config(config),
        })
    }

    /// One try: the status, or the transport error.
    fn post(&self, body: &[u8]) -> Result<u16, String> {
        let response = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/json")
            .header(SIGNATURE_HEADER, &signature(&self.secret, body))
            .send(body)
            .map_err(|e| e.to_string())?;
        Ok(response.status().as_u16())
    }
}

impl Sink for Webhook {
    fn send(&mut self, body: &[u8]) -> Result<(), SinkError> {
        let mut wait = self.retry.backoff;
        let mut detail = String::new();
        for attempt in 1..=self.retry.tries {
            let again = match self.post(body) {
                Ok(status) if (200..300).contains(&status) => return Ok(()),
                Ok(status) => {
                    detail = format!("answered {status}");
                    status == 408 || status == 429 || status >= 500
                }
                Err(e) => {
                    detail = e;
                    true
                }
            };
            if !again {
                return Err(SinkError::Webhook {
                    url: self.url.clone(),
                    tries: attempt,
                    detail,
                });
            }
            if attempt < self.retry.tries {
                std::thread::sleep(wait);
                wait = wait.saturating_mul(2);
            }
        }
        Err(SinkError::Webhook {
            url: self.url.clone(),
            tries: self.retry.tries,
            detail,
        })
    }
}

/// `sha256=HEX`: HMAC-SHA256 of `body` with `secret`.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(body);
    format!(
        "sha256={}",
        custody_seal::keys::hex(&mac.finalize().into_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231 test case 2.
    #[test]
    fn signature_is_hmac_sha256() {
        assert_eq!(
            signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn only_http_urls_and_non_empty_secrets() {
        assert!(matches!(
            Webhook::new("https://example.invalid/", b"s", Retry::default()),
            Err(WebhookError::Scheme(_))
        ));
        assert!(matches!(
            Webhook::new("http://127.0.0.1:9/", b"", Retry::default()),
            Err(WebhookError::EmptySecret)
        ));
        assert!(Webhook::new("HTTP://127.0.0.1:9/", b"s", Retry::default()).is_ok());
    }
}
