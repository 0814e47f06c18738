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
    /// How well the record is supported.
    #[serde(default = "super::unconfirmed")]
    pub confidence: Confidence,
}

impl RecordInput for InstrumentInput {
    type Entity = instrument::Entity;

    async fn prepare<C: ConnectionTrait>(
        &self,
        _db: &C,
        _current: Option<&instrument::Model>,
    ) -> AppResult<instrument::ActiveModel> {
        let mut c = Check::default();
        let published = self.published_on;
        c.not_before("publishedOn", published, Some(self.signed_on), "signedOn");
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
            confidence: Set(self.confidence),
            ..Default::default()
        };
        c.finish()?;
        Ok(am)
    }
}
