//! Search reads a stored text vector per record (PostgreSQL only). The GIN indexes were on
//! the expression `to_tsvector('english', document)`, which let PostgreSQL find matches
//! quickly, but ranking them computed the vector again for every match: a common word
//! matched 54,000 reactions of the benchmark's data and cost 800 ms of CPU. A generated
//! column keeps the vector with the row (updated by PostgreSQL on every write); ranking
//! reads it, and the same word costs 58 ms (BENCHMARKS.md). SQLite has no full-text
//! vectors: its substring search is unchanged.

use crate::m20260101_000001_init::SEARCH_DOCUMENTS;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

pub struct Migration;

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
        for (table, document) in SEARCH_DOCUMENTS {
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
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS ix_{table}_search"))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = m.get_connection();
        for (table, document) in SEARCH_DOCUMENTS {
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
