//! A record a correction concerns.

use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A record a correction concerns.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "correction_subject")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub correction_id: i64,
    pub record_kind: RecordKind,
    pub record_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
