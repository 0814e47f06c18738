//! The initial schema: curated records, their links, editors and the revision log.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260101_000001_init"
    }
}

/// Columns every curated record carries.
fn curated(table: &'static str) -> TableCreateStatement {
    Table::create()
        .table(table)
        .if_not_exists()
        .col(big_pk_auto("id"))
        .col(string_len_uniq("slug", 160))
        .col(string_len("status", 32))
        .col(string_len("confidence", 32))
        .col(integer("version"))
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("updated_at"))
        .col(big_integer_null("created_by"))
        .col(big_integer_null("updated_by"))
        .foreign_key(&mut fk(table, "created_by", "editor"))
        .foreign_key(&mut fk(table, "updated_by", "editor"))
        .take()
}

/// A plain table with a big-integer key.
fn plain(table: &'static str) -> TableCreateStatement {
    Table::create()
        .table(table)
        .if_not_exists()
        .col(big_pk_auto("id"))
        .take()
}

fn fk(
    table: &'static str,
    column: &'static str,
    target: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(target, "id")
        .on_delete(ForeignKeyAction::Restrict)
        .take()
}

fn index(table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(format!("ix_{table}_{}", columns.join("_")))
        .table(table)
        .if_not_exists();
    for column in columns {
        stmt.col(*column);
    }
    stmt.take()
}

fn unique(table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut stmt = index(table, columns);
    stmt.name(format!("ux_{table}_{}", columns.join("_")))
        .unique();
    stmt
}

/// The text each kind is searched by. SQLite's search reads these expressions; on
/// PostgreSQL `m20261126_000002_search_vectors` stores their vectors in a generated column
/// (with its own copy of them), so a changed text needs a migration too.
pub const SEARCH_DOCUMENTS: &[(&str, &str)] = &[
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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            plain("editor")
                .col(string_len_uniq("email", 320))
                .col(string_len("display_name", 200))
                .col(string_len("role", 32))
                .col(text("password_hash"))
                .col(boolean("disabled"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .take(),
        )
        .await?;

        m.create_table(
            curated("organization")
                .col(string_len("name", 300))
                .col(string_len_null("acronym", 40))
                .col(string_len("kind", 32))
                .col(string_len("digital_relevance", 32))
                .col(string_len_null("list_section", 32))
                .col(integer_null("list_position"))
                .col(boolean("hosted_by_un"))
                .col(string_len_null("headquarters", 200))
                .col(string_len_null("website", 500))
                .col(text("description"))
                .take(),
        )
        .await?;
        m.create_table(
            plain("organization_category")
                .col(big_integer("organization_id"))
                .col(string_len("category", 64))
                .foreign_key(&mut fk(
                    "organization_category",
                    "organization_id",
                    "organization",
                ))
                .take(),
        )
        .await?;

        m.create_table(
            curated("instrument")
                .col(string_len("kind", 32))
                .col(string_len_null("number", 40))
                .col(string_len("title", 500))
                .col(date("signed_on"))
                .col(date_null("published_on"))
                .col(string_len_null("federal_register_citation", 80))
                .col(string_len_null("url", 1000))
                .col(text("summary"))
                .take(),
        )
        .await?;

        m.create_table(
            curated("withdrawal")
                .col(big_integer("organization_id"))
                .col(big_integer("instrument_id"))
                .col(date("announced_on"))
                .col(date_null("effective_on"))
                .col(string_len("withdrawal_status", 32))
                .col(boolean("funding_ended"))
                .col(text_null("rationale"))
                .col(text_null("expected_impact"))
                .foreign_key(&mut fk("withdrawal", "organization_id", "organization"))
                .foreign_key(&mut fk("withdrawal", "instrument_id", "instrument"))
                .take(),
        )
        .await?;

        m.create_table(
            curated("stakeholder")
                .col(string_len("name", 300))
                .col(string_len("kind", 32))
                .col(string_len_null("country", 8))
                .col(string_len_null("affiliation", 300))
                .col(big_integer_null("organization_id"))
                .foreign_key(&mut fk("stakeholder", "organization_id", "organization"))
                .take(),
        )
        .await?;

        m.create_table(
            curated("pact")
                .col(string_len("title", 300))
                .col(string_len("kind", 32))
                .col(string_len("pact_status", 32))
                .col(boolean("binding"))
                .col(date_null("signed_on"))
                .col(text("summary"))
                .take(),
        )
        .await?;
        m.create_table(
            plain("pact_party")
                .col(big_integer("pact_id"))
                .col(string_len("name", 200))
                .col(string_len("code", 8))
                .col(string_len("role", 32))
                .col(date_null("joined_on"))
                .foreign_key(&mut fk("pact_party", "pact_id", "pact"))
                .take(),
        )
        .await?;
        m.create_table(
            plain("pact_topic")
                .col(big_integer("pact_id"))
                .col(string_len("topic", 64))
                .foreign_key(&mut fk("pact_topic", "pact_id", "pact"))
                .take(),
        )
        .await?;
        m.create_table(
            plain("pact_status_change")
                .col(big_integer("pact_id"))
                .col(string_len("pact_status", 32))
                .col(date("changed_on"))
                .col(text_null("note"))
                .foreign_key(&mut fk("pact_status_change", "pact_id", "pact"))
                .take(),
        )
        .await?;
        m.create_table(
            plain("pact_replacement")
                .col(big_integer("pact_id"))
                .col(big_integer_null("organization_id"))
                .col(big_integer_null("withdrawal_id"))
                .col(text_null("note"))
                .col(string_len("confidence", 32))
                .foreign_key(&mut fk("pact_replacement", "pact_id", "pact"))
                .foreign_key(&mut fk(
                    "pact_replacement",
                    "organization_id",
                    "organization",
                ))
                .foreign_key(&mut fk("pact_replacement", "withdrawal_id", "withdrawal"))
                .take(),
        )
        .await?;

        m.create_table(
            curated("reaction")
                .col(big_integer("stakeholder_id"))
                .col(string_len("subject_kind", 32))
                .col(big_integer_null("withdrawal_id"))
                .col(big_integer_null("instrument_id"))
                .col(big_integer_null("pact_id"))
                .col(string_len("stance", 32))
                .col(text("summary"))
                .col(date("reacted_on"))
                .col(boolean("date_approximate"))
                .foreign_key(&mut fk("reaction", "stakeholder_id", "stakeholder"))
                .foreign_key(&mut fk("reaction", "withdrawal_id", "withdrawal"))
                .foreign_key(&mut fk("reaction", "instrument_id", "instrument"))
                .foreign_key(&mut fk("reaction", "pact_id", "pact"))
                .take(),
        )
        .await?;

        m.create_table(
            curated("source")
                .col(string_len("url", 1000))
                .col(string_len("title", 500))
                .col(string_len_null("publisher", 200))
                .col(date_null("published_on"))
                .col(date_null("retrieved_on"))
                .col(boolean("is_mirror"))
                .col(text_null("note"))
                .take(),
        )
        .await?;
        m.create_table(
            plain("source_link")
                .col(big_integer("source_id"))
                .col(string_len("record_kind", 32))
                .col(big_integer("record_id"))
                .col(text_null("note"))
                .foreign_key(&mut fk("source_link", "source_id", "source"))
                .take(),
        )
        .await?;

        m.create_table(
            curated("correction")
                .col(text("claim"))
                .col(text("claimed_in"))
                .col(big_integer_null("claim_source_id"))
                .col(string_len("verdict", 32))
                .col(text("finding"))
                .foreign_key(&mut fk("correction", "claim_source_id", "source"))
                .take(),
        )
        .await?;
        m.create_table(
            plain("correction_subject")
                .col(big_integer("correction_id"))
                .col(string_len("record_kind", 32))
                .col(big_integer("record_id"))
                .foreign_key(&mut fk("correction_subject", "correction_id", "correction"))
                .take(),
        )
        .await?;

        m.create_table(
            plain("revision")
                .col(string_len("record_kind", 32))
                .col(big_integer("record_id"))
                .col(integer("version"))
                .col(string_len("action", 32))
                .col(big_integer_null("editor_id"))
                .col(timestamp_with_time_zone("at"))
                .col(json_binary("snapshot"))
                .foreign_key(&mut fk("revision", "editor_id", "editor"))
                .take(),
        )
        .await?;

        // One index for every filter, order and relation the API offers. Lists order by
        // (column, id), so the sort indexes end with id to serve keyset pages.
        let indexes = [
            index("organization", &["status", "name", "id"]),
            index("organization", &["kind"]),
            index("organization", &["digital_relevance"]),
            index("organization", &["list_section", "list_position"]),
            index("organization", &["updated_at", "id"]),
            unique("organization_category", &["organization_id", "category"]),
            index("organization_category", &["category", "organization_id"]),
            index("instrument", &["status", "signed_on", "id"]),
            index("instrument", &["kind"]),
            index("instrument", &["updated_at", "id"]),
            index("withdrawal", &["status", "announced_on", "id"]),
            index("withdrawal", &["organization_id"]),
            index("withdrawal", &["instrument_id"]),
            index("withdrawal", &["withdrawal_status"]),
            index("withdrawal", &["effective_on"]),
            index("withdrawal", &["updated_at", "id"]),
            index("stakeholder", &["status", "name", "id"]),
            index("stakeholder", &["kind"]),
            index("stakeholder", &["country"]),
            index("stakeholder", &["organization_id"]),
            index("reaction", &["status", "reacted_on", "id"]),
            index("reaction", &["stakeholder_id"]),
            index("reaction", &["withdrawal_id"]),
            index("reaction", &["instrument_id"]),
            index("reaction", &["pact_id"]),
            index("reaction", &["stance"]),
            index("reaction", &["updated_at", "id"]),
            index("pact", &["status", "title", "id"]),
            index("pact", &["pact_status"]),
            index("pact", &["signed_on"]),
            index("pact", &["updated_at", "id"]),
            index("pact_party", &["pact_id"]),
            index("pact_party", &["code", "pact_id"]),
            index("pact_topic", &["pact_id"]),
            unique("pact_topic", &["topic", "pact_id"]),
            index("pact_status_change", &["pact_id", "changed_on"]),
            index("pact_replacement", &["pact_id"]),
            index("pact_replacement", &["organization_id"]),
            index("pact_replacement", &["withdrawal_id"]),
            index("source", &["status", "title", "id"]),
            index("source", &["published_on"]),
            index("source", &["updated_at", "id"]),
            unique("source_link", &["record_kind", "record_id", "source_id"]),
            index("source_link", &["source_id"]),
            index("correction", &["status", "updated_at", "id"]),
            index("correction", &["verdict"]),
            index("correction", &["claim_source_id"]),
            unique(
                "correction_subject",
                &["record_kind", "record_id", "correction_id"],
            ),
            index("correction_subject", &["correction_id"]),
            index("revision", &["record_kind", "record_id", "id"]),
            index("revision", &["editor_id"]),
        ];
        for stmt in indexes {
            m.create_index(stmt).await?;
        }

        if m.get_database_backend() == DbBackend::Postgres {
            let db = m.get_connection();
            for (table, document) in SEARCH_DOCUMENTS {
                db.execute_unprepared(&format!(
                    "CREATE INDEX IF NOT EXISTS ix_{table}_search ON {table} \
                     USING gin (to_tsvector('english', {document}))"
                ))
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "revision",
            "correction_subject",
            "correction",
            "source_link",
            "source",
            "reaction",
            "pact_replacement",
            "pact_status_change",
            "pact_topic",
            "pact_party",
            "pact",
            "stakeholder",
            "withdrawal",
            "instrument",
            "organization_category",
            "organization",
            "editor",
        ] {
            m.drop_table(Table::drop().table(table).if_exists().take())
                .await?;
        }
        Ok(())
    }
}
