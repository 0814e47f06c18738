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
    /// What kind of publisher the document comes from; the confidence rule weighs it
    /// (only OFFICIAL, at its own address, confirms on its own). Left out: NEWS for a new
    /// source, unchanged on an update.
    pub publisher_kind: Option<PublisherKind>,
    /// Who published the original; required when `isMirror` is true (an update of a mirror
    /// may leave it out to keep it), refused otherwise.
    pub original_publisher: Option<String>,
    /// Whether `url` is the cited document itself (false for a home, index or search
    /// page, which supports nothing). Left out: true for a new source, unchanged on an
    /// update.
    pub points_to_document: Option<bool>,
    /// Our note on the source.
    pub note: Option<String>,
    /// An editor's ceiling: the most the record may claim, when it deserves less than its
    /// sources support. The confidence itself is computed from the sources; this can only
    /// lower it, and needs `confidenceNote`. Left out of an update, the record's ceiling
    /// stays; `null` lifts it.
    pub confidence: async_graphql::MaybeUndefined<Confidence>,
    /// Why the record claims less than its sources support; required with `confidence`.
    pub confidence_note: Option<String>,
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
            publisher_kind: v.publisher_kind,
            original_publisher: v.original_publisher,
            points_to_document: v.points_to_document,
            note: v.note,
            keep_ceiling: v.confidence.is_undefined(),
            confidence: v.confidence.take(),
            confidence_note: v.confidence_note,
        }
    }
}
