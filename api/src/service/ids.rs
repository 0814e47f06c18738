//! Opaque global ids: base64url of "Type:id", as Relay's Node interface expects.

use crate::error::{AppError, AppResult};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use entity::enums::RecordKind;

const KINDS: [(RecordKind, &str); 8] = [
    (RecordKind::Organization, "Organization"),
    (RecordKind::Instrument, "Instrument"),
    (RecordKind::Withdrawal, "Withdrawal"),
    (RecordKind::Stakeholder, "Stakeholder"),
    (RecordKind::Reaction, "Reaction"),
    (RecordKind::Pact, "Pact"),
    (RecordKind::Source, "Source"),
    (RecordKind::Correction, "Correction"),
];

/// The GraphQL type name of a kind.
pub fn type_name(kind: RecordKind) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, n)| *n)
        .expect("every kind has a name")
}

/// The global id of a record.
pub fn encode(kind: RecordKind, id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{id}", type_name(kind)))
}

/// Reads a global id; anything malformed is BAD_USER_INPUT.
pub fn decode(global: &str) -> AppResult<(RecordKind, i64)> {
    let invalid = || AppError::bad_input(format!("{global:?} is not a valid Exodus id"));
    let bytes = URL_SAFE_NO_PAD
        .decode(global.trim_end_matches('='))
        .map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (name, id) = text.split_once(':').ok_or_else(invalid)?;
    let kind = KINDS
        .iter()
        .find(|(_, n)| *n == name)
        .map(|(k, _)| *k)
        .ok_or_else(invalid)?;
    let id: i64 = id.parse().map_err(|_| invalid())?;
    if id <= 0 {
        return Err(invalid());
    }
    Ok((kind, id))
}

/// Reads a global id that must be of one kind.
pub fn decode_as(global: &str, expected: RecordKind) -> AppResult<i64> {
    let (kind, id) = decode(global)?;
    if kind != expected {
        return Err(AppError::bad_input(format!(
            "{global:?} is the id of a {}, not of a {}",
            type_name(kind),
            type_name(expected)
        )));
    }
    Ok(id)
}
