//! PEP 691 JSON project pages (`application/vnd.pypi.simple.v1+json`).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::PageError;
use crate::page::{CoreMetadata, DistFile, ProjectPage, Yanked};

/// Parses a PEP 691 project page. Unknown keys are ignored (later API
/// versions add some); a missing `files` list, a file without `filename`
/// or `url`, or a field of the wrong type is an error.
pub fn parse(text: &str) -> Result<ProjectPage, PageError> {
    let value: Value = serde_json::from_str(text).map_err(|e| PageError::Json(e.to_string()))?;
    let top = value
        .as_object()
        .ok_or_else(|| PageError::Json("the page is not a JSON object".into()))?;
    let name = top
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let files = top
        .get("files")
        .and_then(Value::as_array)
        .ok_or_else(|| PageError::Json("the page has no `files` list".into()))?;
    let files = files
        .iter()
        .enumerate()
        .map(|(i, f)| file(f).map_err(|m| PageError::Json(format!("files[{i}]: {m}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let versions = match top.get("versions") {
        None | Some(Value::Null) => None,
        Some(Value::Array(list)) => Some(
            list.iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| PageError::Json("`versions` holds a non-string".into()))?,
        ),
        Some(_) => return Err(PageError::Json("`versions` is not a list".into())),
    };
    Ok(ProjectPage {
        name,
        files,
        versions,
    })
}

fn string(o: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("`{key}` is not a string")),
    }
}

fn hashes(v: &Value, key: &str) -> Result<BTreeMap<String, String>, String> {
    let o = v
        .as_object()
        .ok_or_else(|| format!("`{key}` is not an object"))?;
    o.iter()
        .map(|(k, v)| {
            v.as_str()
                .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
                .map(|h| (k.to_ascii_lowercase(), h.to_ascii_lowercase()))
                .ok_or_else(|| format!("`{key}.{k}` is not a hex digest"))
        })
        .collect()
}

fn file(v: &Value) -> Result<DistFile, String> {
    let o = v.as_object().ok_or("not an object")?;
    let filename = string(o, "filename")?.ok_or("no `filename`")?;
    let url = string(o, "url")?.ok_or("no `url`")?;
    let (url, _) = crate::page::split_fragment(&url);
    let yanked = match o.get("yanked") {
        None | Some(Value::Null | Value::Bool(false)) => Yanked::No,
        Some(Value::Bool(true)) => Yanked::Yes(String::new()),
        Some(Value::String(s)) => Yanked::Yes(s.clone()),
        Some(_) => return Err("`yanked` is neither a boolean nor a string".into()),
    };
    // PEP 714 renamed `dist-info-metadata` to `core-metadata`; both are read.
    let meta = o
        .get("core-metadata")
        .or_else(|| o.get("dist-info-metadata"));
    let core_metadata = match meta {
        None | Some(Value::Null | Value::Bool(false)) => CoreMetadata::Absent,
        Some(Value::Bool(true)) => CoreMetadata::Present(BTreeMap::new()),
        Some(h @ Value::Object(_)) => CoreMetadata::Present(hashes(h, "core-metadata")?),
        Some(_) => return Err("`core-metadata` is neither a boolean nor an object".into()),
    };
    let size = match o.get("size") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_u64().ok_or("`size` is not a whole number")?),
    };
    Ok(DistFile {
        filename,
        url,
        hashes: match o.get("hashes") {
            None | Some(Value::Null) => BTreeMap::new(),
            Some(h) => hashes(h, "hashes")?,
        },
        requires_python: string(o, "requires-python")?,
        yanked,
        core_metadata,
        upload_time: string(o, "upload-time")?,
        size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pep_691_700_714() {
        let p = parse(
            r#"{"meta":{"api-version":"1.1"},"name":"Demo","versions":["1.0"],
            "files":[{"filename":"demo-1.0-py3-none-any.whl","url":"../../f/demo-1.0-py3-none-any.whl",
            "hashes":{"sha256":"ABCD"},"requires-python":">=3.8","dist-info-metadata":{"sha256":"ef"},
            "yanked":"broken","upload-time":"2020-01-01T00:00:00.000000Z","size":12,"new-key":1}]}"#,
        )
        .unwrap();
        let f = &p.files[0];
        assert_eq!(f.sha256(), Some("abcd"));
        assert_eq!(f.yanked, Yanked::Yes("broken".into()));
        assert!(matches!(&f.core_metadata, CoreMetadata::Present(h) if h["sha256"] == "ef"));
        assert_eq!(f.size, Some(12));
        assert!(f.uploaded().is_some());
        assert_eq!(p.versions.as_deref(), Some(&["1.0".to_owned()][..]));
    }

    #[test]
    fn malformed_pages_are_errors() {
        for bad in [
            "{",
            "[]",
            "{\"files\":3}",
            "{\"files\":[{\"url\":\"x\"}]}",
            "{\"files\":[{\"filename\":\"a\",\"url\":\"x\",\"hashes\":{\"sha256\":\"zz\"}}]}",
            "{\"files\":[{\"filename\":\"a\",\"url\":\"x\",\"size\":-1}]}",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
