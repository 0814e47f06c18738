//! A webhook endpoint: where changes are posted, which ones, and how far delivery has got.

use sea_orm::entity::prelude::*;

/// A registered receiver of change events.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_endpoint")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub url: String,
    pub description: String,
    /// JSON array of record kinds (all when empty).
    pub kinds: String,
    /// JSON array of record global ids (all when empty).
    pub records: String,
    /// An editors' hook: sees drafts and archived states too.
    pub editors: bool,
    pub active: bool,
    pub paused_reason: Option<String>,
    /// `whsec_…`.
    pub secret: String,
    /// The secret before the last rotation, valid until `previous_secret_until` (ms).
    pub previous_secret: Option<String>,
    pub previous_secret_until: i64,
    /// The revision sequence delivered (or passed over) up to.
    pub cursor: i64,
    /// Failed attempts at the event after the cursor, in a row.
    pub failures: i32,
    /// Not before this time (ms since the epoch): the retry schedule.
    pub next_attempt_at: i64,
    /// The process delivering to it now, until `lease_until` (ms).
    pub lease_owner: Option<String>,
    pub lease_until: i64,
    pub version: i32,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
