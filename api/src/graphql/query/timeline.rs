//! The timeline of dated events.

use crate::graphql::context::{data, limits};
use crate::graphql::scalars::Date;
use crate::graphql::types::*;
use crate::service::timeline;
use async_graphql::connection::PageInfo;
use async_graphql::{Context, Enum, InputObject, Object, Result, SimpleObject};
use entity::enums::*;

/// What happened on a timeline date. The order here is the order of events on one day.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "timeline::TimelineEventKind")]
pub enum TimelineEventKind {
    /// An instrument was signed or issued.
    InstrumentSigned,
    /// A withdrawal was announced.
    WithdrawalAnnounced,
    /// A withdrawal took (or takes) effect.
    WithdrawalEffective,
    /// A pact changed status (proposed, signed, paused...).
    PactStatusChanged,
    /// A stakeholder reacted.
    Reaction,
}

/// Which timeline events to return.
#[derive(InputObject, Default)]
pub struct TimelineFilter {
    /// Kinds of event (all when omitted).
    kinds: Option<Vec<TimelineEventKind>>,
    /// Events on or after this date.
    from: Option<Date>,
    /// Events on or before this date.
    to: Option<Date>,
}

/// The timeline.
#[derive(Default)]
pub struct TimelineQuery;

#[Object]
impl TimelineQuery {
    /// Dated events in order: instruments signed, withdrawals announced and effective, pact
    /// status changes and reactions.
    async fn timeline(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which events to return.")] filter: Option<TimelineFilter>,
        #[graphql(desc = "Return the first n events.")] first: Option<i32>,
        #[graphql(desc = "Return events after this cursor.")] after: Option<String>,
    ) -> Result<TimelineConnection> {
        let filter = filter.unwrap_or_default();
        let kinds: Vec<timeline::TimelineEventKind> = filter
            .kinds
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect();
        let d = data(ctx);
        let page = timeline::timeline(
            &d.db,
            &d.viewer,
            &kinds,
            filter.from.map(|d| d.0),
            filter.to.map(|d| d.0),
            first,
            after.as_deref(),
            limits(ctx),
        )
        .await?;
        let edges: Vec<TimelineEdge> = page
            .events
            .into_iter()
            .map(|e| TimelineEdge {
                cursor: e.cursor(),
                node: TimelineEvent(e),
            })
            .collect();
        let page_info = page_info(
            after.is_some(),
            page.has_next_page,
            edges.first().map(|e| &e.cursor),
            edges.last().map(|e| &e.cursor),
        );
        Ok(TimelineConnection { edges, page_info })
    }
}

/// A dated event on the timeline.
pub struct TimelineEvent(timeline::Event);

/// A dated event on the timeline.
#[Object]
impl TimelineEvent {
    /// When it happened.
    async fn date(&self) -> Date {
        self.0.date.into()
    }
    /// What happened.
    async fn kind(&self) -> TimelineEventKind {
        self.0.kind.into()
    }
    /// The record it happened to.
    async fn record(&self, ctx: &Context<'_>) -> Result<Option<Node>> {
        load_node(ctx, self.0.record_kind, self.0.record_id).await
    }
    /// For a pact status change: the status the pact moved to.
    async fn pact_status(&self) -> Option<PactStatus> {
        self.0.pact_status_change.as_ref().map(|c| c.pact_status)
    }
    /// For a pact status change: what happened, in our words.
    async fn note(&self) -> Option<&str> {
        self.0
            .pact_status_change
            .as_ref()
            .and_then(|c| c.note.as_deref())
    }
}

/// A page of timeline events, in date order.
#[derive(SimpleObject)]
pub struct TimelineConnection {
    /// The events of this page, each with its cursor.
    edges: Vec<TimelineEdge>,
    /// Whether there are more events, and the cursors at this page's ends.
    page_info: PageInfo,
}

/// A timeline event in a page, with its cursor.
#[derive(SimpleObject)]
pub struct TimelineEdge {
    /// Pass it as `after` to continue from this event.
    cursor: String,
    /// The event.
    node: TimelineEvent,
}
