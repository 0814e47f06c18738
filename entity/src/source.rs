//! A citation.

use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A citation.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "source")]
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
    pub url: String,
    pub title: String,
    pub publisher: Option<String>,
    pub published_on: Option<Date>,
    pub retrieved_on: Option<Date>,
    pub is_mirror: bool,
    /// What kind of publisher the document comes from (what the confidence rule weighs).
    #[serde(default)]
    pub publisher_kind: PublisherKind,
    /// The publisher of the original, when `url` is a mirror or reprint.
    #[serde(default)]
    pub original_publisher: Option<String>,
    /// Whether `url` is the cited document itself (not a home page, index or search page).
    #[serde(default = "yes")]
    pub points_to_document: bool,
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Snapshots written before `points_to_document` existed cited documents.
fn yes() -> bool {
    true
}
