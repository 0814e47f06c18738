use super::{Check, RecordInput};
use crate::error::AppResult;
use chrono::NaiveDate;
use entity::enums::*;
use entity::instrument;
use sea_orm::{ConnectionTrait, Set};
use serde::Deserialize;

/// The editable state of an instrument.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
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
    pub signed_on: NaiveDate,
    /// When it was published (not before it was signed).
    pub published_on: Option<NaiveDate>,
    /// Its Federal Register citation.
    pub federal_register_citation: Option<String>,
    /// Where its text can be read (http or https).
    pub url: Option<String>,
    /// What it does, in our words.
    pub summary: String,
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

impl RecordInput for InstrumentInput {
    type Entity = instrument::Entity;

    async fn prepare<C: ConnectionTrait>(
        &self,
        _db: &C,
        current: Option<&instrument::Model>,
    ) -> AppResult<instrument::ActiveModel> {
        let mut c = Check::default();
        let published = self.published_on;
        c.not_before("publishedOn", published, Some(self.signed_on), "signedOn");
        let (ceiling, ceiling_note) = super::ceiling(
            &mut c,
            self.confidence,
            &self.confidence_note,
            self.keep_ceiling,
            current.map(|r| (r.confidence_ceiling, r.confidence_note.clone())),
        );
        let am = instrument::ActiveModel {
            slug: Set(c.slug(&self.slug)),
            kind: Set(self.kind),
            number: Set(c.opt_text("number", &self.number, 40)),
            title: Set(c.text("title", &self.title, 500)),
            signed_on: Set(self.signed_on),
            published_on: Set(published),
            federal_register_citation: Set(c.opt_text(
                "federalRegisterCitation",
                &self.federal_register_citation,
                80,
            )),
            url: Set(c.url("url", &self.url)),
            summary: Set(c.text("summary", &self.summary, 5000)),
            confidence_ceiling: Set(ceiling),
            confidence_note: Set(ceiling_note),
            ..Default::default()
        };
        c.finish()?;
        Ok(am)
    }
}
