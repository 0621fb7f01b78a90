//! PEP 503 HTML project pages (`text/html`,
//! `application/vnd.pypi.simple.v1+html`): one anchor per file, its href
//! carrying the hash fragment and its attributes the rest (PEP 503
//! `data-requires-python`, PEP 592 `data-yanked`, PEP 658/714
//! `data-core-metadata` and `data-dist-info-metadata`).
//!
//! The reader is small and strict on structure: a tag or quote left open,
//! or an anchor without `href`, makes the page malformed. Tags other than
//! `<a>` are skipped, so are comments.

use std::collections::BTreeMap;

use crate::PageError;
use crate::page::{CoreMetadata, DistFile, ProjectPage, Yanked, filename_of, split_fragment};

/// Parses a PEP 503 project page; `name` is the project the page was asked for.
pub fn parse(text: &str, name: &str) -> Result<ProjectPage, PageError> {
    let mut files = Vec::new();
    let mut at = 0;
    while let Some(i) = text[at..].find('<') {
        let start = at + i;
        if text[start..].starts_with("<!--") {
            let end = text[start..]
                .find("-->")
                .ok_or_else(|| malformed(start, "comment not closed"))?;
            at = start + end + 3;
            continue;
        }
        let (tag, attrs, end) = tag(text, start)?;
        at = end;
        if tag.eq_ignore_ascii_case("a") {
            files.push(anchor(&attrs).map_err(|m| malformed(start, m))?);
        }
    }
    Ok(ProjectPage {
        name: name.to_owned(),
        files,
        versions: None,
    })
}

fn malformed(offset: usize, message: &str) -> PageError {
    PageError::Html {
        offset,
        message: message.to_owned(),
    }
}

type Attrs = Vec<(String, Option<String>)>;

/// The tag at `start` (`<name attr="v" ...>`): its name, attributes and the offset after `>`.
fn tag(text: &str, start: usize) -> Result<(String, Attrs, usize), PageError> {
    let b = text.as_bytes();
    let mut i = start + 1;
    let name_start = i;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'/' || b[i] == b'!') {
        i += 1;
    }
    let name = text[name_start..i].to_owned();
    let mut attrs = Vec::new();
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        match b.get(i) {
            None => return Err(malformed(start, "tag not closed")),
            Some(b'>') => return Ok((name, attrs, i + 1)),
            Some(b'/') => {
                i += 1;
                continue;
            }
            Some(_) => {}
        }
        let key_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let key = text[key_start..i].to_ascii_lowercase();
        if b.get(i) != Some(&b'=') {
            attrs.push((key, None));
            continue;
        }
        i += 1;
        let value = if let Some(&q @ (b'"' | b'\'')) = b.get(i) {
            let end = text[i + 1..]
                .find(char::from(q))
                .ok_or_else(|| malformed(start, "attribute quote not closed"))?;
            let v = &text[i + 1..i + 1 + end];
            i += end + 2;
            v
        } else {
            {
                let v_start = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                &text[v_start..i]
            }
        };
        attrs.push((key, Some(unescape(value))));
    }
}

fn anchor(attrs: &Attrs) -> Result<DistFile, &'static str> {
    let get = |k: &str| attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let href = get("href").flatten().ok_or("an anchor without href")?;
    let (url, hashes) = split_fragment(&href);
    let filename = filename_of(&url);
    if filename.is_empty() {
        return Err("an anchor whose href names no file");
    }
    let yanked = match get("data-yanked") {
        None => Yanked::No,
        Some(reason) => Yanked::Yes(reason.unwrap_or_default()),
    };
    let meta = get("data-core-metadata").or_else(|| get("data-dist-info-metadata"));
    let core_metadata = match meta {
        None => CoreMetadata::Absent,
        Some(None) => CoreMetadata::Present(BTreeMap::new()),
        Some(Some(v)) if v.eq_ignore_ascii_case("true") => CoreMetadata::Present(BTreeMap::new()),
        Some(Some(v)) => match v.split_once('=') {
            Some((h, d)) if !d.is_empty() && d.bytes().all(|c| c.is_ascii_hexdigit()) => {
                CoreMetadata::Present(BTreeMap::from([(
                    h.to_ascii_lowercase(),
                    d.to_ascii_lowercase(),
                )]))
            }
            _ => return Err("data-core-metadata is neither `true` nor `hash=digest`"),
        },
    };
    Ok(DistFile {
        filename,
        url,
        hashes,
        requires_python: get("data-requires-python").flatten(),
        yanked,
        core_metadata,
        upload_time: None,
        size: None,
    })
}

/// Decodes the character references a simple page uses.
fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|e| *e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .map(|h| u32::from_str_radix(h, 16))
                .or_else(|| entity.strip_prefix('#').map(str::parse::<u32>))
                .and_then(Result::ok)
                .and_then(char::from_u32),
        };
        if let Some(c) = c {
            out.push(c);
            rest = &rest[end + 1..];
        } else {
            out.push('&');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

/// Escapes text for an attribute value or element text.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pep_503_attributes() {
        let p = parse(
            "<!DOCTYPE html><html><head><meta name=\"pypi:repository-version\" content=\"1.1\"></head><body>\
             <!-- <a> in a comment -->\
             <a href=\"../../f/demo-1.0-py3-none-any.whl#sha256=AB12\" data-requires-python=\"&gt;=3.8\" \
             data-dist-info-metadata=\"sha256=cd\" data-yanked=\"\">demo-1.0-py3-none-any.whl</a><br/>\
             <a href='demo-2.0.tar.gz' data-core-metadata>demo-2.0.tar.gz</a></body></html>",
            "demo",
        )
        .unwrap();
        assert_eq!(p.files.len(), 2);
        let f = &p.files[0];
        assert_eq!(f.filename, "demo-1.0-py3-none-any.whl");
        assert_eq!(f.sha256(), Some("ab12"));
        assert_eq!(f.requires_python.as_deref(), Some(">=3.8"));
        assert_eq!(f.yanked, Yanked::Yes(String::new()));
        assert!(matches!(&f.core_metadata, CoreMetadata::Present(h) if h["sha256"] == "cd"));
        assert_eq!(
            p.files[1].core_metadata,
            CoreMetadata::Present(BTreeMap::new())
        );
    }

    #[test]
    fn malformed_pages_are_errors() {
        for bad in [
            "<a href=\"x.whl\"",
            "<a href=\"x.whl>x</a>",
            "<a name=x>x</a>",
            "<!-- open",
            "<a href=\"x.whl\" data-core-metadata=\"yes\">x</a>",
        ] {
            assert!(parse(bad, "x").is_err(), "{bad}");
        }
    }

    #[test]
    fn entities_round_trip() {
        assert_eq!(unescape(&escape("a<b>&\"'")), "a<b>&\"'");
        assert_eq!(unescape("&#x3e;&#62;&bogus;"), ">>&bogus;");
    }
}
