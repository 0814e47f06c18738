//! The history of records: revisions, the diff between two, and reverting to one.

use super::editing::{check_publishable, log_change};
use super::page::{paginate, Page, PageArgs, SortSpec, SortType, SortValue};
use super::snapshot;
use super::Limits;
use crate::error::{AppError, AppResult};
use entity::enums::{RecordKind, RecordStatus, RevisionAction};
use entity::revision;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Map, Value};

/// Newest first: the order of `history`.
pub fn newest_first() -> SortSpec<revision::Entity> {
    SortSpec {
        name: "SEQUENCE_DESC",
        column: revision::Column::Id,
        descending: true,
        value_type: SortType::Int,
        key: |m| SortValue::I(m.id),
    }
}

/// A page of one record's revisions, newest first.
pub async fn history<C: ConnectionTrait>(
    db: &C,
    kind: RecordKind,
    id: i64,
    args: &PageArgs,
    limits: Limits,
) -> AppResult<Page<revision::Model>> {
    let select = revision::Entity::find()
        .filter(revision::Column::RecordKind.eq(kind))
        .filter(revision::Column::RecordId.eq(id));
    paginate(
        db,
        select,
        revision::Column::Id,
        |m| m.id,
        &newest_first(),
        args,
        limits,
    )
    .await
}

/// One revision.
pub async fn revision<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Option<revision::Model>> {
    Ok(revision::Entity::find_by_id(id).one(db).await?)
}

/// The revision of the same record just before this one.
pub async fn previous<C: ConnectionTrait>(
    db: &C,
    rev: &revision::Model,
) -> AppResult<Option<revision::Model>> {
    Ok(revision::Entity::find()
        .filter(revision::Column::RecordKind.eq(rev.record_kind))
        .filter(revision::Column::RecordId.eq(rev.record_id))
        .filter(revision::Column::Id.lt(rev.id))
        .order_by_desc(revision::Column::Id)
        .one(db)
        .await?)
}

/// One changed field between two snapshots.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    pub field: String,
    pub before: Value,
    pub after: Value,
}

/// What changed from `before` to `after`, two snapshots of one record in the current layout
/// (see `visibility::snapshot`): the record's fields (bookkeeping left out), then its lists
/// and sources, each compared whole.
pub fn diff(before: Option<&Value>, after: &Value) -> Vec<FieldChange> {
    /// The record's fields, and apart its lists (every other key but `format`).
    fn sections(stored: Option<&Value>) -> (Map<String, Value>, Map<String, Value>) {
        let mut lists = match stored {
            Some(Value::Object(map)) => map.clone(),
            _ => Map::new(),
        };
        lists.remove("format");
        let record = match lists.remove("record") {
            Some(Value::Object(map)) => map,
            _ => Map::new(),
        };
        (record, lists)
    }
    let (after_record, after_lists) = sections(Some(after));
    let (before_record, before_lists) = sections(before);
    const BOOKKEEPING: [&str; 4] = ["version", "updated_at", "updated_by", "id"];
    let mut changes = Vec::new();
    let sections = [
        (true, &before_record, &after_record),
        (false, &before_lists, &after_lists),
    ];
    for (is_record, before, after) in sections {
        let mut keys: Vec<&String> = after.keys().collect();
        keys.sort();
        for key in keys {
            if is_record && BOOKKEEPING.contains(&key.as_str()) {
                continue;
            }
            let b = before.get(key).cloned().unwrap_or(Value::Null);
            let a = &after[key];
            if &b != a {
                changes.push(FieldChange {
                    field: key.clone(),
                    before: b,
                    after: a.clone(),
                });
            }
        }
    }
    changes
}

/// A stored snapshot with the fields it predates (columns added by a later release, such as
/// a source's publisher kind or a record's confidence ceiling) taken from the record as it
/// stands: a revert restores what the revision recorded and leaves alone what it could not
/// know, instead of resetting it to a default.
async fn with_later_fields<C: ConnectionTrait>(
    db: &C,
    kind: RecordKind,
    id: i64,
    stored: &Value,
) -> AppResult<Value> {
    let mut stored = stored.clone();
    let now = snapshot::take(db, kind, id).await?;
    if let (Some(then), Some(now)) = (
        stored.get_mut("record").and_then(Value::as_object_mut),
        now.get("record").and_then(Value::as_object),
    ) {
        for (field, value) in now {
            then.entry(field.clone()).or_insert_with(|| value.clone());
        }
    }
    Ok(stored)
}

/// Restores a record to the state recorded in a revision, as a new REVERT revision.
pub async fn revert<C: ConnectionTrait>(
    db: &C,
    revision_id: i64,
    editor: i64,
) -> AppResult<(RecordKind, i64)> {
    let rev = revision(db, revision_id)
        .await?
        .ok_or_else(|| AppError::NotFound("no revision with this id".into()))?;
    let stored = with_later_fields(db, rev.record_kind, rev.record_id, &rev.snapshot).await?;
    let version = snapshot::restore(db, rev.record_kind, rev.record_id, &stored, editor).await?;
    // A revert to a published state publishes again, so it meets publish's rule as it
    // stands now (its sources may have been archived since); the caller's transaction then
    // rolls the restore back.
    if snapshot::status(&rev.snapshot)? == RecordStatus::Published {
        check_publishable(db, rev.record_kind, rev.record_id).await?;
    }
    // The snapshot's confidence is as of then; the rule reads the citations as they are now.
    super::confidence::refresh(db, rev.record_kind, rev.record_id).await?;
    if rev.record_kind == RecordKind::Source {
        super::confidence::refresh_citing(db, rev.record_id).await?;
    }
    log_change(
        db,
        rev.record_kind,
        rev.record_id,
        version,
        RevisionAction::Revert,
        Some(editor),
    )
    .await?;
    Ok((rev.record_kind, rev.record_id))
}
