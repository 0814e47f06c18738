//! The newest revisions, read once and shared by every subscriber of this process.
//!
//! When a change is announced, thousands of subscribers wake at once. Each used to read the
//! log itself, one query per subscriber per change. Now the first to wake reads the new
//! revisions into this window (one query), and the others take them from memory. A
//! subscriber whose cursor is older than the window (it resumed from far back, or fell
//! behind) reads the log directly until it catches up, so nothing is ever skipped.

use entity::revision;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::{Arc, RwLock};
use tokio::sync::Mutex;

/// How many revisions the window keeps; a burst larger than this sends late readers to the
/// database, which is correct, only slower.
const CAPACITY: usize = 2048;

/// Revisions `(start, end]` of the log, in sequence order.
struct Window {
    start: i64,
    end: i64,
    rows: VecDeque<Arc<revision::Model>>,
}

/// The shared window and how to refill it.
#[derive(Clone)]
pub struct Tail {
    db: DatabaseConnection,
    /// Read by every subscriber at once without waiting on each other; written only to
    /// append what a refill read.
    window: Arc<RwLock<Option<Window>>>,
    /// One refill at a time: the others wait for it, then find the window current.
    refill: Arc<Mutex<()>>,
    /// The public's verdict on revisions of the window, decided once for every subscriber
    /// with the public's view (`feed::read_from_window`); held while one decides, so the
    /// others wait and then reuse it.
    verdicts: Arc<Mutex<Verdicts>>,
}

/// Per revision: Some(true) an event with its content, Some(false) a removal, None nothing;
/// decided with the records' state as it was after `head` was committed.
#[derive(Default)]
struct Verdicts {
    head: i64,
    by_revision: HashMap<i64, Option<bool>>,
}

impl Tail {
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            window: Arc::new(RwLock::new(None)),
            refill: Arc::new(Mutex::new(())),
            verdicts: Arc::default(),
        }
    }

    /// The public's verdicts on `rows` (consecutive revisions of the log), for a reader that
    /// knows the log up to `head`. Verdicts read the records' current state, so ones decided
    /// after an older head are stale and dropped; ones decided after this head or a newer
    /// one are as current as this reader's own would be, and are reused. Otherwise `decide`
    /// runs on all of `rows` (a verdict depends on the revision before it, which a partial
    /// list could leave out), once, while the other readers wait.
    pub async fn public_verdicts<E, F, Fut>(
        &self,
        head: i64,
        rows: &[Arc<revision::Model>],
        decide: F,
    ) -> Result<HashMap<i64, Option<bool>>, E>
    where
        F: FnOnce(Vec<Arc<revision::Model>>) -> Fut,
        Fut: Future<Output = Result<HashMap<i64, Option<bool>>, E>>,
    {
        let mut verdicts = self.verdicts.lock().await;
        if verdicts.head < head {
            verdicts.head = head;
            verdicts.by_revision.clear();
        }
        if rows
            .iter()
            .any(|r| !verdicts.by_revision.contains_key(&r.id))
        {
            let decided = decide(rows.to_vec()).await?;
            verdicts.by_revision.extend(decided);
        }
        Ok(rows
            .iter()
            .map(|r| (r.id, verdicts.by_revision.get(&r.id).copied().flatten()))
            .collect())
    }

    /// Up to `limit` revisions after `after`, if the window covers that cursor. `head` is the
    /// newest sequence known to be committed: the window is refilled (once, whoever asks
    /// first) when it ends before it. None means: read the log itself.
    pub async fn after(
        &self,
        after: i64,
        head: i64,
        limit: usize,
    ) -> Result<Option<Vec<Arc<revision::Model>>>, DbErr> {
        // Everything up to the reader's own cursor is committed too (it was read).
        let head = head.max(after);
        if let Some(found) = self.current(after, head, limit) {
            return Ok(found);
        }
        let _refilling = self.refill.lock().await;
        // Someone else may have refilled it while this one waited.
        if let Some(found) = self.current(after, head, limit) {
            return Ok(found);
        }
        let end = self.read().as_ref().map(|w| w.end).unwrap_or(head);
        let fresh = if end < head {
            revision::Entity::find()
                .filter(revision::Column::Id.gt(end))
                .order_by_asc(revision::Column::Id)
                .limit(CAPACITY as u64)
                .all(&self.db)
                .await?
        } else {
            Vec::new()
        };
        let mut guard = self.window.write().unwrap_or_else(|e| e.into_inner());
        // Starts empty at the head: it holds what is committed from now on.
        let window = guard.get_or_insert_with(|| Window {
            start: head,
            end: head,
            rows: VecDeque::new(),
        });
        if fresh.len() == CAPACITY {
            // More arrived than the window holds: restart it at the newest read.
            window.rows.clear();
            window.start = fresh.last().map_or(window.end, |r| r.id);
            window.end = window.start;
        } else {
            for row in fresh {
                window.end = row.id;
                window.rows.push_back(Arc::new(row));
            }
            while window.rows.len() > CAPACITY {
                if let Some(old) = window.rows.pop_front() {
                    window.start = old.id;
                }
            }
        }
        Ok(slice(window, after, limit))
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Option<Window>> {
        self.window.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The answer from the window as it is, if it already reaches `head`.
    #[allow(clippy::type_complexity)]
    fn current(
        &self,
        after: i64,
        head: i64,
        limit: usize,
    ) -> Option<Option<Vec<Arc<revision::Model>>>> {
        let guard = self.read();
        let window = guard.as_ref()?;
        (window.end >= head).then(|| slice(window, after, limit))
    }
}

/// Up to `limit` revisions after `after`, or None when the window does not cover `after`.
fn slice(window: &Window, after: i64, limit: usize) -> Option<Vec<Arc<revision::Model>>> {
    if after < window.start || after > window.end {
        return None;
    }
    let skip = window.rows.partition_point(|r| r.id <= after);
    Some(window.rows.iter().skip(skip).take(limit).cloned().collect())
}
