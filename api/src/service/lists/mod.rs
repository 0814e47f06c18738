//! Filtered, ordered, keyset-paginated lists of each curated kind.
//!
//! Each kind has a filter (an input object) that becomes a SQL condition, and an ordering enum
//! that names a sort column; the page itself is [`super::page::paginate`].

mod corrections;
mod instruments;
mod organizations;
mod pacts;
mod reactions;
mod sources;
mod stakeholders;
mod withdrawals;

pub use corrections::*;
pub use instruments::*;
pub use organizations::*;
pub use pacts::*;
pub use reactions::*;
pub use sources::*;
pub use stakeholders::*;
pub use withdrawals::*;

use super::curated::Curated;
use super::page::{paginate, Page, PageArgs, SortSpec};
use super::{Limits, Viewer};
use crate::error::{AppError, AppResult};
use chrono::NaiveDate;
use entity::enums::{Confidence, RecordStatus};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, QueryFilter, Select};

/// One page of a curated kind: visible to the viewer, matching `condition`, in `sort` order.
pub async fn list<E: Curated, C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    condition: Condition,
    sort: &SortSpec<E>,
    args: &PageArgs,
    limits: Limits,
) -> AppResult<Page<E::Model>> {
    let select = visible::<E>(&viewer.visible_statuses(), condition);
    paginate(db, select, E::id_column(), E::id_of, sort, args, limits).await
}

/// The records of a kind with one of these statuses that match `condition`.
pub fn visible<E: Curated>(statuses: &[RecordStatus], condition: Condition) -> Select<E> {
    E::find().filter(E::visible(statuses)).filter(condition)
}

/// The conditions every filter shares: editorial status and confidence.
pub(crate) fn common<E: Curated>(
    status: &Option<Vec<RecordStatus>>,
    confidence: &Option<Vec<Confidence>>,
    confidence_column: E::Column,
) -> Condition {
    let mut c = Condition::all();
    if let Some(s) = status {
        c = c.add(E::status_column().is_in(s.iter().copied()));
    }
    if let Some(v) = confidence {
        c = c.add(confidence_column.is_in(v.iter().copied()));
    }
    c
}

/// Case-insensitive "contains" over one or more text columns, with LIKE wildcards escaped.
pub(crate) fn text_match<Col: ColumnTrait>(text: &str, columns: &[Col]) -> AppResult<Condition> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::bad_input("`text` must not be empty"));
    }
    if text.chars().count() > 200 {
        return Err(AppError::bad_input("`text` must be at most 200 characters"));
    }
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let pattern = format!("%{escaped}%");
    let mut any = Condition::any();
    for column in columns {
        let lowered = Expr::expr(Func::lower(Expr::col(column.as_column_ref())));
        any = any.add(lowered.like(LikeExpr::new(pattern.clone()).escape('\\')));
    }
    Ok(any)
}

/// Checks that a date range is the right way round.
pub(crate) fn date_range<Col: ColumnTrait>(
    column: Col,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    name: &str,
) -> AppResult<Condition> {
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(AppError::bad_input(format!(
                "`{name}From` ({f}) is after `{name}To` ({t})"
            )));
        }
    }
    let mut c = Condition::all();
    if let Some(f) = from {
        c = c.add(column.gte(f));
    }
    if let Some(t) = to {
        c = c.add(column.lte(t));
    }
    Ok(c)
}

/// Normalizes free keywords (categories, topics) to the stored kebab-case form.
pub(crate) fn keywords(values: &[String]) -> Vec<String> {
    values
        .iter()
        .map(|v| v.trim().to_lowercase().replace([' ', '_'], "-"))
        .collect()
}
