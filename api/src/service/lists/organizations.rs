//! The organizations list.

use super::{common, keywords, text_match};
use crate::error::AppResult;
use crate::service::page::{SortSpec, SortType, SortValue};
use entity::enums::*;
use entity::{organization, organization_category};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition};

/// Which organizations to list. Conditions combine with AND; a list matches any of its values.
#[derive(Default, Debug, Clone)]
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

/// Orderings of the organizations list.
#[derive(Copy, Clone, Eq, PartialEq, Debug, Default)]
pub enum OrganizationOrder {
    /// By name, A to Z.
    #[default]
    NameAsc,
    /// By name, Z to A.
    NameDesc,
    /// Most recently changed first.
    UpdatedAtDesc,
}

impl OrganizationFilter {
    /// The SQL condition (it follows no reference, so the viewer's statuses do not matter).
    pub fn condition(&self, _statuses: &[RecordStatus]) -> AppResult<Condition> {
        use organization::Column as C;
        let mut c = common::<organization::Entity>(&self.status, &self.confidence, C::Confidence);
        if let Some(v) = &self.kind {
            c = c.add(C::Kind.is_in(v.iter().copied()));
        }
        if let Some(v) = &self.digital_relevance {
            c = c.add(C::DigitalRelevance.is_in(v.iter().copied()));
        }
        if let Some(v) = &self.list_section {
            c = c.add(C::ListSection.is_in(v.iter().copied()));
        }
        if let Some(v) = self.hosted_by_un {
            c = c.add(C::HostedByUn.eq(v));
        }
        if let Some(v) = &self.category {
            c = c.add(C::Id.in_subquery(in_categories(v)));
        }
        if let Some(t) = &self.text {
            c = c.add(text_match(t, &[C::Name, C::Acronym])?);
        }
        Ok(c)
    }
}

/// Ids of the organizations that have any of the categories.
pub(crate) fn in_categories(categories: &[String]) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(organization_category::Column::OrganizationId)
        .from(organization_category::Entity)
        .and_where(organization_category::Column::Category.is_in(keywords(categories)))
        .to_owned()
}

impl OrganizationOrder {
    pub fn spec(self) -> SortSpec<organization::Entity> {
        use organization::Column as C;
        match self {
            Self::NameAsc | Self::NameDesc => SortSpec {
                name: if self == Self::NameAsc {
                    "NAME_ASC"
                } else {
                    "NAME_DESC"
                },
                column: C::Name,
                descending: self == Self::NameDesc,
                value_type: SortType::Text,
                key: |m| SortValue::S(m.name.clone()),
            },
            Self::UpdatedAtDesc => SortSpec {
                name: "UPDATED_AT_DESC",
                column: C::UpdatedAt,
                descending: true,
                value_type: SortType::Time,
                key: |m| SortValue::T(m.updated_at),
            },
        }
    }
}
