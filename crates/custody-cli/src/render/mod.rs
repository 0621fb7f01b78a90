//! Presentation: everything users read is produced here.

pub mod deliver;
pub mod incident;
pub mod index;
pub mod inspect;
pub mod labels;
pub mod ledger;
pub mod ledger_dot;
pub mod run;
pub mod sarif;
pub mod seal;
pub mod table;
pub mod watch;

use crate::exit::CliError;

/// Pretty JSON with a trailing newline.
pub fn json<T: serde::Serialize>(value: &T) -> Result<String, CliError> {
    let mut s = serde_json::to_string_pretty(value).map_err(CliError::internal)?;
    s.push('\n');
    Ok(s)
}

/// Pretty JSON of `value` through a `serde_json::Value`: every object's
/// keys in `serde_json::Map` order (alphabetical). `custody verify`,
/// `diff`, `seal` and `key generate` have always printed so.
pub fn json_sorted<T: serde::Serialize>(value: &T) -> Result<String, CliError> {
    json(&serde_json::to_value(value).map_err(CliError::internal)?)
}

/// One line of JSON, keys ordered as [`json_sorted`]'s, with a trailing newline.
pub fn json_line_sorted<T: serde::Serialize>(value: &T) -> Result<String, CliError> {
    let v = serde_json::to_value(value).map_err(CliError::internal)?;
    Ok(format!("{v}\n"))
}

/// A path shown relative to the working directory when it lies below it.
pub fn display_path(p: &std::path::Path) -> String {
    if let Ok(cwd) = std::env::current_dir()
        && let Ok(rel) = p.strip_prefix(&cwd)
    {
        return rel.display().to_string();
    }
    p.display().to_string()
}
