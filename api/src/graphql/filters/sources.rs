//! The filter and orderings of the sources list, as GraphQL types; the service layer's own
//! (`service::lists`) turn them into SQL.

use crate::graphql::scalars::Date;
use crate::service::lists;
use async_graphql::{Enum, InputObject};
use entity::enums::*;

/// Which sources to list. Conditions combine with AND.
#[derive(InputObject, Default, Debug)]
pub struct SourceFilter {
    /// Text contained in the title or publisher, ignoring case.
    pub text: Option<String>,
    /// Only mirrors and reprints (or only originals).
    pub is_mirror: Option<bool>,
    /// Published on or after this date.
    pub published_from: Option<Date>,
    /// Published on or before this date.
    pub published_to: Option<Date>,
    /// Editorial statuses (editors only).
    pub status: Option<Vec<RecordStatus>>,
    /// Confidence levels.
    pub confidence: Option<Vec<Confidence>>,
}

impl From<SourceFilter> for lists::SourceFilter {
    fn from(v: SourceFilter) -> Self {
        Self {
            text: v.text,
            is_mirror: v.is_mirror,
            published_from: v.published_from.map(|d| d.0),
            published_to: v.published_to.map(|d| d.0),
            status: v.status,
            confidence: v.confidence,
        }
    }
}

/// Orderings of the sources list.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "lists::SourceOrder")]
pub enum SourceOrder {
    /// By title, A to Z.
    TitleAsc,
    /// Most recently changed first.
    UpdatedAtDesc,
}
