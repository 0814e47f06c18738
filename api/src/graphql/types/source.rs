use super::curated_object;
use crate::graphql::scalars::Date;
use crate::loaders::Citation;
use async_graphql::Object;
use entity::source;

/// A citation.
pub struct Source(pub source::Model);

curated_object!(
    /// A citation: a news report, an official text or a statement.
    Source, Source, {
    /// Where it can be read. For a mirror, this is the mirror's address.
    async fn url(&self) -> &str {
        &self.0.url
    }
    /// Its title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Who published the original.
    async fn publisher(&self) -> Option<&str> {
        self.0.publisher.as_deref()
    }
    /// When the original was published.
    async fn published_on(&self) -> Option<Date> {
        self.0.published_on.map(Date)
    }
    /// When we retrieved it.
    async fn retrieved_on(&self) -> Option<Date> {
        self.0.retrieved_on.map(Date)
    }
    /// True when `url` is a mirror or reprint; cite `publisher` and `title` as the original.
    async fn is_mirror(&self) -> bool {
        self.0.is_mirror
    }
    /// What kind of publisher the document comes from: the confidence rule weighs it.
    async fn publisher_kind(&self) -> entity::enums::PublisherKind {
        self.0.publisher_kind
    }
    /// For a mirror, who published the original (cite them, with `title`).
    async fn original_publisher(&self) -> Option<&str> {
        self.0.original_publisher.as_deref()
    }
    /// Whether `url` is the cited document itself; a home, index or search page supports
    /// nothing and does not count for the confidence of the records citing it.
    async fn points_to_document(&self) -> bool {
        self.0.points_to_document
    }
    /// Our note on the source: its reliability, or how its details were established.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
});

/// A source cited by a record, with a note on what it supports.
pub struct SourceLink(pub Citation);

/// A source cited by a record, with a note on what it supports.
#[Object]
impl SourceLink {
    /// What this source supports in the record.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// The source.
    async fn source(&self) -> Source {
        Source(self.0.source.clone())
    }
}
