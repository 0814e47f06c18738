//! The history of records: revisions, the diff between two, and reverting to one.

use super::editing::log_change;
use super::page::{paginate, Page, PageArgs, SortSpec, SortType, SortValue};
use super::snapshot;
use super::Limits;
use crate::error::{AppError, AppResult};
use entity::enums::{RecordKind, RevisionAction};
use entity::revision;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value;

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

/// What changed from `before` to `after`: the record's fields (bookkeeping left out) and its
/// lists, each compared whole.
pub fn diff(before: Option<&Value>, after: &Value) -> Vec<FieldChange> {
    const BOOKKEEPING: [&str; 4] = ["version", "updated_at", "updated_by", "id"];
    let empty = Value::Null;
    let mut changes = Vec::new();
    let get = |snap: Option<&Value>, section: &str, field: &str| -> Value {
        snap.and_then(|s| s.get(section))
            .and_then(|r| r.get(field))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let mut fields: Vec<String> = after
        .get("record")
        .and_then(Value::as_object)
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    fields.sort();
    for field in fields {
        if BOOKKEEPING.contains(&field.as_str()) {
            continue;
        }
        let (b, a) = (
            get(before, "record", &field),
            get(Some(after), "record", &field),
        );
        if b != a {
            changes.push(FieldChange {
                field,
                before: b,
                after: a,
            });
        }
    }
    if let Some(lists) = after.as_object() {
        let mut keys: Vec<&String> = lists.keys().filter(|k| k.as_str() != "record").collect();
        keys.sort();
        for key in keys {
            let b = before.and_then(|s| s.get(key)).unwrap_or(&empty);
            let a = &lists[key];
            if b != a {
                changes.push(FieldChange {
                    field: key.clone(),
                    before: b.clone(),
                    after: a.clone(),
                });
            }
        }
    }
    changes
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
    let version =
        snapshot::restore(db, rev.record_kind, rev.record_id, &rev.snapshot, editor).await?;
    log_change(
        db,
        rev.record_kind,
        rev.record_id,
        version,
        RevisionAction::Revert,
        editor,
    )
    .await?;
    Ok((rev.record_kind, rev.record_id))
}
