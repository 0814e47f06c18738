//! The filter and orderings of the withdrawals list, as GraphQL types; the service layer's own
//! (`service::lists`) turn them into SQL.

use crate::graphql::scalars::Date;
use crate::service::lists;
use async_graphql::{Enum, InputObject, ID};
use entity::enums::*;

/// Which withdrawals to list. Conditions combine with AND; a list matches any of its values.
#[derive(InputObject, Default, Debug)]
pub struct WithdrawalFilter {
    /// Only withdrawals from these organizations (global ids).
    pub organization: Option<Vec<ID>>,
    /// Only withdrawals made by these instruments (global ids).
    pub instrument: Option<Vec<ID>>,
    /// The organization has one of these category keywords.
    pub organization_category: Option<Vec<String>>,
    /// The organization is of one of these kinds.
    pub organization_kind: Option<Vec<OrganizationKind>>,
    /// The organization's digital relevance.
    pub digital_relevance: Option<Vec<DigitalRelevance>>,
    /// How far the withdrawal has gone.
    pub withdrawal_status: Option<Vec<WithdrawalStatus>>,
    /// Announced on or after this date.
    pub announced_from: Option<Date>,
    /// Announced on or before this date.
    pub announced_to: Option<Date>,
    /// Effective on or after this date.
    pub effective_from: Option<Date>,
    /// Effective on or before this date.
    pub effective_to: Option<Date>,
    /// Only those where US funding has (true) or has not (false) ended; those where the
    /// sources do not establish it (null) match neither.
    pub funding_ended: Option<bool>,
    /// Editorial statuses (editors only).
    pub status: Option<Vec<RecordStatus>>,
    /// Confidence levels.
    pub confidence: Option<Vec<Confidence>>,
}

impl From<WithdrawalFilter> for lists::WithdrawalFilter {
    fn from(v: WithdrawalFilter) -> Self {
        Self {
            organization: v
                .organization
                .map(|ids| ids.into_iter().map(|i| i.0).collect()),
            instrument: v
                .instrument
                .map(|ids| ids.into_iter().map(|i| i.0).collect()),
            organization_category: v.organization_category,
            organization_kind: v.organization_kind,
            digital_relevance: v.digital_relevance,
            withdrawal_status: v.withdrawal_status,
            announced_from: v.announced_from.map(|d| d.0),
            announced_to: v.announced_to.map(|d| d.0),
            effective_from: v.effective_from.map(|d| d.0),
            effective_to: v.effective_to.map(|d| d.0),
            funding_ended: v.funding_ended,
            status: v.status,
            confidence: v.confidence,
        }
    }
}

/// Orderings of the withdrawals list.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "lists::WithdrawalOrder")]
pub enum WithdrawalOrder {
    /// Earliest announcement first.
    AnnouncedOnAsc,
    /// Latest announcement first.
    AnnouncedOnDesc,
    /// Most recently changed first.
    UpdatedAtDesc,
}
