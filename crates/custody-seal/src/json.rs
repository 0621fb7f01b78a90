//! One reading of a signed JSON document: no object may name a key twice.
//!
//! JSON (RFC 8259) leaves duplicate names undefined, and readers differ:
//! serde's derived structs refuse them, `serde_json::Value`, maps and
//! Python's `json` keep the last, others keep the first. A signed payload
//! with `{"sha256": A, "sha256": B}` would then vouch for A to one
//! verifier and B to another, under one valid signature. custody never
//! writes such a document, so [`unique_keys`] refuses it before anything
//! of the payload is interpreted: what a signature covers is read one way
//! only.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// Objects with more keys than this are checked with a hash set; smaller
/// ones with a scan of the keys seen (fewer allocations for the many small
/// objects of a manifest).
const SCAN_LIMIT: usize = 16;

/// Why a document has no single reading.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// An object names a key twice: which key, and where.
    #[error("{0}")]
    Duplicate(String),
    /// Not one JSON value: not JSON, cut short, or followed by more data.
    #[error("{0}")]
    NotJson(String),
}

/// `Ok` when `bytes` is one JSON value (whitespace around it allowed) in
/// which no object names a key twice.
///
/// # Errors
/// [`Refusal::Duplicate`] names the key and its line and column;
/// [`Refusal::NotJson`] says why the bytes are not one JSON value
/// (trailing data included).
pub fn unique_keys(bytes: &[u8]) -> Result<(), Refusal> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    Unique
        .deserialize(&mut de)
        .and_then(|()| de.end())
        .map_err(|e| {
            // The walk accepts every JSON value: its only own error is
            // the repeated key.
            if e.classify() == serde_json::error::Category::Data {
                Refusal::Duplicate(e.to_string())
            } else {
                Refusal::NotJson(e.to_string())
            }
        })
}

/// Walks any value, refusing objects with a repeated key.
struct Unique;

impl<'de> DeserializeSeed<'de> for Unique {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

/// An object key, borrowed from the input when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

impl<'de> Visitor<'de> for Unique {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Unique)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut few: Vec<Cow<'de, str>> = Vec::new();
        let mut many: HashSet<Cow<'de, str>> = HashSet::new();
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            let repeated = if many.is_empty() && few.len() < SCAN_LIMIT {
                few.contains(&key)
            } else {
                if many.is_empty() {
                    many.extend(few.drain(..));
                }
                many.contains(&key)
            };
            if repeated {
                return Err(de::Error::custom(format_args!(
                    "duplicate key {key:?} in an object (a second value a reader could take instead of the first)"
                )));
            }
            if many.is_empty() {
                few.push(key);
            } else {
                many.insert(key);
            }
            map.next_value_seed(Unique)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn one_reading_only() {
        for ok in [
            r#"{"a":1,"b":[{"a":2},{"a":3}],"c":{"a":{"a":null}}}"#,
            " [1, \"x\", true, 2.5, -3] \n",
            r#"{"\u0061":1,"b":2}"#,
        ] {
            assert_eq!(unique_keys(ok.as_bytes()), Ok(()), "{ok}");
        }
        for (bad, says) in [
            (r#"{"a":1,"a":2}"#, "duplicate key \"a\""),
            (r#"{"x":[{"d":{"sha256":"0","sha256":"1"}}]}"#, "\"sha256\""),
            (r#"{"a":1,"\u0061":2}"#, "duplicate key \"a\""),
        ] {
            match unique_keys(bad.as_bytes()) {
                Err(Refusal::Duplicate(e)) => assert!(e.contains(says), "{bad}: {e}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
        for (bad, says) in [("{} {}", "trailing characters"), ("{\"a\":", "EOF")] {
            match unique_keys(bad.as_bytes()) {
                Err(Refusal::NotJson(e)) => assert!(e.contains(says), "{bad}: {e}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
        // Past the scan limit the set takes over, and still finds it.
        let keys: Vec<String> = (0..40).map(|i| format!("\"k{i}\":{i}")).collect();
        let big = format!("{{{},\"k33\":0}}", keys.join(","));
        let e = unique_keys(big.as_bytes()).unwrap_err().to_string();
        assert!(e.contains("\"k33\""), "{e}");
        assert!(e.contains("line 1 column"), "says where: {e}");
    }
}
