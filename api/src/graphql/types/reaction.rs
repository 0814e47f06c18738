use super::{curated_object, load_by_id, Instrument, Pact, Stakeholder, Withdrawal};
use crate::graphql::scalars::Date;
use async_graphql::{Context, Result, Union};
use entity::enums::*;
use entity::reaction;

/// A stakeholder's response.
pub struct Reaction(pub reaction::Model);

/// What a reaction responds to.
#[derive(Union)]
pub enum ReactionSubject {
    Withdrawal(Withdrawal),
    Instrument(Instrument),
    Pact(Pact),
}

curated_object!(
    /// A stakeholder's response to a withdrawal, an instrument or a pact, summarized in our
    /// own words.
    Reaction, Reaction, {
    /// Who reacted (null if not visible to you).
    async fn stakeholder(&self, ctx: &Context<'_>) -> Result<Option<Stakeholder>> {
        load_by_id!(ctx, stakeholder, self.0.stakeholder_id, Stakeholder)
    }
    /// What kind of thing they reacted to.
    async fn subject_kind(&self) -> SubjectKind {
        self.0.subject_kind
    }
    /// What they reacted to (null if not visible to you).
    async fn subject(&self, ctx: &Context<'_>) -> Result<Option<ReactionSubject>> {
        let m = &self.0;
        Ok(match (m.withdrawal_id, m.instrument_id, m.pact_id) {
            (Some(id), _, _) => load_by_id!(ctx, withdrawal, id, Withdrawal)?.map(ReactionSubject::Withdrawal),
            (_, Some(id), _) => load_by_id!(ctx, instrument, id, Instrument)?.map(ReactionSubject::Instrument),
            (_, _, Some(id)) => load_by_id!(ctx, pact, id, Pact)?.map(ReactionSubject::Pact),
            _ => None,
        })
    }
    /// Their position.
    async fn stance(&self) -> Stance {
        self.0.stance
    }
    /// What they said, in our words.
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    /// When they reacted.
    async fn reacted_on(&self) -> Date {
        self.0.reacted_on.into()
    }
    /// True when the sources give the date only roughly; `reactedOn` is then the earliest
    /// plausible day.
    async fn date_approximate(&self) -> bool {
        self.0.date_approximate
    }
});
