//! The best matches of one word, read in rank order from an index (PostgreSQL; issue 17).
//!
//! The GIN index on `search_vector` finds the records containing a word, but not the best of
//! them: a common word matched 54,000 of the benchmark's reactions, each ranked with
//! `ts_rank` to keep 20, for about 165 ms of CPU per search. For a query of one word the rank
//! of a record depends on that record alone, so it can be computed when the record is
//! written: `search_term` holds, per record and lexeme of its vector, the record's
//! `ts_rank` for that lexeme, and an index in rank order makes "the 20 best visible matches
//! for this word" a read of about 20 index entries. Statement-level triggers keep it current
//! in the writes' transactions; queries of several words still rank every match.
//!
//! The stored rank is `ts_rank(search_vector, '<lexeme>'::tsquery)`, the very value the
//! general query computes for a one-word query, so both ways give the same order.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000002_search_terms"
    }
}

/// The searchable tables and the kind name search reports for each.
const TABLES: [(&str, &str); 8] = [
    ("organization", "ORGANIZATION"),
    ("instrument", "INSTRUMENT"),
    ("withdrawal", "WITHDRAWAL"),
    ("stakeholder", "STAKEHOLDER"),
    ("reaction", "REACTION"),
    ("pact", "PACT"),
    ("source", "SOURCE"),
    ("correction", "CORRECTION"),
];

/// The terms of the records in `rows` (aliased `r`): one row per lexeme with its rank. The
/// lexeme is quoted as tsquery input wants it (backslashes and quotes doubled).
fn terms(kind: &str, rows: &str) -> String {
    format!(
        r"SELECT u.lexeme, '{kind}' AS kind, r.id AS record_id, r.status, ts_rank(r.search_vector,
         ('''' || replace(replace(u.lexeme, '\', '\\'), '''', '''''') || '''')::tsquery) AS rank
         FROM {rows} r, unnest(r.search_vector) u"
    )
}

fn insert(kind: &str, rows: &str) -> String {
    format!(
        "INSERT INTO search_term (lexeme, kind, record_id, status, rank) {}",
        terms(kind, rows)
    )
}

/// Deletes the terms of the records in `rows`, each found by its exact index key.
fn delete(kind: &str, rows: &str) -> String {
    format!(
        "DELETE FROM search_term t USING ({}) o WHERE t.lexeme = o.lexeme AND t.rank = o.rank \
         AND t.kind = o.kind AND t.record_id = o.record_id",
        terms(kind, rows)
    )
}

fn function(name: &str, body: &[String]) -> String {
    format!(
        "CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {}; \
         RETURN NULL; END $$",
        body.join("; ")
    )
}

fn statements() -> Vec<String> {
    let mut out = vec![
        "CREATE TABLE IF NOT EXISTS search_term (lexeme text NOT NULL, kind varchar(32) NOT NULL, \
         record_id bigint NOT NULL, status varchar(32) NOT NULL, rank real NOT NULL)"
            .to_owned(),
    ];
    for (table, kind) in TABLES {
        // Only the records whose text or status changed: other edits leave their terms be.
        let changed = |side: &str| {
            format!(
                "(SELECT {side}.* FROM old_rows o JOIN new_rows n ON n.id = o.id \
                 WHERE o.search_vector IS DISTINCT FROM n.search_vector OR o.status <> n.status)"
            )
        };
        for (op, refs, body) in [
            (
                "insert",
                "NEW TABLE AS new_rows",
                vec![insert(kind, "new_rows")],
            ),
            (
                "update",
                "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                vec![delete(kind, &changed("o")), insert(kind, &changed("n"))],
            ),
            (
                "delete",
                "OLD TABLE AS old_rows",
                vec![delete(kind, "old_rows")],
            ),
        ] {
            let name = format!("search_terms_{table}_{op}");
            out.push(function(&name, &body));
            out.push(format!("DROP TRIGGER IF EXISTS {name} ON {table}"));
            out.push(format!(
                "CREATE TRIGGER {name} AFTER {} ON {table} REFERENCING {refs} \
                 FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
                op.to_uppercase()
            ));
        }
    }
    out.push("DELETE FROM search_term".to_owned());
    for (table, kind) in TABLES {
        out.push(insert(kind, table));
    }
    // Built after the fill: one sort instead of an index insertion per row. The status is
    // in the index so a visibility filter needs no visit of the table.
    out.push(
        "CREATE INDEX IF NOT EXISTS ix_search_term_best ON search_term \
         (lexeme, rank DESC, kind, record_id) INCLUDE (status)"
            .to_owned(),
    );
    out
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = m.get_connection();
        // No write may slip between the fill and the triggers that keep it.
        for (table, _) in TABLES {
            db.execute_unprepared(&format!("LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE"))
                .await?;
        }
        for sql in statements() {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = m.get_connection();
        for (table, _) in TABLES {
            for op in ["insert", "update", "delete"] {
                let name = format!("search_terms_{table}_{op}");
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name} ON {table}"))
                    .await?;
                db.execute_unprepared(&format!("DROP FUNCTION IF EXISTS {name}()"))
                    .await?;
            }
        }
        db.execute_unprepared("DROP TABLE IF EXISTS search_term")
            .await?;
        Ok(())
    }
}
