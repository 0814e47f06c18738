//! The filter and orderings of the reactions list, as GraphQL types; the service layer's own
//! (`service::lists`) turn them into SQL.

use crate::graphql::scalars::Date;
use crate::service::lists;
use async_graphql::{Enum, InputObject, ID};
use entity::enums::*;

/// Which reactions to list. Conditions combine with AND; a list matches any of its values.
#[derive(InputObject, Default, Debug)]
pub struct ReactionFilter {
    /// Stances taken.
    pub stance: Option<Vec<Stance>>,
    /// Kinds of stakeholder who reacted.
    pub stakeholder_kind: Option<Vec<StakeholderKind>>,
    /// Only reactions by these stakeholders (global ids).
    pub stakeholder: Option<Vec<ID>>,
    /// Only reactions to these withdrawals, instruments or pacts (global ids).
    pub subject: Option<Vec<ID>>,
    /// Only reactions to this kind of subject.
    pub subject_kind: Option<Vec<SubjectKind>>,
    /// Reacted on or after this date.
    pub reacted_from: Option<Date>,
    /// Reacted on or before this date.
    pub reacted_to: Option<Date>,
    /// Editorial statuses (editors only).
    pub status: Option<Vec<RecordStatus>>,
    /// Confidence levels.
    pub confidence: Option<Vec<Confidence>>,
}

impl From<ReactionFilter> for lists::ReactionFilter {
    fn from(v: ReactionFilter) -> Self {
        Self {
            stance: v.stance,
            stakeholder_kind: v.stakeholder_kind,
            stakeholder: v
                .stakeholder
                .map(|ids| ids.into_iter().map(|i| i.0).collect()),
            subject: v.subject.map(|ids| ids.into_iter().map(|i| i.0).collect()),
            subject_kind: v.subject_kind,
            reacted_from: v.reacted_from.map(|d| d.0),
            reacted_to: v.reacted_to.map(|d| d.0),
            status: v.status,
            confidence: v.confidence,
        }
    }
}

/// Orderings of the reactions list.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "lists::ReactionOrder")]
pub enum ReactionOrder {
    /// Earliest first.
    ReactedOnAsc,
    /// Latest first.
    ReactedOnDesc,
    /// Most recently changed first.
    UpdatedAtDesc,
}
