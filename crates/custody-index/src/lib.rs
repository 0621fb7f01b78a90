//! The pure parts of `custody index serve`, the vetting package index:
//! nothing here opens a socket or a file.
//!
//! - [`page`]: one project page, whatever its format; [`json`] (PEP 691)
//!   and [`html`] (PEP 503) read an upstream's; [`render`] negotiates
//!   the client's format by `Accept` and writes the filtered page back,
//!   with PEP 700 upload times and versions and PEP 658/714 metadata
//!   flags passed through.
//! - [`filter`]: the policy's page-level decisions (malicious-package
//!   records, the cooldown and its exceptions); [`rules`]: every decision
//!   as a row with its stable code, HTTP status and one-line reason;
//!   [`decision`]: the decision as the log writes it.
//! - [`request`]: routes, with path tricks refused; [`local`]: pages for
//!   a folder of distribution files.
//!
//! ```
//! use custody_index::{parse_page, render};
//!
//! let page = parse_page(
//!     Some("text/html"),
//!     "<a href=\"demo-1.0.tar.gz#sha256=ab\">demo-1.0.tar.gz</a>",
//!     "demo",
//! )
//! .unwrap();
//! assert_eq!(page.files[0].sha256(), Some("ab"));
//! let format = render::negotiate(Some("application/vnd.pypi.simple.v1+json")).unwrap();
//! let json = render::project(&page, format, &|f| format!("/files/demo/{}", f.filename));
//! assert!(json.contains("\"sha256\":\"ab\""));
//! ```

pub mod decision;
pub mod filter;
pub mod html;
pub mod json;
pub mod local;
pub mod page;
pub mod range;
pub mod render;
pub mod request;
pub mod rules;

pub use decision::Decision;
pub use filter::{Allow, PagePolicy, filter};
pub use page::{CoreMetadata, DistFile, ProjectPage, Yanked};
pub use range::{Ranged, range};
pub use rules::{Action, Code, RULES, Rule};

/// An upstream page that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    /// Malformed PEP 691 JSON.
    #[error("malformed JSON project page: {0}")]
    Json(String),
    /// Malformed PEP 503 HTML.
    #[error("malformed HTML project page at byte {offset}: {message}")]
    Html {
        /// Where.
        offset: usize,
        /// What.
        message: String,
    },
    /// A content type that is no simple-API format.
    #[error("the upstream answered with {0:?}, which is no simple-API format")]
    ContentType(String),
}

/// Parses an upstream's project page by its `Content-Type` (JSON for the
/// PEP 691 types, HTML for `text/html` and the v1 HTML type, HTML when none).
pub fn parse_page(
    content_type: Option<&str>,
    body: &str,
    name: &str,
) -> Result<ProjectPage, PageError> {
    let media = content_type
        .unwrap_or("text/html")
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match media.as_str() {
        "application/vnd.pypi.simple.v1+json" | "application/vnd.pypi.simple.latest+json" => {
            json::parse(body)
        }
        "text/html"
        | "application/vnd.pypi.simple.v1+html"
        | "application/vnd.pypi.simple.latest+html" => html::parse(body, name),
        _ => Err(PageError::ContentType(media)),
    }
}
