//! One step in a pact's status history.

use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One step in a pact's status history.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "pact_status_change")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub pact_id: i64,
    pub pact_status: PactStatus,
    pub changed_on: Date,
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
