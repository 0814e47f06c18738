//! Counts for dashboards, over the records the viewer may see.

use super::curated::Curated;
use super::Viewer;
use crate::error::AppResult;
use entity::enums::*;
use entity::*;
use sea_orm::sea_query::{Expr, IntoColumnRef};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, TryGetableMany,
};
use std::collections::BTreeMap;

/// Counts of one entity's rows grouped by one column, largest first.
pub async fn count_by<E, T, C>(
    db: &C,
    viewer: &Viewer,
    column: E::Column,
) -> AppResult<Vec<(T, u64)>>
where
    E: Curated,
    T: TryGetableMany + Send + Sync,
    (T, i64): TryGetableMany,
    C: ConnectionTrait,
{
    let rows: Vec<(T, i64)> = E::find()
        .select_only()
        .column(column)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .filter(E::visible(&viewer.visible_statuses()))
        .group_by(column)
        .into_tuple()
        .all(db)
        .await?;
    let mut rows: Vec<(T, u64)> = rows
        .into_iter()
        .map(|(k, n)| (k, n.max(0) as u64))
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.1));
    Ok(rows)
}

/// How many visible records of one kind there are.
pub async fn total<E: Curated, C: ConnectionTrait>(db: &C, viewer: &Viewer) -> AppResult<u64> {
    let n: Option<i64> = E::find()
        .select_only()
        .column_as(Expr::cust("COUNT(*)"), "n")
        .filter(E::visible(&viewer.visible_statuses()))
        .into_tuple()
        .one(db)
        .await?;
    Ok(n.unwrap_or(0).max(0) as u64)
}

/// Visible organizations per category keyword, largest first, then by name.
pub async fn organizations_by_category<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
) -> AppResult<Vec<(String, u64)>> {
    let rows: Vec<(String, i64)> = organization_category::Entity::find()
        .select_only()
        .column(organization_category::Column::Category)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .filter(
            organization_category::Column::OrganizationId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(organization::Column::Id.into_column_ref())
                    .from(organization::Entity)
                    .cond_where(organization::Entity::visible(&viewer.visible_statuses()))
                    .to_owned(),
            ),
        )
        .group_by(organization_category::Column::Category)
        .into_tuple()
        .all(db)
        .await?;
    let mut rows: Vec<(String, u64)> = rows
        .into_iter()
        .map(|(k, n)| (k, n.max(0) as u64))
        .collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(rows)
}

/// The stances of the visible reactions to one withdrawal.
#[derive(Debug, Clone, Default)]
pub struct StanceBreakdown {
    pub withdrawal_id: i64,
    pub support: u64,
    pub oppose: u64,
    pub mixed: u64,
    pub neutral: u64,
}

impl StanceBreakdown {
    pub fn total(&self) -> u64 {
        self.support + self.oppose + self.mixed + self.neutral
    }
}

/// The stance breakdown of every visible withdrawal that has visible reactions, most
/// reactions first.
pub async fn stance_by_withdrawal<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
) -> AppResult<Vec<StanceBreakdown>> {
    let statuses = viewer.visible_statuses();
    let rows: Vec<(i64, Stance, i64)> = reaction::Entity::find()
        .select_only()
        .column(reaction::Column::WithdrawalId)
        .column(reaction::Column::Stance)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .filter(reaction::Entity::visible(&statuses))
        .filter(reaction::Column::WithdrawalId.is_not_null())
        .filter(
            reaction::Column::WithdrawalId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(withdrawal::Column::Id.into_column_ref())
                    .from(withdrawal::Entity)
                    .cond_where(withdrawal::Entity::visible(&statuses))
                    .to_owned(),
            ),
        )
        .group_by(reaction::Column::WithdrawalId)
        .group_by(reaction::Column::Stance)
        .into_tuple()
        .all(db)
        .await?;
    let mut by_withdrawal: BTreeMap<i64, StanceBreakdown> = BTreeMap::new();
    for (id, stance, n) in rows {
        let entry = by_withdrawal.entry(id).or_insert_with(|| StanceBreakdown {
            withdrawal_id: id,
            ..Default::default()
        });
        let n = n.max(0) as u64;
        match stance {
            Stance::Support => entry.support += n,
            Stance::Oppose => entry.oppose += n,
            Stance::Mixed => entry.mixed += n,
            Stance::Neutral => entry.neutral += n,
        }
    }
    let mut out: Vec<StanceBreakdown> = by_withdrawal.into_values().collect();
    out.sort_by(|a, b| {
        b.total()
            .cmp(&a.total())
            .then(a.withdrawal_id.cmp(&b.withdrawal_id))
    });
    Ok(out)
}
