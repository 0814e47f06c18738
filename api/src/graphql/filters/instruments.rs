//! The filter and orderings of the instruments list, as GraphQL types; the service layer's own
//! (`service::lists`) turn them into SQL.

use crate::graphql::scalars::Date;
use crate::service::lists;
use async_graphql::{Enum, InputObject};
use entity::enums::*;

/// Which instruments to list. Conditions combine with AND.
#[derive(InputObject, Default, Debug)]
pub struct InstrumentFilter {
    /// Kinds of act.
    pub kind: Option<Vec<InstrumentKind>>,
    /// Signed on or after this date.
    pub signed_from: Option<Date>,
    /// Signed on or before this date.
    pub signed_to: Option<Date>,
    /// Text contained in the title or number, ignoring case.
    pub text: Option<String>,
    /// Editorial statuses (editors only).
    pub status: Option<Vec<RecordStatus>>,
    /// Confidence levels.
    pub confidence: Option<Vec<Confidence>>,
}

impl From<InstrumentFilter> for lists::InstrumentFilter {
    fn from(v: InstrumentFilter) -> Self {
        Self {
            kind: v.kind,
            signed_from: v.signed_from.map(|d| d.0),
            signed_to: v.signed_to.map(|d| d.0),
            text: v.text,
            status: v.status,
            confidence: v.confidence,
        }
    }
}

/// Orderings of the instruments list.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "lists::InstrumentOrder")]
pub enum InstrumentOrder {
    /// Oldest first.
    SignedOnAsc,
    /// Newest first.
    SignedOnDesc,
    /// Most recently changed first.
    UpdatedAtDesc,
}
