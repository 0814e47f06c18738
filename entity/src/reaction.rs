//! A stakeholder's response to a withdrawal, an instrument or a pact.

use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A stakeholder's response to a withdrawal, an instrument or a pact.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "reaction")]
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
    pub stakeholder_id: i64,
    pub subject_kind: SubjectKind,
    pub withdrawal_id: Option<i64>,
    pub instrument_id: Option<i64>,
    pub pact_id: Option<i64>,
    pub stance: Stance,
    pub summary: String,
    pub reacted_on: Date,
    pub date_approximate: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
