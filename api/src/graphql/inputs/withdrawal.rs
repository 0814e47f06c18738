//! The GraphQL input of withdrawals (see `service::inputs` for what each field must be).

use crate::graphql::scalars::Date;
use crate::service::inputs;
use crate::service::inputs::RecordRef;
use async_graphql::{InputObject, ID};
use entity::enums::*;

/// The editable state of a withdrawal.
#[derive(InputObject, Debug)]
pub struct WithdrawalInput {
    /// The stable key people link to.
    pub slug: String,
    /// The organization left (global id).
    pub organization_id: ID,
    /// The act that ordered it (global id).
    pub instrument_id: ID,
    /// When it was announced.
    pub announced_on: Date,
    /// When it takes effect (not before the announcement).
    pub effective_on: Option<Date>,
    /// How far it has gone.
    pub withdrawal_status: WithdrawalStatus,
    /// Whether US funding has ended: true, false, or null (the default) when the sources
    /// do not establish it.
    pub funding_ended: Option<bool>,
    /// The reasons given, in our words.
    pub rationale: Option<String>,
    /// What observers expect it to change, in our words.
    pub expected_impact: Option<String>,
    /// An editor's ceiling: the most the record may claim, when it deserves less than its
    /// sources support. The confidence itself is computed from the sources; this can only
    /// lower it, and needs `confidenceNote`. Left out of an update, the record's ceiling
    /// stays; `null` lifts it.
    pub confidence: async_graphql::MaybeUndefined<Confidence>,
    /// Why the record claims less than its sources support; required with `confidence`.
    pub confidence_note: Option<String>,
}

impl From<WithdrawalInput> for inputs::WithdrawalInput {
    fn from(v: WithdrawalInput) -> Self {
        Self {
            slug: v.slug,
            organization_id: RecordRef::Id(v.organization_id.0),
            instrument_id: RecordRef::Id(v.instrument_id.0),
            announced_on: v.announced_on.0,
            effective_on: v.effective_on.map(|d| d.0),
            withdrawal_status: v.withdrawal_status,
            funding_ended: v.funding_ended,
            rationale: v.rationale,
            expected_impact: v.expected_impact,
            keep_ceiling: v.confidence.is_undefined(),
            confidence: v.confidence.take(),
            confidence_note: v.confidence_note,
        }
    }
}
