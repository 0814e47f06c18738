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

use sea_orm::{DatabaseConnection, DbBackend, EntityTrait, QuerySelect};
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
}

impl ChangeBus {
    /// Starts the bus: the head check, and on PostgreSQL the listener. Call inside a Tokio
    /// runtime; the tasks end when the bus and its subscribers are gone.
    pub fn start(db: DatabaseConnection) -> Self {
        let (tx, _) = watch::channel(0);
        let bus = Self {
            head: Arc::new(tx),
            db: db.clone(),
            tail: Tail::new(db.clone()),
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

    /// The newest revision this process knows to be committed.
    pub fn head(&self) -> i64 {
        *self.head.borrow()
    }

    /// A receiver that changes whenever the log's head moves.
    pub fn subscribe(&self) -> watch::Receiver<i64> {
        self.head.subscribe()
    }

    /// The newest revisions, shared by this process's subscribers.
    pub fn tail(&self) -> Tail {
        self.tail.clone()
    }

    /// How many subscribers are waiting on the bus.
    pub fn subscribers(&self) -> usize {
        self.head.receiver_count()
    }
}

/// Reads the highest revision id.
struct HeadReader {
    db: DatabaseConnection,
}

impl HeadReader {
    async fn refresh_with(&self, head: &watch::Sender<i64>) {
        let max: Result<Option<Option<i64>>, _> = entity::revision::Entity::find()
            .select_only()
            .column_as(sea_orm::sea_query::Expr::cust("MAX(id)"), "m")
            .into_tuple()
            .one(&self.db)
            .await;
        match max {
            Ok(Some(Some(id))) => {
                head.send_if_modified(|current| {
                    if id > *current {
                        *current = id;
                        true
                    } else {
                        false
                    }
                });
            }
            Ok(_) => {}
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
