//! The GraphQL input of reactions (see `service::inputs` for what each field must be).

use crate::graphql::scalars::Date;
use crate::service::inputs;
use crate::service::inputs::RecordRef;
use async_graphql::{InputObject, ID};
use entity::enums::*;

/// The editable state of a reaction.
#[derive(InputObject, Debug)]
pub struct ReactionInput {
    /// The stable key people link to.
    pub slug: String,
    /// Who reacted (global id of a stakeholder).
    pub stakeholder_id: ID,
    /// What they reacted to: the global id of a withdrawal, an instrument or a pact.
    pub subject_id: ID,
    /// Their position.
    pub stance: Stance,
    /// What they said, in our words.
    pub summary: String,
    /// When they reacted.
    pub reacted_on: Date,
    /// Whether the date is only approximate.
    #[graphql(default)]
    pub date_approximate: bool,
    /// An editor's ceiling: the most the record may claim, when it deserves less than its
    /// sources support. The confidence itself is computed from the sources; this can only
    /// lower it, and needs `confidenceNote`. Left out of an update, the record's ceiling
    /// stays; `null` lifts it.
    pub confidence: async_graphql::MaybeUndefined<Confidence>,
    /// Why the record claims less than its sources support; required with `confidence`.
    pub confidence_note: Option<String>,
}

impl From<ReactionInput> for inputs::ReactionInput {
    fn from(v: ReactionInput) -> Self {
        Self {
            slug: v.slug,
            stakeholder_id: RecordRef::Id(v.stakeholder_id.0),
            subject_id: RecordRef::Id(v.subject_id.0),
            stance: v.stance,
            summary: v.summary,
            reacted_on: v.reacted_on.0,
            date_approximate: v.date_approximate,
            keep_ceiling: v.confidence.is_undefined(),
            confidence: v.confidence.take(),
            confidence_note: v.confidence_note,
        }
    }
}
