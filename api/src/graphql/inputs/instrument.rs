//! The GraphQL input of instruments (see `service::inputs` for what each field must be).

use crate::graphql::scalars::Date;
use crate::service::inputs;
use async_graphql::InputObject;
use entity::enums::*;

/// The editable state of an instrument.
#[derive(InputObject, Debug)]
pub struct InstrumentInput {
    /// The stable key people link to.
    pub slug: String,
    /// The form of the act.
    pub kind: InstrumentKind,
    /// Its official number.
    pub number: Option<String>,
    /// Its official title.
    pub title: String,
    /// When it was signed or issued.
    pub signed_on: Date,
    /// When it was published (not before it was signed).
    pub published_on: Option<Date>,
    /// Its Federal Register citation.
    pub federal_register_citation: Option<String>,
    /// Where its text can be read (http or https).
    pub url: Option<String>,
    /// What it does, in our words.
    pub summary: String,
    /// An editor's ceiling: the most the record may claim, when it deserves less than its
    /// sources support. The confidence itself is computed from the sources; this can only
    /// lower it, and needs `confidenceNote`. Left out of an update, the record's ceiling
    /// stays; `null` lifts it.
    pub confidence: async_graphql::MaybeUndefined<Confidence>,
    /// Why the record claims less than its sources support; required with `confidence`.
    pub confidence_note: Option<String>,
}

impl From<InstrumentInput> for inputs::InstrumentInput {
    fn from(v: InstrumentInput) -> Self {
        Self {
            slug: v.slug,
            kind: v.kind,
            number: v.number,
            title: v.title,
            signed_on: v.signed_on.0,
            published_on: v.published_on.map(|d| d.0),
            federal_register_citation: v.federal_register_citation,
            url: v.url,
            summary: v.summary,
            keep_ceiling: v.confidence.is_undefined(),
            confidence: v.confidence.take(),
            confidence_note: v.confidence_note,
        }
    }
}
