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
    /// How well the record is supported.
    #[serde(default = "super::unconfirmed")]
    pub confidence: Confidence,
}

impl RecordInput for StakeholderInput {
    type Entity = stakeholder::Entity;

    async fn prepare<C: ConnectionTrait>(
        &self,
        db: &C,
        _current: Option<&stakeholder::Model>,
    ) -> AppResult<stakeholder::ActiveModel> {
        let mut c = Check::default();
        let organization_id = match &self.organization_id {
            Some(id) => Some(
                c.reference(db, "organizationId", id, RecordKind::Organization)
                    .await?,
            ),
            None => None,
        };
        let am = stakeholder::ActiveModel {
            slug: Set(c.slug(&self.slug)),
            name: Set(c.text("name", &self.name, 300)),
            kind: Set(self.kind),
            country: Set(c.country("country", &self.country)),
            affiliation: Set(c.opt_text("affiliation", &self.affiliation, 300)),
            organization_id: Set(organization_id),
            confidence: Set(self.confidence),
            ..Default::default()
        };
        c.finish()?;
        Ok(am)
    }
}
