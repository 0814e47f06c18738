//! The change bus: the revision log is the feed, and this only says when to read it.
//!
//! Every subscriber reads the revision log itself, from its own cursor, in sequence order
//! (`feed`). The bus merely wakes subscribers when the log may have grown: after a local
//! commit, on a PostgreSQL notification (sent in the same transaction as the revision, so
//! every replica hears of every change), and on a slow periodic check of the log's head as a
//! safety net. A lost wake-up therefore delays an event but never loses it, a subscriber that
//! reads slowly is simply behind in the log (memory stays one batch per subscriber), and
//! resuming after a disconnect is the same read from an older cursor.

pub mod feed;
mod listener;
mod tail;

pub use tail::Tail;

use sea_orm::{DatabaseConnection, DbBackend, DbErr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// The PostgreSQL channel revisions are announced on.
pub const CHANNEL: &str = "exodus_changes";

/// Wakes subscribers when the revision log may have grown.
#[derive(Clone)]
pub struct ChangeBus {
    head: Arc<watch::Sender<i64>>,
    db: DatabaseConnection,
    tail: Tail,
    reads: Arc<HeadReads>,
    /// Clients' subscriptions waiting on the bus (the service's own watchers not counted).
    subscriptions: Arc<AtomicUsize>,
}

/// On-demand reads of the head, one at a time, shared by the callers waiting for them.
#[derive(Default)]
struct HeadReads {
    /// How many reads have begun (counted under `last`'s lock).
    begun: AtomicU64,
    /// The number of the last read that ended, and what it read (None before the first).
    last: tokio::sync::Mutex<(u64, Option<HeadRead>)>,
}

/// One read of the head: the id, or why it failed.
type HeadRead = Result<i64, Arc<DbErr>>;

impl ChangeBus {
    /// Starts the bus: the head check, and on PostgreSQL the listener. Call inside a Tokio
    /// runtime; the tasks end when the bus and its subscribers are gone.
    pub fn start(db: DatabaseConnection) -> Self {
        let (tx, _) = watch::channel(0);
        let bus = Self {
            head: Arc::new(tx),
            db: db.clone(),
            tail: Tail::new(db.clone()),
            reads: Arc::default(),
            subscriptions: Arc::default(),
        };
        let weak = Arc::downgrade(&bus.head);
        let reader = HeadReader { db: db.clone() };
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(2));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(head) = weak.upgrade() else { break };
                reader.refresh_with(&head).await;
            }
        });
        if db.get_database_backend() == DbBackend::Postgres {
            listener::spawn(db, Arc::downgrade(&bus.head));
        }
        bus
    }

    /// Reads the log's head now and wakes subscribers if it moved (after a local commit).
    pub async fn poke(&self) {
        HeadReader {
            db: self.db.clone(),
        }
        .refresh_with(&self.head)
        .await;
    }

    /// The log's head as read from the database after this call began. Callers that arrive
    /// together share one read: when thousands of subscribers start at once they cost a few
    /// queries, not one each queued on the pool (whose waiting reads also stayed in the
    /// process's memory; BENCHMARKS.md).
    pub async fn read_head(&self) -> HeadRead {
        let arrived = self.reads.begun.load(Ordering::SeqCst);
        let mut last = self.reads.last.lock().await;
        if let (number, Some(result)) = &*last {
            // A read that began after this call did has ended: it is fresh enough.
            if *number > arrived {
                return result.clone();
            }
        }
        let number = self.reads.begun.fetch_add(1, Ordering::SeqCst) + 1;
        let result = feed::head(&self.db).await.map_err(Arc::new);
        if let Ok(id) = result {
            announce(&self.head, id);
        }
        *last = (number, Some(result.clone()));
        result
    }

    /// The newest revision this process knows to be committed.
    pub fn head(&self) -> i64 {
        *self.head.borrow()
    }

    /// A receiver that changes whenever the log's head moves, for a client's subscription:
    /// counted in `subscribers` while it lives.
    pub fn subscribe(&self) -> Subscriber {
        self.subscriptions.fetch_add(1, Ordering::Relaxed);
        Subscriber {
            wake: self.head.subscribe(),
            count: self.subscriptions.clone(),
        }
    }

    /// A receiver that changes whenever the log's head moves, for the service's own tasks
    /// (the webhook worker): not a subscription, so not counted.
    pub fn watch(&self) -> watch::Receiver<i64> {
        self.head.subscribe()
    }

    /// The newest revisions, shared by this process's subscribers.
    pub fn tail(&self) -> Tail {
        self.tail.clone()
    }

    /// How many clients' subscriptions are waiting on the bus.
    pub fn subscribers(&self) -> usize {
        self.subscriptions.load(Ordering::Relaxed)
    }
}

/// A client's subscription's receiver of the head: it counts itself in
/// `ChangeBus::subscribers` until dropped.
pub struct Subscriber {
    wake: watch::Receiver<i64>,
    count: Arc<AtomicUsize>,
}

impl std::ops::Deref for Subscriber {
    type Target = watch::Receiver<i64>;
    fn deref(&self) -> &Self::Target {
        &self.wake
    }
}

impl std::ops::DerefMut for Subscriber {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.wake
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        self.count.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Reads the highest revision id.
struct HeadReader {
    db: DatabaseConnection,
}

impl HeadReader {
    async fn refresh_with(&self, head: &watch::Sender<i64>) {
        match feed::head(&self.db).await {
            Ok(id) => announce(head, id),
            Err(e) => {
                tracing::warn!(error = %e, "reading the head of the revision log failed; will retry")
            }
        }
    }
}

/// Wakes subscribers because a notification named a revision.
pub(crate) fn announce(head: &watch::Sender<i64>, id: i64) {
    head.send_if_modified(|current| {
        if id > *current {
            *current = id;
            true
        } else {
            false
        }
    });
}
