//! Counts kept current by the database (issue 17).
//!
//! `stats` counted its rows on every request: at the benchmark's 10 units, 200,000 reactions
//! and 80 ms of CPU per uncached request. Two tables now hold the counts, and triggers on the
//! counted tables move them in the same transaction as every write, whatever makes it (an
//! editor, the dataset sync, a bulk `psql` load):
//!
//! - `record_count (dimension, key, status, n)`: per counted table, its total (`dimension` =
//!   the table, `key` = '') and one breakdown per column `stats` offers (`dimension` =
//!   `table.column`, `key` = the value), for each record status, so a viewer's counts are a
//!   sum over the statuses it may see. Organizations' categories are counted under the
//!   organization's status.
//! - `withdrawal_stance_count (withdrawal_id, stance, status, n)`: reactions per withdrawal
//!   and stance, for `stanceByWithdrawal`.
//!
//! PostgreSQL uses statement-level triggers with transition tables, so a statement writing
//! 200,000 rows moves each count once, not once per row (one row updated 200,000 times in one
//! transaction would leave that many dead versions to walk). SQLite has row-level triggers
//! only; its databases are the small embedded ones. A later migration that rebuilds a counted
//! table on SQLite (copy, drop, rename) drops its triggers and must create them again with
//! [`create_triggers`].

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000001_counts"
    }
}

/// A counted table and the columns it is broken down by.
struct Counted {
    table: &'static str,
    columns: &'static [&'static str],
}

const COUNTED: [Counted; 5] = [
    Counted {
        table: "organization",
        columns: &["kind", "digital_relevance"],
    },
    Counted {
        table: "withdrawal",
        columns: &["withdrawal_status"],
    },
    Counted {
        table: "reaction",
        columns: &["stance"],
    },
    Counted {
        table: "pact",
        columns: &["pact_status"],
    },
    Counted {
        table: "correction",
        columns: &["verdict"],
    },
];

const UPSERT_COUNT: &str = "INSERT INTO record_count (dimension, key, status, n)";
const ON_COUNT: &str =
    "ON CONFLICT (dimension, key, status) DO UPDATE SET n = record_count.n + excluded.n";
const UPSERT_STANCE: &str =
    "INSERT INTO withdrawal_stance_count (withdrawal_id, stance, status, n)";
const ON_STANCE: &str = "ON CONFLICT (withdrawal_id, stance, status) \
     DO UPDATE SET n = withdrawal_stance_count.n + excluded.n";

/// One row's contributions to `record_count`, read from `r` (a row alias, or SQLite's NEW
/// or OLD), as `sign` (+1 or -1); `from` is the FROM clause on PostgreSQL, empty on SQLite.
fn row_deltas(c: &Counted, r: &str, sign: i32, from: &str) -> Vec<String> {
    let mut out = vec![format!(
        "SELECT '{t}' AS dimension, '' AS key, {r}.status AS status, {sign} AS n {from}",
        t = c.table
    )];
    for col in c.columns {
        out.push(format!(
            "SELECT '{t}.{col}', {r}.{col}, {r}.status, {sign} {from}",
            t = c.table
        ));
    }
    out
}

/// Sums the deltas per key and applies those that are not zero, in key order (so two
/// writers would lock count rows in the same order).
fn apply(upsert: &str, keys: &str, deltas: &[String], on_conflict: &str) -> String {
    format!(
        "{upsert} SELECT {keys}, sum(n) FROM ({}) d WHERE true GROUP BY {keys} \
         HAVING sum(n) <> 0 ORDER BY {keys} {on_conflict}",
        deltas.join(" UNION ALL ")
    )
}

fn count_keys() -> &'static str {
    "dimension, key, status"
}

fn stance_keys() -> &'static str {
    "withdrawal_id, stance, status"
}

/// The statements of one trigger body, for rows read as `(alias, sign, from)`: every
/// contribution of the rows gone (-1) and of the rows come (+1).
fn bodies(c: &Counted, rows: &[(&str, i32, &str)], categories: &[String]) -> Vec<String> {
    let mut deltas: Vec<String> = rows
        .iter()
        .flat_map(|(r, sign, from)| row_deltas(c, r, *sign, from))
        .collect();
    deltas.extend(categories.iter().cloned());
    let mut out = vec![apply(UPSERT_COUNT, count_keys(), &deltas, ON_COUNT)];
    if c.table == "reaction" {
        let stances: Vec<String> = rows
            .iter()
            .map(|(r, sign, from)| {
                format!(
                    "SELECT {r}.withdrawal_id AS withdrawal_id, {r}.stance AS stance, \
                     {r}.status AS status, {sign} AS n {from} WHERE {r}.withdrawal_id IS NOT NULL"
                )
            })
            .collect();
        out.push(apply(UPSERT_STANCE, stance_keys(), &stances, ON_STANCE));
    }
    out
}

/// An organization's categories, counted under its status `{r}.status`.
fn category_deltas(r: &str, sign: i32, pg_rows: Option<&str>) -> String {
    match pg_rows {
        Some(rows) => format!(
            "SELECT 'organization.category' AS dimension, c.category AS key, {r}.status AS status, {sign} AS n \
             FROM {rows} {r} JOIN organization_category c ON c.organization_id = {r}.id"
        ),
        None => format!(
            "SELECT 'organization.category' AS dimension, c.category AS key, {r}.status AS status, {sign} AS n \
             FROM organization_category c WHERE c.organization_id = {r}.id"
        ),
    }
}

/// A category row, counted under its organization's current status (nothing when the
/// organization is being deleted: its own trigger has counted its categories out).
fn category_row_deltas(r: &str, sign: i32, pg_rows: Option<&str>) -> String {
    match pg_rows {
        Some(rows) => format!(
            "SELECT 'organization.category' AS dimension, {r}.category AS key, o.status AS status, {sign} AS n \
             FROM {rows} {r} JOIN organization o ON o.id = {r}.organization_id"
        ),
        None => format!(
            "SELECT 'organization.category' AS dimension, {r}.category AS key, o.status AS status, {sign} AS n \
             FROM organization o WHERE o.id = {r}.organization_id"
        ),
    }
}

fn postgres_function(name: &str, statements: &[String], returns: &str) -> String {
    format!(
        "CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {}; \
         RETURN {returns}; END $$",
        statements.join("; ")
    )
}

/// What the triggers of one table are, per backend: (trigger name, statements to create it).
fn postgres_triggers(c: &Counted) -> Vec<String> {
    let t = c.table;
    let ins = ("nr", 1, "FROM new_rows nr");
    let del = ("orow", -1, "FROM old_rows orow");
    let org = t == "organization";
    let update_categories = if org {
        vec![
            category_deltas("orow", -1, Some("old_rows")),
            category_deltas("nr", 1, Some("new_rows")),
        ]
    } else {
        vec![]
    };
    let mut out = vec![
        postgres_function(
            &format!("count_{t}_insert"),
            &bodies(c, &[ins], &[]),
            "NULL",
        ),
        postgres_function(
            &format!("count_{t}_update"),
            &bodies(c, &[del, ins], &update_categories),
            "NULL",
        ),
        postgres_function(
            &format!("count_{t}_delete"),
            &bodies(c, &[del], &[]),
            "NULL",
        ),
    ];
    for (op, refs) in [
        ("insert", "NEW TABLE AS new_rows"),
        ("update", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("delete", "OLD TABLE AS old_rows"),
    ] {
        out.push(format!("DROP TRIGGER IF EXISTS count_{t}_{op} ON {t}"));
        out.push(format!(
            "CREATE TRIGGER count_{t}_{op} AFTER {} ON {t} REFERENCING {refs} \
             FOR EACH STATEMENT EXECUTE FUNCTION count_{t}_{op}()",
            op.to_uppercase()
        ));
    }
    if org {
        // Before the row goes, while its categories are still there to count out; the
        // cascade that deletes them then finds no organization and counts nothing twice.
        out.push(postgres_function(
            "count_organization_categories_out",
            &[apply(
                UPSERT_COUNT,
                count_keys(),
                &[category_deltas("OLD", -1, None)],
                ON_COUNT,
            )],
            "OLD",
        ));
        out.push("DROP TRIGGER IF EXISTS count_organization_categories_out ON organization".into());
        out.push(
            "CREATE TRIGGER count_organization_categories_out BEFORE DELETE ON organization \
             FOR EACH ROW EXECUTE FUNCTION count_organization_categories_out()"
                .into(),
        );
        let cat = |op: &str, refs: &str, deltas: Vec<String>| {
            vec![
                postgres_function(
                    &format!("count_organization_category_{op}"),
                    &[apply(UPSERT_COUNT, count_keys(), &deltas, ON_COUNT)],
                    "NULL",
                ),
                format!("DROP TRIGGER IF EXISTS count_organization_category_{op} ON organization_category"),
                format!(
                    "CREATE TRIGGER count_organization_category_{op} AFTER {} ON \
                     organization_category REFERENCING {refs} FOR EACH STATEMENT \
                     EXECUTE FUNCTION count_organization_category_{op}()",
                    op.to_uppercase()
                ),
            ]
        };
        out.extend(cat(
            "insert",
            "NEW TABLE AS new_rows",
            vec![category_row_deltas("nr", 1, Some("new_rows"))],
        ));
        out.extend(cat(
            "update",
            "OLD TABLE AS old_rows NEW TABLE AS new_rows",
            vec![
                category_row_deltas("orow", -1, Some("old_rows")),
                category_row_deltas("nr", 1, Some("new_rows")),
            ],
        ));
        out.extend(cat(
            "delete",
            "OLD TABLE AS old_rows",
            vec![category_row_deltas("orow", -1, Some("old_rows"))],
        ));
    }
    out
}

fn sqlite_trigger(name: &str, when: &str, table: &str, statements: &[String]) -> Vec<String> {
    vec![
        format!("DROP TRIGGER IF EXISTS {name}"),
        format!(
            "CREATE TRIGGER {name} {when} ON {table} FOR EACH ROW BEGIN {}; END",
            statements.join("; ")
        ),
    ]
}

fn sqlite_triggers(c: &Counted) -> Vec<String> {
    let t = c.table;
    let ins = ("NEW", 1, "");
    let del = ("OLD", -1, "");
    let org = t == "organization";
    let update_categories = if org {
        vec![
            category_deltas("OLD", -1, None),
            category_deltas("NEW", 1, None),
        ]
    } else {
        vec![]
    };
    let mut out = Vec::new();
    out.extend(sqlite_trigger(
        &format!("count_{t}_insert"),
        "AFTER INSERT",
        t,
        &bodies(c, &[ins], &[]),
    ));
    out.extend(sqlite_trigger(
        &format!("count_{t}_update"),
        "AFTER UPDATE",
        t,
        &bodies(c, &[del, ins], &update_categories),
    ));
    // Before the row goes, while an organization's categories are still there to count out.
    out.extend(sqlite_trigger(
        &format!("count_{t}_delete"),
        "BEFORE DELETE",
        t,
        &bodies(
            c,
            &[del],
            &if org {
                vec![category_deltas("OLD", -1, None)]
            } else {
                vec![]
            },
        ),
    ));
    if org {
        for (op, when, rows) in [
            ("insert", "AFTER INSERT", vec![("NEW", 1)]),
            ("update", "AFTER UPDATE", vec![("OLD", -1), ("NEW", 1)]),
            ("delete", "AFTER DELETE", vec![("OLD", -1)]),
        ] {
            let deltas: Vec<String> = rows
                .iter()
                .map(|(r, sign)| category_row_deltas(r, *sign, None))
                .collect();
            out.extend(sqlite_trigger(
                &format!("count_organization_category_{op}"),
                when,
                "organization_category",
                &[apply(UPSERT_COUNT, count_keys(), &deltas, ON_COUNT)],
            ));
        }
    }
    out
}

/// Creates (or replaces) every counting trigger of this backend.
pub async fn create_triggers(
    db: &SchemaManagerConnection<'_>,
    backend: DbBackend,
) -> Result<(), DbErr> {
    for c in &COUNTED {
        let statements = if backend == DbBackend::Postgres {
            postgres_triggers(c)
        } else {
            sqlite_triggers(c)
        };
        for sql in statements {
            db.execute_unprepared(&sql).await?;
        }
    }
    Ok(())
}

/// The counts of the rows there are now, from scratch.
fn fill() -> Vec<String> {
    let mut out = vec![
        "DELETE FROM record_count".to_owned(),
        "DELETE FROM withdrawal_stance_count".to_owned(),
    ];
    for c in &COUNTED {
        let mut deltas = row_deltas(c, "r", 1, &format!("FROM {} r", c.table));
        if c.table == "organization" {
            deltas.push(category_deltas("r", 1, Some("organization")));
        }
        out.push(apply(UPSERT_COUNT, count_keys(), &deltas, ON_COUNT));
    }
    out.push(apply(
        UPSERT_STANCE,
        stance_keys(),
        &[
            "SELECT withdrawal_id, stance, status, 1 AS n FROM reaction \
           WHERE withdrawal_id IS NOT NULL"
                .to_owned(),
        ],
        ON_STANCE,
    ));
    out
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let backend = m.get_database_backend();
        db.execute_unprepared(
            "CREATE TABLE IF NOT EXISTS record_count (dimension varchar(64) NOT NULL, \
             key varchar(200) NOT NULL, status varchar(32) NOT NULL, n bigint NOT NULL, \
             PRIMARY KEY (dimension, key, status))",
        )
        .await?;
        db.execute_unprepared(
            "CREATE TABLE IF NOT EXISTS withdrawal_stance_count (withdrawal_id bigint NOT NULL, \
             stance varchar(32) NOT NULL, status varchar(32) NOT NULL, n bigint NOT NULL, \
             PRIMARY KEY (withdrawal_id, stance, status))",
        )
        .await?;
        if backend == DbBackend::Postgres {
            // No write may slip between the first count and the triggers that keep it.
            for t in [
                "organization",
                "organization_category",
                "withdrawal",
                "reaction",
                "pact",
                "correction",
            ] {
                db.execute_unprepared(&format!("LOCK TABLE {t} IN SHARE ROW EXCLUSIVE MODE"))
                    .await?;
            }
        }
        create_triggers(db, backend).await?;
        for sql in fill() {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let postgres = m.get_database_backend() == DbBackend::Postgres;
        let mut triggers: Vec<(String, &str)> = Vec::new();
        for c in &COUNTED {
            for op in ["insert", "update", "delete"] {
                triggers.push((format!("count_{}_{op}", c.table), c.table));
            }
        }
        for op in ["insert", "update", "delete"] {
            triggers.push((
                format!("count_organization_category_{op}"),
                "organization_category",
            ));
        }
        triggers.push(("count_organization_categories_out".into(), "organization"));
        for (name, table) in triggers {
            if postgres {
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name} ON {table}"))
                    .await?;
                db.execute_unprepared(&format!("DROP FUNCTION IF EXISTS {name}()"))
                    .await?;
            } else {
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name}"))
                    .await?;
            }
        }
        db.execute_unprepared("DROP TABLE IF EXISTS withdrawal_stance_count")
            .await?;
        db.execute_unprepared("DROP TABLE IF EXISTS record_count")
            .await?;
        Ok(())
    }
}
