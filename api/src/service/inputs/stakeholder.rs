use super::RecordRef;
use super::{Check, RecordInput};
use crate::error::AppResult;
use entity::enums::*;
use entity::stakeholder;
use sea_orm::{ConnectionTrait, Set};
use serde::Deserialize;

/// The editable state of a stakeholder.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StakeholderInput {
    /// The stable key people link to.
    pub slug: String,
    /// Their name.
    pub name: String,
    /// What kind of actor they are.
    pub kind: StakeholderKind,
    /// Their country (ISO 3166 alpha-2).
    pub country: Option<String>,
    /// Who they work for or speak for.
    pub affiliation: Option<String>,
    /// The tracked organization they are or speak for (global id).
    pub organization_id: Option<RecordRef>,
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

impl RecordInput for StakeholderInput {
    type Entity = stakeholder::Entity;

    async fn prepare<C: ConnectionTrait>(
        &self,
        db: &C,
        current: Option<&stakeholder::Model>,
    ) -> AppResult<stakeholder::ActiveModel> {
        let mut c = Check::default();
        let organization_id = match &self.organization_id {
            Some(id) => Some(
                c.reference(db, "organizationId", id, RecordKind::Organization)
                    .await?,
            ),
            None => None,
        };
        let (ceiling, ceiling_note) = super::ceiling(
            &mut c,
            self.confidence,
            &self.confidence_note,
            self.keep_ceiling,
            current.map(|r| (r.confidence_ceiling, r.confidence_note.clone())),
        );
        let am = stakeholder::ActiveModel {
            slug: Set(c.slug(&self.slug)),
            name: Set(c.text("name", &self.name, 300)),
            kind: Set(self.kind),
            country: Set(c.country("country", &self.country)),
            affiliation: Set(c.opt_text("affiliation", &self.affiliation, 300)),
            organization_id: Set(organization_id),
            confidence_ceiling: Set(ceiling),
            confidence_note: Set(ceiling_note),
            ..Default::default()
        };
        c.finish()?;
        Ok(am)
    }
}
