//! Dynamic code: `exec`/`eval`/`compile`/`marshal.loads` of literals (analysed
//! as code), of decoded, decrypted or downloaded data, and of builtins
//! fetched by name.

use std::collections::HashSet;

use super::predicates::{assigned, interpolated, nested_calls};
use super::{Ctx, analyse_source, layered};
use crate::code::Code;
use crate::decode;
use crate::python;
use crate::report::{Finding, Level, Phase};
use crate::rules::calls::{DECODE_CALLS, NETWORK_CALLS};

/// Whether `callee` is a plain name assigned from `getattr(builtins, ...)`
/// (or `__builtins__`) somewhere in the file.
pub(super) fn fetched_builtin(ctx: &Ctx<'_>, callee: &str) -> bool {
    ctx.builtin_aliases.contains(callee)
}

/// Names assigned from `getattr(builtins, ...)` or `getattr(__builtins__,
/// ...)` in a file, read once per file.
pub(super) fn builtin_aliases(text: &str, lines: &[&str]) -> HashSet<String> {
    if !text.contains("getattr(") {
        return HashSet::new();
    }
    lines
        .iter()
        .flat_map(|l| l.split(';'))
        .filter_map(|stmt| {
            let (lhs, rhs) = stmt.split_once('=')?;
            let rhs: String = rhs.chars().filter(|c| !c.is_whitespace()).collect();
            let name = lhs.trim();
            (rhs.starts_with("getattr(builtins,") || rhs.starts_with("getattr(__builtins__,"))
                .then(|| name.to_owned())
                .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_alphanumeric() || c == '_'))
        })
        .collect()
}

/// Whether a call's first argument is a variable last assigned, earlier in
/// the same function, from a network call or its `.text`/`.content`
/// (`resp = requests.get(c2)`, `resp = resp.text`, `run(resp)`).
pub(super) fn runs_fetched_text(ctx: &Ctx<'_>, c: &python::Call) -> bool {
    let var: String = c
        .args
        .trim_start_matches(['(', '['])
        .chars()
        .take_while(|ch| ch.is_alphanumeric() || *ch == '_')
        .collect();
    if var.is_empty() {
        return false;
    }
    ctx.facts.calls.iter().any(|d| {
        d.func == c.func
            && d.line < c.line
            && NETWORK_CALLS.contains(&d.callee.as_str())
            && ctx
                .lines
                .get(d.line.wrapping_sub(1))
                .is_some_and(|l| assigned(l.trim_start(), &var).is_some())
    })
}

/// Whether call arguments are nothing but three or more string literals
/// joined by `+` (a name or code cut into pieces to hide it).
pub(super) fn is_spliced_literal(args: &str) -> bool {
    let inner = args.trim().trim_end_matches(')').trim();
    let mut pieces = 0;
    let mut rest = inner;
    loop {
        rest = rest.trim_start();
        let Some(q) = rest.chars().next().filter(|q| matches!(q, '"' | '\'')) else {
            return false;
        };
        let Some(end) = rest[1..].find(q) else {
            return false;
        };
        if rest[1..=end].contains('\\') {
            return false;
        }
        pieces += 1;
        rest = rest[end + 2..].trim_start();
        if rest.is_empty() {
            return pieces >= 3;
        }
        let Some(after) = rest.strip_prefix('+') else {
            return false;
        };
        rest = after;
    }
}

/// Whether a call's arguments are decoded, decrypted or downloaded data.
pub(super) fn fed_by_hidden_data(ctx: &Ctx<'_>, c: &python::Call) -> bool {
    let hides = |callee: &str| {
        DECODE_CALLS.contains(&callee)
            || NETWORK_CALLS.contains(&callee)
            || callee.ends_with(".decrypt")
            || callee.ends_with("b64decode")
            || callee.ends_with(".decompress")
            || callee.ends_with(".loads") && callee.contains("marshal")
    };
    // `cmd = b64decode(...)` earlier in the same function, then `run(cmd)`.
    let first_arg = c
        .args
        .trim_start_matches(['(', '[', ' '])
        .split([',', ')', ']', ' '])
        .next()
        .unwrap_or("");
    // ... or `eval(f"b'{raw}'")`: a variable spliced into an f-string.
    let vars: Vec<&str> = std::iter::once(first_arg)
        .chain(interpolated(&c.args))
        .filter(|v| !v.is_empty() && v.chars().all(|ch| ch.is_alphanumeric() || ch == '_'))
        .collect();
    let assigned_hidden = !vars.is_empty()
        && ctx.facts.calls.iter().any(|d| {
            d.func == c.func
                && d.line < c.line
                && hides(&d.callee)
                && ctx
                    .lines
                    .get(d.line.wrapping_sub(1))
                    .is_some_and(|l| vars.iter().any(|v| assigned(l.trim_start(), v).is_some()))
        });
    assigned_hidden
        || nested_calls(ctx, c).any(|d| {
            hides(&d.callee)
            // A local wrapper (`def b64d(s): return b64decode(s)`), one level deep.
            || (ctx.facts.defs.contains(&d.callee)
                && ctx
                    .facts
                    .calls
                    .iter()
                    .any(|e| e.func.as_deref() == Some(d.callee.as_str()) && hides(&e.callee)))
        })
        || DECODE_CALLS
            .iter()
            .any(|d| c.args.contains(d.rsplit('.').next().unwrap_or(d)))
        || c.args.contains("urlopen")
        || c.args.contains(".decrypt(")
        || ([".read()", ".text", ".content"]
            .iter()
            .any(|r| c.args.contains(r))
            && ctx
                .facts
                .calls
                .iter()
                .any(|d| d.func == c.func && NETWORK_CALLS.contains(&d.callee.as_str())))
}

/// The message of `exec('literal')`: the code is analysed as its own layer.
pub(super) const EXEC_LITERAL: &str = "runs code from a string literal";

/// exec/eval/compile: of a literal (analysed as code), or of hidden data.
pub(super) fn code_signals(ctx: &Ctx<'_>, c: &python::Call, phase: Phase, out: &mut Vec<Finding>) {
    // An f-string that splices in fetched or decoded text is not literal.
    let spliced = interpolated(&c.args).next().is_some() && fed_by_hidden_data(ctx, c);
    if let Some(lit) = c.literal.as_ref().filter(|_| !spliced) {
        // exec('literal'): the code is in plain sight; analyse it instead.
        if ctx.depth() <= decode::MAX_DEPTH {
            let layer = layered(ctx.layer, "exec-literal");
            out.push(ctx.at(
                Code::DynamicCode,
                Level::Medium,
                phase,
                c.line,
                EXEC_LITERAL,
            ));
            analyse_source(
                ctx.path,
                lit.value.as_bytes(),
                phase,
                Some(&layer),
                lit.line.saturating_sub(1) + ctx.line_offset,
                out,
            );
        }
        return;
    }
    if let Some(code) = chr_list_code(ctx, c) {
        out.push(ctx.at(
            Code::EncodedPayload,
            Level::Medium,
            phase,
            c.line,
            "Python code spelled as a list of character codes",
        ));
        out.push(ctx.at(
            Code::DynamicCode,
            Level::High,
            phase,
            c.line,
            "runs code spelled as character codes",
        ));
        if ctx.depth() <= decode::MAX_DEPTH {
            let layer = layered(ctx.layer, "chr-list");
            analyse_source(ctx.path, code.as_bytes(), phase, Some(&layer), 0, out);
        }
        return;
    }
    // (`spliced` already found the hidden data.)
    let (level, message) = if !(spliced || fed_by_hidden_data(ctx, c)) {
        (Level::Medium, "runs code built at run time")
    } else if c.span.1.saturating_sub(c.span.0) >= 512 {
        (
            Level::Critical,
            "runs a large blob of encoded or encrypted code",
        )
    } else {
        (
            Level::High,
            "runs code decoded, decompressed or downloaded at run time",
        )
    };
    out.push(ctx.at(Code::DynamicCode, level, phase, c.line, message));
}

/// `exec("".join(map(chr, [105, 109, ...])))`: the code the list of
/// character codes spells, when it is Python.
pub(super) fn chr_list_code(ctx: &Ctx<'_>, c: &python::Call) -> Option<String> {
    if !c.args.contains("chr") {
        return None;
    }
    // The argument list may be longer than `args` keeps: read the lines.
    let text = ctx
        .lines
        .iter()
        .skip(c.line.checked_sub(1)?)
        .take(400)
        .copied()
        .collect::<Vec<_>>()
        .join("\n");
    let from = text.find("chr")?;
    let open = from + text[from..].find('[')?;
    let close = open + text[open..].find(']')?;
    let code = text[open + 1..close]
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| n.parse::<u32>().ok().and_then(char::from_u32))
        .collect::<Option<String>>()?;
    (code.len() >= 16 && decode::looks_like_code(code.as_bytes())).then_some(code)
}
