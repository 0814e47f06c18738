//! Domain logic: visibility, lists with filters and keyset pages, lookups, search, stats and
//! the timeline. Functions take `&impl ConnectionTrait` so a transaction can span several.

pub mod children;
pub mod codec;
pub mod confidence;
pub mod curated;
pub mod editing;
pub mod editors;
pub mod export;
pub mod history;
pub mod ids;
pub mod inputs;
pub mod joined;
pub mod lists;
pub mod page;
pub mod records;
pub mod revision;
pub mod rows;
pub mod search;
pub mod snapshot;
pub mod stats;
pub mod summary;
pub mod timeline;
pub mod visibility;

use entity::enums::{EditorRole, RecordStatus};

/// Who is asking. Anonymous readers see published records only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    Anonymous,
    Editor { id: i64, role: EditorRole },
}

impl Viewer {
    /// The record statuses this viewer may read.
    pub fn visible_statuses(&self) -> Vec<RecordStatus> {
        match self {
            Viewer::Anonymous => vec![RecordStatus::Published],
            Viewer::Editor { .. } => {
                vec![
                    RecordStatus::Draft,
                    RecordStatus::Published,
                    RecordStatus::Archived,
                ]
            }
        }
    }
}

/// Page-size limits from the configuration.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub default_page_size: u32,
    pub max_page_size: u32,
}

/// Limits on whole requests, checked before the database is touched.
#[derive(Debug, Clone, Copy)]
pub struct RequestLimits {
    pub max_depth: usize,
    pub max_introspection_depth: usize,
    pub max_complexity: usize,
    pub max_body_bytes: usize,
    pub timeout: std::time::Duration,
    pub public_introspection: bool,
    pub max_aliases: usize,
    pub max_root_fields: usize,
    pub max_batch: usize,
    pub cache_max_age: u32,
    /// Whether the planner answers the selections it knows (`graphql::plan`).
    pub planner: bool,
}

/// A visible record by its slug.
pub async fn find_by_slug<E: curated::Curated, C: sea_orm::ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    slug: &str,
) -> crate::error::AppResult<Option<E::Model>> {
    find_by_slug_projected::<E, C>(db, viewer, slug, &rows::Projection::all()).await
}

/// A visible record by its slug, reading only the projection's columns (for the planner).
pub async fn find_by_slug_projected<E: curated::Curated, C: sea_orm::ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    slug: &str,
    projection: &rows::Projection,
) -> crate::error::AppResult<Option<E::Model>> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let select = E::find()
        .filter(E::slug_column().eq(slug.trim()))
        .filter(E::visible(&viewer.visible_statuses()));
    let statement = rows::limited(&select, projection, 1, db.get_database_backend());
    let found = rows::all_projected(db, statement, projection).await?;
    Ok(found.into_iter().next())
}
