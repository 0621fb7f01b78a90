//! Presentation: everything users read is produced here.

pub mod sarif;
pub mod seal;
pub mod table;

use crate::exit::CliError;

/// Pretty JSON with a trailing newline.
pub fn json<T: serde::Serialize>(value: &T) -> Result<String, CliError> {
    let mut s = serde_json::to_string_pretty(value).map_err(CliError::internal)?;
    s.push('\n');
    Ok(s)
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
