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
    /// How well the record is supported.
    #[graphql(default_with = "Confidence::Unconfirmed")]
    pub confidence: Confidence,
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
            confidence: v.confidence,
        }
    }
}
