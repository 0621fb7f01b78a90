//! HTTP range requests (RFC 9110 §14) on served files: one range of
//! bytes, as uv asks for a wheel's central directory. Several ranges, or
//! a header this does not understand, get the whole file (a server may
//! ignore `Range`).

/// What to answer a `Range` header with, for a body of `len` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ranged {
    /// The whole body, 200.
    Whole,
    /// Bytes `start..=end`, 206 with `Content-Range: bytes start-end/len`.
    Part {
        /// First byte.
        start: u64,
        /// Last byte (inclusive).
        end: u64,
    },
    /// 416 with `Content-Range: bytes */len`.
    Unsatisfiable,
}

/// The answer to `header` (the `Range` value) for `len` bytes.
pub fn range(header: Option<&str>, len: u64) -> Ranged {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return Ranged::Whole;
    };
    if spec.contains(',') {
        return Ranged::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Ranged::Whole;
    };
    let number = |s: &str| {
        let s = s.trim();
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    match (number(first), number(last), last.trim().is_empty()) {
        // bytes=-N: the last N bytes.
        (None, Some(n), _) if first.trim().is_empty() => {
            if n == 0 || len == 0 {
                Ranged::Unsatisfiable
            } else {
                Ranged::Part {
                    start: len.saturating_sub(n),
                    end: len - 1,
                }
            }
        }
        (Some(start), _, _) if start >= len => Ranged::Unsatisfiable,
        // bytes=A-: from A to the end.
        (Some(start), None, true) => Ranged::Part {
            start,
            end: len - 1,
        },
        (Some(start), Some(end), _) if end >= start => Ranged::Part {
            start,
            end: end.min(len - 1),
        },
        _ => Ranged::Whole,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_ranges_as_rfc_9110_defines_them() {
        let part = |start, end| Ranged::Part { start, end };
        assert_eq!(range(None, 10), Ranged::Whole);
        assert_eq!(range(Some("bytes=0-3"), 10), part(0, 3));
        assert_eq!(range(Some("bytes=4-"), 10), part(4, 9));
        assert_eq!(range(Some("bytes=-3"), 10), part(7, 9));
        assert_eq!(range(Some("bytes=-30"), 10), part(0, 9));
        assert_eq!(range(Some("bytes=5-100"), 10), part(5, 9));
        assert_eq!(range(Some("bytes=10-"), 10), Ranged::Unsatisfiable);
        assert_eq!(range(Some("bytes=-0"), 10), Ranged::Unsatisfiable);
        assert_eq!(range(Some("bytes=0-1,4-5"), 10), Ranged::Whole);
        assert_eq!(range(Some("bytes=3-1"), 10), Ranged::Whole);
        assert_eq!(range(Some("items=0-1"), 10), Ranged::Whole);
        assert_eq!(range(Some("bytes=a-b"), 10), Ranged::Whole);
        assert_eq!(range(Some("bytes=0-0"), 0), Ranged::Unsatisfiable);
    }
}
