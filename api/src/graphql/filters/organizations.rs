//! The filter and orderings of the organizations list, as GraphQL types; the service layer's own
//! (`service::lists`) turn them into SQL.

use crate::service::lists;
use async_graphql::{Enum, InputObject};
use entity::enums::*;

/// Which organizations to list. Conditions combine with AND; a list matches any of its values.
#[derive(InputObject, Default, Debug)]
pub struct OrganizationFilter {
    /// Kinds of body.
    pub kind: Option<Vec<OrganizationKind>>,
    /// Category keywords, such as "cybersecurity" or "climate".
    pub category: Option<Vec<String>>,
    /// How digital the body's mandate is.
    pub digital_relevance: Option<Vec<DigitalRelevance>>,
    /// The section of the 7 January 2026 memorandum's list.
    pub list_section: Option<Vec<ListSection>>,
    /// Only bodies hosted by the UN system (or only those that are not).
    pub hosted_by_un: Option<bool>,
    /// Text contained in the name or acronym, ignoring case.
    pub text: Option<String>,
    /// Editorial statuses (editors only; the public sees PUBLISHED records).
    pub status: Option<Vec<RecordStatus>>,
    /// Confidence levels.
    pub confidence: Option<Vec<Confidence>>,
}

impl From<OrganizationFilter> for lists::OrganizationFilter {
    fn from(v: OrganizationFilter) -> Self {
        Self {
            kind: v.kind,
            category: v.category,
            digital_relevance: v.digital_relevance,
            list_section: v.list_section,
            hosted_by_un: v.hosted_by_un,
            text: v.text,
            status: v.status,
            confidence: v.confidence,
        }
    }
}

/// Orderings of the organizations list.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "lists::OrganizationOrder")]
pub enum OrganizationOrder {
    /// By name, A to Z.
    NameAsc,
    /// By name, Z to A.
    NameDesc,
    /// Most recently changed first.
    UpdatedAtDesc,
}
