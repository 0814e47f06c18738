//! One statement for a page and its relations, on PostgreSQL (issue 17).
//!
//! A page of withdrawals with each one's organization and first reactions took three
//! statements (the page, then one per relation, each waiting for the one before); as one
//! statement, with the relations joined laterally as a hand-written query would, PostgreSQL
//! does the same index reads without the two extra round trips, parses and plans. The
//! planner uses it when a page's selection asks for those relations.

use super::page::{ChildArgs, PageQuery, Rows, SortSpec, SortType};
use super::rows::{self, Decode, Get, Projection};
use super::visibility::status_literals;
use crate::error::AppResult;
use entity::enums::RecordStatus;
use entity::{organization, reaction};
use rustc_hash::{FxHashMap, FxHashSet};
use sea_orm::{
    ConnectionTrait, DbBackend, DbErr, EntityTrait, IdenStatic, QueryResult, Statement, Value,
};
use std::cmp::Ordering;

/// The organization each row points at, joined by the row's `column`.
pub struct ToOrganization<C> {
    pub column: C,
    pub projection: Projection,
}

/// Each row's reactions whose `column` is the row's id: one page of them, in `sort` order.
pub struct ToReactions {
    pub column: reaction::Column,
    pub sort: SortSpec<reaction::Entity>,
    pub args: ChildArgs,
    pub projection: Projection,
    /// Whether to read one row past the page, to say whether another page follows; a
    /// selection that does not ask `hasNextPage` reads a fifth fewer reactions without it.
    pub probe: bool,
}

/// What to read with a page: its own columns and the relations to join. Each projection
/// must read its model's id (the joins and the grouping need it).
pub struct Joins<C> {
    pub projection: Projection,
    pub organization: Option<ToOrganization<C>>,
    pub reactions: Option<ToReactions>,
}

/// A page and the related rows it was read with.
pub struct Joined<M> {
    pub page: Rows<M>,
    /// The visible organizations of the page's rows, by id.
    pub organizations: FxHashMap<i64, organization::Model>,
    /// Each row's page of visible reactions (`first + 1` of them at most), by the row's id.
    pub reactions: FxHashMap<i64, Vec<reaction::Model>>,
}

/// Numbers the statement's parameters after the page's own (PostgreSQL's `$n`).
struct Params(Vec<Value>);

impl Params {
    fn add(&mut self, value: Value) -> String {
        self.0.push(value);
        format!("${}", self.0.len())
    }
}

/// Runs the page `query` with its relations joined, as one statement; PostgreSQL only (the
/// caller runs the separate statements on SQLite, where a statement costs no round trip).
pub async fn page<E, C>(
    db: &C,
    query: &PageQuery<E>,
    sort: &SortSpec<E>,
    statuses: &[RecordStatus],
    joins: &Joins<E::Column>,
) -> AppResult<Joined<E::Model>>
where
    E: super::curated::Curated,
    E::Model: Decode,
    C: ConnectionTrait,
{
    debug_assert_eq!(db.get_database_backend(), DbBackend::Postgres);
    // Rows are put in order here, not by PostgreSQL: sorting the joined rows cost it about a
    // fifth of the statement (pgbench). Text keys are left to PostgreSQL, whose collation
    // orders them.
    let order_here = sort.value_type != SortType::Text
        && joins
            .reactions
            .as_ref()
            .is_none_or(|r| r.sort.value_type != SortType::Text);
    let statement = statement(query, sort, statuses, joins, !order_here);
    let rows = db.query_all_raw(statement).await?;
    let page_columns = joins.projection.width::<E>();
    let organization_columns = joins
        .organization
        .as_ref()
        .map_or(0, |o| o.projection.width::<organization::Entity>());
    // Sized up front: a model is a few hundred bytes, and each time a vector grows it moves
    // all it holds (the profile had these moves at about 1.5% of the server's time).
    let mut models: Vec<E::Model> = Vec::with_capacity(query.size() + 1);
    // Room for a few reactions per row, not `first + 1`: a large `first` would reserve it for
    // every row, however few reactions each has.
    let per_row = joins
        .reactions
        .as_ref()
        .map_or(0, |r| (r.args.first as usize + 1).min(8));
    let mut seen = FxHashSet::default();
    let mut organizations = FxHashMap::default();
    let mut reactions: FxHashMap<i64, Vec<reaction::Model>> = FxHashMap::default();
    for row in &rows {
        // Each page row comes once per reaction: decode it the first time only.
        let id = i64::get(row, 0)?;
        if seen.insert(id) {
            models.push(E::Model::decode_projected(row, 0, &joins.projection)?);
        }
        let mut start = page_columns;
        if let Some(o) = &joins.organization {
            // Each organization comes once per row that points at it: decoded once.
            if let Some(org) = Option::<i64>::get(row, start)? {
                if let std::collections::hash_map::Entry::Vacant(slot) = organizations.entry(org) {
                    slot.insert(organization::Model::decode_projected(
                        row,
                        start,
                        &o.projection,
                    )?);
                }
            }
            start += organization_columns;
        }
        if let Some(r) = &joins.reactions {
            if let Some(m) = joined::<reaction::Model>(row, start, &r.projection)? {
                reactions
                    .entry(id)
                    .or_insert_with(|| Vec::with_capacity(per_row))
                    .push(m);
            }
        }
    }
    if order_here {
        let descending = query.reads_descending(sort);
        // Unstable sorts: the order is total (ids break ties), and they need no scratch
        // space, where a stable sort allocates one for the models it might move.
        models.sort_unstable_by(|a, b| position(sort, E::id_of, a, b, descending));
        if let Some(r) = &joins.reactions {
            for list in reactions.values_mut() {
                list.sort_unstable_by(|a, b| position(&r.sort, |m| m.id, a, b, r.sort.descending));
            }
        }
    }
    Ok(Joined {
        page: query.cut(models),
        organizations,
        reactions,
    })
}

/// The order of two rows in a list sorted by `sort`, then id.
fn position<E: EntityTrait>(
    sort: &SortSpec<E>,
    id_of: fn(&E::Model) -> i64,
    a: &E::Model,
    b: &E::Model,
    descending: bool,
) -> Ordering {
    let order = (sort.key)(a)
        .cmp(&(sort.key)(b))
        .then(id_of(a).cmp(&id_of(b)));
    if descending {
        order.reverse()
    } else {
        order
    }
}

/// The model joined at `start`, or none when the join found no row (its id is NULL).
fn joined<M: Decode>(
    row: &QueryResult,
    start: usize,
    projection: &Projection,
) -> Result<Option<M>, DbErr> {
    match Option::<i64>::get(row, start)? {
        Some(_) => M::decode_projected(row, start, projection).map(Some),
        None => Ok(None),
    }
}

fn statement<E: super::curated::Curated>(
    query: &PageQuery<E>,
    sort: &SortSpec<E>,
    statuses: &[RecordStatus],
    joins: &Joins<E::Column>,
    ordered: bool,
) -> Statement {
    let page = query.statement(&joins.projection);
    let mut params = Params(page.values.map(|v| v.0).unwrap_or_default());
    let direction = if query.reads_descending(sort) {
        "DESC"
    } else {
        "ASC"
    };
    let (order, id) = (sort.column.as_str(), E::id_column().as_str());
    let mut columns = String::from("page.*");
    let mut from = String::new();
    let mut then = String::new();
    if let Some(o) = &joins.organization {
        let list = rows::column_list::<organization::Entity>(&o.projection);
        let visible = status_literals(statuses);
        columns.push_str(", o.*");
        from.push_str(&format!(
            " LEFT JOIN LATERAL (SELECT {list} FROM \"organization\" \
             WHERE \"id\" = page.\"{}\" AND \"status\" IN ({visible})) o ON true",
            o.column.as_str()
        ));
    }
    if let Some(r) = &joins.reactions {
        let list = rows::column_list::<reaction::Entity>(&r.projection);
        let visible = status_literals(statuses);
        let r_order = r.sort.column.as_str();
        let (r_direction, beyond) = match r.sort.descending {
            true => ("DESC", "<"),
            false => ("ASC", ">"),
        };
        let after = match &r.args.after {
            Some((value, after_id)) => {
                let v = params.add(value.clone().into_value());
                let i = params.add((*after_id).into());
                format!(" AND (\"{r_order}\", \"id\") {beyond} ({v}, {i})")
            }
            None => String::new(),
        };
        // `first + 1` rows when the last must say whether another page follows. A literal,
        // as the page's own limit (`rows::limited`).
        let limit = r.args.first + u32::from(r.probe);
        columns.push_str(", r.*");
        from.push_str(&format!(
            " LEFT JOIN LATERAL (SELECT {list} FROM \"reaction\" \
             WHERE \"{}\" = page.\"{id}\" AND \"status\" IN ({visible}){after} \
             ORDER BY \"{r_order}\" {r_direction}, \"id\" {r_direction} LIMIT {limit}) r ON true",
            r.column.as_str()
        ));
        then = format!(", r.\"{r_order}\" {r_direction}, r.\"id\" {r_direction}");
    }
    let order_by = match ordered {
        true => format!(" ORDER BY page.\"{order}\" {direction}, page.\"{id}\" {direction}{then}"),
        false => String::new(),
    };
    let sql = format!(
        "WITH page AS ({}) SELECT {columns} FROM page{from}{order_by}",
        page.sql
    );
    Statement::from_sql_and_values(DbBackend::Postgres, sql, params.0)
}
