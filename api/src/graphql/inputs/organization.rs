//! The GraphQL input of organizations (see `service::inputs` for what each field must be).

use crate::service::inputs;
use async_graphql::InputObject;
use entity::enums::*;

/// The editable state of an organization.
#[derive(InputObject, Debug)]
pub struct OrganizationInput {
    /// The stable key people link to: lowercase words joined by hyphens.
    pub slug: String,
    /// Its full name.
    pub name: String,
    /// Its usual acronym.
    pub acronym: Option<String>,
    /// What kind of body it is.
    pub kind: OrganizationKind,
    /// Category keywords, such as "cybersecurity".
    #[graphql(default)]
    pub categories: Vec<String>,
    /// How closely its mandate touches the internet and digital policy.
    pub digital_relevance: DigitalRelevance,
    /// The section of the 7 January 2026 memorandum's list, if it is on it.
    pub list_section: Option<ListSection>,
    /// Its position in that section.
    pub list_position: Option<i32>,
    /// Whether the UN system hosts it.
    #[graphql(default)]
    pub hosted_by_un: bool,
    /// Where it is based.
    pub headquarters: Option<String>,
    /// Its website (http or https).
    pub website: Option<String>,
    /// What it does, in our words.
    pub description: String,
    /// An editor's ceiling: the most the record may claim, when it deserves less than its
    /// sources support. The confidence itself is computed from the sources; this can only
    /// lower it, and needs `confidenceNote`. Left out of an update, the record's ceiling
    /// stays; `null` lifts it.
    pub confidence: async_graphql::MaybeUndefined<Confidence>,
    /// Why the record claims less than its sources support; required with `confidence`.
    pub confidence_note: Option<String>,
}

impl From<OrganizationInput> for inputs::OrganizationInput {
    fn from(v: OrganizationInput) -> Self {
        Self {
            slug: v.slug,
            name: v.name,
            acronym: v.acronym,
            kind: v.kind,
            categories: v.categories,
            digital_relevance: v.digital_relevance,
            list_section: v.list_section,
            list_position: v.list_position,
            hosted_by_un: v.hosted_by_un,
            headquarters: v.headquarters,
            website: v.website,
            description: v.description,
            keep_ceiling: v.confidence.is_undefined(),
            confidence: v.confidence.take(),
            confidence_note: v.confidence_note,
        }
    }
}
