//! Webhooks: the endpoints admins register, each with its own cursor in the revision log, and
//! the log of delivery attempts. Scheduling times (`next_attempt_at`, `lease_until`,
//! `previous_secret_until`) are milliseconds since the epoch: compared in SQL the same way on
//! both backends (SQLite keeps timestamps as text).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000001_webhooks"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("webhook_endpoint")
                .if_not_exists()
                .col(big_pk_auto("id"))
                .col(text("url"))
                .col(text("description"))
                .col(text("kinds"))
                .col(text("records"))
                .col(boolean("editors"))
                .col(boolean("active"))
                .col(text_null("paused_reason"))
                .col(text("secret"))
                .col(text_null("previous_secret"))
                .col(big_integer("previous_secret_until"))
                .col(big_integer("cursor"))
                .col(integer("failures"))
                .col(big_integer("next_attempt_at"))
                .col(text_null("lease_owner"))
                .col(big_integer("lease_until"))
                .col(integer("version"))
                .col(big_integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_webhook_endpoint_created_by")
                        .from("webhook_endpoint", "created_by")
                        .to("editor", "id")
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("webhook_delivery")
                .if_not_exists()
                .col(big_pk_auto("id"))
                .col(big_integer("endpoint_id"))
                .col(text("message_id"))
                .col(big_integer("sequence"))
                .col(integer("attempt"))
                .col(timestamp_with_time_zone("at"))
                .col(integer_null("status_code"))
                .col(big_integer("latency_ms"))
                .col(boolean("delivered"))
                .col(text_null("error"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_webhook_delivery_endpoint_id")
                        .from("webhook_delivery", "endpoint_id")
                        .to("webhook_endpoint", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_webhook_delivery_endpoint_id_id")
                .table("webhook_delivery")
                .col("endpoint_id")
                .col("id")
                .if_not_exists()
                .take(),
        )
        .await?;
        // Retention deletes by age.
        m.create_index(
            Index::create()
                .name("ix_webhook_delivery_at")
                .table("webhook_delivery")
                .col("at")
                .if_not_exists()
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("webhook_delivery").if_exists().take())
            .await?;
        m.drop_table(Table::drop().table("webhook_endpoint").if_exists().take())
            .await
    }
}
