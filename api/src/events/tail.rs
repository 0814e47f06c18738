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
use std::collections::VecDeque;
use std::sync::Arc;
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
    window: Arc<Mutex<Option<Window>>>,
}

impl Tail {
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            window: Arc::new(Mutex::new(None)),
        }
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
        let mut guard = self.window.lock().await;
        let window = match guard.as_mut() {
            Some(w) => w,
            // Starts empty at the head: it holds what is committed from now on.
            None => guard.insert(Window {
                start: head,
                end: head,
                rows: VecDeque::new(),
            }),
        };
        if window.end < head {
            let fresh = revision::Entity::find()
                .filter(revision::Column::Id.gt(window.end))
                .order_by_asc(revision::Column::Id)
                .limit(CAPACITY as u64)
                .all(&self.db)
                .await?;
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
        }
        if after < window.start || after > window.end {
            return Ok(None);
        }
        let skip = window.rows.partition_point(|r| r.id <= after);
        Ok(Some(
            window.rows.iter().skip(skip).take(limit).cloned().collect(),
        ))
    }
}
