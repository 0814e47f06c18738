//! Database migrations of Exodus. The same migrations run on PostgreSQL and SQLite.

pub use m20260101_000001_init::SEARCH_DOCUMENTS;
/// The texts whose vectors PostgreSQL stores in `search_vector` (see that migration).
pub use m20261126_000002_search_vectors::DOCUMENTS as STORED_SEARCH_DOCUMENTS;
pub use sea_orm_migration::prelude::*;

mod m20260101_000001_init;
mod m20260102_000001_settings;
mod m20261126_000001_first_reactions;
mod m20261126_000002_search_vectors;
mod m20261202_000001_webhooks;
mod m20261203_000001_confidence;
mod m20261204_000001_counts;
mod m20261204_000002_search_terms;

/// All migrations, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20260101_000001_init::Migration),
            Box::new(m20260102_000001_settings::Migration),
            Box::new(m20261126_000001_first_reactions::Migration),
            Box::new(m20261126_000002_search_vectors::Migration),
            Box::new(m20261202_000001_webhooks::Migration),
            Box::new(m20261203_000001_confidence::Migration),
            Box::new(m20261204_000001_counts::Migration),
            Box::new(m20261204_000002_search_terms::Migration),
        ]
    }
}
