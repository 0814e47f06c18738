//! The snapshot to start from: every public record as it stood at one revision of the log.
//!
//! The export reads the revision log, not the tables: a record's state at sequence `at` is
//! its newest revision at or before `at`, and it is in the export when that revision left it
//! published. So the export is exactly the state the change feed had reached at `at`, however
//! long it takes to stream and whatever is written meanwhile, on either backend and without
//! holding a transaction open: a reader who loads it and then follows `changes(after:)` from
//! its cursor misses nothing and sees nothing twice. (Revisions commit in sequence order:
//! `editing` takes the log's lock, so nothing below the head can still appear.)

use super::snapshot;
use crate::error::AppResult;
use entity::enums::{RecordKind, RecordStatus};
use entity::revision;
use sea_orm::sea_query::{Expr, Func, Order, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

/// Records read at a time: the export's memory bound.
pub const CHUNK: u64 = 200;

/// One chunk of a kind's records at sequence `at`.
pub struct Chunk {
    /// The published ones, as their revisions at `at`, in record order.
    pub published: Vec<revision::Model>,
    /// Where the next chunk starts (pass as `after_record`); None after the kind's last.
    pub next: Option<i64>,
}

/// Up to [`CHUNK`] records of `kind` with ids above `after_record`, each as its newest
/// revision at or before `at`; those that were not published then are left out.
pub async fn chunk<C: ConnectionTrait>(
    db: &C,
    kind: RecordKind,
    at: i64,
    after_record: i64,
) -> AppResult<Chunk> {
    // Through the (record_kind, record_id, id) index: the newest revision of each record.
    let newest = Query::select()
        .expr(Func::max(Expr::col(revision::Column::Id)))
        .from(revision::Entity)
        .and_where(revision::Column::RecordKind.eq(kind))
        .and_where(revision::Column::RecordId.gt(after_record))
        .and_where(revision::Column::Id.lte(at))
        .group_by_col(revision::Column::RecordId)
        .order_by(revision::Column::RecordId, Order::Asc)
        .limit(CHUNK)
        .to_owned();
    let rows = revision::Entity::find()
        .filter(revision::Column::Id.in_subquery(newest))
        .order_by_asc(revision::Column::RecordId)
        .all(db)
        .await?;
    let next = (rows.len() as u64 == CHUNK)
        .then(|| rows.last().map(|r| r.record_id))
        .flatten();
    let published = rows
        .into_iter()
        .filter(|r| snapshot::status(&r.snapshot).ok() == Some(RecordStatus::Published))
        .collect();
    Ok(Chunk { published, next })
}
