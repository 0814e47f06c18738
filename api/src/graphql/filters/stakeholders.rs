//! The filter and orderings of the stakeholders list, as GraphQL types; the service layer's own
//! (`service::lists`) turn them into SQL.

use crate::service::lists;
use async_graphql::{Enum, InputObject};
use entity::enums::*;

/// Which stakeholders to list. Conditions combine with AND.
#[derive(InputObject, Default, Debug)]
pub struct StakeholderFilter {
    /// Kinds of actor.
    pub kind: Option<Vec<StakeholderKind>>,
    /// ISO 3166 alpha-2 country codes.
    pub country: Option<Vec<String>>,
    /// Text contained in the name or affiliation, ignoring case.
    pub text: Option<String>,
    /// Editorial statuses (editors only).
    pub status: Option<Vec<RecordStatus>>,
    /// Confidence levels.
    pub confidence: Option<Vec<Confidence>>,
}

impl From<StakeholderFilter> for lists::StakeholderFilter {
    fn from(v: StakeholderFilter) -> Self {
        Self {
            kind: v.kind,
            country: v.country,
            text: v.text,
            status: v.status,
            confidence: v.confidence,
        }
    }
}

/// Orderings of the stakeholders list.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "lists::StakeholderOrder")]
pub enum StakeholderOrder {
    /// By name, A to Z.
    NameAsc,
    /// By name, Z to A.
    NameDesc,
    /// Most recently changed first.
    UpdatedAtDesc,
}
