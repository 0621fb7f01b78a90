//! String literals: the marker rules (credential locations, persistence
//! places, drop boxes, shell one-liners, pod specs), URLs of payloads and
//! chat tokens, text hidden in escapes, and encoded payloads decoded and
//! analysed as their own layer.

use super::obfuscation::is_char_ranges;
use super::spawn::{is_python_c_fetch, is_script_launcher, is_shell_dropper};
use super::{Ctx, analyse_layer, layered};
use crate::code::Code;
use crate::decode;
use crate::prefilter;
use crate::python;
use crate::report::{Finding, Level, Phase};
use crate::rules::markers::{CURL_IN_TEXT, ESCAPED_TEXT, PROGRAM_EXTENSIONS, STRING_RULES};

/// Signals in string literals, and encoded payloads decoded and analysed.
pub(super) fn string_signals(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for s in &ctx.facts.strings {
        let phase = ctx.phase(s.scope, s.func.as_ref());
        if any_marker(&s.value) {
            string_markers(ctx, s, phase, out);
        }
        if matches!(
            s.value.as_str(),
            "KEY" | "TOKEN" | "SECRET" | "PASSWORD" | "API_KEY" | "_KEY" | "_TOKEN"
        ) && ctx
            .lines
            .get(s.line.wrapping_sub(1))
            .is_some_and(|l| l.contains("environ") && l.contains(" for "))
        {
            out.push(ctx.at(
                Code::EnvDump,
                Level::Medium,
                phase,
                s.line,
                "collects the environment variables whose names look like secrets",
            ));
        }
        if is_telegram_bot_token(&s.value) || is_discord_bot_token(&s.value) {
            out.push(ctx.at(
                Code::DropBox,
                Level::Critical,
                phase,
                s.line,
                "a Telegram or Discord bot token: the key to a chat drop box or command channel, shipped in the package",
            ));
        }
        string_payloads(ctx, s, phase, out);
    }
    if ctx
        .lines
        .iter()
        .any(|l| l.contains("^ ord(") || l.contains("^ord("))
    {
        xor_payloads(ctx, out);
    }
}

/// A `chr(ord(c) ^ ord(k))` loop: every long string XOR-ed with every other
/// string of the same function (bounded), and what decodes to Python code
/// analysed as a layer.
pub(super) fn xor_payloads(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    if ctx.depth() >= decode::MAX_DEPTH {
        return;
    }
    let usable = |s: &&python::Str| !s.bare && !s.value.is_empty() && s.value.len() <= 1 << 20;
    let ciphers = ctx
        .facts
        .strings
        .iter()
        .filter(usable)
        .filter(|s| s.value.len() >= 64)
        .take(8);
    for c in ciphers {
        let keys = ctx
            .facts
            .strings
            .iter()
            .filter(usable)
            .filter(|k| k.func == c.func && !std::ptr::eq(*k, c) && k.value.len() <= 4096)
            .take(16);
        for k in keys {
            if let Some(inner) = decode::xor_with_key(&c.value, &k.value) {
                let phase = ctx.phase(c.scope, c.func.as_ref());
                let chain = layered(ctx.layer, "xor");
                out.push(ctx.at(
                    Code::EncodedPayload,
                    Level::Medium,
                    phase,
                    c.line,
                    "a string that decodes (XOR with a key in the same code) to Python code",
                ));
                analyse_layer(ctx, c.line, &inner, phase, &chain, 0, out);
                break;
            }
        }
    }
}

/// Whether a string holds any marker of any string rule (case-insensitive,
/// one pass): most strings hold none and skip the rules.
pub(super) fn any_marker(v: &str) -> bool {
    static ALL: std::sync::LazyLock<aho_corasick::AhoCorasick> = std::sync::LazyLock::new(|| {
        let mut pats: Vec<&str> = STRING_RULES
            .iter()
            .flat_map(|r| r.0.iter().copied())
            .collect();
        pats.extend([
            "COMPUTERNAME",
            "USERNAME",
            "USERDOMAIN",
            "LOGNAME",
            "printenv",
            "curl",
            "wget",
            "privileged",
        ]);
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(pats)
            .expect("fixed patterns build")
    });
    ALL.is_match(v)
}

/// Whether a marker is an environment variable's name (`AWS_SECRET_ACCESS_KEY`).
pub(super) fn is_env_name(marker: &str) -> bool {
    marker
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// Marker rules on one string.
pub(super) fn string_markers(ctx: &Ctx<'_>, s: &python::Str, phase: Phase, out: &mut Vec<Finding>) {
    let lower = s.value.to_ascii_lowercase();
    // Docstrings and help text that mention a path do not touch it.
    let prose = s.bare || is_prose(&s.value);
    for (markers, code, level, meaning) in STRING_RULES {
        if prose
            && matches!(
                *code,
                Code::SecretAccess | Code::Persistence | Code::HostRecon | Code::PrivilegedPod
            )
        {
            continue;
        }
        // A docstring's example address (`url="https://webhook.site/..."` in
        // an API client's documentation) is not where anything is sent.
        if s.bare && *code == Code::DropBox {
            continue;
        }
        let hay = if *code == Code::ShellPayload {
            &lower
        } else {
            &s.value
        };
        if let Some(m) = markers.iter().find(|m| prefilter::marker_in(hay, m)) {
            let level = if *code == Code::DropBox && has_chat_token(&s.value) {
                // A chat webhook with its token: a drop box in use.
                Level::Critical
            } else if *code == Code::SecretAccess && is_env_name(m) {
                // A credential's environment variable, by name: what the
                // client it belongs to reads for its own service.
                Level::Medium
            } else {
                *level
            };
            out.push(ctx.at(*code, level, phase, s.line, &format!("{meaning} ({m})")));
        }
    }
    if matches!(
        s.value.as_str(),
        "COMPUTERNAME" | "USERNAME" | "USERDOMAIN" | "LOGNAME"
    ) {
        out.push(ctx.at(
            Code::HostRecon,
            Level::Medium,
            phase,
            s.line,
            "reads the host's or user's identity",
        ));
    }
    // `{'privileged': True}` in a pod spec built as a dict.
    if s.value == "privileged"
        && ctx
            .lines
            .get(s.line.wrapping_sub(1))
            .is_some_and(|l| l.contains("privileged': True") || l.contains("privileged\": True"))
    {
        out.push(ctx.at(
            Code::PrivilegedPod,
            Level::High,
            phase,
            s.line,
            "asks Kubernetes for a privileged container (a foothold on the node)",
        ));
    }
    if s.value.contains("printenv") {
        out.push(ctx.at(
            Code::EnvDump,
            Level::High,
            phase,
            s.line,
            "dumps the whole environment (printenv)",
        ));
    }
    // A docstring that tells people to `wget` something runs nothing.
    if !prose
        && ["curl ", "wget ", "curl\"", "wget\""]
            .iter()
            .any(|c| s.value.contains(c))
        && s.value.contains("http")
    {
        // Text until something runs it: see `text_until_run`.
        out.push(ctx.at(
            Code::NetworkEgress,
            Level::Medium,
            phase,
            s.line,
            CURL_IN_TEXT,
        ));
    }
}

/// Payloads in a string literal: download hosts, spelled-out or encoded
/// code, encrypted tokens; decoded layers are analysed as code.
/// What a string says on its face: a payload URL, a `python -c` fetch,
/// text spelled in escape codes.
pub(super) fn string_surface(ctx: &Ctx<'_>, s: &python::Str, phase: Phase, out: &mut Vec<Finding>) {
    if let Some(why) = payload_url(&s.value).filter(|_| !s.bare) {
        // No service a library talks to hides behind a bare public address.
        let level = if why == RAW_IP {
            Level::High
        } else {
            Level::Medium
        };
        out.push(ctx.at(
            Code::PayloadUrl,
            level,
            phase,
            s.line,
            &format!("a download from {why}"),
        ));
    }
    if !s.bare && is_python_c_fetch(&s.value) {
        out.push(ctx.at(
            Code::NetworkEgress,
            Level::Medium,
            phase,
            s.line,
            "a `python -c` one-liner that connects out",
        ));
    }
    if s.spelled >= 6 && !s.bytes && !is_char_ranges(&s.value) && is_mostly_text(&s.value) {
        out.push(ctx.at(Code::Obfuscation, Level::High, phase, s.line, ESCAPED_TEXT));
    }
}

/// Whether decoded escapes spell text (nine in ten characters printable),
/// not binary data written as a string (PyPDF2's encryption padding:
/// `'\x28\xbf\x4e...'`).
pub(super) fn is_mostly_text(v: &str) -> bool {
    let total = v.chars().count();
    let printable = v
        .chars()
        .filter(|c| c.is_ascii_graphic() || c.is_ascii_whitespace())
        .count();
    printable * 10 >= total * 9
}

pub(super) fn string_payloads(
    ctx: &Ctx<'_>,
    s: &python::Str,
    phase: Phase,
    out: &mut Vec<Finding>,
) {
    string_surface(ctx, s, phase, out);
    // Decoded once: for the blob check and, below, for analysis.
    let layers = if s.value.len() >= 40 {
        decode::unwrap(&s.data())
    } else {
        Vec::new()
    };
    if layers.is_empty()
        && s.value.len() >= 24
        && let Some((chain, text)) = decode::text_layer(&s.data())
        && (is_shell_dropper(&text) || is_script_launcher(&text))
    {
        // Hidden as well as harmful: no tool encodes its own install hint.
        out.push(ctx.at(
            Code::ShellPayload,
            Level::Critical,
            phase,
            s.line,
            &format!("an encoded ({chain}) shell command that downloads and runs, or opens a reverse shell"),
        ));
    }
    if s.value.len() >= 512 && is_opaque_blob(&s.value) && layers.is_empty() {
        out.push(ctx.at(
            Code::EncodedPayload,
            Level::Medium,
            phase,
            s.line,
            "a long encoded blob (not Python once decoded, or not decodable)",
        ));
    }
    if is_fernet_token(&s.value) {
        out.push(ctx.at(
            Code::EncodedPayload,
            Level::Medium,
            phase,
            s.line,
            "a Fernet-encrypted token (encrypted code?)",
        ));
    }
    if ctx.depth() >= decode::MAX_DEPTH {
        return;
    }
    if let Some(plain) = decode::l111(&s.value) {
        let layer = layered(ctx.layer, "l111");
        out.push(ctx.at(
            Code::EncodedPayload,
            Level::Medium,
            phase,
            s.line,
            "a string hidden by the l111 obfuscator's character shift",
        ));
        analyse_layer(
            ctx,
            s.line,
            plain.as_bytes(),
            phase,
            &layer,
            s.line - 1,
            out,
        );
    }
    if !s.bare && s.value.len() >= 30 && is_code_in_string(&s.value) {
        // A second-stage script written to a file or passed to `python -c`.
        let layer = layered(ctx.layer, "string-code");
        analyse_layer(
            ctx,
            s.line,
            s.value.as_bytes(),
            phase,
            &layer,
            s.line - 1,
            out,
        );
    }
    for (chain, inner) in layers {
        let chain = layered(ctx.layer, &chain);
        out.push(ctx.at(
            Code::EncodedPayload,
            Level::Medium,
            phase,
            s.line,
            &format!("an encoded string that decodes ({chain}) to Python code"),
        ));
        analyse_layer(ctx, s.line, &inner, phase, &chain, 0, out);
    }
}

/// A whole string that is a Telegram bot token: the bot's id, a colon and
/// 35 characters of secret (`123456789:AA...`).
pub(super) fn is_telegram_bot_token(v: &str) -> bool {
    let Some((id, secret)) = v.split_once(':') else {
        return false;
    };
    (8..=12).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_digit())
        && secret.len() == 35
        && secret.starts_with("AA")
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

/// A whole string that is a Discord bot token: the bot's id (17 to 20
/// digits) in base64, a dot, 6 characters of timestamp, a dot, and an HMAC
/// of 27 or more characters.
pub(super) fn is_discord_bot_token(v: &str) -> bool {
    use base64::Engine as _;
    let parts: Vec<&str> = v.split('.').collect();
    let token_chars = |p: &str| {
        p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
    };
    let [id, time, mac] = parts.as_slice() else {
        return false;
    };
    (time.len() == 6 && mac.len() >= 27 && token_chars(time) && token_chars(mac) && token_chars(id))
        && base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(id.trim_end_matches('='))
            .is_ok_and(|d| (17..=20).contains(&d.len()) && d.iter().all(u8::is_ascii_digit))
}

/// A chat webhook URL or bot token with its secret part: a drop box in use.
pub(super) fn has_chat_token(v: &str) -> bool {
    let after = |marker: &str| v.split_once(marker).map(|(_, rest)| rest);
    if let Some(rest) = after("/api/webhooks/") {
        let id: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let token = rest[id.len()..].strip_prefix('/').unwrap_or("");
        return id.len() >= 17
            && token
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
                .count()
                >= 60;
    }
    if let Some(rest) = after("api.telegram.org/bot") {
        let (id, token) = rest.split_once(':').unwrap_or(("", ""));
        return id.len() >= 8
            && id.chars().all(|c| c.is_ascii_digit())
            && token
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
                .count()
                >= 30;
    }
    false
}

/// What [`payload_url`] says of a URL whose host is a public IPv4 address.
pub(super) const RAW_IP: &str = "a raw IP address";

/// Where a URL points when it is a throwaway host for payloads: a raw public
/// IP address, a file-sharing link or a program on a code host.
pub(super) fn payload_url(v: &str) -> Option<&'static str> {
    let at = v.find("http://").or_else(|| v.find("https://"))?;
    let rest = &v[at..];
    let host = rest.split("://").nth(1)?.split(['/', ':', '?']).next()?;
    if let Ok(ip) = host.parse::<std::net::Ipv4Addr>() {
        // Private, loopback, link-local, carrier-grade NAT (100.64/10),
        // multicast and reserved addresses are no one's server.
        let [a, b, ..] = ip.octets();
        let local = ip.is_private()
            || ip.is_loopback()
            || ip.is_link_local()
            || ip.is_unspecified()
            || ip.is_broadcast()
            || ip.is_multicast()
            || a == 0
            || a >= 240
            || (a == 100 && (64..128).contains(&b));
        return (!local).then_some(RAW_IP);
    }
    let lower = rest.to_ascii_lowercase();
    let program = PROGRAM_EXTENSIONS
        .iter()
        .any(|e| lower.split(['?', '#']).next().unwrap_or("").ends_with(e));
    if [
        "cdn.discordapp.com/attachments",
        "dropbox.com/s/",
        "mediafire.com",
        "anonfiles",
        "transfer.sh",
    ]
    .iter()
    .any(|h| lower.contains(h))
    {
        return Some("a file-sharing host");
    }
    if program && (host.contains("github") || host.contains("gitlab")) {
        return Some("a program on a code host");
    }
    program.then_some("a Windows program or script")
}

/// Sentences for people (help text, docs), not a path or a command line.
pub(super) fn is_prose(v: &str) -> bool {
    v.matches(' ').count() >= 8
        && !["|", ">", "&&", ";", "$(", "`", "curl", "wget"]
            .iter()
            .any(|m| v.contains(m))
}

/// A run of base64 or hex alphabet only (no spaces or punctuation).
pub(super) fn is_opaque_blob(v: &str) -> bool {
    v.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_'))
}

/// A Fernet token (`gAAAAA...`, URL-safe base64 of a versioned ciphertext).
pub(super) fn is_fernet_token(v: &str) -> bool {
    v.len() >= 100
        && v.starts_with("gAAAAA")
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'='))
}

/// A string literal that holds a script that reaches out or runs code.
pub(super) fn is_code_in_string(v: &str) -> bool {
    (v.contains("import ") || v.contains("__import__"))
        && [
            "exec(",
            "urlopen",
            "subprocess",
            "os.system",
            "socket",
            "requests.",
            "b64decode",
        ]
        .iter()
        .any(|m| v.contains(m))
}
