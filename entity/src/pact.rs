//! An alternative agreement.

use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// An alternative agreement.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "pact")]
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
    pub title: String,
    pub kind: PactKind,
    pub pact_status: PactStatus,
    pub binding: bool,
    pub signed_on: Option<Date>,
    pub summary: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
