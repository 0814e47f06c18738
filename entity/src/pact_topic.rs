//! A topic a pact covers.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A topic a pact covers.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "pact_topic")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub pact_id: i64,
    pub topic: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
