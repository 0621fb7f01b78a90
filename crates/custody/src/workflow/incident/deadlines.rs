//! Notification deadlines from the detection time, as data: GDPR Art.
//! 33(1) (the supervisory authority, 72 hours after becoming aware of a
//! personal-data breach) and NIS2 Art. 23(4) (early warning within 24
//! hours, incident notification within 72 hours, final report within one
//! month of the notification).

use jiff::{Span, Timestamp, tz::TimeZone};
use serde::Serialize;

/// A deadline.
#[derive(Debug, Clone, Serialize)]
pub struct Deadline {
    /// `GDPR` or `NIS2`.
    pub regime: &'static str,
    /// What is due.
    pub what: &'static str,
    /// By when (UTC).
    pub due: Timestamp,
    /// The rule.
    pub basis: &'static str,
}

/// `(regime, what, hours after detection, extra months, basis)`.
const RULES: &[(&str, &str, i64, i64, &str)] = &[
    (
        "NIS2",
        "early warning to the CSIRT or competent authority",
        24,
        0,
        "NIS2 Art. 23(4)(a): within 24 hours of becoming aware",
    ),
    (
        "GDPR",
        "notification to the supervisory authority (personal data)",
        72,
        0,
        "GDPR Art. 33(1): within 72 hours of becoming aware",
    ),
    (
        "NIS2",
        "incident notification",
        72,
        0,
        "NIS2 Art. 23(4)(b): within 72 hours of becoming aware",
    ),
    (
        "NIS2",
        "final report",
        72,
        1,
        "NIS2 Art. 23(4)(d): within one month of the incident notification",
    ),
];

/// Every deadline for an incident detected at `detected`.
pub fn deadlines(detected: Timestamp) -> Vec<Deadline> {
    RULES
        .iter()
        .map(|&(regime, what, hours, months, basis)| {
            let at = detected.to_zoned_datetime(TimeZone::UTC) + Span::new().hours(hours);
            let due = (at + Span::new().months(months)).timestamp();
            Deadline {
                regime,
                what,
                due,
                basis,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::deadlines;

    #[test]
    fn clocks_run_from_detection() {
        let d = deadlines("2026-03-24T12:00:00Z".parse().unwrap());
        let due: Vec<String> = d.iter().map(|x| x.due.to_string()).collect();
        assert_eq!(
            due,
            [
                "2026-03-25T12:00:00Z",
                "2026-03-27T12:00:00Z",
                "2026-03-27T12:00:00Z",
                "2026-04-27T12:00:00Z"
            ]
        );
    }
}
