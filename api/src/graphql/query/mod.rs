//! The query root, one file per concern. Resolvers read arguments, call the service layer
//! and wrap the result.

mod changes;
mod history;
mod lists;
mod nodes;
mod search;
mod stats;
mod timeline;

pub use changes::{ChangeConnection, ChangeEdge};
pub use search::SearchHit;
pub use stats::{Count, Stats, WithdrawalStances};
pub use timeline::{
    TimelineConnection, TimelineEdge, TimelineEvent, TimelineEventKind, TimelineFilter,
};

use async_graphql::MergedObject;

/// Read access to the whole dataset. Anonymous readers see published records only.
#[derive(MergedObject, Default)]
pub struct Query(
    nodes::NodeQuery,
    search::SearchQuery,
    nodes::AccountQuery,
    history::HistoryQuery,
    changes::ChangesQuery,
    stats::StatsQuery,
    timeline::TimelineQuery,
    lists::ListQuery,
    crate::graphql::webhooks::WebhookQuery,
);
