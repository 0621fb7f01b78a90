//! Secrets: credentials read through SDKs or decrypted with the user's
//! key, secrets sent in a request, and the environment copied or dumped.

use std::collections::BTreeSet;

use super::Ctx;
use super::predicates::assignment;
use crate::code::Code;
use crate::python;
use crate::report::Level;
use crate::rules::calls::NETWORK_CALLS;
use crate::rules::markers::SENT_SECRET_NAMES;

/// How bad a copy of the environment on `line` is: high when it reaches a
/// network call (on that line, or through the variable it is assigned to),
/// medium when it is kept or handed to a child process.
pub(super) fn env_dump_level(ctx: &Ctx<'_>, line: usize) -> Level {
    let text = ctx.lines.get(line.wrapping_sub(1)).copied().unwrap_or("");
    let var = text
        .split_once('=')
        .map(|(lhs, _)| lhs.trim())
        .filter(|v| !v.is_empty() && v.chars().all(|c| c.is_alphanumeric() || c == '_'));
    let sends = ctx.facts.calls.iter().any(|c| {
        NETWORK_CALLS.contains(&c.callee.as_str())
            && (c.line == line
                || var.is_some_and(|v| {
                    c.args
                        .split(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                        .any(|w| w == v)
                }))
    });
    if sends { Level::High } else { Level::Medium }
}

/// How far back an assignment feeding a network call is looked for.
pub(super) const SECRET_LOOKBACK: usize = 40;

/// Secrets reached through an SDK, or sent over the network (a Dropbox
/// upload included).
pub(super) fn secret_signals(
    ctx: &Ctx<'_>,
    c: &python::Call,
    add: &mut impl FnMut(Code, Level, &str),
) {
    let callee = c.callee.as_str();
    let aws_sdk = || {
        ctx.facts.imports.iter().any(|(m, _, _)| {
            let root = m.split('.').next().unwrap_or("");
            matches!(root, "boto3" | "botocore" | "aiobotocore")
        })
    };
    if callee.ends_with("CryptUnprotectData") {
        add(
            Code::SecretAccess,
            Level::High,
            "decrypts data sealed with the Windows user's key (saved browser passwords, cookies, tokens)",
        );
    }
    if (callee.ends_with(".get_credentials") || callee.ends_with(".get_frozen_credentials"))
        && aws_sdk()
    {
        // Signing a request needs them too: only worth a verdict when
        // the keys themselves are sent (see `sends_secret`).
        add(
            Code::SecretAccess,
            Level::Medium,
            "reads the AWS SDK's resolved credentials (access key, secret key, token)",
        );
    }
    // Cloud storage as a drop: an upload through the Dropbox SDK.
    if callee.ends_with(".files_upload")
        && ctx
            .facts
            .imports
            .iter()
            .any(|(m, _, _)| m.split('.').next() == Some("dropbox"))
    {
        add(
            Code::NetworkEgress,
            Level::Medium,
            "uploads a file to Dropbox",
        );
    }
    let sends = NETWORK_CALLS.contains(&callee) || callee.ends_with(".urlopen");
    if sends && sends_secret(ctx, c) {
        add(
            Code::SecretAccess,
            Level::High,
            "sends a private key, seed phrase or cloud secret key over the network",
        );
    }
}

/// Whether a network call's arguments name a secret of
/// [`SENT_SECRET_NAMES`], directly or through variables assigned in the
/// [`SECRET_LOOKBACK`] lines before it (`data = {"s": sk}` after
/// `sk = creds.secret_key` counts). Only what reaches the request as data
/// counts: a value passed through a call first (a signature made with the
/// key, a signer given the credentials) is not the secret.
pub(super) fn sends_secret(ctx: &Ctx<'_>, c: &python::Call) -> bool {
    let secret = |w: &String| {
        let lower = w.to_ascii_lowercase();
        SENT_SECRET_NAMES.iter().any(|n| lower.contains(n))
    };
    let args = exposed_words(&c.args);
    if args.iter().any(secret) {
        return true;
    }
    let mut fed: BTreeSet<String> = args.into_iter().collect();
    for l in ctx.lines[..c.line.saturating_sub(1).min(ctx.lines.len())]
        .iter()
        .rev()
        .take(SECRET_LOOKBACK)
    {
        let Some((lhs, rhs)) = assignment(l.trim_start()) else {
            continue;
        };
        if !fed.contains(lhs) {
            continue;
        }
        let words = exposed_words(rhs);
        if words.iter().any(secret) {
            return true;
        }
        fed.extend(words);
    }
    // Instance state: `self.secret = environ.get('AWS_SECRET_ACCESS_KEY')`
    // in one method, `self.secret` in the request of another.
    let attrs: Vec<&str> = c
        .args
        .split("self.")
        .skip(1)
        .filter_map(|r| {
            r.split(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                .next()
        })
        .filter(|a| !a.is_empty())
        .collect();
    !attrs.is_empty()
        && ctx.lines.iter().any(|l| {
            assignment(l.trim_start()).is_some_and(|(lhs, rhs)| {
                lhs.strip_prefix("self.")
                    .is_some_and(|a| attrs.contains(&a))
                    && exposed_words(rhs).iter().any(secret)
            })
        })
}

/// Calls that only package data: what goes in comes out in what is sent.
pub(super) const DATA_BUILDERS: &[&str] = &[
    "dict",
    "list",
    "tuple",
    "set",
    "str",
    "dumps",
    "format",
    "encode",
    "b64encode",
    "urlencode",
    // A lookup by name returns what it names: `environ.get('AWS_SECRET_ACCESS_KEY')`.
    "get",
    "getenv",
];

/// Identifiers and quoted words of `text` that are not inside the
/// arguments of a call other than a [`DATA_BUILDERS`] one.
pub(super) fn exposed_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    // For each open bracket: whether what is inside still reaches the outside.
    let mut stack: Vec<bool> = Vec::new();
    let mut word = String::new();
    let mut last_word = String::new();
    for ch in text.chars().chain(std::iter::once(' ')) {
        if ch.is_alphanumeric() || ch == '_' {
            word.push(ch);
            continue;
        }
        if !word.is_empty() {
            if stack.iter().all(|open| *open)
                && word
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_alphabetic() || c == '_')
            {
                out.push(word.clone());
            }
            last_word = std::mem::take(&mut word);
        } else if !ch.is_whitespace() && ch != '(' {
            last_word.clear();
        }
        match ch {
            '(' => stack.push(last_word.is_empty() || DATA_BUILDERS.contains(&last_word.as_str())),
            '[' | '{' => stack.push(true),
            ')' | ']' | '}' => {
                stack.pop();
            }
            _ => {}
        }
        if ch != '(' && !ch.is_whitespace() {
            last_word.clear();
        }
    }
    out
}
