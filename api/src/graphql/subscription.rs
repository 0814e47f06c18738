//! The subscription root and the change feed types: `changes` (resumable from a cursor) and
//! typed streams for the common cases. Each stream reads the revision log itself (see
//! `events`), so it delivers every change in order, once, whatever happens to notifications.

use crate::error::{AppError, AppResult};
use crate::events::feed::{self, Change, FeedFilter};
use crate::events::{ChangeBus, Tail};
use crate::graphql::context::{data, load_error};
use crate::graphql::types::*;
use crate::service::{ids, snapshot, Viewer};
use async_graphql::futures_util::stream::{self, Stream};
use async_graphql::{Context, Object, Result, Subscription, ID};
use entity::enums::{RecordKind, RevisionAction};
use entity::reaction;
use sea_orm::DatabaseConnection;
use std::collections::VecDeque;
use std::time::Duration;

/// How many revisions a subscriber reads from the log at a time: its memory bound.
const BATCH: u64 = 100;

/// One change to one record, as the feed delivers it.
pub struct ChangeEvent(pub Change);

/// A change to one record: which, what happened, and the record as it stood afterwards.
#[Object]
impl ChangeEvent {
    /// Pass it as `after` to resume right after this event.
    async fn cursor(&self) -> String {
        self.0.cursor()
    }
    /// The kind of record that changed.
    async fn kind(&self) -> RecordKind {
        self.0.revision.record_kind
    }
    /// What happened.
    async fn action(&self) -> RevisionAction {
        self.0.revision.action
    }
    /// False when the record left your view (archived, or reverted to a draft): remove it.
    async fn visible(&self) -> bool {
        self.0.visible
    }
    /// The event's own id, unique across the feed (one per change): what normalized caches
    /// (Apollo, urql, Relay) key the event by. The record's id is `recordId`.
    async fn id(&self) -> ID {
        ids::change_event(self.0.revision.id).into()
    }
    /// The global id of the record that changed, also for removals.
    async fn record_id(&self) -> ID {
        ids::encode(self.0.revision.record_kind, self.0.revision.record_id).into()
    }
    /// The record as it stood after this change; null for a removal.
    async fn node(&self) -> Option<Node> {
        if !self.0.visible {
            return None;
        }
        let rev = &self.0.revision;
        match node_from_snapshot(rev.record_kind, &rev.snapshot) {
            Ok(node) => Some(node),
            Err(e) => {
                // A snapshot that does not decode is a fault of ours: log it, skip the node.
                tracing::error!(revision = rev.id, code = e.code(), "undecodable snapshot");
                None
            }
        }
    }
    /// The revision behind the event; null for a removal.
    async fn revision(&self) -> Option<Revision> {
        self.0
            .visible
            .then(|| Revision(self.0.revision.as_ref().clone()))
    }
    /// When it happened.
    async fn at(&self) -> crate::graphql::scalars::DateTime {
        self.0.revision.at.into()
    }
}

/// Reads the filter arguments shared by the streams and the `changes` query.
pub fn feed_filter(
    kinds: Option<Vec<RecordKind>>,
    records: Option<Vec<ID>>,
    include_drafts: bool,
    viewer: &Viewer,
) -> AppResult<FeedFilter> {
    if include_drafts && !matches!(viewer, Viewer::Editor { .. }) {
        return Err(AppError::Unauthenticated(
            "sign in as an editor to follow drafts".into(),
        ));
    }
    let records = records
        .unwrap_or_default()
        .iter()
        .map(|id| ids::decode(id))
        .collect::<AppResult<Vec<_>>>()?;
    if records.len() > 100 {
        return Err(AppError::bad_input(
            "follow at most 100 records in one subscription",
        ));
    }
    Ok(FeedFilter {
        kinds: kinds.unwrap_or_default(),
        records,
        include_drafts,
    })
}

struct Reader {
    db: DatabaseConnection,
    viewer: Viewer,
    filter: FeedFilter,
    last: i64,
    buffer: VecDeque<Change>,
    wake: crate::events::Subscriber,
    tail: Tail,
    keep: fn(&Change) -> bool,
    keep_arg: Option<i64>,
}

/// Every change after `start`, then each new one as it is committed.
async fn follow<'a>(
    ctx: &'a Context<'a>,
    filter: FeedFilter,
    after: Option<String>,
    keep: fn(&Change) -> bool,
    keep_arg: Option<i64>,
) -> Result<impl Stream<Item = ChangeEvent> + 'a> {
    let d = data(ctx);
    let bus = ctx
        .data::<ChangeBus>()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("no change bus")))?;
    let last = match after {
        Some(cursor) => feed::decode_cursor(&cursor)?,
        // "From now on": the head as read after this subscription began, one read shared by
        // all who start together.
        None => bus.read_head().await.map_err(load_error)?,
    };
    let reader = Reader {
        db: d.db.clone(),
        viewer: d.viewer.clone(),
        filter,
        last,
        buffer: VecDeque::new(),
        wake: bus.subscribe(),
        tail: bus.tail(),
        keep,
        keep_arg,
    };
    Ok(stream::unfold(reader, |mut r| async move {
        loop {
            if let Some(change) = r.buffer.pop_front() {
                return Some((ChangeEvent(change), r));
            }
            // Mark the head as seen before reading, so a commit during the read wakes us.
            let head = *r.wake.borrow_and_update();
            // Boxed: a database read's future is kilobytes, and held inline it would make
            // every idle subscription that large while it only waits for the next change.
            match Box::pin(read_next(&r, head)).await {
                Ok((changes, last)) => {
                    let moved = last != r.last;
                    r.last = last;
                    let keep = r.keep;
                    let arg = r.keep_arg;
                    r.buffer.extend(
                        changes
                            .into_iter()
                            .filter(|c| keep(c) && matches_arg(c, arg)),
                    );
                    if !moved && r.wake.changed().await.is_err() {
                        return None;
                    }
                }
                Err(e) => {
                    // A database outage: wait and read again from the same cursor.
                    tracing::warn!(code = e.code(), "reading the change feed failed; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }))
}

/// The next batch after the reader's cursor: from the window of newest revisions that all
/// subscribers share when it covers the cursor, else from the log itself.
async fn read_next(r: &Reader, head: i64) -> AppResult<(Vec<Change>, i64)> {
    match r.tail.after(r.last, head, BATCH as usize).await? {
        Some(rows) => {
            feed::read_from_window(&r.db, &r.viewer, &r.filter, r.last, rows, &r.tail, head).await
        }
        None => feed::read(&r.db, &r.viewer, &r.filter, r.last, BATCH).await,
    }
}

fn everything(_: &Change) -> bool {
    true
}

/// A reaction appeared (was created visible to you, or published).
fn reaction_added(c: &Change) -> bool {
    c.visible
        && matches!(
            c.revision.action,
            RevisionAction::Create | RevisionAction::Publish
        )
}

/// For `reactionAdded`: the reaction is about this withdrawal.
fn matches_arg(c: &Change, withdrawal: Option<i64>) -> bool {
    match withdrawal {
        None => true,
        Some(w) => {
            c.revision.record_kind == RecordKind::Reaction
                && snapshot::row::<reaction::Entity>(&c.revision.snapshot)
                    .is_ok_and(|r| r.withdrawal_id == Some(w))
        }
    }
}

/// Live changes.
#[derive(Default)]
pub struct Subscription;

/// Live changes over a websocket (graphql-transport-ws or graphql-ws), resumable from any
/// event's cursor.
#[Subscription]
impl Subscription {
    /// Every change, in order, each once. With `after` (a cursor from an event or from the
    /// `changes` query) it first replays everything since then from the log, then goes live,
    /// with no gap and no duplicate.
    async fn changes<'a>(
        &self,
        ctx: &'a Context<'_>,
        #[graphql(desc = "Only these kinds (all when omitted).")] kinds: Option<Vec<RecordKind>>,
        #[graphql(desc = "Only these records (global ids; all when omitted).")] ids: Option<
            Vec<ID>,
        >,
        #[graphql(desc = "Resume after this cursor; without it, start with the next change.")]
        after: Option<String>,
        #[graphql(desc = "Editors only: include drafts and archived states (default false).")]
        include_drafts: Option<bool>,
    ) -> Result<impl Stream<Item = ChangeEvent> + 'a> {
        let filter = feed_filter(
            kinds,
            ids,
            include_drafts.unwrap_or(false),
            &data(ctx).viewer,
        )?;
        follow(ctx, filter, after, everything, None).await
    }

    /// Changes to withdrawals (or to one withdrawal).
    async fn withdrawal_changed<'a>(
        &self,
        ctx: &'a Context<'_>,
        #[graphql(desc = "Only this withdrawal (global id).")] id: Option<ID>,
        #[graphql(desc = "Resume after this cursor.")] after: Option<String>,
    ) -> Result<impl Stream<Item = ChangeEvent> + 'a> {
        let filter = feed_filter(
            Some(vec![RecordKind::Withdrawal]),
            id.map(|i| vec![i]),
            false,
            &data(ctx).viewer,
        )?;
        follow(ctx, filter, after, everything, None).await
    }

    /// Reactions added to one withdrawal.
    async fn reaction_added<'a>(
        &self,
        ctx: &'a Context<'_>,
        #[graphql(desc = "The withdrawal (global id).")] withdrawal_id: ID,
        #[graphql(desc = "Resume after this cursor.")] after: Option<String>,
    ) -> Result<impl Stream<Item = ChangeEvent> + 'a> {
        let withdrawal = ids::decode_as(&withdrawal_id, RecordKind::Withdrawal)?;
        let filter = feed_filter(
            Some(vec![RecordKind::Reaction]),
            None,
            false,
            &data(ctx).viewer,
        )?;
        follow(ctx, filter, after, reaction_added, Some(withdrawal)).await
    }

    /// Changes to pacts (or to one pact).
    async fn pact_changed<'a>(
        &self,
        ctx: &'a Context<'_>,
        #[graphql(desc = "Only this pact (global id).")] id: Option<ID>,
        #[graphql(desc = "Resume after this cursor.")] after: Option<String>,
    ) -> Result<impl Stream<Item = ChangeEvent> + 'a> {
        let filter = feed_filter(
            Some(vec![RecordKind::Pact]),
            id.map(|i| vec![i]),
            false,
            &data(ctx).viewer,
        )?;
        follow(ctx, filter, after, everything, None).await
    }
}
