use super::{curated_object, load_by_id, load_many, Instrument, Organization, PactReplacement};
use crate::graphql::scalars::Date;
use async_graphql::{Context, Result};
use entity::enums::*;
use entity::withdrawal;

/// The United States leaving one organization.
pub struct Withdrawal(pub withdrawal::Model);

curated_object!(
    /// The United States leaving one organization, by one instrument.
    Withdrawal, Withdrawal,
    children: [
    /// Reactions to this withdrawal, earliest first.
    reactions: ReactionConnection = reactions_by_withdrawal, Reaction;
    ],
    {
    /// The organization the United States is leaving (null if it is not visible to you).
    async fn organization(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        load_by_id!(ctx, organization, self.0.organization_id, Organization)
    }
    /// The act that ordered the withdrawal (null if it is not visible to you).
    async fn instrument(&self, ctx: &Context<'_>) -> Result<Option<Instrument>> {
        load_by_id!(ctx, instrument, self.0.instrument_id, Instrument)
    }
    /// When the withdrawal was announced.
    async fn announced_on(&self) -> Date {
        self.0.announced_on.into()
    }
    /// When it takes or took effect, if known.
    async fn effective_on(&self) -> Option<Date> {
        self.0.effective_on.map(Date)
    }
    /// How far the withdrawal has gone.
    async fn withdrawal_status(&self) -> WithdrawalStatus {
        self.0.withdrawal_status
    }
    /// Whether US funding has ended; null when the sources do not establish it either way.
    async fn funding_ended(&self) -> Option<bool> {
        self.0.funding_ended
    }
    /// The reasons the administration gave, in our words.
    async fn rationale(&self) -> Option<&str> {
        self.0.rationale.as_deref()
    }
    /// What observers expect it to change, in our words.
    async fn expected_impact(&self) -> Option<&str> {
        self.0.expected_impact.as_deref()
    }
    /// Pacts said to replace what this withdrawal gave up.
    async fn replaced_by(&self, ctx: &Context<'_>) -> Result<Vec<PactReplacement>> {
        load_many!(ctx, replaced_by_withdrawal, self.0.id, PactReplacement)
    }
});
