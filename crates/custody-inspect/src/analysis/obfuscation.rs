//! Obfuscation: builtins looked up by computed names, code spliced from
//! string pieces, imports by decoded names, look-alike letters, code pushed
//! off-screen, PyArmor.

use super::Ctx;
use super::dynamic::is_spliced_literal;
use super::predicates::assigned;
use crate::code::Code;
use crate::report::{Finding, Level};
use crate::rules::calls::CODE_CALLS;
use crate::skeleton;

/// `data` with characters of Unicode's Mathematical Alphanumeric Symbols
/// block (U+1D400 to U+1D7FF) replaced by their NFKC forms, as Python's
/// parser reads identifiers; `None` when there are none.
pub(super) fn look_alike_identifiers(data: &[u8]) -> Option<Vec<u8>> {
    use unicode_normalization::UnicodeNormalization as _;
    // Every character of the block starts with these two bytes in UTF-8.
    if !data.windows(2).any(|w| w == [0xF0, 0x9D]) {
        return None;
    }
    let text = std::str::from_utf8(data).ok()?;
    if !math_letters_in_code(text) {
        return None; // symbol tables and docs quote them as text
    }
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    for c in text.chars() {
        if ('\u{1D400}'..='\u{1D7FF}').contains(&c) {
            out.extend(std::iter::once(c).nfkc());
            changed = true;
        } else {
            out.push(c);
        }
    }
    changed.then(|| out.into_bytes())
}

/// Whether a Mathematical Alphanumeric Symbol (U+1D400 to U+1D7FF: UTF-8
/// `F0 9D 90..9F ..`) stands outside every string literal and comment.
pub(super) fn math_letters_in_code(text: &str) -> bool {
    skeleton::in_code(text.as_bytes(), |rest| {
        matches!(rest, [0xF0, 0x9D, 0x90..=0x9F, ..])
    })
}

/// Code pushed far right on a line by a run of spaces, out of an editor's view.
pub(super) fn hidden_code(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    /// Spaces in a row that push code out of view.
    const RUN: usize = 100;
    for (i, l) in ctx.lines.iter().enumerate() {
        if l.len() <= RUN || l.trim_start().starts_with('#') {
            continue;
        }
        // The end of the first run of RUN spaces, if any.
        let mut spaces = 0;
        let after = l.bytes().position(|b| {
            spaces = if b == b' ' { spaces + 1 } else { 0 };
            spaces == RUN
        });
        if let Some(at) = after
            && !l[at..].trim().is_empty()
        {
            out.push(ctx.at(
                Code::HiddenCode,
                Level::High,
                ctx.file_phase,
                i + 1,
                "code hidden after a long run of spaces",
            ));
        }
    }
}

/// Calls that hide what they call: builtins looked up by computed names,
/// modules imported by decoded names, names spliced from string pieces.
pub(super) fn obfuscation_signals(
    ctx: &Ctx<'_>,
    callee: &str,
    args: &str,
    add: &mut impl FnMut(Code, Level, &str),
) {
    // A name computed by an expression, or by a variable spelled in
    // character codes (`name = ''.join(map(chr, [101, 120, 101, 99]))`).
    let computed = |n: &str| {
        let n = n.trim().trim_end_matches(')').trim();
        n.contains(['(', '[', '+'])
            || (!n.is_empty()
                && n.chars().all(|c| c.is_alphanumeric() || c == '_')
                && ctx
                    .lines
                    .iter()
                    .any(|l| assigned(l, n).is_some_and(|r| r.contains("chr"))))
    };
    if callee == "getattr"
        && (args.starts_with("__builtins__") || args.starts_with("builtins"))
        && args.split_once(',').is_some_and(|(_, n)| computed(n))
    {
        add(
            Code::Obfuscation,
            Level::High,
            "looks up a builtin by a computed name (obfuscated code)",
        );
    }
    if matches!(callee, "__import__" | "importlib.import_module")
        && ["bytes([", "chr(", "[::-1]", "decode(", "b64decode"]
            .iter()
            .any(|m| args.contains(m))
    {
        add(
            Code::Obfuscation,
            Level::High,
            "imports a module by a name it decodes (obfuscated code)",
        );
    }
    if callee == "__pyarmor__" || callee.ends_with("pyarmor_runtime") {
        add(
            Code::Obfuscation,
            Level::High,
            "runs PyArmor-encrypted code (what it does cannot be read)",
        );
    }
    if CODE_CALLS.contains(&callee) && is_spliced_literal(args) {
        add(
            Code::Obfuscation,
            Level::High,
            "evaluates a name or code spliced from string pieces (`eval(\"o\"+\"s.sy\"+...)`)",
        );
    }
}

/// A regular expression's character ranges (`0-9A-Za-z` spelled
/// `\x30-\x39\x41-\x5a...`, as wcmatch does): not hidden text.
pub(super) fn is_char_ranges(value: &str) -> bool {
    let v: Vec<char> = value.chars().collect();
    let ranges = (1..v.len().saturating_sub(1))
        .filter(|&i| v[i] == '-')
        .count();
    ranges > 0 && ranges * 4 >= v.len()
}
