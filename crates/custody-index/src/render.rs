//! PEP 691 content negotiation and the pages the index serves.

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use crate::html::escape;
use crate::page::{CoreMetadata, DistFile, ProjectPage, Yanked};

/// The simple-API version the index speaks (PEP 700 is 1.1).
pub const API_VERSION: &str = "1.1";

/// A format a client can ask for with `Accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `application/vnd.pypi.simple.v1+json`.
    Json,
    /// `application/vnd.pypi.simple.v1+html`.
    Html,
    /// `text/html` (and what a client gets when it says nothing).
    LegacyHtml,
}

impl Format {
    /// The `Content-Type` to answer with.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/vnd.pypi.simple.v1+json",
            Self::Html => "application/vnd.pypi.simple.v1+html",
            Self::LegacyHtml => "text/html; charset=utf-8",
        }
    }
}

/// The format to answer an `Accept` header with (PEP 691): the highest
/// quality among the ones served, JSON first on a tie; `text/html` without
/// the header; `None` when nothing acceptable is served (406).
pub fn negotiate(accept: Option<&str>) -> Option<Format> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Some(Format::LegacyHtml);
    };
    let mut best: Option<(u16, u8, Format)> = None;
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let mut q = 1000u16;
        for p in parts {
            if let Some(v) = p.trim().strip_prefix("q=") {
                q = quality(v.trim());
            }
        }
        let (format, rank) =
            match media.as_str() {
                "application/vnd.pypi.simple.v1+json"
                | "application/vnd.pypi.simple.latest+json" => (Format::Json, 3),
                "application/vnd.pypi.simple.v1+html"
                | "application/vnd.pypi.simple.latest+html" => (Format::Html, 2),
                "text/html" | "text/*" | "*/*" => (Format::LegacyHtml, 1),
                _ => continue,
            };
        if q > 0 && best.is_none_or(|(bq, br, _)| (q, rank) > (bq, br)) {
            best = Some((q, rank, format));
        }
    }
    best.map(|(_, _, f)| f)
}

/// A quality value (`0`, `0.5`, `1.000`) in thousandths; 0 when malformed.
fn quality(v: &str) -> u16 {
    let (whole, frac) = v.split_once('.').unwrap_or((v, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    let frac: u16 = format!("{frac:0<3}").parse().unwrap_or(0);
    match whole {
        "0" => frac,
        "1" if frac == 0 => 1000,
        _ => 0,
    }
}

/// A project page in `format`. Each file's URL is `url_of(file)`; the
/// sha256 is put in the URL fragment for HTML clients.
pub fn project(page: &ProjectPage, format: Format, url_of: &dyn Fn(&DistFile) -> String) -> String {
    match format {
        Format::Json => project_json(page, url_of),
        Format::Html | Format::LegacyHtml => project_html(page, url_of),
    }
}

fn project_json(page: &ProjectPage, url_of: &dyn Fn(&DistFile) -> String) -> String {
    let files: Vec<Value> = page
        .files
        .iter()
        .map(|f| {
            let mut o = Map::new();
            o.insert("filename".into(), json!(f.filename));
            o.insert("url".into(), json!(url_of(f)));
            o.insert("hashes".into(), json!(f.hashes));
            if let Some(r) = &f.requires_python {
                o.insert("requires-python".into(), json!(r));
            }
            if let CoreMetadata::Present(h) = &f.core_metadata {
                let v = if h.is_empty() { json!(true) } else { json!(h) };
                o.insert("core-metadata".into(), v.clone());
                o.insert("dist-info-metadata".into(), v);
            }
            if let Yanked::Yes(reason) = &f.yanked {
                let v = if reason.is_empty() {
                    json!(true)
                } else {
                    json!(reason)
                };
                o.insert("yanked".into(), v);
            }
            if let Some(t) = &f.upload_time {
                o.insert("upload-time".into(), json!(t));
            }
            if let Some(s) = f.size {
                o.insert("size".into(), json!(s));
            }
            Value::Object(o)
        })
        .collect();
    let mut top = Map::new();
    top.insert("meta".into(), json!({"api-version": API_VERSION}));
    top.insert("name".into(), json!(page.name));
    top.insert("files".into(), Value::Array(files));
    if let Some(v) = &page.versions {
        top.insert("versions".into(), json!(v));
    }
    Value::Object(top).to_string()
}

fn project_html(page: &ProjectPage, url_of: &dyn Fn(&DistFile) -> String) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html>\n<head>\n<meta name=\"pypi:repository-version\" content=\"{API_VERSION}\">\n\
         <title>Links for {0}</title>\n</head>\n<body>\n<h1>Links for {0}</h1>\n",
        escape(&page.name)
    );
    for f in &page.files {
        let mut href = url_of(f);
        if let Some(h) = f.sha256() {
            href = format!("{href}#sha256={h}");
        }
        let _ = write!(out, "<a href=\"{}\"", escape(&href));
        if let Some(r) = &f.requires_python {
            let _ = write!(out, " data-requires-python=\"{}\"", escape(r));
        }
        if let CoreMetadata::Present(h) = &f.core_metadata {
            let v = h
                .get("sha256")
                .map_or_else(|| "true".to_owned(), |d| format!("sha256={d}"));
            let _ = write!(
                out,
                " data-core-metadata=\"{v}\" data-dist-info-metadata=\"{v}\""
            );
        }
        if let Yanked::Yes(reason) = &f.yanked {
            let _ = write!(out, " data-yanked=\"{}\"", escape(reason));
        }
        let _ = writeln!(out, ">{}</a><br/>", escape(&f.filename));
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// The root page: one link per project (`/simple/<name>/`).
pub fn root(names: &[String], format: Format) -> String {
    match format {
        Format::Json => json!({
            "meta": {"api-version": API_VERSION},
            "projects": names.iter().map(|n| json!({"name": n})).collect::<Vec<_>>(),
        })
        .to_string(),
        Format::Html | Format::LegacyHtml => {
            let mut out = format!(
                "<!DOCTYPE html>\n<html>\n<head>\n<meta name=\"pypi:repository-version\" content=\"{API_VERSION}\">\n\
                 <title>Simple index</title>\n</head>\n<body>\n"
            );
            for n in names {
                let _ = writeln!(out, "<a href=\"{0}/\">{0}</a><br/>", escape(n));
            }
            out.push_str("</body>\n</html>\n");
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_follows_pep_691() {
        assert_eq!(negotiate(None), Some(Format::LegacyHtml));
        assert_eq!(
            negotiate(Some(
                "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"
            )),
            Some(Format::Json)
        );
        assert_eq!(
            negotiate(Some("text/html, application/vnd.pypi.simple.v1+json;q=0.5")),
            Some(Format::LegacyHtml)
        );
        assert_eq!(
            negotiate(Some("application/vnd.pypi.simple.v1+html")),
            Some(Format::Html)
        );
        assert_eq!(negotiate(Some("application/json")), None);
        assert_eq!(negotiate(Some("text/html;q=0")), None);
    }

    #[test]
    fn pages_round_trip_through_both_formats() {
        let page = crate::json::parse(
            r#"{"name":"demo","versions":["1.0"],"files":[{"filename":"demo-1.0.tar.gz","url":"u",
            "hashes":{"sha256":"ab"},"requires-python":">=3.8","core-metadata":{"sha256":"cd"},
            "yanked":"bad","upload-time":"2020-01-01T00:00:00Z","size":3}]}"#,
        )
        .unwrap();
        let url = |f: &DistFile| format!("/files/demo/{}", f.filename);
        let back = crate::json::parse(&project(&page, Format::Json, &url)).unwrap();
        assert_eq!(back.files[0].upload_time, page.files[0].upload_time);
        assert_eq!(back.versions, page.versions);
        let html = crate::html::parse(&project(&page, Format::Html, &url), "demo").unwrap();
        assert_eq!(html.files[0].hashes, page.files[0].hashes);
        assert_eq!(html.files[0].core_metadata, page.files[0].core_metadata);
        assert_eq!(html.files[0].yanked, page.files[0].yanked);
        assert_eq!(html.files[0].requires_python, page.files[0].requires_python);
    }
}
