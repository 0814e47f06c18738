//! Reading the change feed from a cursor: what a subscriber or a polling client receives.
//!
//! A cursor is a revision sequence. Events come in sequence order, each once. Anonymous
//! readers see published records only (see [`events`]): a change to a draft yields nothing,
//! publishing yields the record, and a change that takes a record out of public view
//! (archive, or a revert to a draft state) yields a removal without the record's content.

use crate::error::AppResult;
use crate::service::{visibility, Viewer};
use entity::enums::{RecordKind, RecordStatus};
use entity::revision;
use sea_orm::sea_query::{Expr, Func, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// What a subscriber asked for.
#[derive(Debug, Clone, Default)]
pub struct FeedFilter {
    /// Only these kinds (all when empty).
    pub kinds: Vec<RecordKind>,
    /// Only these records (all when empty).
    pub records: Vec<(RecordKind, i64)>,
    /// Editors may ask for drafts and archived states too.
    pub include_drafts: bool,
}

/// One event of the feed.
#[derive(Debug, Clone)]
pub struct Change {
    /// Shared with the other subscribers that received the same revision.
    pub revision: Arc<revision::Model>,
    /// False when the record left the reader's view: drop it, and do not show its content.
    pub visible: bool,
}

impl Change {
    pub fn cursor(&self) -> String {
        encode_cursor(self.revision.id)
    }
}

pub fn encode_cursor(sequence: i64) -> String {
    crate::service::ids::change_cursor(sequence)
}

/// Reads a feed cursor.
pub fn decode_cursor(cursor: &str) -> AppResult<i64> {
    crate::service::ids::decode_change_cursor(cursor)
}

fn status_in(stored: &serde_json::Value) -> Option<RecordStatus> {
    crate::service::snapshot::status(stored).ok()
}

/// Reads up to `limit` revisions after `after` that match the filter, and turns them into
/// the events this viewer may see. Returns the events and the sequence read up to (which
/// moves past revisions the viewer may not see, so they are not read again).
pub async fn read<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &FeedFilter,
    after: i64,
    limit: u64,
) -> AppResult<(Vec<Change>, i64)> {
    let (events, last, _) = read_counted(db, viewer, filter, after, limit).await?;
    Ok((events, last))
}

/// Like [`read`], also saying how many revisions matched the filter (fewer than `limit`
/// means the log was read to its end as it stood).
pub async fn read_counted<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &FeedFilter,
    after: i64,
    limit: u64,
) -> AppResult<(Vec<Change>, i64, u64)> {
    let query = revision::Entity::find()
        .filter(revision::Column::Id.gt(after))
        .filter(matching(filter));
    let rows = query
        .order_by_asc(revision::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let count = rows.len() as u64;
    let last = rows.last().map_or(after, |r| r.id);
    let events = events(db, viewer, filter, rows.into_iter().map(Arc::new)).await?;
    Ok((events, last, count))
}

/// The revisions a filter selects (whatever the viewer may see of them), as SQL.
pub fn matching(filter: &FeedFilter) -> Condition {
    let mut all = Condition::all();
    if !filter.kinds.is_empty() {
        all = all.add(revision::Column::RecordKind.is_in(filter.kinds.iter().copied()));
    }
    if !filter.records.is_empty() {
        let any = filter.records.iter().fold(Condition::any(), |c, (k, id)| {
            c.add(
                Condition::all()
                    .add(revision::Column::RecordKind.eq(*k))
                    .add(revision::Column::RecordId.eq(*id)),
            )
        });
        all = all.add(any);
    }
    all
}

/// The sequence of the `n`-th newest revision (1 = the newest) at or below `at` that the
/// filter selects; None when there are fewer.
pub async fn nth_newest<C: ConnectionTrait>(
    db: &C,
    filter: &FeedFilter,
    at: i64,
    n: u64,
) -> Result<Option<i64>, sea_orm::DbErr> {
    revision::Entity::find()
        .select_only()
        .column(revision::Column::Id)
        .filter(revision::Column::Id.lte(at))
        .filter(matching(filter))
        .order_by_desc(revision::Column::Id)
        .offset(n.saturating_sub(1))
        .limit(1)
        .into_tuple()
        .one(db)
        .await
}

/// The sequence of the oldest revision above `after` that the filter selects.
pub async fn oldest_above<C: ConnectionTrait>(
    db: &C,
    filter: &FeedFilter,
    after: i64,
) -> Result<Option<i64>, sea_orm::DbErr> {
    revision::Entity::find()
        .select_only()
        .column(revision::Column::Id)
        .filter(revision::Column::Id.gt(after))
        .filter(matching(filter))
        .order_by_asc(revision::Column::Id)
        .limit(1)
        .into_tuple()
        .one(db)
        .await
}

/// Like [`read`], from revisions already in memory (the shared window of the newest ones):
/// `rows` are every revision after the reader's cursor, in order, whatever the filter.
pub async fn read_from<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &FeedFilter,
    after: i64,
    rows: Vec<Arc<revision::Model>>,
) -> AppResult<(Vec<Change>, i64)> {
    let last = rows.last().map_or(after, |r| r.id);
    let wanted = rows.into_iter().filter(|r| wanted(filter, r));
    Ok((events(db, viewer, filter, wanted).await?, last))
}

/// Like [`read_from`], for a subscriber reading the shared window: the public's view of the
/// window is decided once per change for every subscriber that has it (anonymous readers,
/// and editors who did not ask for drafts), instead of each asking the database which records
/// are published: 10,000 subscribers made one change cost 10,000 queries (BENCHMARKS.md).
/// `head` is the newest sequence the reader knows committed.
pub async fn read_from_window(
    db: &sea_orm::DatabaseConnection,
    viewer: &Viewer,
    filter: &FeedFilter,
    after: i64,
    rows: Vec<Arc<revision::Model>>,
    tail: &super::Tail,
    head: i64,
) -> AppResult<(Vec<Change>, i64)> {
    if filter.include_drafts && matches!(viewer, Viewer::Editor { .. }) {
        return read_from(db, viewer, filter, after, rows).await;
    }
    let last = rows.last().map_or(after, |r| r.id);
    let verdicts = tail
        .public_verdicts(head.max(last), &rows, |all| public_verdicts(db, all))
        .await?;
    let out = rows
        .into_iter()
        .filter(|r| wanted(filter, r))
        .filter_map(|revision| {
            let visible = verdicts.get(&revision.id).copied().flatten()?;
            Some(Change { revision, visible })
        })
        .collect();
    Ok((out, last))
}

/// The public's verdict on each of these consecutive revisions (see [`Tail::public_verdicts`]).
async fn public_verdicts(
    db: &sea_orm::DatabaseConnection,
    rows: Vec<Arc<revision::Model>>,
) -> AppResult<HashMap<i64, Option<bool>>> {
    let mut out: HashMap<i64, Option<bool>> = rows.iter().map(|r| (r.id, None)).collect();
    let everything = FeedFilter {
        kinds: Vec::new(),
        records: Vec::new(),
        include_drafts: false,
    };
    for change in events(db, &Viewer::Anonymous, &everything, rows.into_iter()).await? {
        out.insert(change.revision.id, Some(change.visible));
    }
    Ok(out)
}

fn wanted(filter: &FeedFilter, r: &revision::Model) -> bool {
    (filter.kinds.is_empty() || filter.kinds.contains(&r.record_kind))
        && (filter.records.is_empty()
            || filter
                .records
                .iter()
                .any(|(k, id)| *k == r.record_kind && *id == r.record_id))
}

/// The events a viewer may see among revisions that match the filter (`rows`, in order,
/// every matching revision of a record after the reader's cursor).
///
/// The public's view (see `service::visibility`): a revision that left the record published
/// is an event with its content only if the record is published *now*; one that left it
/// unpublished is a removal (without content) if the record was published just before, and
/// nothing otherwise. So a draft never shows, and once a record is taken down, replaying the
/// feed shows its removals and none of its content. A batch costs two queries per kind of
/// record in it, whatever its size and however many of its revisions are hidden.
async fn events<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &FeedFilter,
    rows: impl Iterator<Item = Arc<revision::Model>>,
) -> AppResult<Vec<Change>> {
    let rows: Vec<Arc<revision::Model>> = rows.collect();
    if filter.include_drafts && matches!(viewer, Viewer::Editor { .. }) {
        return Ok(rows
            .into_iter()
            .map(|revision| Change {
                revision,
                visible: true,
            })
            .collect());
    }
    let Some(first) = rows.first().map(|r| r.id) else {
        return Ok(Vec::new());
    };
    let published = |r: &revision::Model| status_in(&r.snapshot) == Some(RecordStatus::Published);
    let mut seen: HashSet<(RecordKind, i64)> = HashSet::new();
    // Records whose first revision here is not published: it takes the record down if the
    // revision before it (before this batch) left it published.
    let mut unsure = Vec::new();
    for r in &rows {
        if seen.insert(key(r)) && !published(r) {
            unsure.push(key(r));
        }
    }
    let now = visibility::published_among(db, seen.iter().copied()).await?;
    let mut was_published = published_before(db, &unsure, first).await?;
    let mut out = Vec::new();
    for rev in rows {
        let is_published = published(&rev);
        let before = was_published.insert(key(&rev), is_published);
        if is_published {
            if now.contains(&key(&rev)) {
                out.push(Change {
                    revision: rev,
                    visible: true,
                });
            }
        } else if before == Some(true) {
            out.push(Change {
                revision: rev,
                visible: false,
            });
        }
    }
    Ok(out)
}

fn key(r: &revision::Model) -> (RecordKind, i64) {
    (r.record_kind, r.record_id)
}

/// For each of these records, whether its last revision below `below` left it published: one
/// query per kind (the newest revision of each record below, through the record's index).
async fn published_before<C: ConnectionTrait>(
    db: &C,
    records: &[(RecordKind, i64)],
    below: i64,
) -> AppResult<HashMap<(RecordKind, i64), bool>> {
    let mut out = HashMap::new();
    for (kind, ids) in visibility::by_kind(records.iter().copied()) {
        let newest = Query::select()
            .expr(Func::max(Expr::col(revision::Column::Id)))
            .from(revision::Entity)
            .and_where(revision::Column::RecordKind.eq(kind))
            .and_where(revision::Column::RecordId.is_in(ids))
            .and_where(revision::Column::Id.lt(below))
            .group_by_col(revision::Column::RecordId)
            .to_owned();
        let previous = revision::Entity::find()
            .filter(revision::Column::Id.in_subquery(newest))
            .all(db)
            .await?;
        for p in previous {
            let published = status_in(&p.snapshot) == Some(RecordStatus::Published);
            out.insert(key(&p), published);
        }
    }
    Ok(out)
}

/// The sequence of the newest revision (0 for an empty log).
pub async fn head<C: ConnectionTrait>(db: &C) -> Result<i64, sea_orm::DbErr> {
    let max: Option<Option<i64>> = revision::Entity::find()
        .select_only()
        .column_as(sea_orm::sea_query::Expr::cust("MAX(id)"), "m")
        .into_tuple()
        .one(db)
        .await?;
    Ok(max.flatten().unwrap_or(0))
}
