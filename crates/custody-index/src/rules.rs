//! Every decision the index makes, as data: a stable code, what happens to
//! the file or release, the HTTP status a client sees, and a one-line
//! reason. `docs/index.md`'s code table is checked against [`RULES`].

use std::fmt::Write as _;

use serde::Serialize;

/// What a decision does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Served (on the page, or the file's bytes).
    Allowed,
    /// Left off the project page: the client never sees it.
    Hidden,
    /// A download or request answered with an error, by policy.
    Refused,
    /// The upstream or the request was at fault; nothing was cached.
    Fault,
}

/// One row of the rules table.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Rule {
    /// The code.
    pub code: Code,
    /// Its text (kebab-case, stable).
    pub name: &'static str,
    /// What it does.
    pub action: Action,
    /// The status a client gets when it asks for the file (200 when served).
    pub status: u16,
    /// The one-line reason.
    pub summary: &'static str,
}

/// The enum, its table and the lookup from one list, so a code cannot
/// lack a row.
macro_rules! rules {
    ($($code:ident $name:literal $action:ident $status:literal $summary:literal;)*) => {
        /// A decision's stable code (its row in [`RULES`] says what it does).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum Code {
            $(#[doc = $summary] $code,)*
        }

        /// Every rule, in the order of `docs/index.md`.
        pub const RULES: &[Rule] = &[
            $(Rule { code: Code::$code, name: $name, action: Action::$action, status: $status, summary: $summary },)*
        ];

        impl Code {
            /// This code's row.
            pub fn rule(self) -> &'static Rule {
                match self {
                    $(Code::$code => &Rule { code: Code::$code, name: $name, action: Action::$action, status: $status, summary: $summary },)*
                }
            }
        }
    };
}

rules! {
    Allowed "allowed" Allowed 200 "fetched, digest checked, inspected: clean";
    AllowedSuspicious "allowed-suspicious" Allowed 200 "inspection found it suspicious; served because the policy says suspicious = \"warn\"";
    CooldownException "cooldown-exception" Allowed 200 "younger than min-age, kept by an [[index.allow]] entry";
    Malicious "malicious" Hidden 403 "the release has a malicious-package (MAL-) record";
    Vulnerable "vulnerable" Hidden 403 "the release has an advisory at or above the policy's block-severity";
    Cooldown "cooldown" Hidden 403 "the release is younger than the policy's min-age";
    UnknownAge "unknown-age" Hidden 403 "min-age is set and the upstream gives no upload time";
    UnknownVersion "unknown-version" Hidden 403 "the file name states no version custody can read";
    BadFilename "bad-filename" Hidden 403 "the upstream's file name has a slash, a backslash, a control character or a leading dot";
    InspectionMalicious "inspection-malicious" Refused 403 "inspection judged the file malicious";
    InspectionSuspicious "inspection-suspicious" Refused 403 "inspection judged the file suspicious and the policy says suspicious = \"block\"";
    Unreadable "unreadable" Refused 403 "inspection could not read the archive";
    NoDigest "no-digest" Refused 403 "the upstream lists no sha256 for the file, so it cannot be checked";
    DigestMismatch "digest-mismatch" Fault 502 "the file's sha256 differs from the upstream's listing";
    MetadataMismatch "metadata-mismatch" Fault 502 "the metadata file's sha256 differs from the upstream's listing";
    UpstreamMalformed "upstream-malformed" Fault 502 "the upstream's page is not valid PEP 503 HTML or PEP 691 JSON";
    UpstreamRedirect "upstream-redirect" Fault 502 "the upstream redirected to another host";
    UpstreamTimeout "upstream-timeout" Fault 504 "the upstream did not answer in time";
    UpstreamTruncated "upstream-truncated" Fault 502 "the upstream closed the connection before the whole file came";
    UpstreamError "upstream-error" Fault 502 "the upstream could not be reached or answered with an error";
    TooLarge "too-large" Refused 403 "the file is larger than the index accepts";
    BadPath "bad-path" Fault 400 "the request path has '..', an encoded slash or backslash, an absolute URL or a control character";
    NotFound "not-found" Fault 404 "no such project or file";
    NotAcceptable "not-acceptable" Fault 406 "the client accepts none of the simple API's formats";
}

impl Code {
    /// The stable text.
    pub fn as_str(self) -> &'static str {
        self.rule().name
    }
}

/// The code table of `docs/index.md`: one row per rule, in order.
pub fn markdown_table() -> String {
    let mut out = String::from("| code | action | status | reason |\n|---|---|---|---|\n");
    for r in RULES {
        let action = match r.action {
            Action::Allowed => "allowed",
            Action::Hidden => "hidden",
            Action::Refused => "refused",
            Action::Fault => "fault",
        };
        let _ = writeln!(
            out,
            "| `{}` | {action} | {} | {} |",
            r.name,
            r.status,
            r.summary.replace('|', "\\|")
        );
    }
    out
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_one_row_and_its_serde_name() {
        for r in RULES {
            assert_eq!(RULES.iter().filter(|o| o.code == r.code).count(), 1);
            assert_eq!(
                serde_json::to_value(r.code).unwrap(),
                serde_json::json!(r.name)
            );
            assert!(!r.summary.contains('\n'));
        }
    }
}
