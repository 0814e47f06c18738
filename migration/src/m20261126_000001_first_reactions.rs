//! An index for "the first n reactions of each withdrawal, earliest first": the nested
//! `reactions(first:)` list reads n index entries per withdrawal instead of sorting all of its
//! reactions. It replaces the index on `withdrawal_id` alone, which it also serves.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000001_first_reactions"
    }
}

const NEW: &str = "ix_reaction_withdrawal_id_reacted_on_id";
const OLD: &str = "ix_reaction_withdrawal_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name(NEW)
                .table("reaction")
                .col("withdrawal_id")
                .col("reacted_on")
                .col("id")
                .if_not_exists()
                .take(),
        )
        .await?;
        m.drop_index(
            Index::drop()
                .name(OLD)
                .table("reaction")
                .if_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name(OLD)
                .table("reaction")
                .col("withdrawal_id")
                .if_not_exists()
                .take(),
        )
        .await?;
        m.drop_index(
            Index::drop()
                .name(NEW)
                .table("reaction")
                .if_exists()
                .to_owned(),
        )
        .await
    }
}
