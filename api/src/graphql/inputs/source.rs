//! The GraphQL input of sources (see `service::inputs` for what each field must be).

use crate::graphql::scalars::Date;
use crate::service::inputs;
use async_graphql::InputObject;
use entity::enums::*;

/// The editable state of a source.
#[derive(InputObject, Debug)]
pub struct SourceInput {
    /// The stable key people link to.
    pub slug: String,
    /// Where it can be read (http or https).
    pub url: String,
    /// Its title.
    pub title: String,
    /// Who published the original.
    pub publisher: Option<String>,
    /// When the original was published.
    pub published_on: Option<Date>,
    /// When we retrieved it (not before it was published).
    pub retrieved_on: Option<Date>,
    /// Whether `url` is a mirror or reprint.
    #[graphql(default)]
    pub is_mirror: bool,
    /// Our note on the source.
    pub note: Option<String>,
    /// How reliable the source is.
    #[graphql(default_with = "Confidence::Unconfirmed")]
    pub confidence: Confidence,
}

impl From<SourceInput> for inputs::SourceInput {
    fn from(v: SourceInput) -> Self {
        Self {
            slug: v.slug,
            url: v.url,
            title: v.title,
            publisher: v.publisher,
            published_on: v.published_on.map(|d| d.0),
            retrieved_on: v.retrieved_on.map(|d| d.0),
            is_mirror: v.is_mirror,
            note: v.note,
            confidence: v.confidence,
        }
    }
}
