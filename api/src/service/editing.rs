//! Writing curated records: drafts, optimistic concurrency, publish/archive, sources, revert.
//!
//! Every write runs in one transaction with the revision it produces, so the history and the
//! records never disagree. Updates are conditional on the version the editor read
//! (`expectedVersion`): `UPDATE … WHERE id = ? AND version = ?` either changes the row and
//! bumps the version, or changes nothing, and then the caller gets CONFLICT with the current
//! version. Nothing is ever deleted; archiving hides a record from the public.

use super::curated::{for_kind, Curated};
use super::records::{existing, exists, update_checked, version_of};
use super::revision::record_revision;
use super::snapshot;
use super::Viewer;
use crate::error::{AppError, AppResult};
use entity::enums::*;
use entity::*;
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

/// Takes the editors' writing turn for the rest of the transaction (PostgreSQL; SQLite has
/// one writer at a time anyway). Taken before a write touches any row, it keeps the
/// confidence rule's reads consistent (a source edited while a record cites it) and cannot
/// deadlock with the revision log's turn, which is the same lock.
pub async fn writers_turn<C: ConnectionTrait>(db: &C) -> AppResult<()> {
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        db.execute_unprepared(super::revision::WRITERS_LOCK).await?;
    }
    Ok(())
}

/// Writes the revision of a change, with a snapshot of the record as it now stands. The
/// editor is None only for the shipped dataset.
pub async fn log_change<C: ConnectionTrait>(
    db: &C,
    kind: RecordKind,
    id: i64,
    version: i32,
    action: RevisionAction,
    editor: Option<i64>,
) -> AppResult<revision::Model> {
    let snap = snapshot::take(db, kind, id).await?;
    Ok(record_revision(db, kind, id, version, action, editor, &snap).await?)
}

/// The publishing rule: nothing but a source is published without at least one published
/// source. BAD_USER_INPUT when the record breaks it.
pub async fn check_publishable<C: ConnectionTrait>(
    db: &C,
    kind: RecordKind,
    id: i64,
) -> AppResult<()> {
    for_kind!(kind, K => check_required::<K, C>(db, id).await?);
    if kind == RecordKind::Source {
        return Ok(());
    }
    let sourced = source_link::Entity::find()
        .filter(source_link::Column::RecordKind.eq(kind))
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
    Ok(())
}

/// The references a record cannot do without (a withdrawal's organization and instrument, a
/// reaction's stakeholder) must be published before it is: the public would otherwise meet a
/// withdrawal of nothing. Its other references may name drafts, and stay hidden until those
/// are published.
async fn check_required<E: Curated, C: ConnectionTrait>(db: &C, id: i64) -> AppResult<()> {
    let record = existing::<E, _>(db, id).await?;
    let required = E::required_references(&record);
    if required.is_empty() {
        return Ok(());
    }
    let published = super::visibility::published_among(db, required.iter().copied()).await?;
    let missing: Vec<String> = required
        .iter()
        .filter(|r| !published.contains(r))
        .map(|(kind, id)| super::ids::encode(*kind, *id))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(AppError::bad_input(format!(
        "publish what this record refers to first: {}",
        missing.join(", ")
    )))
}

/// Moves a record to PUBLISHED or ARCHIVED, checking its version.
pub async fn set_status<E: Curated, C: ConnectionTrait>(
    db: &C,
    id: i64,
    expected: i32,
    status: RecordStatus,
    editor: i64,
) -> AppResult<E::Model> {
    set_status_by::<E, C>(db, id, expected, status, Some(editor)).await
}

/// `set_status` by an editor, or by the shipped dataset (None).
pub async fn set_status_by<E: Curated, C: ConnectionTrait>(
    db: &C,
    id: i64,
    expected: i32,
    status: RecordStatus,
    editor: Option<i64>,
) -> AppResult<E::Model> {
    let current = existing::<E, _>(db, id).await?;
    if E::status_of(&current) == status && E::version_of(&current) == expected {
        return Err(AppError::bad_input(format!(
            "the {} is already {}",
            E::TYPE_NAME,
            status.as_str()
        )));
    }
    if status == RecordStatus::Published {
        check_publishable(db, E::KIND, id).await?;
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
    if E::KIND == RecordKind::Source {
        // Only published sources count for the records citing this one.
        super::confidence::refresh_citing(db, id).await?;
    }
    Ok(model)
}

/// Writes a citation (or changes the note of an existing one), without a revision: the
/// caller logs the change. Both ends must exist.
pub async fn link_source<C: ConnectionTrait>(
    db: &C,
    kind: RecordKind,
    record_id: i64,
    source_id: i64,
    note: Option<String>,
) -> AppResult<()> {
    if note.as_ref().is_some_and(|n| n.chars().count() > 1000) {
        return Err(AppError::bad_input(
            "the note must be at most 1000 characters",
        ));
    }
    // One statement, so that two editors citing the same source at once both succeed (the
    // second changes the note) instead of one failing on the unique index.
    use sea_orm::sea_query::OnConflict;
    let link = source_link::ActiveModel {
        source_id: Set(source_id),
        record_kind: Set(kind),
        record_id: Set(record_id),
        note: Set(note),
        ..Default::default()
    };
    source_link::Entity::insert(link)
        .on_conflict(
            OnConflict::columns([
                source_link::Column::RecordKind,
                source_link::Column::RecordId,
                source_link::Column::SourceId,
            ])
            .update_column(source_link::Column::Note)
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Makes a record cite exactly these sources with these notes, keeping the order of those it
/// already cited (the shipped dataset's update of a record); no revision: the caller logs it.
pub async fn replace_citations<C: ConnectionTrait>(
    db: &C,
    kind: RecordKind,
    record_id: i64,
    links: &[(i64, Option<String>)],
) -> AppResult<()> {
    let keep: Vec<i64> = links.iter().map(|(source, _)| *source).collect();
    source_link::Entity::delete_many()
        .filter(source_link::Column::RecordKind.eq(kind))
        .filter(source_link::Column::RecordId.eq(record_id))
        .filter(source_link::Column::SourceId.is_not_in(keep))
        .exec(db)
        .await?;
    for (source, note) in links {
        link_source(db, kind, record_id, *source, note.clone()).await?;
    }
    Ok(())
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
    link_source(db, kind, record_id, source_id, note).await?;
    log_citation_change(db, kind, record_id, editor).await
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
    log_citation_change(db, kind, record_id, editor).await
}

/// A change of citations is an UPDATE of the record at its current version, with the
/// confidence its citations now support.
async fn log_citation_change<C: ConnectionTrait>(
    db: &C,
    kind: RecordKind,
    record_id: i64,
    editor: i64,
) -> AppResult<()> {
    super::confidence::refresh(db, kind, record_id).await?;
    let version = version_of(db, kind, record_id).await?;
    let action = RevisionAction::Update;
    log_change(db, kind, record_id, version, action, Some(editor)).await?;
    Ok(())
}
