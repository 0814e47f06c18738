//! The one codec for everything opaque that clients hold: global ids, editor and revision
//! ids, change cursors and list cursors. Each is base64url without padding (padding is
//! accepted on input) of either `Prefix:number` or a small JSON value. Formats never change
//! once issued: clients store them.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{de::DeserializeOwned, Serialize};

/// `Prefix:number`, encoded.
pub fn encode_tagged(prefix: &str, number: i64) -> String {
    let mut out = Vec::with_capacity(32);
    write_tagged(prefix, number, &mut out);
    // base64url is ASCII.
    String::from_utf8(out).unwrap_or_default()
}

/// `Prefix:number`, encoded, appended to `out` (the planner writes ids straight into its
/// JSON: a page writes hundreds of them).
pub fn write_tagged(prefix: &str, number: i64, out: &mut Vec<u8>) {
    // Written into a stack buffer: the intermediate String was one allocation per id, and
    // `write!` went through core::fmt for the number.
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(number).as_bytes();
    let mut buf = [0u8; 96];
    let len = prefix.len() + 1 + digits.len();
    let plain: std::borrow::Cow<'_, [u8]> = if len <= buf.len() {
        buf[..prefix.len()].copy_from_slice(prefix.as_bytes());
        buf[prefix.len()] = b':';
        buf[prefix.len() + 1..len].copy_from_slice(digits);
        std::borrow::Cow::Borrowed(&buf[..len])
    } else {
        std::borrow::Cow::Owned(format!("{prefix}:{number}").into_bytes())
    };
    let start = out.len();
    out.resize(
        start + base64::encoded_len(plain.len(), false).unwrap_or(0),
        0,
    );
    match URL_SAFE_NO_PAD.encode_slice(&plain, &mut out[start..]) {
        Ok(n) => out.truncate(start + n),
        // The room was computed for this input; never taken.
        Err(_) => {
            out.truncate(start);
            out.extend_from_slice(URL_SAFE_NO_PAD.encode(&plain).as_bytes());
        }
    }
}

/// Reads `Prefix:number` whatever the prefix; None when the text is not of that shape.
pub fn decode_any_tagged(text: &str) -> Option<(String, i64)> {
    let bytes = URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (prefix, number) = text.split_once(':')?;
    // i64's parser takes a leading '+'; the canonical form never has one.
    if number.starts_with('+') {
        return None;
    }
    Some((prefix.to_owned(), number.parse().ok()?))
}

/// Reads `Prefix:number` with this prefix; None otherwise.
pub fn decode_tagged(text: &str, prefix: &str) -> Option<i64> {
    decode_any_tagged(text)
        .filter(|(p, _)| p == prefix)
        .map(|(_, n)| n)
}

/// A JSON value, encoded.
pub fn encode_json<T: Serialize>(value: &T) -> String {
    // Serializing plain data (numbers, strings, dates) into a Vec cannot fail.
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).expect("plain data serializes"))
}

/// Reads a JSON value; None when the text is not one of the expected shape.
pub fn decode_json<T: DeserializeOwned>(text: &str) -> Option<T> {
    let bytes = URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A prefix too long for the stack buffer takes the slow path to the same text.
    #[test]
    fn long_prefixes_encode_as_short_ones_do() {
        for len in [70, 75, 76, 95, 96, 200] {
            let prefix = "P".repeat(len);
            for n in [0, -1, i64::MIN, i64::MAX] {
                let expected = URL_SAFE_NO_PAD.encode(format!("{prefix}:{n}"));
                assert_eq!(encode_tagged(&prefix, n), expected);
            }
        }
    }

    #[test]
    fn issued_forms_keep_decoding() {
        // Ids and cursors as earlier releases issued them.
        assert_eq!(encode_tagged("Organization", 7), "T3JnYW5pemF0aW9uOjc");
        assert_eq!(
            decode_tagged("T3JnYW5pemF0aW9uOjc", "Organization"),
            Some(7)
        );
        assert_eq!(
            decode_tagged("T3JnYW5pemF0aW9uOjc=", "Organization"),
            Some(7)
        );
        assert_eq!(decode_tagged("Y2hhbmdlOjQy", "change"), Some(42));
        assert_eq!(decode_tagged("T3JnYW5pemF0aW9uOjc", "Pact"), None);
        assert_eq!(decode_tagged("not base64!", "Pact"), None);
        assert_eq!(decode_tagged(&encode_tagged("Pact", 1)[..3], "Pact"), None);
        assert_eq!(decode_any_tagged(&URL_SAFE_NO_PAD.encode("Pact:+5")), None);
        let v: Option<(i64, String)> = decode_json(&encode_json(&(3, "x")));
        assert_eq!(v, Some((3, "x".to_owned())));
        assert_eq!(decode_json::<(i64, String)>("e30"), None); // {}
    }

    proptest! {
        #[test]
        fn tagged_round_trips(prefix in "[A-Za-z]{1,20}", n in any::<i64>()) {
            let text = encode_tagged(&prefix, n);
            prop_assert_eq!(decode_tagged(&text, &prefix), Some(n));
            prop_assert_eq!(decode_any_tagged(&text), Some((prefix, n)));
            prop_assert!(text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        }

        #[test]
        fn json_round_trips(a in any::<i64>(), b in ".{0,40}", c in any::<bool>()) {
            let text = encode_json(&(a, &b, c));
            prop_assert_eq!(decode_json::<(i64, String, bool)>(&text), Some((a, b, c)));
        }

        #[test]
        fn arbitrary_text_never_panics(text in ".{0,64}") {
            let _ = decode_any_tagged(&text);
            let _ = decode_json::<serde_json::Value>(&text);
        }
    }
}
