//! The corrections list.

use super::{common, text_match};
use crate::error::AppResult;
use crate::service::curated::visible_ids;
use crate::service::ids;
use crate::service::page::{SortSpec, SortType, SortValue};
use entity::enums::*;
use entity::{correction, correction_subject};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition};

/// Which corrections to list. Conditions combine with AND.
#[derive(Default, Debug, Clone)]
pub struct CorrectionFilter {
    /// Verdicts.
    pub verdict: Option<Vec<Verdict>>,
    /// Only corrections concerning any of these records (global ids).
    pub concerns: Option<Vec<String>>,
    /// Text contained in the claim or where it was made, ignoring case.
    pub text: Option<String>,
    /// Editorial statuses (editors only).
    pub status: Option<Vec<RecordStatus>>,
    /// Confidence levels.
    pub confidence: Option<Vec<Confidence>>,
}

/// Orderings of the corrections list.
#[derive(Copy, Clone, Eq, PartialEq, Debug, Default)]
pub enum CorrectionOrder {
    /// Oldest entry first.
    #[default]
    CreatedAtAsc,
    /// Most recently changed first.
    UpdatedAtDesc,
}

impl CorrectionFilter {
    /// The SQL condition; `statuses` are the viewer's (see `concerns`).
    pub fn condition(&self, statuses: &[RecordStatus]) -> AppResult<Condition> {
        use correction::Column as C;
        let mut c = common::<correction::Entity>(&self.status, &self.confidence, C::Confidence);
        if let Some(v) = &self.verdict {
            c = c.add(C::Verdict.is_in(v.iter().copied()));
        }
        if let Some(v) = &self.concerns {
            let mut any = Condition::any();
            for global in v {
                let (kind, id) = ids::decode(global)?;
                // A record the viewer may not see matches nothing, as an unknown id would.
                let visible =
                    correction_subject::Column::RecordId.in_subquery(visible_ids(kind, statuses));
                any = any.add(
                    Condition::all()
                        .add(correction_subject::Column::RecordKind.eq(kind))
                        .add(correction_subject::Column::RecordId.eq(id))
                        .add(visible),
                );
            }
            c = c.add(
                C::Id.in_subquery(
                    Query::select()
                        .column(correction_subject::Column::CorrectionId)
                        .from(correction_subject::Entity)
                        .cond_where(any)
                        .to_owned(),
                ),
            );
        }
        if let Some(t) = &self.text {
            c = c.add(text_match(t, &[C::Claim, C::ClaimedIn])?);
        }
        Ok(c)
    }
}

impl CorrectionOrder {
    pub fn spec(self) -> SortSpec<correction::Entity> {
        use correction::Column as C;
        match self {
            Self::CreatedAtAsc => SortSpec {
                name: "CREATED_AT_ASC",
                column: C::CreatedAt,
                descending: false,
                value_type: SortType::Time,
                key: |m| SortValue::T(m.created_at),
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
