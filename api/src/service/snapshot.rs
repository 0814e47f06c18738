//! Typed snapshots: a record with everything that belongs to it (its own lists and its
//! citations), as the revision log keeps it, and the reverse: restoring a record from one.
//!
//! The stored JSON is `{ "format", "sources", <the kind's lists>, "record" }`. `format` says
//! which layout a snapshot was written in, so that revisions written before a layout change
//! still decode; snapshots written before it existed are format 1.

use super::children::RecordLists;
use super::curated::{for_kind, Curated};
use super::records::{existing, update_checked};
use crate::error::{AppError, AppResult};
use entity::enums::{RecordKind, RecordStatus};
use entity::source_link;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The layout snapshots are written in now.
pub const FORMAT: u32 = 1;

fn first_format() -> u32 {
    1
}

/// A source cited by the record, with the citation's note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Citation {
    pub source_id: i64,
    pub note: Option<String>,
}

/// One record of kind `E` as it stood after a change.
#[derive(Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Snapshot<E: Curated> {
    /// The layout version (see the module's doc).
    #[serde(default = "first_format")]
    pub format: u32,
    /// The sources it cited, in the order they were attached.
    #[serde(default)]
    pub sources: Vec<Citation>,
    /// Its own lists, each under its own key.
    #[serde(flatten)]
    pub lists: E::Lists,
    /// The record's row.
    pub record: E::Model,
}

/// Only the record's row of a snapshot: the cheap read for the change feed, which needs the
/// row and nothing else (the other keys are skipped, not decoded).
#[derive(Deserialize)]
#[serde(bound = "")]
struct RowOnly<E: Curated> {
    record: E::Model,
}

/// Only the status of a snapshot's record.
#[derive(Deserialize)]
struct StatusOnly {
    record: StatusOf,
}

#[derive(Deserialize)]
struct StatusOf {
    status: RecordStatus,
}

fn malformed(err: serde_json::Error) -> AppError {
    AppError::Internal(anyhow::anyhow!(
        "a stored snapshot does not fit its kind: {err}"
    ))
}

impl<E: Curated> Snapshot<E> {
    /// The record as it stands, with its lists and sources.
    pub async fn take<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Self> {
        let record = existing::<E, _>(db, id).await?;
        let lists = E::Lists::load(db, id).await?;
        let sources = source_link::Entity::find()
            .filter(source_link::Column::RecordKind.eq(E::KIND))
            .filter(source_link::Column::RecordId.eq(id))
            .order_by_asc(source_link::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|l| Citation {
                source_id: l.source_id,
                note: l.note,
            })
            .collect();
        Ok(Self {
            format: FORMAT,
            sources,
            lists,
            record,
        })
    }

    /// Reads a stored snapshot of this kind, in any format written so far.
    pub fn decode(stored: &Value) -> AppResult<Self> {
        Self::deserialize(stored).map_err(malformed)
    }

    /// Every other record this state refers to: from its row, its lists and its sources.
    pub fn references(&self) -> Vec<(RecordKind, i64)> {
        let mut refs = E::references(&self.record);
        refs.extend(self.lists.references());
        refs.extend(
            self.sources
                .iter()
                .map(|c| (RecordKind::Source, c.source_id)),
        );
        refs
    }

    /// The snapshot as the revision log stores it.
    pub fn encode(&self) -> AppResult<Value> {
        Ok(serde_json::to_value(self).map_err(anyhow::Error::from)?)
    }

    /// Writes this state back onto record `id` (keeping its id, creation and version counter,
    /// which goes up by one) with its lists and sources; returns the new version.
    pub async fn restore<C: ConnectionTrait>(
        &self,
        db: &C,
        id: i64,
        editor: i64,
    ) -> AppResult<i32> {
        let current = existing::<E, _>(db, id).await?;
        let mut am = self.record.clone().into_active_model().reset_all();
        am.not_set(E::id_column());
        am.not_set(E::version_column());
        let model =
            update_checked::<E, _>(db, id, E::version_of(&current), am, Some(editor)).await?;
        self.lists.replace(db, id).await?;
        source_link::Entity::delete_many()
            .filter(source_link::Column::RecordKind.eq(E::KIND))
            .filter(source_link::Column::RecordId.eq(id))
            .exec(db)
            .await?;
        for link in &self.sources {
            source_link::ActiveModel {
                source_id: Set(link.source_id),
                record_kind: Set(E::KIND),
                record_id: Set(id),
                note: Set(link.note.clone()),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
        Ok(E::version_of(&model))
    }
}

/// The record's row from a stored snapshot of kind `E`.
pub fn row<E: Curated>(stored: &Value) -> AppResult<E::Model> {
    RowOnly::<E>::deserialize(stored)
        .map(|r| r.record)
        .map_err(malformed)
}

/// The status the record had in a stored snapshot (of any kind).
pub fn status(stored: &Value) -> AppResult<RecordStatus> {
    StatusOnly::deserialize(stored)
        .map(|s| s.record.status)
        .map_err(malformed)
}

/// The record of any kind as it stands now, as the revision log stores it.
pub async fn take<C: ConnectionTrait>(db: &C, kind: RecordKind, id: i64) -> AppResult<Value> {
    for_kind!(kind, K => Snapshot::<K>::take(db, id).await?.encode())
}

/// Restores a record of any kind to a stored snapshot; returns the new version.
pub async fn restore<C: ConnectionTrait>(
    db: &C,
    kind: RecordKind,
    id: i64,
    stored: &Value,
    editor: i64,
) -> AppResult<i32> {
    for_kind!(kind, K => Snapshot::<K>::decode(stored)?.restore(db, id, editor).await)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::Iterable;

    /// One snapshot of each kind as release 0.6 stored them (before `format` existed), taken
    /// from a seeded database: the largest of each kind, so every list is non-empty.
    const FORMAT_1: &str = include_str!("../../tests/fixtures/snapshots-0.6.json");

    fn stored(kind: RecordKind) -> Value {
        let all: Value = serde_json::from_str(FORMAT_1).unwrap();
        all[kind.as_str()].clone()
    }

    /// Decodes and re-encodes; the result must be the stored snapshot plus `format`.
    fn round_trip<E: Curated>(old: &Value) -> Value {
        let snap = Snapshot::<E>::decode(old).unwrap();
        assert_eq!(snap.format, 1);
        assert_eq!(status(old).unwrap(), E::status_of(&snap.record));
        assert_eq!(E::id_of(&row::<E>(old).unwrap()), E::id_of(&snap.record));
        snap.encode().unwrap()
    }

    #[test]
    fn every_kind_decodes_format_1_without_loss() {
        for kind in RecordKind::iter() {
            let old = stored(kind);
            let again = for_kind!(kind, K => round_trip::<K>(&old));
            let mut expected = old.as_object().unwrap().clone();
            expected.insert("format".into(), FORMAT.into());
            // Columns added since 0.6 come back with their defaults, and nothing else changes.
            let record = expected["record"].as_object_mut().unwrap();
            record.insert("confidence_reason".into(), "".into());
            record.insert("confidence_ceiling".into(), Value::Null);
            record.insert("confidence_note".into(), Value::Null);
            if kind == RecordKind::Source {
                record.insert("publisher_kind".into(), "NEWS".into());
                record.insert("original_publisher".into(), Value::Null);
                record.insert("points_to_document".into(), true.into());
            }
            assert_eq!(again.as_object().unwrap(), &expected, "{kind:?}");
        }
    }

    #[test]
    fn lists_are_typed_and_a_snapshot_of_the_wrong_kind_is_refused() {
        let pact = Snapshot::<entity::pact::Entity>::decode(&stored(RecordKind::Pact)).unwrap();
        assert!(!pact.lists.parties.is_empty() && !pact.lists.status_history.is_empty());
        assert!(!pact.lists.replaces.is_empty() && !pact.lists.topics.is_empty());
        assert!(!pact.sources.is_empty());
        let org = stored(RecordKind::Organization);
        let decoded = Snapshot::<entity::organization::Entity>::decode(&org).unwrap();
        assert!(!decoded.lists.categories.is_empty());
        let wrong = Snapshot::<entity::pact::Entity>::decode(&org);
        assert_eq!(wrong.err().map(|e| e.code()), Some("INTERNAL"));
        assert!(status(&serde_json::json!({ "record": {} })).is_err());
    }

    #[test]
    fn references_come_from_the_row_the_lists_and_the_sources() {
        let old = stored(RecordKind::Withdrawal);
        let w = Snapshot::<entity::withdrawal::Entity>::decode(&old).unwrap();
        let refs = w.references();
        assert!(refs.contains(&(RecordKind::Organization, w.record.organization_id)));
        assert!(refs.contains(&(RecordKind::Instrument, w.record.instrument_id)));
        assert_eq!(
            refs.iter()
                .filter(|(k, _)| *k == RecordKind::Source)
                .count(),
            w.sources.len()
        );
        let pact = Snapshot::<entity::pact::Entity>::decode(&stored(RecordKind::Pact)).unwrap();
        let claims = pact.lists.replaces.len();
        let refs = pact.references();
        let claimed = refs
            .iter()
            .filter(|(k, _)| *k != RecordKind::Source)
            .count();
        assert_eq!(claimed, claims);
        let c = Snapshot::<entity::correction::Entity>::decode(&stored(RecordKind::Correction))
            .unwrap();
        let refs = c.references();
        for s in &c.lists.concerns {
            assert!(refs.contains(&(s.record_kind, s.record_id)));
        }
        let org =
            Snapshot::<entity::organization::Entity>::decode(&stored(RecordKind::Organization))
                .unwrap();
        assert!(org
            .references()
            .iter()
            .all(|(k, _)| *k == RecordKind::Source));
    }
}
