//! The lab's decision on a delivery, signed: an in-toto statement whose
//! subject is the bundle (by the SHA-256 of its bytes) and whose predicate
//! (`https://custody.dev/delivery-decision/v1`) is the decision with every
//! check, so the acceptance itself is evidence the ledger keeps.

use std::path::Path;

use serde_json::json;

use crate::seal::SigningKey;
use crate::workflow::deliver::accept::{AcceptReport, Decision};

/// The predicate type.
pub const PREDICATE: &str = crate::seal::DECISION_PREDICATE;

/// The signed decision's bytes for `report` about the bundle whose bytes
/// hash to `bundle_sha256`.
pub fn sign(report: &AcceptReport, bundle_sha256: &str, key: &SigningKey) -> Vec<u8> {
    let name = report.bundle.file_name().map_or_else(
        || report.bundle.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let statement = json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": name, "digest": {"sha256": bundle_sha256}}],
        "predicateType": PREDICATE,
        "predicate": {
            "decision": match report.decision {
                Decision::Accept => "accept",
                Decision::Reject => "reject",
            },
            "dataset": report.dataset,
            "vendorSigner": report.signer,
            "vendor": report.vendor,
            "decidedAt": report.decided_at.to_string(),
            "advisoriesAsOf": report.advisories_as_of,
            "policy": report.policy.display().to_string(),
            "checks": report.checks,
        },
    });
    crate::run::sign(&statement, key)
}

/// Signs the decision on the bundle `report` checked (named by the digest
/// of the bytes it checked, not read again) and writes it to `out` (whole,
/// or not at all).
///
/// # Errors
/// The file cannot be written.
pub fn write(
    report: &AcceptReport,
    key: &SigningKey,
    out: &Path,
) -> Result<(), crate::keys::WriteError> {
    crate::keys::write_atomic(out, &sign(report, &report.bundle_sha256, key), false)
}
