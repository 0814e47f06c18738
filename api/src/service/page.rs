//! Keyset pagination with Relay's first/after/last/before and opaque cursors.
//!
//! A list is ordered by one column and then by id, so every row has a unique position. A
//! cursor holds the ordering's name, the row's sort value and its id; the next page starts
//! strictly after that position, which stays correct while rows are inserted and costs the
//! same on page 1000 as on page 1.

use super::rows::Projection;
use super::Limits;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait as _, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Select, Statement, Value,
};
use serde::{Deserialize, Serialize};

/// The arguments of a connection field.
#[derive(Debug, Clone, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

/// A sort value as it travels inside a cursor. Ordered as the database orders the values of
/// one type, except text (whose order is the database's collation).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SortValue {
    S(String),
    D(NaiveDate),
    T(DateTime<Utc>),
    I(i64),
}

/// The type of a sort column, so a tampered cursor cannot compare a date with a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortType {
    Text,
    Date,
    Time,
    Int,
}

impl SortValue {
    fn sort_type(&self) -> SortType {
        match self {
            SortValue::S(_) => SortType::Text,
            SortValue::D(_) => SortType::Date,
            SortValue::T(_) => SortType::Time,
            SortValue::I(_) => SortType::Int,
        }
    }

    pub(crate) fn into_value(self) -> Value {
        match self {
            SortValue::S(v) => v.into(),
            SortValue::D(v) => v.into(),
            SortValue::T(v) => v.into(),
            SortValue::I(v) => v.into(),
        }
    }
}

/// One ordering a list offers: a column, a direction and how to read the value from a row.
pub struct SortSpec<E: EntityTrait> {
    /// The orderBy value; part of each cursor so a cursor is only used with its ordering.
    pub name: &'static str,
    pub column: E::Column,
    pub descending: bool,
    pub value_type: SortType,
    pub key: fn(&E::Model) -> SortValue,
}

// By hand: a derive would ask `E: Clone` of the entity, which the fields do not need.
impl<E: EntityTrait> Clone for SortSpec<E> {
    fn clone(&self) -> Self {
        Self {
            name: self.name,
            column: self.column,
            descending: self.descending,
            value_type: self.value_type,
            key: self.key,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Cursor {
    o: String,
    v: SortValue,
    i: i64,
}

/// A page of rows, each with its cursor.
pub struct Page<M> {
    pub rows: Vec<(String, M)>,
    pub has_previous_page: bool,
    pub has_next_page: bool,
    /// Counts every row the filter matches; run only when a client asks for totalCount.
    pub count: Statement,
}

pub(crate) fn encode_cursor<E: EntityTrait>(
    sort: &SortSpec<E>,
    id: i64,
    model: &E::Model,
) -> String {
    let cursor = Cursor {
        o: sort.name.to_owned(),
        v: (sort.key)(model),
        i: id,
    };
    super::codec::encode_json(&cursor)
}

fn decode_cursor<E: EntityTrait>(text: &str, sort: &SortSpec<E>) -> AppResult<Cursor> {
    let sort_name = sort.name;
    let invalid = || AppError::bad_input(format!("{text:?} is not a valid cursor for this list"));
    let cursor: Cursor = super::codec::decode_json(text).ok_or_else(invalid)?;
    if cursor.o != sort_name {
        return Err(AppError::bad_input(format!(
            "the cursor {text:?} belongs to the ordering {}, not {sort_name}; start again without a cursor",
            cursor.o
        )));
    }
    if cursor.v.sort_type() != sort.value_type || cursor.i <= 0 {
        return Err(invalid());
    }
    Ok(cursor)
}

/// Checks first/last against the limits and returns (size, backwards).
fn page_size(args: &PageArgs, limits: Limits) -> AppResult<(u64, bool)> {
    let check = |name: &str, n: i32| -> AppResult<u64> {
        if n < 0 {
            return Err(AppError::bad_input(format!(
                "`{name}` must not be negative (got {n})"
            )));
        }
        if n as u32 > limits.max_page_size {
            return Err(AppError::bad_input(format!(
                "`{name}` must be at most {} (got {n}); fetch further pages with a cursor",
                limits.max_page_size
            )));
        }
        Ok(n as u64)
    };
    match (args.first, args.last) {
        (Some(_), Some(_)) => Err(AppError::bad_input(
            "pass either `first` or `last`, not both",
        )),
        (Some(n), None) => Ok((check("first", n)?, false)),
        (None, Some(n)) => Ok((check("last", n)?, true)),
        (None, None) if args.before.is_some() => Ok((limits.default_page_size as u64, true)),
        (None, None) => Ok((limits.default_page_size as u64, false)),
    }
}

/// The arguments of a record's own list (a withdrawal's reactions, an organization's
/// withdrawals…), checked: forward pages only, `first` rows after a position.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChildArgs {
    pub first: u32,
    /// The sort value and id of the row the page starts after.
    pub after: Option<(SortValue, i64)>,
}

/// Checks `first` against the limits (the default page size when absent) and decodes `after`
/// in the list's ordering: the cursors are those of the top-level list in that ordering.
pub fn child_args<E: EntityTrait>(
    first: Option<i32>,
    after: Option<&str>,
    sort: &SortSpec<E>,
    limits: Limits,
) -> AppResult<ChildArgs> {
    let size = first_of(first, limits)?;
    let after = match after {
        Some(text) => {
            let c = decode_cursor(text, sort)?;
            Some((c.v, c.i))
        }
        None => None,
    };
    Ok(ChildArgs { first: size, after })
}

/// `first` checked against the limits; the default page size when absent.
fn first_of(first: Option<i32>, limits: Limits) -> AppResult<u32> {
    let args = PageArgs {
        first,
        ..PageArgs::default()
    };
    Ok(page_size(&args, limits)?.0 as u32)
}

/// A page cut from a list loaded whole.
pub struct Slice<T> {
    pub rows: Vec<(String, T)>,
    pub has_previous_page: bool,
    pub has_next_page: bool,
    /// The whole list's length.
    pub total: u64,
}

/// One forward page of a short list loaded whole (a record's sources or corrections), whose
/// items come with unique keys in ascending order; cursors are `prefix:key`.
pub fn slice<T>(
    items: Vec<(i64, T)>,
    first: Option<i32>,
    after: Option<&str>,
    prefix: &str,
    limits: Limits,
) -> AppResult<Slice<T>> {
    let first = first_of(first, limits)? as usize;
    let after = match after {
        Some(text) => Some(super::codec::decode_tagged(text, prefix).ok_or_else(|| {
            AppError::bad_input(format!("{text:?} is not a valid cursor for this list"))
        })?),
        None => None,
    };
    let total = items.len() as u64;
    let mut rest: Vec<(i64, T)> = items
        .into_iter()
        .filter(|(key, _)| after.is_none_or(|a| *key > a))
        .collect();
    let has_next_page = rest.len() > first;
    rest.truncate(first);
    Ok(Slice {
        rows: rest
            .into_iter()
            .map(|(key, item)| (super::codec::encode_tagged(prefix, key), item))
            .collect(),
        has_previous_page: after.is_some(),
        has_next_page,
        total,
    })
}

/// Rows strictly after (or before) a cursor position in the given direction, as one row-value
/// comparison `(column, id) > (value, id)`. PostgreSQL reads that as a range of the
/// `(status, column, id)` index, so a deep page costs what the first does; the equivalent
/// `column > v OR (column = v AND id > i)` was a filter over every row before the cursor.
fn beyond<E: EntityTrait>(
    column: E::Column,
    id_column: E::Column,
    value: Value,
    id: i64,
    greater: bool,
) -> SimpleExpr {
    let row = Expr::tuple([
        Expr::col(column.as_column_ref()),
        Expr::col(id_column.as_column_ref()),
    ]);
    let position = Expr::tuple([Expr::val(value), Expr::val(id)]);
    if greater {
        row.gt(position)
    } else {
        row.lt(position)
    }
}

/// Runs one keyset page of `select` (already filtered) in the given ordering.
pub async fn paginate<E, C>(
    db: &C,
    select: Select<E>,
    id_column: E::Column,
    id_of: fn(&E::Model) -> i64,
    sort: &SortSpec<E>,
    args: &PageArgs,
    limits: Limits,
) -> AppResult<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: super::rows::Decode,
    C: ConnectionTrait,
{
    // What `totalCount` counts: the filter before the cursors.
    let filtered = select.clone();
    let query = PageQuery::new(
        db.get_database_backend(),
        select,
        id_column,
        sort,
        args,
        limits,
    )?;
    let rows = super::rows::all_raw(db, query.statement(&Projection::all())).await?;
    Ok(query.finish(rows, id_of, sort, filtered))
}

/// A keyset page's statement before it runs, and what turns its rows into the page: for
/// callers that run it their own way (the planner joins relations to it).
pub struct PageQuery<E: EntityTrait> {
    /// The rows of the page, in the order read, without the limit (see `statement`).
    select: Select<E>,
    size: u64,
    backwards: bool,
    after: bool,
    before: bool,
    backend: sea_orm::DbBackend,
}

impl<E: EntityTrait> PageQuery<E> {
    /// Checks the arguments and builds the page's statement.
    pub fn new(
        backend: sea_orm::DbBackend,
        select: Select<E>,
        id_column: E::Column,
        sort: &SortSpec<E>,
        args: &PageArgs,
        limits: Limits,
    ) -> AppResult<Self> {
        let (size, backwards) = page_size(args, limits)?;
        // The select before the cursors (what `totalCount` counts) is the caller's to keep:
        // the planner's pages, which only `cut`, do not copy it (cloning and dropping its
        // expressions was about 1% of the server's time on the bench page).
        let mut query = select;
        // Rows beyond `after` in the list's direction, and before `before`.
        for (cursor, forwards) in [(&args.after, true), (&args.before, false)] {
            if let Some(text) = cursor {
                let c = decode_cursor(text, sort)?;
                query = query.filter(beyond::<E>(
                    sort.column,
                    id_column,
                    c.v.into_value(),
                    c.i,
                    forwards != sort.descending,
                ));
            }
        }
        // Walking backwards, read in reverse order and flip the rows afterwards.
        let order = if sort.descending == backwards {
            Order::Asc
        } else {
            Order::Desc
        };
        let query = query
            .order_by(sort.column, order.clone())
            .order_by(id_column, order);
        Ok(Self {
            select: query,
            size,
            backwards,
            after: args.after.is_some(),
            before: args.before.is_some(),
            backend,
        })
    }

    /// The page's statement reading the projection's columns: the rows in the order read,
    /// and one more if another page follows (`first + 1`, written as a literal:
    /// [`super::rows::limited`]).
    pub fn statement(&self, projection: &Projection) -> Statement {
        super::rows::limited(&self.select, projection, self.size + 1, self.backend)
    }

    /// The number of rows a page holds (the statement reads one more).
    pub fn size(&self) -> usize {
        self.size as usize
    }

    /// Whether the statement reads the rows in descending order of the sort column.
    pub fn reads_descending(&self, sort: &SortSpec<E>) -> bool {
        sort.descending != self.backwards
    }

    /// The page's rows, from those the statement read (in its order), without cursors.
    pub fn cut<M>(&self, mut rows: Vec<M>) -> Rows<M> {
        let more = rows.len() as u64 > self.size;
        rows.truncate(self.size as usize);
        if self.backwards {
            rows.reverse();
        }
        Rows {
            rows,
            // Past a cursor there is, by construction, a row on the other side of it.
            has_previous_page: if self.backwards { more } else { self.after },
            has_next_page: if self.backwards { self.before } else { more },
        }
    }

    /// The page, from the rows the statement read (in its order); `filtered` is the select
    /// given to `new`, before the cursors, for the count statement.
    pub fn finish<M>(
        self,
        rows: Vec<M>,
        id_of: fn(&M) -> i64,
        sort: &SortSpec<E>,
        filtered: Select<E>,
    ) -> Page<M>
    where
        E: EntityTrait<Model = M>,
    {
        let cut = self.cut(rows);
        let rows = cut
            .rows
            .into_iter()
            .map(|m| (encode_cursor(sort, id_of(&m), &m), m))
            .collect();
        Page {
            rows,
            has_previous_page: cut.has_previous_page,
            has_next_page: cut.has_next_page,
            count: filtered
                .select_only()
                .expr(Expr::cust("COUNT(*)"))
                .build(self.backend),
        }
    }
}

/// A page's rows without their cursors, for callers that make a cursor only when asked.
pub struct Rows<M> {
    pub rows: Vec<M>,
    pub has_previous_page: bool,
    pub has_next_page: bool,
}

/// Runs a count statement built by [`paginate`].
pub async fn count<C: ConnectionTrait>(db: &C, stmt: Statement) -> AppResult<u64> {
    let row = db.query_one_raw(stmt).await?;
    let n: i64 = match row {
        Some(row) => row.try_get_by_index(0)?,
        None => 0,
    };
    Ok(Ord::max(n, 0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::curated::Curated;
    use entity::enums::RecordStatus;
    use entity::withdrawal;
    use sea_orm::{DbBackend, QueryFilter};

    /// The statement PostgreSQL can keep one generic plan for: the viewer's statuses and the
    /// limit in the text, not as parameters (see `rows::limited`). A parameter in either
    /// place had PostgreSQL plan every page afresh.
    #[test]
    fn a_page_writes_statuses_and_limit_into_its_text() {
        let sort = crate::service::lists::WithdrawalOrder::AnnouncedOnAsc.spec();
        let select = withdrawal::Entity::find()
            .filter(withdrawal::Entity::visible(&[RecordStatus::Published]));
        let first = PageQuery::new(
            DbBackend::Postgres,
            select.clone(),
            withdrawal::Column::Id,
            &sort,
            &PageArgs {
                first: Some(50),
                ..Default::default()
            },
            Limits {
                default_page_size: 20,
                max_page_size: 100,
            },
        )
        .unwrap();
        let statement = first.statement(&Projection::all());
        assert!(
            statement.sql.contains("\"status\" IN ('PUBLISHED')"),
            "{}",
            statement.sql
        );
        assert!(statement.sql.ends_with(" LIMIT 51"), "{}", statement.sql);
        assert!(statement.values.is_none_or(|v| v.0.is_empty()));

        let rows: Vec<withdrawal::Model> = Vec::new();
        let next = first.finish(rows, |m| m.id, &sort, select);
        assert!(
            next.count.sql.starts_with("SELECT COUNT(*)"),
            "{}",
            next.count.sql
        );
    }
}
