//! The revision log: every change to a curated record, with a snapshot of the record after it.

use chrono::Utc;
use entity::enums::{RecordKind, RevisionAction};
use entity::revision;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

/// The writers' turn: one PostgreSQL advisory lock, held until the transaction ends.
pub const WRITERS_LOCK: &str = "SELECT pg_advisory_xact_lock(7263611)";

/// Writes one revision; call it inside the transaction that made the change.
pub async fn record_revision<C: ConnectionTrait, M: serde::Serialize>(
    db: &C,
    kind: RecordKind,
    record_id: i64,
    version: i32,
    action: RevisionAction,
    editor_id: Option<i64>,
    snapshot: &M,
) -> anyhow::Result<revision::Model> {
    let postgres = db.get_database_backend() == sea_orm::DbBackend::Postgres;
    if postgres {
        // Writers of revisions take turns until they commit, so revisions become visible in
        // the order of their sequence: a reader that has seen revision N has seen all below N.
        // (SQLite has one writer at a time anyway.)
        db.execute_unprepared(WRITERS_LOCK).await?;
    }
    let model = revision::ActiveModel {
        record_kind: Set(kind),
        record_id: Set(record_id),
        version: Set(version),
        action: Set(action),
        editor_id: Set(editor_id),
        at: Set(Utc::now()),
        snapshot: Set(serde_json::to_value(snapshot)?),
        ..Default::default()
    }
    .insert(db)
    .await?;
    if postgres {
        // Delivered at commit, to every replica listening.
        db.execute_unprepared(&format!(
            "SELECT pg_notify('{}', '{}')",
            crate::events::CHANNEL,
            model.id
        ))
        .await?;
    }
    Ok(model)
}
