use super::{Check, RecordInput};
use crate::error::AppResult;
use chrono::NaiveDate;
use entity::enums::*;
use entity::source;
use sea_orm::{ConnectionTrait, Set};
use serde::Deserialize;

/// The editable state of a source.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
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
    pub published_on: Option<NaiveDate>,
    /// When we retrieved it (not before it was published).
    pub retrieved_on: Option<NaiveDate>,
    /// Whether `url` is a mirror or reprint.
    #[serde(default)]
    pub is_mirror: bool,
    /// Our note on the source.
    pub note: Option<String>,
    /// How reliable the source is.
    #[serde(default = "super::unconfirmed")]
    pub confidence: Confidence,
}

impl RecordInput for SourceInput {
    type Entity = source::Entity;

    async fn prepare<C: ConnectionTrait>(
        &self,
        _db: &C,
        _current: Option<&source::Model>,
    ) -> AppResult<source::ActiveModel> {
        let mut c = Check::default();
        let url = c.url("url", &Some(self.url.clone()));
        if url.is_none() {
            c.fail("url", "is required");
        }
        let published = self.published_on;
        let retrieved = self.retrieved_on;
        c.not_before("retrievedOn", retrieved, published, "publishedOn");
        let am = source::ActiveModel {
            slug: Set(c.slug(&self.slug)),
            url: Set(url.unwrap_or_default()),
            title: Set(c.text("title", &self.title, 500)),
            publisher: Set(c.opt_text("publisher", &self.publisher, 200)),
            published_on: Set(published),
            retrieved_on: Set(retrieved),
            is_mirror: Set(self.is_mirror),
            note: Set(c.opt_text("note", &self.note, 2000)),
            confidence: Set(self.confidence),
            ..Default::default()
        };
        c.finish()?;
        Ok(am)
    }
}
