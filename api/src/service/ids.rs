//! Opaque global ids of records (`Type:id`, as Relay's Node interface expects), of editors and
//! of revisions, through the one codec.

use super::codec;
pub use super::curated::type_name;
use crate::error::{AppError, AppResult};
use entity::enums::RecordKind;
use sea_orm::Iterable;

/// The global id of a record.
pub fn encode(kind: RecordKind, id: i64) -> String {
    codec::encode_tagged(type_name(kind), id)
}

/// The global id of a record, appended to `out` (as `encode` writes it).
pub fn write(kind: RecordKind, id: i64, out: &mut Vec<u8>) {
    codec::write_tagged(type_name(kind), id, out)
}

/// Reads a global id; anything malformed is BAD_USER_INPUT.
pub fn decode(global: &str) -> AppResult<(RecordKind, i64)> {
    let invalid = || AppError::bad_input(format!("{global:?} is not a valid Exodus id"));
    let (name, id) = codec::decode_any_tagged(global).ok_or_else(invalid)?;
    let kind = RecordKind::iter()
        .find(|k| type_name(*k) == name)
        .ok_or_else(invalid)?;
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

/// The global id of an editor.
pub fn editor(id: i64) -> String {
    codec::encode_tagged("Editor", id)
}

/// Reads an editor's global id.
pub fn decode_editor(global: &str) -> Option<i64> {
    codec::decode_tagged(global, "Editor").filter(|id| *id > 0)
}

/// The global id of a revision.
pub fn revision(id: i64) -> String {
    codec::encode_tagged("Revision", id)
}

/// The id of a change event (one per revision; not a record's id).
pub fn change_event(sequence: i64) -> String {
    codec::encode_tagged("ChangeEvent", sequence)
}

/// Reads a revision's global id.
pub fn decode_revision(global: &str) -> Option<i64> {
    codec::decode_tagged(global, "Revision").filter(|id| *id > 0)
}

/// The cursor of the change feed after revision `sequence`.
pub fn change_cursor(sequence: i64) -> String {
    codec::encode_tagged("change", sequence)
}

/// Reads a change-feed cursor.
pub fn decode_change_cursor(cursor: &str) -> AppResult<i64> {
    codec::decode_tagged(cursor, "change")
        .filter(|n| *n >= 0)
        .ok_or_else(|| AppError::bad_input(format!("{cursor:?} is not a valid change cursor")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_and_kinds_do_not_mix() {
        for kind in RecordKind::iter() {
            let id = encode(kind, 42);
            assert_eq!(decode(&id).unwrap(), (kind, 42));
            assert_eq!(decode_as(&id, kind).unwrap(), 42);
            let other = RecordKind::iter().find(|k| *k != kind).unwrap();
            assert_eq!(decode_as(&id, other).unwrap_err().code(), "BAD_USER_INPUT");
        }
        assert_eq!(
            decode(&encode(RecordKind::Pact, 0)).unwrap_err().code(),
            "BAD_USER_INPUT"
        );
        assert_eq!(decode(&editor(3)).unwrap_err().code(), "BAD_USER_INPUT");
        assert_eq!(decode_editor(&editor(3)), Some(3));
        assert_eq!(decode_editor(&revision(3)), None);
        assert_eq!(decode_revision(&revision(9)), Some(9));
        assert_eq!(decode_change_cursor(&change_cursor(0)).unwrap(), 0);
        assert!(decode_change_cursor(&change_cursor(-1)).is_err());
    }
}
