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
    /// An editor's ceiling: the most the record may claim, when it deserves less than its
    /// sources support. The confidence itself is computed from the sources; this can only
    /// lower it, and needs `confidenceNote`. Left out of an update, the record's ceiling
    /// stays; `null` lifts it.
    pub confidence: async_graphql::MaybeUndefined<Confidence>,
    /// Why the record claims less than its sources support; required with `confidence`.
    pub confidence_note: Option<String>,
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
            keep_ceiling: v.confidence.is_undefined(),
            confidence: v.confidence.take(),
            confidence_note: v.confidence_note,
        }
    }
}
