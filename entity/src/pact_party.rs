//! A party to a pact.

use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A party to a pact.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "pact_party")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub pact_id: i64,
    pub name: String,
    pub code: String,
    pub role: PartyRole,
    pub joined_on: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
