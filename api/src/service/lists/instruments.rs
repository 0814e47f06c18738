//! The instruments list.

use super::{common, date_range, text_match};
use crate::error::AppResult;
use crate::service::page::{SortSpec, SortType, SortValue};
use chrono::NaiveDate;
use entity::enums::*;
use entity::instrument;
use sea_orm::{ColumnTrait, Condition};

/// Which instruments to list. Conditions combine with AND.
#[derive(Default, Debug, Clone)]
pub struct InstrumentFilter {
    /// Kinds of act.
    pub kind: Option<Vec<InstrumentKind>>,
    /// Signed on or after this date.
    pub signed_from: Option<NaiveDate>,
    /// Signed on or before this date.
    pub signed_to: Option<NaiveDate>,
    /// Text contained in the title or number, ignoring case.
    pub text: Option<String>,
    /// Editorial statuses (editors only).
    pub status: Option<Vec<RecordStatus>>,
    /// Confidence levels.
    pub confidence: Option<Vec<Confidence>>,
}

/// Orderings of the instruments list.
#[derive(Copy, Clone, Eq, PartialEq, Debug, Default)]
pub enum InstrumentOrder {
    /// Oldest first.
    #[default]
    SignedOnAsc,
    /// Newest first.
    SignedOnDesc,
    /// Most recently changed first.
    UpdatedAtDesc,
}

impl InstrumentFilter {
    /// The SQL condition (it follows no reference, so the viewer's statuses do not matter).
    pub fn condition(&self, _statuses: &[RecordStatus]) -> AppResult<Condition> {
        use instrument::Column as C;
        let mut c = common::<instrument::Entity>(&self.status, &self.confidence, C::Confidence);
        if let Some(v) = &self.kind {
            c = c.add(C::Kind.is_in(v.iter().copied()));
        }
        c = c.add(date_range(
            C::SignedOn,
            self.signed_from,
            self.signed_to,
            "signed",
        )?);
        if let Some(t) = &self.text {
            c = c.add(text_match(t, &[C::Title, C::Number])?);
        }
        Ok(c)
    }
}

impl InstrumentOrder {
    pub fn spec(self) -> SortSpec<instrument::Entity> {
        use instrument::Column as C;
        match self {
            Self::SignedOnAsc | Self::SignedOnDesc => SortSpec {
                name: if self == Self::SignedOnAsc {
                    "SIGNED_ON_ASC"
                } else {
                    "SIGNED_ON_DESC"
                },
                column: C::SignedOn,
                descending: self == Self::SignedOnDesc,
                value_type: SortType::Date,
                key: |m| SortValue::D(m.signed_on),
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
