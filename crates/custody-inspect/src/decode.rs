//! Static unwrapping of encoded payloads: base64 (standard or URL-safe),
//! zlib, hex and rot13 layers, nested, bounded in depth and size. Nothing
//! decoded is ever run; the result is only parsed.

use base64::Engine;
use std::io::Read;

/// Longest decoded layer kept.
const MAX_DECODED: u64 = 8 << 20;
/// Deepest nesting followed.
pub const MAX_DEPTH: usize = 6;

/// One decoding step.
fn step(data: &[u8]) -> Option<(Vec<u8>, &'static str)> {
    // Most strings are text: reject them before copying anything.
    let encoded = |b: &u8| {
        b.is_ascii_alphanumeric()
            || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_')
            || b.is_ascii_whitespace()
    };
    if data.first() != Some(&0x78) && (data.len() < 24 || !data.iter().all(encoded)) {
        return None;
    }
    let trimmed: Vec<u8> = data
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if trimmed.len() >= 24
        && trimmed.iter().all(u8::is_ascii_hexdigit)
        && trimmed.len().is_multiple_of(2)
    {
        let bytes: Option<Vec<u8>> = trimmed
            .chunks(2)
            .map(|p| u8::from_str_radix(std::str::from_utf8(p).ok()?, 16).ok())
            .collect();
        if let Some(b) = bytes {
            return Some((b, "hex"));
        }
    }
    if trimmed.len() >= 24
        && trimmed
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_'))
    {
        let engines = [
            &base64::engine::general_purpose::STANDARD,
            &base64::engine::general_purpose::URL_SAFE,
            &base64::engine::general_purpose::STANDARD_NO_PAD,
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ];
        for e in engines {
            if let Ok(b) = e.decode(&trimmed) {
                return Some((b, "base64"));
            }
        }
        // Reversed base64 (`b64decode(s[::-1])`): the padding comes first.
        if trimmed.first() == Some(&b'=') {
            let rev: Vec<u8> = trimmed.iter().rev().copied().collect();
            if let Ok(b) = base64::engine::general_purpose::STANDARD.decode(&rev) {
                return Some((b, "reversed-base64"));
            }
        }
    }
    if data.len() >= 2 && data[0] == 0x78 && matches!(data[1], 0x01 | 0x5e | 0x9c | 0xda) {
        let mut out = Vec::new();
        if flate2::read::ZlibDecoder::new(data)
            .take(MAX_DECODED)
            .read_to_end(&mut out)
            .is_ok()
            && !out.is_empty()
        {
            return Some((out, "zlib"));
        }
    }
    None
}

/// Whether bytes look like Python source worth parsing.
pub fn looks_like_code(b: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(b) else {
        return false;
    };
    let markers = [
        "import ",
        "exec(",
        "eval(",
        "def ",
        "os.",
        "subprocess",
        "socket",
        "urllib",
        "requests",
        "__import__",
    ];
    markers.iter().any(|m| s.contains(m))
}

/// Decodes `data` layer by layer while each layer decodes; returns the
/// layers (name chain, bytes) that look like code, outermost first.
pub fn unwrap(data: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut cur = data.to_vec();
    let mut chain: Vec<&str> = Vec::new();
    for _ in 0..MAX_DEPTH {
        let Some((next, name)) = step(&cur) else {
            break;
        };
        chain.push(name);
        cur = next;
        if looks_like_code(&cur) {
            out.push((chain.join("+"), cur.clone()));
        }
    }
    out
}

/// The first layer of `data` that decodes to plain printable text (a shell
/// command spelled in base64, say), with its chain of encodings.
pub fn text_layer(data: &[u8]) -> Option<(String, String)> {
    let mut cur = data.to_vec();
    let mut chain: Vec<&str> = Vec::new();
    for _ in 0..MAX_DEPTH {
        let (next, name) = step(&cur)?;
        chain.push(name);
        cur = next;
        if let Ok(t) = std::str::from_utf8(&cur)
            && t.len() >= 8
            && t.chars().all(|c| !c.is_control() || c == '\n' || c == '\t')
        {
            return Some((chain.join("+"), t.to_owned()));
        }
    }
    None
}

/// `cipher` XOR-ed with `key` repeated, character code by character code
/// (what `chr(ord(c) ^ ord(k))` loops do), when the result is Python code.
pub fn xor_with_key(cipher: &str, key: &str) -> Option<Vec<u8>> {
    let key: Vec<u32> = key.chars().map(u32::from).collect();
    if key.is_empty() {
        return None;
    }
    let out = cipher
        .chars()
        .zip(key.iter().cycle())
        .map(|(c, k)| char::from_u32(u32::from(c) ^ k))
        .collect::<Option<String>>()?;
    looks_like_code(out.as_bytes()).then(|| out.into_bytes())
}

/// The "l111" obfuscator's strings (PyObfuscate's `l1l1l = 2048`,
/// `l11 = 7` scheme): each character shifted up by 2048 plus a running
/// term, the key in the last character. `None` unless the result is
/// printable ASCII text.
pub fn l111(s: &str) -> Option<String> {
    const OFFSET: u32 = 2048;
    const MODULUS: u32 = 7;
    let chars: Vec<char> = s.chars().collect();
    let (&key, body) = chars.split_last()?;
    if body.len() < 4 || body.iter().any(|c| u32::from(*c) < OFFSET) {
        return None;
    }
    let key = u32::from(key);
    let out: String = body
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let shift = OFFSET + (u32::try_from(i).unwrap_or(0).wrapping_add(key)) % MODULUS;
            u32::from(*c).checked_sub(shift).and_then(char::from_u32)
        })
        .collect::<Option<String>>()?;
    out.chars()
        .all(|c| c.is_ascii_graphic() || c == ' ' || c == '\n' || c == '\t')
        .then_some(out)
}

/// rot13 of ASCII letters (used by some droppers with `codecs.decode(s, "rot13")`).
#[cfg(test)]
pub fn rot13(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'a'..='z' => (((c as u8 - b'a') + 13) % 26 + b'a') as char,
            'A'..='Z' => (((c as u8 - b'A') + 13) % 26 + b'A') as char,
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn l111_strings_decode() {
        // Encoded by the scheme with key 'a': shift 2048 + (i + 97) % 7.
        let plain = "u\"wget x\"";
        let enc: String = plain
            .chars()
            .enumerate()
            .map(|(i, c)| {
                char::from_u32(u32::from(c) + 2048 + (u32::try_from(i).unwrap() + 97) % 7).unwrap()
            })
            .chain(std::iter::once('a'))
            .collect();
        assert_eq!(l111(&enc).as_deref(), Some(plain));
        assert_eq!(l111("plain text"), None);
    }

    #[test]
    fn xor_with_a_repeated_key() {
        let code = "import os\nos.system('echo hi')\n";
        let key = "9742";
        let cipher: String = code
            .chars()
            .zip(key.chars().cycle())
            .map(|(c, k)| char::from_u32(u32::from(c) ^ u32::from(k)).unwrap_or('?'))
            .collect();
        assert_eq!(xor_with_key(&cipher, key).as_deref(), Some(code.as_bytes()));
        assert_eq!(xor_with_key(&cipher, "1111"), None);
        assert_eq!(xor_with_key(&cipher, ""), None);
    }
    use base64::Engine;
    use std::io::Write;

    #[test]
    fn nested_zlib_and_base64_layers_are_unwrapped() {
        let inner = b"import os\nos.system('id')\n";
        let b64 = base64::engine::general_purpose::STANDARD.encode(inner);
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(b64.as_bytes()).unwrap();
        let outer = base64::engine::general_purpose::STANDARD.encode(z.finish().unwrap());
        let layers = unwrap(outer.as_bytes());
        let last = layers.last().unwrap();
        assert_eq!(last.0, "base64+zlib+base64");
        assert_eq!(last.1, inner);
    }

    #[test]
    fn hex_and_rot13() {
        let hex: String = b"import socket
"
        .iter()
        .fold(String::new(), |mut acc, b| {
            use std::fmt::Write as _;
            let _ = write!(acc, "{b:02x}");
            acc
        });
        assert_eq!(unwrap(hex.as_bytes())[0].1, b"import socket\n");
        assert_eq!(rot13("vzcbeg bf"), "import os");
    }

    #[test]
    fn plain_text_is_not_decoded() {
        assert!(unwrap(b"Hello, this is an ordinary sentence.").is_empty());
    }
}
