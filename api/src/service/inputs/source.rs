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
    /// What kind of publisher the document comes from (the confidence rule weighs it);
    /// left out: NEWS for a new source, unchanged on an update.
    #[serde(default)]
    pub publisher_kind: Option<PublisherKind>,
    /// The publisher of the original, required when `url` is a mirror or reprint.
    pub original_publisher: Option<String>,
    /// Whether `url` is the cited document itself rather than a home, index or search page;
    /// left out: true for a new source, unchanged on an update.
    #[serde(default)]
    pub points_to_document: Option<bool>,
    /// Our note on the source.
    pub note: Option<String>,
    /// An editor's ceiling: the most the record may claim when it deserves less than its
    /// sources support (the rule computes the confidence; this can only lower it).
    #[serde(default)]
    pub confidence: Option<Confidence>,
    /// Why the record claims less than its sources support; required with `confidence`.
    #[serde(default)]
    pub confidence_note: Option<String>,
    /// Set by the API when `confidence` was left out of an update: keep the record's ceiling.
    /// (The dataset always states it: left out there means none.)
    #[serde(skip)]
    pub keep_ceiling: bool,
}

impl RecordInput for SourceInput {
    type Entity = source::Entity;

    async fn prepare<C: ConnectionTrait>(
        &self,
        _db: &C,
        current: Option<&source::Model>,
    ) -> AppResult<source::ActiveModel> {
        let mut c = Check::default();
        let url = c.url("url", &Some(self.url.clone()));
        if url.is_none() {
            c.fail("url", "is required");
        }
        let published = self.published_on;
        let retrieved = self.retrieved_on;
        c.not_before("retrievedOn", retrieved, published, "publishedOn");
        // An update that leaves the original out of a mirror that stays one keeps it.
        let kept = current.filter(|_| self.is_mirror && self.original_publisher.is_none());
        let original = match kept {
            Some(current) => current.original_publisher.clone(),
            None => c.opt_text("originalPublisher", &self.original_publisher, 200),
        };
        match (self.is_mirror, &original) {
            (true, None) => c.fail(
                "originalPublisher",
                "is required for a mirror: name who published the original",
            ),
            (false, Some(_)) => c.fail(
                "originalPublisher",
                "is for mirrors only (set isMirror, or put the name in publisher)",
            ),
            _ => {}
        }
        let (ceiling, ceiling_note) = super::ceiling(
            &mut c,
            self.confidence,
            &self.confidence_note,
            self.keep_ceiling,
            current.map(|r| (r.confidence_ceiling, r.confidence_note.clone())),
        );
        let am = source::ActiveModel {
            slug: Set(c.slug(&self.slug)),
            url: Set(url.unwrap_or_default()),
            title: Set(c.text("title", &self.title, 500)),
            publisher: Set(c.opt_text("publisher", &self.publisher, 200)),
            published_on: Set(published),
            retrieved_on: Set(retrieved),
            is_mirror: Set(self.is_mirror),
            publisher_kind: Set(self
                .publisher_kind
                .or(current.map(|s| s.publisher_kind))
                .unwrap_or_default()),
            original_publisher: Set(original),
            points_to_document: Set(self
                .points_to_document
                .or(current.map(|s| s.points_to_document))
                .unwrap_or(true)),
            note: Set(c.opt_text("note", &self.note, 2000)),
            confidence_ceiling: Set(ceiling),
            confidence_note: Set(ceiling_note),
            ..Default::default()
        };
        c.finish()?;
        Ok(am)
    }
}
