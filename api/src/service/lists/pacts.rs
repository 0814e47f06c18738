//! The pacts list.

use super::{common, keywords, text_match};
use crate::error::AppResult;
use crate::service::page::{SortSpec, SortType, SortValue};
use entity::enums::*;
use entity::{pact, pact_party, pact_topic};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{ColumnTrait, Condition};

/// Which pacts to list. Conditions combine with AND; a list matches any of its values.
#[derive(Default, Debug, Clone)]
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

/// Orderings of the pacts list.
#[derive(Copy, Clone, Eq, PartialEq, Debug, Default)]
pub enum PactOrder {
    /// By title, A to Z.
    #[default]
    TitleAsc,
    /// By title, Z to A.
    TitleDesc,
    /// Most recently changed first.
    UpdatedAtDesc,
}

impl PactFilter {
    /// The SQL condition (it follows no reference, so the viewer's statuses do not matter).
    pub fn condition(&self, _statuses: &[RecordStatus]) -> AppResult<Condition> {
        use pact::Column as C;
        let mut c = common::<pact::Entity>(&self.status, &self.confidence, C::Confidence);
        if let Some(v) = &self.pact_status {
            c = c.add(C::PactStatus.is_in(v.iter().copied()));
        }
        if let Some(v) = &self.kind {
            c = c.add(C::Kind.is_in(v.iter().copied()));
        }
        if let Some(v) = self.binding {
            c = c.add(C::Binding.eq(v));
        }
        if let Some(v) = &self.party {
            let codes: Vec<String> = v.iter().map(|s| s.trim().to_uppercase()).collect();
            let names: Vec<String> = v.iter().map(|s| s.trim().to_lowercase()).collect();
            let lowered_name = Func::lower(Expr::col(pact_party::Column::Name));
            c = c.add(
                C::Id.in_subquery(
                    Query::select()
                        .column(pact_party::Column::PactId)
                        .from(pact_party::Entity)
                        .cond_where(
                            Condition::any()
                                .add(pact_party::Column::Code.is_in(codes))
                                .add(Expr::expr(lowered_name).is_in(names)),
                        )
                        .to_owned(),
                ),
            );
        }
        if let Some(v) = &self.topic {
            c = c.add(
                C::Id.in_subquery(
                    Query::select()
                        .column(pact_topic::Column::PactId)
                        .from(pact_topic::Entity)
                        .and_where(pact_topic::Column::Topic.is_in(keywords(v)))
                        .to_owned(),
                ),
            );
        }
        if let Some(t) = &self.text {
            c = c.add(text_match(t, &[C::Title])?);
        }
        Ok(c)
    }
}

impl PactOrder {
    pub fn spec(self) -> SortSpec<pact::Entity> {
        use pact::Column as C;
        match self {
            Self::TitleAsc | Self::TitleDesc => SortSpec {
                name: if self == Self::TitleAsc {
                    "TITLE_ASC"
                } else {
                    "TITLE_DESC"
                },
                column: C::Title,
                descending: self == Self::TitleDesc,
                value_type: SortType::Text,
                key: |m| SortValue::S(m.title.clone()),
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
