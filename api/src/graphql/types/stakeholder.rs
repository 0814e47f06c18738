use super::{curated_object, load_by_id, Organization};
use async_graphql::{Context, Result};
use entity::enums::*;
use entity::stakeholder;

/// Someone who reacted.
pub struct Stakeholder(pub stakeholder::Model);

curated_object!(
    /// Someone who reacted: a government, a legislator, a digital-rights group, an affected
    /// body, a think tank, an academic.
    Stakeholder, Stakeholder,
    children: [
    /// Their reactions, earliest first.
    reactions: ReactionConnection = reactions_by_stakeholder, Reaction;
    ],
    {
    /// Their name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What kind of actor they are.
    async fn kind(&self) -> StakeholderKind {
        self.0.kind
    }
    /// Their country, as an ISO 3166 alpha-2 code.
    async fn country(&self) -> Option<&str> {
        self.0.country.as_deref()
    }
    /// Who they work for or speak for.
    async fn affiliation(&self) -> Option<&str> {
        self.0.affiliation.as_deref()
    }
    /// The organization they are or speak for, when it is one Exodus tracks.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        match self.0.organization_id {
            Some(id) => load_by_id!(ctx, organization, id, Organization),
            None => Ok(None),
        }
    }
});
