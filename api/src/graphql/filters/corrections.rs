//! The filter and orderings of the corrections list, as GraphQL types; the service layer's own
//! (`service::lists`) turn them into SQL.

use crate::service::lists;
use async_graphql::{Enum, InputObject, ID};
use entity::enums::*;

/// Which corrections to list. Conditions combine with AND.
#[derive(InputObject, Default, Debug)]
pub struct CorrectionFilter {
    /// Verdicts.
    pub verdict: Option<Vec<Verdict>>,
    /// Only corrections concerning any of these records (global ids).
    pub concerns: Option<Vec<ID>>,
    /// Text contained in the claim or where it was made, ignoring case.
    pub text: Option<String>,
    /// Editorial statuses (editors only).
    pub status: Option<Vec<RecordStatus>>,
    /// Confidence levels.
    pub confidence: Option<Vec<Confidence>>,
}

impl From<CorrectionFilter> for lists::CorrectionFilter {
    fn from(v: CorrectionFilter) -> Self {
        Self {
            verdict: v.verdict,
            concerns: v.concerns.map(|ids| ids.into_iter().map(|i| i.0).collect()),
            text: v.text,
            status: v.status,
            confidence: v.confidence,
        }
    }
}

/// Orderings of the corrections list.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "lists::CorrectionOrder")]
pub enum CorrectionOrder {
    /// Oldest entry first.
    CreatedAtAsc,
    /// Most recently changed first.
    UpdatedAtDesc,
}
