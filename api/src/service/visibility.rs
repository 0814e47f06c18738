//! The visibility rule, in one place: what a viewer may see of a record's state, a snapshot,
//! a diff, a reference or a list.
//!
//! Editors see everything. The public (anonymous readers) sees:
//! - the content of records that are published *now*, and nothing of any other record: not
//!   its current state, not a past state (even one that was published once), not a diff;
//! - references only to records published now: a reference to any other record is absent
//!   (a null field, or the list entry left out), never a dangling id;
//! - diffs between states it could see: a change is compared with the record's last
//!   published state before it, never with an edit made while it was hidden;
//! - no editor identity (`created_by`, `updated_by`, `Revision.editor`).
//!
//! Where it is enforced: record reads, nested loaders and filters take
//! [`Viewer::visible_statuses`] into their SQL (`Curated::visible`, `Curated::visible_ids`);
//! the change feed (`events::feed`) and revisions go through the functions below.
//! Publishing has its own rule (`editing::check_publishable`): a published source, and the
//! references the record cannot do without published too.

use super::children::RecordLists;
use super::curated::{for_kind, Curated};
use super::history;
use super::snapshot::{self, Snapshot};
use super::Viewer;
use crate::error::AppResult;
use entity::enums::{RecordKind, RecordStatus};
use entity::revision;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Records (by kind and id) a viewer may see.
pub type Shown = HashSet<(RecordKind, i64)>;

/// The row fields that name editors: for editors only.
const EDITOR_FIELDS: [&str; 2] = ["created_by", "updated_by"];

/// The statuses as SQL string literals for an `IN (…)` list: `'PUBLISHED'` for the public,
/// all three for editors.
///
/// Written into the statement's text, not bound as parameters. They are the server's own
/// constants (checked by `status_literals_are_plain_words`), never a reader's input. With
/// them (and the limit, `rows::limited`) as parameters, PostgreSQL planned every page afresh
/// instead of keeping one generic plan (BENCHMARKS.md, "Generic plans, no ping per checkout,
/// a pool per worker"). One statement text per viewer kind, so the prepared-statement cache
/// still holds each once.
pub fn status_literals(statuses: &[RecordStatus]) -> String {
    let quoted: Vec<String> = statuses
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    quoted.join(", ")
}

/// Which of these records are published now: one query per kind among them.
pub async fn published_among<C: ConnectionTrait>(
    db: &C,
    refs: impl IntoIterator<Item = (RecordKind, i64)>,
) -> Result<Shown, sea_orm::DbErr> {
    let mut shown = Shown::new();
    for (kind, mut ids) in by_kind(refs) {
        ids.sort_unstable();
        ids.dedup();
        // Bounded IN lists, far below either backend's limit on parameters.
        for chunk in ids.chunks(500) {
            let found = for_kind!(kind, K => published_ids::<K, C>(db, chunk).await?);
            shown.extend(found.into_iter().map(|id| (kind, id)));
        }
    }
    Ok(shown)
}

/// Record ids grouped by kind: one query per kind.
pub fn by_kind(refs: impl IntoIterator<Item = (RecordKind, i64)>) -> HashMap<RecordKind, Vec<i64>> {
    let mut grouped: HashMap<RecordKind, Vec<i64>> = HashMap::new();
    for (kind, id) in refs {
        grouped.entry(kind).or_default().push(id);
    }
    grouped
}

async fn published_ids<E: Curated, C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> Result<Vec<i64>, sea_orm::DbErr> {
    E::find()
        .select_only()
        .column(E::id_column())
        .filter(E::id_column().is_in(ids.iter().copied()))
        .filter(E::visible(&[RecordStatus::Published]))
        .into_tuple()
        .all(db)
        .await
}

/// Every record a stored snapshot of `kind` refers to.
pub fn references(kind: RecordKind, stored: &Value) -> AppResult<Vec<(RecordKind, i64)>> {
    for_kind!(kind, K => Ok(Snapshot::<K>::decode(stored)?.references()))
}

/// A stored snapshot of `kind` in the current layout, as a viewer sees it: whole when `shown`
/// is None (editors); otherwise with every reference to a record outside `shown` taken out
/// and the editor fields blanked (the public).
pub fn snapshot(kind: RecordKind, stored: &Value, shown: Option<&Shown>) -> AppResult<Value> {
    for_kind!(kind, K => snapshot_of::<K>(stored, shown))
}

fn snapshot_of<E: Curated>(stored: &Value, shown: Option<&Shown>) -> AppResult<Value> {
    let mut snap = Snapshot::<E>::decode(stored)?;
    let Some(shown) = shown else {
        return snap.encode();
    };
    let is_shown = |kind: RecordKind, id: i64| shown.contains(&(kind, id));
    snap.lists.retain_shown(&is_shown);
    snap.sources
        .retain(|c| is_shown(RecordKind::Source, c.source_id));
    let mut value = snap.encode()?;
    // The row is edited as JSON: a hidden required reference has no typed "absent".
    if let Some(Value::Object(record)) = value.get_mut("record") {
        for field in EDITOR_FIELDS {
            if let Some(v) = record.get_mut(field) {
                *v = Value::Null;
            }
        }
        for (kind, field) in E::reference_fields() {
            if let Some(v) = record.get_mut(*field) {
                if v.as_i64().is_some_and(|id| !is_shown(*kind, id)) {
                    *v = Value::Null;
                }
            }
        }
    }
    Ok(value)
}

/// The state a viewer compares a revision with: the revision before it for editors; for the
/// public, the record's last published state before it (None if it had none).
pub async fn previous<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    rev: &revision::Model,
) -> AppResult<Option<revision::Model>> {
    if matches!(viewer, Viewer::Editor { .. }) {
        return history::previous(db, rev).await;
    }
    // Newest first, a few at a time: the last published state is usually the one before.
    const STEP: u64 = 16;
    let mut below = rev.id;
    loop {
        let older = revision::Entity::find()
            .filter(revision::Column::RecordKind.eq(rev.record_kind))
            .filter(revision::Column::RecordId.eq(rev.record_id))
            .filter(revision::Column::Id.lt(below))
            .order_by_desc(revision::Column::Id)
            .limit(STEP)
            .all(db)
            .await?;
        let Some(oldest) = older.last().map(|r| r.id) else {
            return Ok(None);
        };
        if let Some(found) = older
            .into_iter()
            .find(|r| snapshot::status(&r.snapshot).ok() == Some(RecordStatus::Published))
        {
            return Ok(Some(found));
        }
        below = oldest;
    }
}

/// What a revision changed, as a viewer sees it: against [`previous`], both sides through
/// [`snapshot`]. `shown` is as for [`snapshot`] and must cover both sides' references.
pub fn diff(
    kind: RecordKind,
    before: Option<&Value>,
    after: &Value,
    shown: Option<&Shown>,
) -> AppResult<Vec<history::FieldChange>> {
    let after = snapshot(kind, after, shown)?;
    let before = before.map(|b| snapshot(kind, b, shown)).transpose()?;
    Ok(history::diff(before.as_ref(), &after))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn stored(kind: RecordKind) -> Value {
        let all: Value =
            serde_json::from_str(include_str!("../../tests/fixtures/snapshots-0.6.json")).unwrap();
        all[kind.as_str()].clone()
    }

    #[test]
    fn status_literals_are_plain_words() {
        use sea_orm::Iterable;
        // A quote or backslash here would make `status_literals` unsafe to write into SQL.
        for s in RecordStatus::iter() {
            assert!(s
                .as_str()
                .chars()
                .all(|c| c.is_ascii_uppercase() || c == '_'));
        }
        assert_eq!(status_literals(&[RecordStatus::Published]), "'PUBLISHED'");
        assert_eq!(
            status_literals(&[RecordStatus::Draft, RecordStatus::Archived]),
            "'DRAFT', 'ARCHIVED'"
        );
    }

    #[test]
    fn the_public_sees_no_hidden_reference_and_no_editor() {
        let mut w = stored(RecordKind::Withdrawal);
        w["record"]["created_by"] = json!(7);
        w["record"]["updated_by"] = json!(8);
        let refs = references(RecordKind::Withdrawal, &w).unwrap();
        let org = w["record"]["organization_id"].as_i64().unwrap();
        // Everything but the organization is shown.
        let shown: Shown = refs
            .into_iter()
            .filter(|r| *r != (RecordKind::Organization, org))
            .collect();
        let public = snapshot(RecordKind::Withdrawal, &w, Some(&shown)).unwrap();
        assert_eq!(public["record"]["organization_id"], Value::Null);
        assert_eq!(public["record"]["created_by"], Value::Null);
        assert_eq!(public["record"]["updated_by"], Value::Null);
        assert_eq!(
            public["record"]["instrument_id"],
            w["record"]["instrument_id"]
        );
        let editor = snapshot(RecordKind::Withdrawal, &w, None).unwrap();
        assert_eq!(editor["record"]["created_by"], json!(7));
        assert_eq!(editor["record"]["organization_id"], json!(org));
        // With nothing shown, no source is cited either.
        let none = snapshot(RecordKind::Withdrawal, &w, Some(&Shown::new())).unwrap();
        assert_eq!(none["sources"], json!([]));
        assert!(!w["sources"].as_array().unwrap().is_empty());
    }

    #[test]
    fn claims_and_subjects_about_hidden_records_are_left_out() {
        let pact = stored(RecordKind::Pact);
        let public = snapshot(RecordKind::Pact, &pact, Some(&Shown::new())).unwrap();
        assert!(!pact["replaces"].as_array().unwrap().is_empty());
        assert_eq!(public["replaces"], json!([]));
        assert_eq!(public["topics"], pact["topics"]);
        let all: Shown = references(RecordKind::Pact, &pact)
            .unwrap()
            .into_iter()
            .collect();
        let whole = snapshot(RecordKind::Pact, &pact, Some(&all)).unwrap();
        assert_eq!(whole["replaces"], pact["replaces"]);
        let c = stored(RecordKind::Correction);
        let public = snapshot(RecordKind::Correction, &c, Some(&Shown::new())).unwrap();
        assert_eq!(public["concerns"], json!([]));
    }
}
