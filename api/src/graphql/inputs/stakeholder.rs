//! The GraphQL input of stakeholders (see `service::inputs` for what each field must be).

use crate::service::inputs;
use crate::service::inputs::RecordRef;
use async_graphql::{InputObject, ID};
use entity::enums::*;

/// The editable state of a stakeholder.
#[derive(InputObject, Debug)]
pub struct StakeholderInput {
    /// The stable key people link to.
    pub slug: String,
    /// Their name.
    pub name: String,
    /// What kind of actor they are.
    pub kind: StakeholderKind,
    /// Their country (ISO 3166 alpha-2).
    pub country: Option<String>,
    /// Who they work for or speak for.
    pub affiliation: Option<String>,
    /// The tracked organization they are or speak for (global id).
    pub organization_id: Option<ID>,
    /// How well the record is supported.
    #[graphql(default_with = "Confidence::Unconfirmed")]
    pub confidence: Confidence,
}

impl From<StakeholderInput> for inputs::StakeholderInput {
    fn from(v: StakeholderInput) -> Self {
        Self {
            slug: v.slug,
            name: v.name,
            kind: v.kind,
            country: v.country,
            affiliation: v.affiliation,
            organization_id: v.organization_id.map(|i| RecordRef::Id(i.0)),
            confidence: v.confidence,
        }
    }
}
