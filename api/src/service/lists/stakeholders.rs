//! The stakeholders list.

use super::{common, text_match};
use crate::error::AppResult;
use crate::service::page::{SortSpec, SortType, SortValue};
use entity::enums::*;
use entity::stakeholder;
use sea_orm::{ColumnTrait, Condition};

/// Which stakeholders to list. Conditions combine with AND.
#[derive(Default, Debug, Clone)]
pub struct StakeholderFilter {
    /// Kinds of actor.
    pub kind: Option<Vec<StakeholderKind>>,
    /// ISO 3166 alpha-2 country codes.
    pub country: Option<Vec<String>>,
    /// Text contained in the name or affiliation, ignoring case.
    pub text: Option<String>,
    /// Editorial statuses (editors only).
    pub status: Option<Vec<RecordStatus>>,
    /// Confidence levels.
    pub confidence: Option<Vec<Confidence>>,
}

/// Orderings of the stakeholders list.
#[derive(Copy, Clone, Eq, PartialEq, Debug, Default)]
pub enum StakeholderOrder {
    /// By name, A to Z.
    #[default]
    NameAsc,
    /// By name, Z to A.
    NameDesc,
    /// Most recently changed first.
    UpdatedAtDesc,
}

impl StakeholderFilter {
    /// The SQL condition (it follows no reference, so the viewer's statuses do not matter).
    pub fn condition(&self, _statuses: &[RecordStatus]) -> AppResult<Condition> {
        use stakeholder::Column as C;
        let mut c = common::<stakeholder::Entity>(&self.status, &self.confidence, C::Confidence);
        if let Some(v) = &self.kind {
            c = c.add(C::Kind.is_in(v.iter().copied()));
        }
        if let Some(v) = &self.country {
            c = c.add(C::Country.is_in(v.iter().map(|s| s.trim().to_uppercase())));
        }
        if let Some(t) = &self.text {
            c = c.add(text_match(t, &[C::Name, C::Affiliation])?);
        }
        Ok(c)
    }
}

impl StakeholderOrder {
    pub fn spec(self) -> SortSpec<stakeholder::Entity> {
        use stakeholder::Column as C;
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
