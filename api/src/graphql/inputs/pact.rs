//! The GraphQL input of pacts (see `service::inputs` for what each field must be).

use crate::graphql::scalars::Date;
use crate::service::inputs;
use crate::service::inputs::RecordRef;
use async_graphql::{InputObject, ID};
use entity::enums::*;

/// A party to a pact.
#[derive(InputObject, Debug)]
pub struct PactPartyInput {
    /// The party's name.
    pub name: String,
    /// Its ISO 3166 alpha-2 code.
    pub code: String,
    /// Its role.
    pub role: PartyRole,
    /// When it joined.
    pub joined_on: Option<Date>,
}

impl From<PactPartyInput> for inputs::PactPartyInput {
    fn from(v: PactPartyInput) -> Self {
        Self {
            name: v.name,
            code: v.code,
            role: v.role,
            joined_on: v.joined_on.map(|d| d.0),
        }
    }
}

/// A claim that the pact replaces a withdrawal or an organization: give exactly one.
#[derive(InputObject, Debug)]
pub struct PactReplacementInput {
    /// The organization it is said to replace (global id).
    pub organization_id: Option<ID>,
    /// The withdrawal whose loss it is said to make up for (global id).
    pub withdrawal_id: Option<ID>,
    /// Who makes the claim and how it stands, in our words.
    pub note: Option<String>,
    /// How well the claim is supported.
    #[graphql(default_with = "Confidence::Unconfirmed")]
    pub confidence: Confidence,
}

impl From<PactReplacementInput> for inputs::PactReplacementInput {
    fn from(v: PactReplacementInput) -> Self {
        Self {
            organization_id: v.organization_id.map(|i| RecordRef::Id(i.0)),
            withdrawal_id: v.withdrawal_id.map(|i| RecordRef::Id(i.0)),
            note: v.note,
            confidence: v.confidence,
        }
    }
}

/// The editable state of a pact. A change of `pactStatus` adds a step to its status history.
#[derive(InputObject, Debug)]
pub struct PactInput {
    /// The stable key people link to.
    pub slug: String,
    /// Its title.
    pub title: String,
    /// Bilateral, plurilateral or private.
    pub kind: PactKind,
    /// Where it stands.
    pub pact_status: PactStatus,
    /// When it reached `pactStatus`, if this input changes it (default: today).
    pub status_changed_on: Option<Date>,
    /// What happened, for the status history, if this input changes the status.
    pub status_note: Option<String>,
    /// Whether it binds its parties in law.
    #[graphql(default)]
    pub binding: bool,
    /// When it was signed.
    pub signed_on: Option<Date>,
    /// What it covers, in our words.
    pub summary: String,
    /// Topic keywords.
    #[graphql(default)]
    pub topics: Vec<String>,
    /// Its parties.
    #[graphql(default)]
    pub parties: Vec<PactPartyInput>,
    /// What it is said to replace.
    #[graphql(default)]
    pub replaces: Vec<PactReplacementInput>,
    /// An editor's ceiling: the most the record may claim, when it deserves less than its
    /// sources support. The confidence itself is computed from the sources; this can only
    /// lower it, and needs `confidenceNote`. Left out of an update, the record's ceiling
    /// stays; `null` lifts it.
    pub confidence: async_graphql::MaybeUndefined<Confidence>,
    /// Why the record claims less than its sources support; required with `confidence`.
    pub confidence_note: Option<String>,
}

impl From<PactInput> for inputs::PactInput {
    fn from(v: PactInput) -> Self {
        Self {
            slug: v.slug,
            title: v.title,
            kind: v.kind,
            pact_status: v.pact_status,
            status_changed_on: v.status_changed_on.map(|d| d.0),
            status_note: v.status_note,
            binding: v.binding,
            signed_on: v.signed_on.map(|d| d.0),
            summary: v.summary,
            topics: v.topics,
            parties: v.parties.into_iter().map(Into::into).collect(),
            replaces: v.replaces.into_iter().map(Into::into).collect(),
            keep_ceiling: v.confidence.is_undefined(),
            confidence: v.confidence.take(),
            confidence_note: v.confidence_note,
            status_history: None,
        }
    }
}
