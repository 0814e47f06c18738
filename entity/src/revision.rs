//! One change to one record: the history and the change feed.

use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One change to one record: the history and the change feed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "revision")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub record_kind: RecordKind,
    pub record_id: i64,
    pub version: i32,
    pub action: RevisionAction,
    pub editor_id: Option<i64>,
    pub at: DateTimeUtc,
    pub snapshot: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
