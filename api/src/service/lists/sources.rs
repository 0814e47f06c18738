//! The sources list.

use super::{common, date_range, text_match};
use crate::error::AppResult;
use crate::service::page::{SortSpec, SortType, SortValue};
use chrono::NaiveDate;
use entity::enums::*;
use entity::source;
use sea_orm::{ColumnTrait, Condition};

/// Which sources to list. Conditions combine with AND.
#[derive(Default, Debug, Clone)]
pub struct SourceFilter {
    /// Text contained in the title or publisher, ignoring case.
    pub text: Option<String>,
    /// Only mirrors and reprints (or only originals).
    pub is_mirror: Option<bool>,
    /// Published on or after this date.
    pub published_from: Option<NaiveDate>,
    /// Published on or before this date.
    pub published_to: Option<NaiveDate>,
    /// Editorial statuses (editors only).
    pub status: Option<Vec<RecordStatus>>,
    /// Confidence levels.
    pub confidence: Option<Vec<Confidence>>,
}

/// Orderings of the sources list.
#[derive(Copy, Clone, Eq, PartialEq, Debug, Default)]
pub enum SourceOrder {
    /// By title, A to Z.
    #[default]
    TitleAsc,
    /// Most recently changed first.
    UpdatedAtDesc,
}

impl SourceFilter {
    /// The SQL condition (it follows no reference, so the viewer's statuses do not matter).
    pub fn condition(&self, _statuses: &[RecordStatus]) -> AppResult<Condition> {
        use source::Column as C;
        let mut c = common::<source::Entity>(&self.status, &self.confidence, C::Confidence);
        if let Some(t) = &self.text {
            c = c.add(text_match(t, &[C::Title, C::Publisher])?);
        }
        if let Some(v) = self.is_mirror {
            c = c.add(C::IsMirror.eq(v));
        }
        c = c.add(date_range(
            C::PublishedOn,
            self.published_from,
            self.published_to,
            "published",
        )?);
        Ok(c)
    }
}

impl SourceOrder {
    pub fn spec(self) -> SortSpec<source::Entity> {
        use source::Column as C;
        match self {
            Self::TitleAsc => SortSpec {
                name: "TITLE_ASC",
                column: C::Title,
                descending: false,
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
