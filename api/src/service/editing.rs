//! Writing curated records: drafts, optimistic concurrency, publish/archive, sources, revert.
//!
//! Every write runs in one transaction with the revision it produces, so the history and the
//! records never disagree. Updates are conditional on the version the editor read
//! (`expectedVersion`): `UPDATE … WHERE id = ? AND version = ?` either changes the row and
//! bumps the version, or changes nothing, and then the caller gets CONFLICT with the current
//! version. Nothing is ever deleted; archiving hides a record from the public.

use super::curated::Curated;
use super::revision::record_revision;
use super::snapshot;
use super::Viewer;
use crate::error::{AppError, AppResult};
use chrono::Utc;
use entity::enums::*;
use entity::*;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};

/// The editor behind a write, or UNAUTHENTICATED.
pub fn require_editor(viewer: &Viewer) -> AppResult<i64> {
    match viewer {
        Viewer::Editor { id, .. } => Ok(*id),
        Viewer::Anonymous => Err(AppError::Unauthenticated(
            "sign in as an editor (Authorization: Bearer <token>) to change records".into(),
        )),
    }
}

/// The admin behind a write, or UNAUTHENTICATED / FORBIDDEN.
pub fn require_admin(viewer: &Viewer) -> AppResult<i64> {
    match viewer {
        Viewer::Editor {
            id,
            role: EditorRole::Admin,
        } => Ok(*id),
        Viewer::Editor { .. } => Err(AppError::Forbidden("only an admin may do this".into())),
        Viewer::Anonymous => Err(AppError::Unauthenticated(
            "sign in as an admin to do this".into(),
        )),
    }
}

/// Writes the revision of a change, with a snapshot of the record as it now stands.
pub async fn log_change<C: ConnectionTrait>(
    db: &C,
    kind: RecordKind,
    id: i64,
    version: i32,
    action: RevisionAction,
    editor: i64,
) -> AppResult<revision::Model> {
    let snap = snapshot::take(db, kind, id).await?;
    Ok(record_revision(db, kind, id, version, action, Some(editor), &snap).await?)
}

/// Inserts a new draft and logs its CREATE revision.
pub async fn create<E: Curated, C: ConnectionTrait>(
    db: &C,
    mut am: E::ActiveModel,
    editor: i64,
) -> AppResult<E::Model> {
    E::stamp_new(&mut am, editor, Utc::now());
    let model = am.insert(db).await.map_err(unique_violation)?;
    Ok(model)
}

/// Turns a unique-index violation (a slug in use) into a field error.
pub fn unique_violation(err: sea_orm::DbErr) -> AppError {
    let text = err.to_string().to_lowercase();
    if text.contains("unique") || text.contains("duplicate") {
        AppError::BadUserInput {
            message: "the slug is already in use".into(),
            fields: vec![crate::error::FieldError {
                field: "slug".into(),
                message: "already in use".into(),
            }],
        }
    } else {
        AppError::from(err)
    }
}

/// Applies `am` to the record if its version is still `expected`; bumps the version.
pub async fn update_checked<E: Curated, C: ConnectionTrait>(
    db: &C,
    id: i64,
    expected: i32,
    mut am: E::ActiveModel,
    editor: i64,
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

/// The record, for an editor; NOT_FOUND when it does not exist.
pub async fn existing<E: Curated, C: ConnectionTrait>(db: &C, id: i64) -> AppResult<E::Model> {
    E::find()
        .filter(E::id_column().eq(id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no {} with this id", E::TYPE_NAME)))
}

/// Checks that a record of some kind exists (for references and links).
pub async fn exists<C: ConnectionTrait>(db: &C, kind: RecordKind, id: i64) -> AppResult<bool> {
    async fn count<E: Curated, C: ConnectionTrait>(db: &C, id: i64) -> AppResult<bool> {
        Ok(E::find().filter(E::id_column().eq(id)).count(db).await? > 0)
    }
    match kind {
        RecordKind::Organization => count::<organization::Entity, _>(db, id).await,
        RecordKind::Instrument => count::<instrument::Entity, _>(db, id).await,
        RecordKind::Withdrawal => count::<withdrawal::Entity, _>(db, id).await,
        RecordKind::Stakeholder => count::<stakeholder::Entity, _>(db, id).await,
        RecordKind::Reaction => count::<reaction::Entity, _>(db, id).await,
        RecordKind::Pact => count::<pact::Entity, _>(db, id).await,
        RecordKind::Source => count::<source::Entity, _>(db, id).await,
        RecordKind::Correction => count::<correction::Entity, _>(db, id).await,
    }
}

/// Moves a record to PUBLISHED or ARCHIVED, checking its version.
pub async fn set_status<E: Curated, C: ConnectionTrait>(
    db: &C,
    id: i64,
    expected: i32,
    status: RecordStatus,
    editor: i64,
) -> AppResult<E::Model> {
    let current = existing::<E, _>(db, id).await?;
    if E::status_of(&current) == status && E::version_of(&current) == expected {
        return Err(AppError::bad_input(format!(
            "the {} is already {}",
            E::TYPE_NAME,
            status.as_str()
        )));
    }
    if status == RecordStatus::Published && E::KIND != RecordKind::Source {
        // Nothing is published without at least one published source.
        let sourced = source_link::Entity::find()
            .filter(source_link::Column::RecordKind.eq(E::KIND))
            .filter(source_link::Column::RecordId.eq(id))
            .filter(
                source_link::Column::SourceId.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(source::Column::Id)
                        .from(source::Entity)
                        .and_where(source::Column::Status.eq(RecordStatus::Published))
                        .to_owned(),
                ),
            )
            .count(db)
            .await?;
        if sourced == 0 {
            return Err(AppError::bad_input(
                "attach at least one published source before publishing (attachSource)",
            ));
        }
    }
    let mut am = E::ActiveModel::default();
    am.set(E::status_column(), status.into());
    let model = update_checked::<E, _>(db, id, expected, am, editor).await?;
    let action = if status == RecordStatus::Published {
        RevisionAction::Publish
    } else {
        RevisionAction::Archive
    };
    log_change(db, E::KIND, id, E::version_of(&model), action, editor).await?;
    Ok(model)
}

/// Cites a source for a record (or changes the note of an existing citation).
pub async fn attach_source<C: ConnectionTrait>(
    db: &C,
    kind: RecordKind,
    record_id: i64,
    source_id: i64,
    note: Option<String>,
    editor: i64,
) -> AppResult<()> {
    if !exists(db, kind, record_id).await? {
        return Err(AppError::NotFound("no record with this id".into()));
    }
    if !exists(db, RecordKind::Source, source_id).await? {
        return Err(AppError::NotFound("no source with this id".into()));
    }
    if note.as_ref().is_some_and(|n| n.chars().count() > 1000) {
        return Err(AppError::bad_input(
            "the note must be at most 1000 characters",
        ));
    }
    let found = source_link::Entity::find()
        .filter(source_link::Column::RecordKind.eq(kind))
        .filter(source_link::Column::RecordId.eq(record_id))
        .filter(source_link::Column::SourceId.eq(source_id))
        .one(db)
        .await?;
    match found {
        Some(link) => {
            let mut am: source_link::ActiveModel = link.into();
            am.note = Set(note);
            am.update(db).await?;
        }
        None => {
            source_link::ActiveModel {
                source_id: Set(source_id),
                record_kind: Set(kind),
                record_id: Set(record_id),
                note: Set(note),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    let version = snapshot::version_of(db, kind, record_id).await?;
    log_change(db, kind, record_id, version, RevisionAction::Update, editor).await?;
    Ok(())
}

/// Removes a citation; NOT_FOUND when the record does not cite the source.
pub async fn detach_source<C: ConnectionTrait>(
    db: &C,
    kind: RecordKind,
    record_id: i64,
    source_id: i64,
    editor: i64,
) -> AppResult<()> {
    let result = source_link::Entity::delete_many()
        .filter(source_link::Column::RecordKind.eq(kind))
        .filter(source_link::Column::RecordId.eq(record_id))
        .filter(source_link::Column::SourceId.eq(source_id))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(AppError::NotFound(
            "the record does not cite this source".into(),
        ));
    }
    let version = snapshot::version_of(db, kind, record_id).await?;
    log_change(db, kind, record_id, version, RevisionAction::Update, editor).await?;
    Ok(())
}
