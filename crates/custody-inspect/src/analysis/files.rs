//! Files that are not Python: media files carrying encoded code, and
//! JavaScript that builds and runs code from strings.

use super::{analyse_source, finding};
use crate::archive::Member;
use crate::code::Code;
use crate::decode;
use crate::report::{Finding, Level, Phase};

/// A media file carrying an encoded payload or code after its data.
pub(super) fn media_payload(m: &Member, out: &mut Vec<Finding>) {
    // Look for a long run of base64 alphabet, as a carrier would append.
    let data = &m.data;
    let mut start = None;
    for (i, b) in data
        .iter()
        .enumerate()
        .chain(std::iter::once((data.len(), &0u8)))
    {
        let in_alpha =
            i < data.len() && (b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
        match (in_alpha, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s >= 200 {
                    for (chain, inner) in decode::unwrap(&data[s..i]) {
                        // Show up to 16 printable bytes before the payload: carriers put a marker there.
                        let marker_at = data[s.saturating_sub(16)..s]
                            .iter()
                            .rposition(|b| !b.is_ascii_graphic())
                            .map_or(s.saturating_sub(16), |p| s.saturating_sub(16) + p + 1);
                        out.push(finding(
                            Code::MediaPayload,
                            Level::Critical,
                            Phase::Runtime,
                            &m.path,
                            None,
                            Some(&chain),
                            &format!(
                                "byte {s}, after `{}`",
                                String::from_utf8_lossy(&data[marker_at..s])
                            ),
                            "a media file carries encoded Python code",
                        ));
                        analyse_source(
                            &m.path,
                            &inner,
                            Phase::Runtime,
                            Some(&format!("media>{chain}")),
                            0,
                            out,
                        );
                    }
                }
                start = None;
            }
            _ => {}
        }
    }
}

/// JavaScript shipped in a Python package that builds and runs code.
pub(super) fn script_exec(m: &Member, out: &mut Vec<Finding>) {
    let text = String::from_utf8_lossy(&m.data);
    if let Some((i, l)) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("new Function(") || l.contains("eval("))
    {
        out.push(finding(
            Code::EmbeddedScriptExec,
            Level::Medium,
            Phase::Runtime,
            &m.path,
            Some(i + 1),
            None,
            l,
            "JavaScript that builds and runs code from strings, shipped in a Python package",
        ));
    }
}
