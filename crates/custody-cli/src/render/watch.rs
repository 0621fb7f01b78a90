//! `custody watch`'s summary line.

use std::fmt::Write;

use custody::workflow::watch::RoundReport;

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `3 new affected assets for 1 advisory; 12 already emitted`, with what
/// stayed pending and why when delivery failed.
pub fn summary(r: &RoundReport) -> String {
    let mut line = if r.new == 0 {
        "no new affected assets".to_owned()
    } else {
        format!(
            "{} for {}",
            plural(r.new, "new affected asset", "new affected assets"),
            plural(r.new_advisories, "advisory", "advisories")
        )
    };
    if let Some(why) = &r.failure {
        let _ = write!(
            line,
            "; {} delivered, {} pending (sent again next round): {why}",
            r.delivered,
            r.pending()
        );
    }
    let _ = write!(line, "; {} already emitted", r.already_emitted);
    line
}
