use super::{Check, RecordInput};
use crate::error::AppResult;
use crate::service::children::{OrganizationLists, RecordLists};
use entity::enums::*;
use entity::organization;
use sea_orm::{ConnectionTrait, Set};
use serde::Deserialize;

/// The editable state of an organization.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrganizationInput {
    /// The stable key people link to: lowercase words joined by hyphens.
    pub slug: String,
    /// Its full name.
    pub name: String,
    /// Its usual acronym.
    pub acronym: Option<String>,
    /// What kind of body it is.
    pub kind: OrganizationKind,
    /// Category keywords, such as "cybersecurity".
    #[serde(default)]
    pub categories: Vec<String>,
    /// How closely its mandate touches the internet and digital policy.
    pub digital_relevance: DigitalRelevance,
    /// The section of the 7 January 2026 memorandum's list, if it is on it.
    pub list_section: Option<ListSection>,
    /// Its position in that section.
    pub list_position: Option<i32>,
    /// Whether the UN system hosts it.
    #[serde(default)]
    pub hosted_by_un: bool,
    /// Where it is based.
    pub headquarters: Option<String>,
    /// Its website (http or https).
    pub website: Option<String>,
    /// What it does, in our words.
    pub description: String,
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

impl RecordInput for OrganizationInput {
    type Entity = organization::Entity;

    async fn prepare<C: ConnectionTrait>(
        &self,
        _db: &C,
        current: Option<&organization::Model>,
    ) -> AppResult<organization::ActiveModel> {
        let mut c = Check::default();
        let (ceiling, ceiling_note) = super::ceiling(
            &mut c,
            self.confidence,
            &self.confidence_note,
            self.keep_ceiling,
            current.map(|r| (r.confidence_ceiling, r.confidence_note.clone())),
        );
        let am = organization::ActiveModel {
            slug: Set(c.slug(&self.slug)),
            name: Set(c.text("name", &self.name, 300)),
            acronym: Set(c.opt_text("acronym", &self.acronym, 40)),
            kind: Set(self.kind),
            digital_relevance: Set(self.digital_relevance),
            list_section: Set(self.list_section),
            list_position: Set(self.list_position),
            hosted_by_un: Set(self.hosted_by_un),
            headquarters: Set(c.opt_text("headquarters", &self.headquarters, 200)),
            website: Set(c.url("website", &self.website)),
            description: Set(c.text("description", &self.description, 5000)),
            confidence_ceiling: Set(ceiling),
            confidence_note: Set(ceiling_note),
            ..Default::default()
        };
        c.keywords("categories", &self.categories);
        if let Some(p) = self.list_position {
            if !(1..=1000).contains(&p) {
                c.fail("listPosition", "must be between 1 and 1000");
            }
            if self.list_section.is_none() {
                c.fail("listPosition", "needs a listSection");
            }
        }
        c.finish()?;
        Ok(am)
    }

    async fn write_lists<C: ConnectionTrait>(
        &self,
        db: &C,
        saved: &organization::Model,
        _before: Option<&organization::Model>,
    ) -> AppResult<()> {
        let categories = Check::default().keywords("categories", &self.categories);
        OrganizationLists { categories }.replace(db, saved.id).await
    }
}
