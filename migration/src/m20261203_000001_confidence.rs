//! Confidence that follows from the evidence (issue 16).
//!
//! Every curated table gains the reason for its computed confidence and an editor's optional
//! ceiling (with the editor's reason); sources gain what the rule reads: the kind of
//! publisher, the original publisher behind a mirror and whether the URL is the document
//! itself. A withdrawal's `funding_ended` becomes nullable: null says the sources do not
//! establish it, where `false` asserted that funding goes on.
//!
//! The confidences themselves are recomputed by the server on its first start after this
//! migration (see `service::confidence::recompute_all`), because the rule lives in Rust.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000001_confidence"
    }
}

const CURATED: [&str; 8] = [
    "organization",
    "instrument",
    "withdrawal",
    "stakeholder",
    "reaction",
    "pact",
    "source",
    "correction",
];

async fn add(m: &SchemaManager<'_>, table: &str, column: ColumnDef) -> Result<(), DbErr> {
    m.alter_table(
        Table::alter()
            .table(Alias::new(table))
            .add_column(column)
            .take(),
    )
    .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in CURATED {
            add(m, table, text("confidence_reason").default("").take()).await?;
            add(m, table, string_len_null("confidence_ceiling", 32)).await?;
            add(m, table, text_null("confidence_note")).await?;
        }
        add(
            m,
            "source",
            string_len("publisher_kind", 32).default("NEWS").take(),
        )
        .await?;
        add(m, "source", string_len_null("original_publisher", 200)).await?;
        add(
            m,
            "source",
            boolean("points_to_document").default(true).take(),
        )
        .await?;

        let db = m.get_connection();
        if m.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(
                "ALTER TABLE withdrawal ALTER COLUMN funding_ended DROP NOT NULL",
            )
            .await?;
        } else {
            // SQLite cannot drop a NOT NULL constraint in place: the column is copied into a
            // nullable one that then takes its name.
            for sql in [
                "ALTER TABLE withdrawal ADD COLUMN funding_ended_nullable boolean NULL",
                "UPDATE withdrawal SET funding_ended_nullable = funding_ended",
                "ALTER TABLE withdrawal DROP COLUMN funding_ended",
                "ALTER TABLE withdrawal RENAME COLUMN funding_ended_nullable TO funding_ended",
            ] {
                db.execute_unprepared(sql).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        // Applied again, the rule must recount and the dataset load again.
        db.execute_unprepared(
            "DELETE FROM setting WHERE key IN ('confidence_rule', 'builtin_dataset')",
        )
        .await?;
        // Unknown funding cannot be kept in the old NOT NULL column: it reads as false again.
        db.execute_unprepared(
            "UPDATE withdrawal SET funding_ended = false WHERE funding_ended IS NULL",
        )
        .await?;
        for table in CURATED {
            for column in ["confidence_reason", "confidence_ceiling", "confidence_note"] {
                m.alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .drop_column(Alias::new(column))
                        .take(),
                )
                .await?;
            }
        }
        for column in ["publisher_kind", "original_publisher", "points_to_document"] {
            m.alter_table(
                Table::alter()
                    .table(Alias::new("source"))
                    .drop_column(Alias::new(column))
                    .take(),
            )
            .await?;
        }
        Ok(())
    }
}
