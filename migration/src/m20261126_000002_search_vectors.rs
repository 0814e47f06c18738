//! Search reads a stored text vector per record (PostgreSQL only). The GIN indexes were on
//! the expression `to_tsvector('english', document)`, which let PostgreSQL find matches
//! quickly, but ranking them computed the vector again for every match: a common word
//! matched 54,000 reactions of the benchmark's data and cost 800 ms of CPU. A generated
//! column keeps the vector with the row (updated by PostgreSQL on every write); ranking
//! reads it, and the same word costs 58 ms (BENCHMARKS.md). SQLite has no full-text
//! vectors: its substring search is unchanged.
//!
//! Adding a stored column rewrites each table under an exclusive lock, reads included, until
//! the migration commits (README, changelog 0.6.0).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

pub struct Migration;

/// The searchable text of each table, as `SEARCH_DOCUMENTS` had it when this migration was
/// written. Copied, not shared: a migration must keep doing what it did when later code
/// changes (a new text needs a new migration, which replaces the generated column).
pub const DOCUMENTS: [(&str, &str); 8] = [
    (
        "organization",
        "coalesce(name, '') || ' ' || coalesce(acronym, '') || ' ' || coalesce(description, '')",
    ),
    (
        "instrument",
        "coalesce(title, '') || ' ' || coalesce(number, '') || ' ' || coalesce(summary, '')",
    ),
    (
        "stakeholder",
        "coalesce(name, '') || ' ' || coalesce(affiliation, '')",
    ),
    ("reaction", "coalesce(summary, '')"),
    (
        "pact",
        "coalesce(title, '') || ' ' || coalesce(summary, '')",
    ),
    (
        "source",
        "coalesce(title, '') || ' ' || coalesce(publisher, '')",
    ),
    (
        "correction",
        "coalesce(claim, '') || ' ' || coalesce(claimed_in, '') || ' ' || coalesce(finding, '')",
    ),
    (
        "withdrawal",
        "coalesce(rationale, '') || ' ' || coalesce(expected_impact, '')",
    ),
];

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000002_search_vectors"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = m.get_connection();
        for (table, document) in DOCUMENTS {
            // The old index first: adding a stored column rewrites the table and would
            // rebuild every index on it, this one too, only to drop it afterwards.
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS ix_{table}_search"))
                .await?;
            db.execute_unprepared(&format!(
                "ALTER TABLE {table} ADD COLUMN IF NOT EXISTS search_vector tsvector \
                 GENERATED ALWAYS AS (to_tsvector('english', {document})) STORED"
            ))
            .await?;
            db.execute_unprepared(&format!(
                "CREATE INDEX IF NOT EXISTS ix_{table}_search_vector ON {table} \
                 USING gin (search_vector)"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = m.get_connection();
        for (table, document) in DOCUMENTS {
            db.execute_unprepared(&format!(
                "CREATE INDEX IF NOT EXISTS ix_{table}_search ON {table} \
                 USING gin (to_tsvector('english', {document}))"
            ))
            .await?;
            // Dropping the column drops its index.
            db.execute_unprepared(&format!(
                "ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector"
            ))
            .await?;
        }
        Ok(())
    }
}
