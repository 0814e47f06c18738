//! The reactions list.

use super::withdrawals::global_ids;
use super::{common, date_range};
use crate::error::{AppError, AppResult};
use crate::service::curated::{visible_ids, Curated};
use crate::service::ids;
use crate::service::page::{SortSpec, SortType, SortValue};
use chrono::NaiveDate;
use entity::enums::*;
use entity::{reaction, stakeholder};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition};

/// Which reactions to list. Conditions combine with AND; a list matches any of its values.
#[derive(Default, Debug, Clone)]
pub struct ReactionFilter {
    /// Stances taken.
    pub stance: Option<Vec<Stance>>,
    /// Kinds of stakeholder who reacted.
    pub stakeholder_kind: Option<Vec<StakeholderKind>>,
    /// Only reactions by these stakeholders (global ids).
    pub stakeholder: Option<Vec<String>>,
    /// Only reactions to these withdrawals, instruments or pacts (global ids).
    pub subject: Option<Vec<String>>,
    /// Only reactions to this kind of subject.
    pub subject_kind: Option<Vec<SubjectKind>>,
    /// Reacted on or after this date.
    pub reacted_from: Option<NaiveDate>,
    /// Reacted on or before this date.
    pub reacted_to: Option<NaiveDate>,
    /// Editorial statuses (editors only).
    pub status: Option<Vec<RecordStatus>>,
    /// Confidence levels.
    pub confidence: Option<Vec<Confidence>>,
}

/// Orderings of the reactions list.
#[derive(Copy, Clone, Eq, PartialEq, Debug, Default)]
pub enum ReactionOrder {
    /// Earliest first.
    #[default]
    ReactedOnAsc,
    /// Latest first.
    ReactedOnDesc,
    /// Most recently changed first.
    UpdatedAtDesc,
}

impl ReactionFilter {
    /// The SQL condition; `statuses` are the viewer's, so that no condition looks through a
    /// stakeholder or subject the viewer may not see.
    pub fn condition(&self, statuses: &[RecordStatus]) -> AppResult<Condition> {
        use reaction::Column as C;
        let mut c = common::<reaction::Entity>(&self.status, &self.confidence, C::Confidence);
        if let Some(v) = &self.stance {
            c = c.add(C::Stance.is_in(v.iter().copied()));
        }
        if let Some(v) = &self.stakeholder {
            c = c.add(C::StakeholderId.is_in(global_ids(v, RecordKind::Stakeholder)?));
        }
        if self.stakeholder.is_some() || self.stakeholder_kind.is_some() {
            c = c.add(C::StakeholderId.in_subquery(stakeholder::Entity::visible_ids(statuses)));
        }
        if let Some(v) = &self.stakeholder_kind {
            c = c.add(
                C::StakeholderId.in_subquery(
                    Query::select()
                        .column(stakeholder::Column::Id)
                        .from(stakeholder::Entity)
                        .and_where(stakeholder::Column::Kind.is_in(v.iter().copied()))
                        .to_owned(),
                ),
            );
        }
        if let Some(v) = &self.subject {
            let mut any = Condition::any();
            for global in v {
                let (kind, id) = ids::decode(global)?;
                let column = match kind {
                    RecordKind::Withdrawal => C::WithdrawalId,
                    RecordKind::Instrument => C::InstrumentId,
                    RecordKind::Pact => C::PactId,
                    _ => {
                        return Err(AppError::bad_input(format!(
                            "{:?} is not a withdrawal, instrument or pact id",
                            global.as_str()
                        )))
                    }
                };
                any = any.add(
                    Condition::all()
                        .add(column.eq(id))
                        .add(column.in_subquery(visible_ids(kind, statuses))),
                );
            }
            c = c.add(any);
        }
        if let Some(v) = &self.subject_kind {
            c = c.add(C::SubjectKind.is_in(v.iter().copied()));
        }
        c = c.add(date_range(
            C::ReactedOn,
            self.reacted_from,
            self.reacted_to,
            "reacted",
        )?);
        Ok(c)
    }
}

impl ReactionOrder {
    pub fn spec(self) -> SortSpec<reaction::Entity> {
        use reaction::Column as C;
        match self {
            Self::ReactedOnAsc | Self::ReactedOnDesc => SortSpec {
                name: if self == Self::ReactedOnAsc {
                    "REACTED_ON_ASC"
                } else {
                    "REACTED_ON_DESC"
                },
                column: C::ReactedOn,
                descending: self == Self::ReactedOnDesc,
                value_type: SortType::Date,
                key: |m| SortValue::D(m.reacted_on),
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
