//! Reading and writing one curated record of any kind, with optimistic concurrency. The
//! pieces that editing, snapshots and history share; it depends on none of them.

use super::curated::{for_kind, Curated};
use crate::error::{AppError, AppResult, FieldError};
use chrono::Utc;
use entity::enums::{RecordKind, RecordStatus};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, PaginatorTrait, QueryFilter, QuerySelect,
};

/// The record, for an editor; NOT_FOUND when it does not exist.
pub async fn existing<E: Curated, C: ConnectionTrait>(db: &C, id: i64) -> AppResult<E::Model> {
    E::find()
        .filter(E::id_column().eq(id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no {} with this id", E::TYPE_NAME)))
}

/// Whether a record of some kind exists (for references and links), whatever its status.
pub async fn exists<C: ConnectionTrait>(db: &C, kind: RecordKind, id: i64) -> AppResult<bool> {
    async fn count<E: Curated, C: ConnectionTrait>(db: &C, id: i64) -> AppResult<bool> {
        Ok(E::find().filter(E::id_column().eq(id)).count(db).await? > 0)
    }
    for_kind!(kind, K => count::<K, _>(db, id).await)
}

/// The id of the record of this kind with this slug, whatever its status.
pub async fn id_by_slug<C: ConnectionTrait>(
    db: &C,
    kind: RecordKind,
    slug: &str,
) -> AppResult<Option<i64>> {
    async fn find<E: Curated, C: ConnectionTrait>(db: &C, slug: &str) -> AppResult<Option<i64>> {
        let found = E::find().filter(E::slug_column().eq(slug)).one(db).await?;
        Ok(found.as_ref().map(E::id_of))
    }
    for_kind!(kind, K => find::<K, _>(db, slug).await)
}

/// Every record's id by its slug, whatever the status.
pub async fn ids_by_slug<E: Curated, C: ConnectionTrait>(
    db: &C,
) -> AppResult<std::collections::HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = E::find()
        .select_only()
        .column(E::slug_column())
        .column(E::id_column())
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// The current version of any record.
pub async fn version_of<C: ConnectionTrait>(db: &C, kind: RecordKind, id: i64) -> AppResult<i32> {
    async fn of<E: Curated, C: ConnectionTrait>(db: &C, id: i64) -> AppResult<i32> {
        Ok(E::version_of(&existing::<E, _>(db, id).await?))
    }
    for_kind!(kind, K => of::<K, _>(db, id).await)
}

/// Inserts a new draft (version 1, by this editor; None for the shipped dataset).
pub async fn insert<E: Curated, C: ConnectionTrait>(
    db: &C,
    mut am: E::ActiveModel,
    editor: Option<i64>,
) -> AppResult<E::Model> {
    E::stamp_new(&mut am, editor, Utc::now());
    am.insert(db).await.map_err(unique_violation)
}

/// Turns a unique-index violation (a slug in use) into a field error; any other database
/// error keeps its meaning.
pub fn unique_violation(err: sea_orm::DbErr) -> AppError {
    match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::BadUserInput {
            message: "the slug is already in use".into(),
            fields: vec![FieldError {
                field: "slug".into(),
                message: "already in use".into(),
            }],
        },
        _ => AppError::from(err),
    }
}

/// Publishes a record in place, keeping its version: for a record the shipped dataset writes
/// in the same transaction (created published, or brought back from its archive by a dataset
/// update, whose UPDATE revision records it), never for an editor's change.
pub async fn publish_new<E: Curated, C: ConnectionTrait>(db: &C, id: i64) -> AppResult<()> {
    E::update_many()
        .col_expr(
            E::status_column(),
            Expr::value(RecordStatus::Published.as_str()),
        )
        .filter(E::id_column().eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Applies `am` to the record if its version is still `expected`; bumps the version.
/// CONFLICT (with the current version) when it moved on, NOT_FOUND when there is no record.
/// `editor` is None only for the shipped dataset.
pub async fn update_checked<E: Curated, C: ConnectionTrait>(
    db: &C,
    id: i64,
    expected: i32,
    mut am: E::ActiveModel,
    editor: Option<i64>,
) -> AppResult<E::Model> {
    E::stamp_update(&mut am, editor, Utc::now());
    let result = E::update_many()
        .set(am)
        .col_expr(E::version_column(), Expr::col(E::version_column()).add(1))
        .filter(E::id_column().eq(id))
        .filter(E::version_column().eq(expected))
        .exec(db)
        .await
        .map_err(unique_violation)?;
    let current = E::find().filter(E::id_column().eq(id)).one(db).await?;
    match current {
        None => Err(AppError::NotFound(format!(
            "no {} with this id",
            E::TYPE_NAME
        ))),
        Some(model) if result.rows_affected == 0 => {
            let version = E::version_of(&model);
            Err(AppError::Conflict {
                message: format!(
                    "the {} changed since you read it (you sent version {expected}, it is now at version {version}); \
                     reload it, reapply your change and send the new version",
                    E::TYPE_NAME
                ),
                current_version: Some(version),
            })
        }
        Some(model) => Ok(model),
    }
}
