//! Where a ledger lives: a SQLite file or a PostgreSQL server.

use std::path::PathBuf;

use crate::error::LedgerError;

/// A ledger's location, parsed from what the user gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file (created when missing).
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (`postgres://` or `postgresql://`).
    Postgres(String),
}

impl Location {
    /// `postgres://...` or `postgresql://...` is PostgreSQL, `sqlite:PATH`
    /// or any other non-empty string a SQLite file path.
    pub fn parse(given: &str) -> Result<Self, LedgerError> {
        if given.starts_with("postgres://") || given.starts_with("postgresql://") {
            return Ok(Self::Postgres(given.to_owned()));
        }
        let path = given.strip_prefix("sqlite:").unwrap_or(given);
        if path.is_empty() {
            return Err(LedgerError::Location {
                given: given.to_owned(),
                reason: "empty path".to_owned(),
            });
        }
        if path.contains("://") {
            return Err(LedgerError::Location {
                given: given.to_owned(),
                reason: "only postgres:// and postgresql:// URLs are ledger servers".to_owned(),
            });
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }

    /// The location for messages: a URL without its password.
    pub fn display(&self) -> String {
        match self {
            Self::Sqlite(p) => p.display().to_string(),
            Self::Postgres(url) => redact(url),
        }
    }
}

/// `url` with the password between `user:` and `@` replaced by `***`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((auth, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_kinds_and_redacts() {
        assert_eq!(
            Location::parse("/tmp/l.db").unwrap(),
            Location::Sqlite("/tmp/l.db".into())
        );
        assert_eq!(
            Location::parse("sqlite:l.db").unwrap(),
            Location::Sqlite("l.db".into())
        );
        let pg = Location::parse("postgres://u:secret@h:5432/db").unwrap();
        assert_eq!(pg.display(), "postgres://u:***@h:5432/db");
        assert!(Location::parse("").is_err());
        assert!(Location::parse("mysql://x").is_err());
    }
}
