//! Reading the rows of a nested page's records by position (issue 17).
//!
//! sea-orm's derived decoding finds every column by name (a hash lookup, twice per value on
//! PostgreSQL) and, for every NULL, formats an error message it then discards: a 50-row page
//! with 5 reactions each spent about a sixth of the server's CPU there (BENCHMARKS.md). The
//! models the page reads (withdrawals, organizations, reactions) are decoded here by
//! position instead, in the order of `Column::iter()`, which is the order sea-orm selects
//! them in; a test checks that order against each model's fields.

use entity::enums::*;
use sea_orm::{
    ActiveEnum, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, IdenStatic,
    Iterable, QueryResult, QuerySelect, QueryTrait, Select, Statement,
};

/// A value read from one column, by position.
pub trait Get: Sized {
    fn get(row: &QueryResult, index: usize) -> Result<Self, DbErr>;
}

fn decode_error(index: usize, e: impl std::fmt::Display) -> DbErr {
    DbErr::Type(format!("column {index}: {e}"))
}

/// Reads a nullable value of a type both backends decode.
fn nullable<T>(row: &QueryResult, index: usize) -> Result<Option<T>, DbErr>
where
    T: sqlx::Type<sqlx::Postgres> + for<'r> sqlx::Decode<'r, sqlx::Postgres>,
    T: sqlx::Type<sqlx::Sqlite> + for<'r> sqlx::Decode<'r, sqlx::Sqlite>,
{
    use sqlx::Row;
    if let Some(r) = row.try_as_pg_row() {
        return r
            .try_get::<Option<T>, usize>(index)
            .map_err(|e| decode_error(index, e));
    }
    if let Some(r) = row.try_as_sqlite_row() {
        return r
            .try_get::<Option<T>, usize>(index)
            .map_err(|e| decode_error(index, e));
    }
    Err(DbErr::Type("a row of an unsupported backend".into()))
}

macro_rules! plain {
    ($($t:ty),*) => {$(
        impl Get for $t {
            fn get(row: &QueryResult, index: usize) -> Result<Self, DbErr> {
                nullable::<$t>(row, index)?
                    .ok_or_else(|| decode_error(index, "unexpected NULL"))
            }
        }
        impl Get for Option<$t> {
            fn get(row: &QueryResult, index: usize) -> Result<Self, DbErr> {
                nullable::<$t>(row, index)
            }
        }
    )*};
}

/// Calls the macro `$m` with every column type both backends decode directly: the one list
/// of them (read by `plain!`, given placeholders by `placeholder_default!`).
macro_rules! plain_types {
    ($m:ident) => {
        $m!(
            i64,
            i32,
            bool,
            String,
            chrono::NaiveDate,
            chrono::DateTime<chrono::Utc>
        );
    };
}

plain_types!(plain);

/// Reads a nullable text column as borrowed from the row, and maps it.
fn nullable_str<T>(
    row: &QueryResult,
    index: usize,
    map: impl FnOnce(&str) -> Result<T, DbErr>,
) -> Result<Option<T>, DbErr> {
    use sqlx::Row;
    let text: Option<&str> = if let Some(r) = row.try_as_pg_row() {
        r.try_get(index).map_err(|e| decode_error(index, e))?
    } else if let Some(r) = row.try_as_sqlite_row() {
        r.try_get(index).map_err(|e| decode_error(index, e))?
    } else {
        return Err(DbErr::Type("a row of an unsupported backend".into()));
    };
    text.map(map).transpose()
}

/// The text-stored enumerations, matched against their stored values without copying the
/// text out of the row (a reaction row has four; each was a `String` per row).
macro_rules! enumerated {
    ($($t:ty),*) => {$(
        impl Get for Option<$t> {
            fn get(row: &QueryResult, index: usize) -> Result<Self, DbErr> {
                static VALUES: std::sync::OnceLock<Vec<(String, $t)>> = std::sync::OnceLock::new();
                let values = VALUES.get_or_init(|| {
                    <$t as sea_orm::Iterable>::iter().map(|v| (v.to_value(), v)).collect()
                });
                nullable_str(row, index, |text| {
                    values
                        .iter()
                        .find(|(stored, _)| stored == text)
                        .map(|(_, v)| *v)
                        .ok_or_else(|| decode_error(index, format!("unknown value {text:?}")))
                })
            }
        }
        impl Get for $t {
            fn get(row: &QueryResult, index: usize) -> Result<Self, DbErr> {
                Option::<$t>::get(row, index)?
                    .ok_or_else(|| decode_error(index, "unexpected NULL"))
            }
        }
    )*};
}

/// Calls the macro `$m` with every text-stored enumeration the models read: the one list of
/// them (the planner writes their values through it too). The names must be in scope.
macro_rules! text_enums {
    ($m:ident) => {
        $m!(
            RecordStatus,
            Confidence,
            OrganizationKind,
            DigitalRelevance,
            ListSection,
            WithdrawalStatus,
            SubjectKind,
            Stance
        );
    };
}
pub(crate) use text_enums;

text_enums!(enumerated);

/// How a model is read from a row: by position for the models of a nested page, by name
/// (sea-orm's derive) for the others.
pub trait Decode: Sized {
    /// Whether the model is read by position, and so can be read from some of its columns
    /// (see [`Projection`]).
    const BY_POSITION: bool = false;

    fn decode(row: &QueryResult) -> Result<Self, DbErr>;

    /// Decodes the model from the columns of `projection` starting at `start` (a statement
    /// may select several models side by side). Only the models read by position can read a
    /// projection or start past column 0; the others say so.
    fn decode_projected(
        row: &QueryResult,
        start: usize,
        projection: &Projection,
    ) -> Result<Self, DbErr> {
        if start == 0 && projection.is_all() {
            return Self::decode(row);
        }
        Err(DbErr::Type(format!(
            "{} is read by name, not by position",
            std::any::type_name::<Self>()
        )))
    }
}

macro_rules! by_name {
    ($($model:path),*) => {$(
        impl Decode for $model {
            fn decode(row: &QueryResult) -> Result<Self, DbErr> {
                <$model as FromQueryResult>::from_query_result(row, "")
            }
        }
    )*};
}

by_name!(
    entity::instrument::Model,
    entity::stakeholder::Model,
    entity::pact::Model,
    entity::source::Model,
    entity::correction::Model,
    entity::revision::Model
);

/// Which of a model's columns a statement reads, in `Column::iter()` order. The planner
/// reads only the columns of the fields asked; the model's other fields are filled with
/// placeholders ([`Placeholder`]), so such partial models never leave the planner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Projection(Option<Vec<bool>>);

impl Projection {
    /// Every column.
    pub fn all() -> Self {
        Self(None)
    }

    /// The named columns of `E`'s model; every column for models read by name.
    pub fn of<E>(columns: &[&str]) -> Self
    where
        E: EntityTrait,
        E::Model: Decode,
    {
        if !<E::Model as Decode>::BY_POSITION {
            return Self::all();
        }
        Self(Some(
            E::Column::iter()
                .map(|c| columns.contains(&c.as_str()))
                .collect(),
        ))
    }

    /// The same, reading `column` too.
    pub fn with<E: EntityTrait>(mut self, column: E::Column) -> Self {
        if let Some(mask) = &mut self.0 {
            if let Some(i) = E::Column::iter().position(|c| c.as_str() == column.as_str()) {
                mask[i] = true;
            }
        }
        self
    }

    pub fn is_all(&self) -> bool {
        self.0.is_none()
    }

    /// Whether the column at this position (in `Column::iter()` order) is read.
    pub fn reads(&self, position: usize) -> bool {
        self.0.as_ref().is_none_or(|m| m[position])
    }

    /// The columns of `E` read.
    fn columns<E: EntityTrait>(&self) -> impl Iterator<Item = E::Column> + '_ {
        E::Column::iter()
            .enumerate()
            .filter(|(i, _)| self.reads(*i))
            .map(|(_, c)| c)
    }

    /// How many columns of `E` are read.
    pub fn width<E: EntityTrait>(&self) -> usize {
        self.columns::<E>().count()
    }
}

/// What a field gets when its column was not read.
pub trait Placeholder {
    fn placeholder() -> Self;
}

impl<T> Placeholder for Option<T> {
    fn placeholder() -> Self {
        None
    }
}

macro_rules! placeholder_default {
    ($($t:ty),*) => {$(
        impl Placeholder for $t {
            fn placeholder() -> Self {
                <$t>::default()
            }
        }
    )*};
}

plain_types!(placeholder_default);

macro_rules! placeholder_enum {
    ($($t:ty),*) => {$(
        impl Placeholder for $t {
            fn placeholder() -> Self {
                <$t as sea_orm::Iterable>::iter().next().expect("an enumeration has values")
            }
        }
    )*};
}

text_enums!(placeholder_enum);

/// `select` reading the projection's columns.
pub fn projecting<E: EntityTrait>(select: Select<E>, projection: &Projection) -> Select<E> {
    if projection.is_all() {
        return select;
    }
    let mut select = select.select_only();
    for column in projection.columns::<E>() {
        select = select.column(column);
    }
    select
}

/// The statement of `select` reading the projection's columns, with `LIMIT limit` written
/// into its text.
///
/// A literal, not a parameter: PostgreSQL's generic plan for a prepared statement cannot see a
/// parameter's value, and with `LIMIT $n` it assumed a tenth of the table (for the bench's
/// page: a hash join over every organization, 4.7 ms against 1.5 ms), so it planned each
/// execution afresh instead, 0.25 to 1.2 ms at every bind. With the number in the text, the
/// generic plan is the good one and PostgreSQL keeps it after five runs. Limits are the
/// server's own bounded numbers (a page size checked against `max_page_size`), so each list
/// has a handful of statement texts. `select` must carry no limit, offset or lock of its own.
pub fn limited<E: EntityTrait>(
    select: &Select<E>,
    projection: &Projection,
    limit: u64,
    backend: DbBackend,
) -> Statement {
    let mut statement = if projection.is_all() {
        select.build(backend)
    } else {
        projecting(select.clone(), projection).build(backend)
    };
    statement.sql.push_str(" LIMIT ");
    statement.sql.push_str(&limit.to_string());
    statement
}

/// The projection's columns as SQL, in `Column::iter()` order, for statements written by
/// hand. Only the model's columns: a table may hold more (search vectors) that no model reads.
pub fn column_list<E: EntityTrait>(projection: &Projection) -> String {
    projection
        .columns::<E>()
        .map(|c| format!("\"{}\"", c.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs a statement selecting whole models (every column, in `Column::iter()` order).
pub async fn all_raw<M: Decode, C: ConnectionTrait>(
    db: &C,
    statement: Statement,
) -> Result<Vec<M>, DbErr> {
    all_projected(db, statement, &Projection::all()).await
}

/// Runs a statement selecting the projection's columns of a model.
pub async fn all_projected<M: Decode, C: ConnectionTrait>(
    db: &C,
    statement: Statement,
    projection: &Projection,
) -> Result<Vec<M>, DbErr> {
    db.query_all_raw(statement)
        .await?
        .iter()
        .map(|row| M::decode_projected(row, 0, projection))
        .collect()
}

/// A model read by position.
pub trait ByPosition: Sized {
    /// Its fields, in the order they are read (a test compares them with the columns).
    const FIELDS: &'static [&'static str];
    /// Reads the model from the columns starting at `start`.
    fn decode_at(row: &QueryResult, start: usize) -> Result<Self, DbErr>;
}

/// Implements [`ByPosition`] for a model: its fields in column order. The struct literal
/// makes the compiler check that every field is there; the test checks the order.
macro_rules! by_position {
    ($model:path { $($field:ident),* $(,)? }) => {
        impl ByPosition for $model {
            const FIELDS: &'static [&'static str] = &[$(stringify!($field)),*];
            #[allow(unused_assignments)]
            fn decode_at(row: &QueryResult, start: usize) -> Result<Self, DbErr> {
                let mut index = start;
                // Initializers run in the order written, so `index` follows the fields.
                Ok(Self {$(
                    $field: {
                        let value = Get::get(row, index)?;
                        index += 1;
                        value
                    },
                )*})
            }
        }
        impl Decode for $model {
            const BY_POSITION: bool = true;

            fn decode(row: &QueryResult) -> Result<Self, DbErr> {
                <$model as ByPosition>::decode_at(row, 0)
            }

            #[allow(unused_assignments)]
            fn decode_projected(
                row: &QueryResult,
                start: usize,
                projection: &Projection,
            ) -> Result<Self, DbErr> {
                if projection.is_all() {
                    return <$model as ByPosition>::decode_at(row, start);
                }
                let (mut index, mut position) = (start, 0usize);
                Ok(Self {$(
                    $field: {
                        let read = projection.reads(position);
                        position += 1;
                        if read {
                            let value = Get::get(row, index)?;
                            index += 1;
                            value
                        } else {
                            Placeholder::placeholder()
                        }
                    },
                )*})
            }
        }
    };
}

by_position!(entity::withdrawal::Model {
    id,
    slug,
    status,
    confidence,
    confidence_reason,
    confidence_ceiling,
    confidence_note,
    version,
    created_at,
    updated_at,
    created_by,
    updated_by,
    organization_id,
    instrument_id,
    announced_on,
    effective_on,
    withdrawal_status,
    funding_ended,
    rationale,
    expected_impact,
});

by_position!(entity::organization::Model {
    id,
    slug,
    status,
    confidence,
    confidence_reason,
    confidence_ceiling,
    confidence_note,
    version,
    created_at,
    updated_at,
    created_by,
    updated_by,
    name,
    acronym,
    kind,
    digital_relevance,
    list_section,
    list_position,
    hosted_by_un,
    headquarters,
    website,
    description,
});

by_position!(entity::reaction::Model {
    id,
    slug,
    status,
    confidence,
    confidence_reason,
    confidence_ceiling,
    confidence_note,
    version,
    created_at,
    updated_at,
    created_by,
    updated_by,
    stakeholder_id,
    subject_kind,
    withdrawal_id,
    instrument_id,
    pact_id,
    stance,
    summary,
    reacted_on,
    date_approximate,
});

#[cfg(test)]
mod tests {
    use super::ByPosition;
    use sea_orm::{IdenStatic, Iterable};

    fn columns<E: sea_orm::EntityTrait>() -> Vec<&'static str> {
        E::Column::iter().map(|c| c.as_str()).collect()
    }

    /// Positions are only right if the fields are listed in the columns' order.
    #[test]
    fn fields_are_read_in_the_order_the_columns_are_selected() {
        assert_eq!(
            entity::withdrawal::Model::FIELDS,
            columns::<entity::withdrawal::Entity>()
        );
        assert_eq!(
            entity::organization::Model::FIELDS,
            columns::<entity::organization::Entity>()
        );
        assert_eq!(
            entity::reaction::Model::FIELDS,
            columns::<entity::reaction::Entity>()
        );
    }
}
