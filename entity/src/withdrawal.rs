//! The United States leaving one organization.

use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// The United States leaving one organization.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "withdrawal")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub slug: String,
    pub status: RecordStatus,
    pub confidence: Confidence,
    /// Why the record has its confidence, in plain words; computed with it.
    #[serde(default)]
    pub confidence_reason: String,
    /// The highest confidence an editor allows the record, when they lowered it.
    #[serde(default)]
    pub confidence_ceiling: Option<Confidence>,
    /// The editor's reason for the ceiling.
    #[serde(default)]
    pub confidence_note: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub created_by: Option<i64>,
    pub updated_by: Option<i64>,
    pub organization_id: i64,
    pub instrument_id: i64,
    pub announced_on: Date,
    pub effective_on: Option<Date>,
    pub withdrawal_status: WithdrawalStatus,
    /// Whether US funding has ended; None when the sources do not establish it.
    pub funding_ended: Option<bool>,
    pub rationale: Option<String>,
    pub expected_impact: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
