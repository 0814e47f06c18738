//! The filter and orderings of the pacts list, as GraphQL types; the service layer's own
//! (`service::lists`) turn them into SQL.

use crate::service::lists;
use async_graphql::{Enum, InputObject};
use entity::enums::*;

/// Which pacts to list. Conditions combine with AND; a list matches any of its values.
#[derive(InputObject, Default, Debug)]
pub struct PactFilter {
    /// Where the pact stands.
    pub pact_status: Option<Vec<PactStatus>>,
    /// Bilateral, plurilateral or private.
    pub kind: Option<Vec<PactKind>>,
    /// A party, by ISO 3166 alpha-2 code ("GB") or name ("United Kingdom"), ignoring case.
    pub party: Option<Vec<String>>,
    /// Topic keywords, such as "ai" or "quantum".
    pub topic: Option<Vec<String>>,
    /// Only binding (or only non-binding) pacts.
    pub binding: Option<bool>,
    /// Text contained in the title, ignoring case.
    pub text: Option<String>,
    /// Editorial statuses (editors only).
    pub status: Option<Vec<RecordStatus>>,
    /// Confidence levels.
    pub confidence: Option<Vec<Confidence>>,
}

impl From<PactFilter> for lists::PactFilter {
    fn from(v: PactFilter) -> Self {
        Self {
            pact_status: v.pact_status,
            kind: v.kind,
            party: v.party,
            topic: v.topic,
            binding: v.binding,
            text: v.text,
            status: v.status,
            confidence: v.confidence,
        }
    }
}

/// Orderings of the pacts list.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "lists::PactOrder")]
pub enum PactOrder {
    /// By title, A to Z.
    TitleAsc,
    /// By title, Z to A.
    TitleDesc,
    /// Most recently changed first.
    UpdatedAtDesc,
}
