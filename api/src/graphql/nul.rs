//! No string argument may hold a NUL character. PostgreSQL cannot store or compare one (the
//! statement fails, which used to reach clients as INTERNAL) and SQLite cuts text at it, so a
//! NUL anywhere in a request's strings is refused as BAD_USER_INPUT before anything runs, on
//! every transport (`super::CheckedSchema` runs the check before every execution, websockets
//! included).

use crate::error::ErrorCode;
use async_graphql::{ServerError, ServerResult, Value, Variables};

/// Refuses a request whose document or variables hold a NUL.
pub fn check(query: &str, variables: &Variables) -> ServerResult<()> {
    let in_variables = variables.iter().any(|(_, v)| holds_nul(v));
    if in_variables || text_holds_nul(query) {
        let mut error = ServerError::new(
            "a string holds a NUL character (\\u0000), which Exodus does not accept",
            None,
        );
        let mut extensions = async_graphql::ErrorExtensionValues::default();
        extensions.set("code", ErrorCode::BadUserInput.as_str());
        error.extensions = Some(extensions);
        return Err(error);
    }
    Ok(())
}

/// Whether a variable's value holds a NUL in any string (or object key).
fn holds_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::List(items) => items.iter().any(holds_nul),
        Value::Object(map) => map
            .iter()
            .any(|(k, v)| k.as_str().contains('\0') || holds_nul(v)),
        _ => false,
    }
}

/// Whether the document's text holds a NUL, raw or as a GraphQL escape (`\u0000`,
/// `\u{0}`); an escaped backslash (`\\u0000`) is text, not an escape. An escape in a comment
/// counts too: refusing that is harmless.
fn text_holds_nul(query: &str) -> bool {
    if query.contains('\0') {
        return true;
    }
    let mut rest = query;
    while let Some(at) = rest.find('\\') {
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix('\\') {
            rest = after; // `\\`: a backslash, escaped
            continue;
        }
        let Some(after) = rest.strip_prefix('u') else {
            continue;
        };
        let digits = match after.strip_prefix('{') {
            Some(braced) => braced.split('}').next().unwrap_or(""),
            None => after.get(..4).unwrap_or(""),
        };
        if !digits.is_empty() && u32::from_str_radix(digits, 16) == Ok(0) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_raw_nuls_are_found_and_others_are_not() {
        for text in [
            "{ search(query: \"a\\u0000b\") { rank } }",
            "{ search(query: \"\\u{0}\") { rank } }",
            "{ search(query: \"\\u{000}\") { rank } }",
            "{ search(query: \"a\0b\") { rank } }",
        ] {
            assert!(text_holds_nul(text), "{text:?}");
        }
        for text in [
            "{ search(query: \"\\u0041\\u{1F600}\") { rank } }",
            "{ search(query: \"\\u00\") { rank } }",
            "{ search(query: \"\\\\u\") { rank } }",
            "{ search(query: \"\\\\u0000\") { rank } }",
        ] {
            assert!(!text_holds_nul(text), "{text:?}");
        }
        let nested = Value::List(vec![
            Value::String("ok".into()),
            Value::String("x\0".into()),
        ]);
        assert!(holds_nul(&nested));
        assert!(!holds_nul(&Value::String("fine".into())));
    }
}
