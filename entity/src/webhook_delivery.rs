//! One attempt to deliver one event to one webhook endpoint.

use sea_orm::entity::prelude::*;

/// One delivery attempt.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_delivery")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub endpoint_id: i64,
    /// The `webhook-id` sent: the change event's id, the same on every attempt.
    pub message_id: String,
    /// The revision delivered.
    pub sequence: i64,
    /// 1 for the first attempt at this event, then 2, 3…
    pub attempt: i32,
    pub at: DateTimeUtc,
    /// The receiver's HTTP status; None when no answer came.
    pub status_code: Option<i32>,
    pub latency_ms: i64,
    pub delivered: bool,
    pub error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
