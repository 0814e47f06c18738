//! An international body.

use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// An international body.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "organization")]
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
    pub name: String,
    pub acronym: Option<String>,
    pub kind: OrganizationKind,
    pub digital_relevance: DigitalRelevance,
    pub list_section: Option<ListSection>,
    pub list_position: Option<i32>,
    pub hosted_by_un: bool,
    pub headquarters: Option<String>,
    pub website: Option<String>,
    pub description: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
