//! The withdrawals list.

use super::organizations::in_categories;
use super::{common, date_range};
use crate::error::AppResult;
use crate::service::curated::Curated;
use crate::service::ids;
use crate::service::page::{SortSpec, SortType, SortValue};
use chrono::NaiveDate;
use entity::enums::*;
use entity::{instrument, organization, withdrawal};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition};

/// Which withdrawals to list. Conditions combine with AND; a list matches any of its values.
#[derive(Default, Debug, Clone)]
pub struct WithdrawalFilter {
    /// Only withdrawals from these organizations (global ids).
    pub organization: Option<Vec<String>>,
    /// Only withdrawals made by these instruments (global ids).
    pub instrument: Option<Vec<String>>,
    /// The organization has one of these category keywords.
    pub organization_category: Option<Vec<String>>,
    /// The organization is of one of these kinds.
    pub organization_kind: Option<Vec<OrganizationKind>>,
    /// The organization's digital relevance.
    pub digital_relevance: Option<Vec<DigitalRelevance>>,
    /// How far the withdrawal has gone.
    pub withdrawal_status: Option<Vec<WithdrawalStatus>>,
    /// Announced on or after this date.
    pub announced_from: Option<NaiveDate>,
    /// Announced on or before this date.
    pub announced_to: Option<NaiveDate>,
    /// Effective on or after this date.
    pub effective_from: Option<NaiveDate>,
    /// Effective on or before this date.
    pub effective_to: Option<NaiveDate>,
    /// Only those where US funding has (true) or has not (false) ended; those where the
    /// sources do not establish it (null) match neither.
    pub funding_ended: Option<bool>,
    /// Editorial statuses (editors only).
    pub status: Option<Vec<RecordStatus>>,
    /// Confidence levels.
    pub confidence: Option<Vec<Confidence>>,
}

/// Orderings of the withdrawals list.
#[derive(Copy, Clone, Eq, PartialEq, Debug, Default)]
pub enum WithdrawalOrder {
    /// Earliest announcement first.
    #[default]
    AnnouncedOnAsc,
    /// Latest announcement first.
    AnnouncedOnDesc,
    /// Most recently changed first.
    UpdatedAtDesc,
}

pub(crate) fn id_list(values: &[String], kind: RecordKind) -> AppResult<Vec<i64>> {
    values.iter().map(|v| ids::decode_as(v, kind)).collect()
}

impl WithdrawalFilter {
    /// The SQL condition; `statuses` are the viewer's, so that no condition looks through a
    /// parent the viewer may not see (it then matches nothing, as for an unknown id).
    pub fn condition(&self, statuses: &[RecordStatus]) -> AppResult<Condition> {
        use withdrawal::Column as C;
        let mut c = common::<withdrawal::Entity>(&self.status, &self.confidence, C::Confidence);
        let visible_org =
            || C::OrganizationId.in_subquery(organization::Entity::visible_ids(statuses));
        if let Some(v) = &self.organization {
            c = c.add(C::OrganizationId.is_in(id_list(v, RecordKind::Organization)?));
            c = c.add(visible_org());
        }
        if let Some(v) = &self.instrument {
            c = c.add(C::InstrumentId.is_in(id_list(v, RecordKind::Instrument)?));
            c = c.add(C::InstrumentId.in_subquery(instrument::Entity::visible_ids(statuses)));
        }
        if let Some(v) = &self.organization_category {
            c = c.add(C::OrganizationId.in_subquery(in_categories(v)));
            c = c.add(visible_org());
        }
        let mut org = organization::Entity::visible(statuses);
        if let Some(v) = &self.organization_kind {
            org = org.add(organization::Column::Kind.is_in(v.iter().copied()));
        }
        if let Some(v) = &self.digital_relevance {
            org = org.add(organization::Column::DigitalRelevance.is_in(v.iter().copied()));
        }
        if self.organization_kind.is_some() || self.digital_relevance.is_some() {
            c = c.add(
                C::OrganizationId.in_subquery(
                    Query::select()
                        .column(organization::Column::Id)
                        .from(organization::Entity)
                        .cond_where(org)
                        .to_owned(),
                ),
            );
        }
        if let Some(v) = &self.withdrawal_status {
            c = c.add(C::WithdrawalStatus.is_in(v.iter().copied()));
        }
        c = c.add(date_range(
            C::AnnouncedOn,
            self.announced_from,
            self.announced_to,
            "announced",
        )?);
        c = c.add(date_range(
            C::EffectiveOn,
            self.effective_from,
            self.effective_to,
            "effective",
        )?);
        if let Some(v) = self.funding_ended {
            c = c.add(C::FundingEnded.eq(v));
        }
        Ok(c)
    }
}

impl WithdrawalOrder {
    pub fn spec(self) -> SortSpec<withdrawal::Entity> {
        use withdrawal::Column as C;
        match self {
            Self::AnnouncedOnAsc | Self::AnnouncedOnDesc => SortSpec {
                name: if self == Self::AnnouncedOnAsc {
                    "ANNOUNCED_ON_ASC"
                } else {
                    "ANNOUNCED_ON_DESC"
                },
                column: C::AnnouncedOn,
                descending: self == Self::AnnouncedOnDesc,
                value_type: SortType::Date,
                key: |m| SortValue::D(m.announced_on),
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

pub(crate) use id_list as global_ids;
