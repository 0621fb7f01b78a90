//! Small predicates over source text shared by the signal families:
//! assignments, constant arguments, nested and interpolated calls.

use super::Ctx;
use crate::python;

/// Calls nested in `c`'s arguments.
pub(super) fn nested_calls<'a>(
    ctx: &'a Ctx<'_>,
    c: &'a python::Call,
) -> impl Iterator<Item = &'a python::Call> {
    ctx.facts
        .calls
        .iter()
        .filter(move |d| d.span.0 > c.span.0 && d.span.1 <= c.span.1 && c.span.1 > c.span.0)
}

/// The names an f-string argument splices in: `f"b'{raw}'"` gives `raw`.
pub(super) fn interpolated(args: &str) -> impl Iterator<Item = &str> {
    let fstring = args.contains("f\"") || args.contains("f'");
    args.split('{')
        .skip(1)
        .filter(move |_| fstring)
        .filter_map(|piece| piece.split_once('}').map(|(name, _)| name.trim()))
}

/// A line's assignment `lhs = rhs` (not a comparison): the target, its
/// trailing blanks cut, and the right-hand side.
pub(super) fn assignment(line: &str) -> Option<(&str, &str)> {
    let (lhs, rhs) = line.split_once('=')?;
    (!rhs.starts_with('=')).then_some((lhs.trim_end(), rhs))
}

/// The right-hand side when `line` assigns to `name` (the line starts with
/// it: callers trim indentation when they allow it).
pub(super) fn assigned<'l>(line: &'l str, name: &str) -> Option<&'l str> {
    assignment(line).and_then(|(lhs, rhs)| (lhs == name).then_some(rhs))
}

/// The string a call's first argument names, when it is a variable last
/// assigned a plain string literal earlier in the same function
/// (`hostname = "x.example"`, then `gethostbyname(hostname)`).
pub(super) fn constant_argument(ctx: &Ctx<'_>, c: &python::Call) -> Option<String> {
    let var = c
        .args
        .trim_start_matches('(')
        .split([',', ')'])
        .next()?
        .trim();
    if var.is_empty() || !var.chars().all(|ch| ch.is_alphanumeric() || ch == '_') {
        return None;
    }
    ctx.facts
        .strings
        .iter()
        .filter(|s| s.func == c.func && s.line < c.line && !s.value.contains('{'))
        .filter(|s| {
            ctx.lines
                .get(s.line.wrapping_sub(1))
                .and_then(|l| assigned(l.trim_start(), var))
                .is_some_and(|rhs| {
                    let rhs = rhs.trim().trim_start_matches(['f', 'r', 'b', 'u']);
                    rhs.len() == s.value.len() + 2
                })
        })
        .max_by_key(|s| s.line)
        .map(|s| s.value.clone())
}
