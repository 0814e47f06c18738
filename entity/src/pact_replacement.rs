//! A withdrawal or organization a pact is said to replace.

use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A withdrawal or organization a pact is said to replace.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "pact_replacement")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub pact_id: i64,
    pub organization_id: Option<i64>,
    pub withdrawal_id: Option<i64>,
    pub note: Option<String>,
    pub confidence: Confidence,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
