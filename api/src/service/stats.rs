//! Counts for dashboards, over the records the viewer may see.
//!
//! The database keeps the counts current: triggers move them in the same transaction as every
//! write (migration `m20261204_000001_counts`), per record status. A viewer's counts are the
//! sum over the statuses it may see, so one small statement answers every count of `stats`
//! however many records there are, instead of a count over every row per request.

use super::visibility::status_literals;
use super::Viewer;
use crate::error::AppResult;
use entity::enums::*;
use sea_orm::{ActiveEnum, ConnectionTrait, Statement};
use std::collections::{BTreeMap, HashMap};

/// The kept counts a viewer may see: per dimension (`organization`, `organization.kind`, …)
/// the count of each key (`""` for a table's total).
#[derive(Debug, Default)]
pub struct Tallies {
    by_dimension: HashMap<String, Vec<(String, u64)>>,
}

/// Every count `stats` offers but the per-withdrawal breakdown: one statement.
pub async fn tallies<C: ConnectionTrait>(db: &C, viewer: &Viewer) -> AppResult<Tallies> {
    let backend = db.get_database_backend();
    let marks = status_literals(&viewer.visible_statuses());
    let sql = format!(
        "SELECT dimension, key, CAST(SUM(n) AS BIGINT) AS n FROM record_count \
         WHERE status IN ({marks}) GROUP BY dimension, key"
    );
    let rows = db
        .query_all_raw(Statement::from_string(backend, sql))
        .await?;
    let mut out = Tallies::default();
    for row in rows {
        let n: i64 = row.try_get("", "n")?;
        if n <= 0 {
            continue;
        }
        let dimension: String = row.try_get("", "dimension")?;
        let key: String = row.try_get("", "key")?;
        out.by_dimension
            .entry(dimension)
            .or_default()
            .push((key, n as u64));
    }
    Ok(out)
}

impl Tallies {
    /// How many visible records a table holds.
    pub fn total(&self, table: &str) -> u64 {
        self.by_dimension
            .get(table)
            .and_then(|rows| rows.first())
            .map_or(0, |(_, n)| *n)
    }

    /// The counts of one breakdown, largest first, then by key.
    pub fn strings(&self, dimension: &str) -> Vec<(String, u64)> {
        let mut rows = self
            .by_dimension
            .get(dimension)
            .cloned()
            .unwrap_or_default();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        rows
    }

    /// A breakdown by an enumerated column; keys no longer in the enumeration are left out.
    pub fn by<T: ActiveEnum<Value = String>>(&self, dimension: &str) -> Vec<(T, u64)> {
        self.strings(dimension)
            .into_iter()
            .filter_map(|(k, n)| T::try_from_value(&k).ok().map(|v| (v, n)))
            .collect()
    }
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
/// reactions first: from the kept counts, one row per withdrawal and stance.
pub async fn stance_by_withdrawal<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
) -> AppResult<Vec<StanceBreakdown>> {
    let backend = db.get_database_backend();
    // The same statuses for the reactions and for their withdrawal.
    let marks = status_literals(&viewer.visible_statuses());
    let sql = format!(
        "SELECT c.withdrawal_id, c.stance, CAST(SUM(c.n) AS BIGINT) AS n \
         FROM withdrawal_stance_count c JOIN withdrawal w ON w.id = c.withdrawal_id \
         WHERE c.status IN ({marks}) AND w.status IN ({marks}) \
         GROUP BY c.withdrawal_id, c.stance"
    );
    let rows = db
        .query_all_raw(Statement::from_string(backend, sql))
        .await?;
    let mut by_withdrawal: BTreeMap<i64, StanceBreakdown> = BTreeMap::new();
    for row in rows {
        let n: i64 = row.try_get("", "n")?;
        if n <= 0 {
            continue;
        }
        let id: i64 = row.try_get("", "withdrawal_id")?;
        let stance: String = row.try_get("", "stance")?;
        let entry = by_withdrawal.entry(id).or_insert_with(|| StanceBreakdown {
            withdrawal_id: id,
            ..Default::default()
        });
        let n = n as u64;
        match Stance::try_from_value(&stance) {
            Ok(Stance::Support) => entry.support += n,
            Ok(Stance::Oppose) => entry.oppose += n,
            Ok(Stance::Mixed) => entry.mixed += n,
            Ok(Stance::Neutral) => entry.neutral += n,
            Err(_) => {}
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
