use super::RecordRef;
use super::{Check, RecordInput};
use crate::error::AppResult;
use chrono::NaiveDate;
use entity::enums::*;
use entity::reaction;
use sea_orm::{ConnectionTrait, Set};
use serde::Deserialize;

/// The editable state of a reaction.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReactionInput {
    /// The stable key people link to.
    pub slug: String,
    /// Who reacted (global id of a stakeholder).
    pub stakeholder_id: RecordRef,
    /// What they reacted to: the global id of a withdrawal, an instrument or a pact.
    pub subject_id: RecordRef,
    /// Their position.
    pub stance: Stance,
    /// What they said, in our words.
    pub summary: String,
    /// When they reacted.
    pub reacted_on: NaiveDate,
    /// Whether the date is only approximate.
    #[serde(default)]
    pub date_approximate: bool,
    /// How well the record is supported.
    #[serde(default = "super::unconfirmed")]
    pub confidence: Confidence,
}

impl RecordInput for ReactionInput {
    type Entity = reaction::Entity;

    async fn prepare<C: ConnectionTrait>(
        &self,
        db: &C,
        _current: Option<&reaction::Model>,
    ) -> AppResult<reaction::ActiveModel> {
        let mut c = Check::default();
        let stakeholder_id = c
            .reference(
                db,
                "stakeholderId",
                &self.stakeholder_id,
                RecordKind::Stakeholder,
            )
            .await?;
        let subject = c
            .any_reference(
                db,
                "subjectId",
                &self.subject_id,
                &[
                    RecordKind::Withdrawal,
                    RecordKind::Instrument,
                    RecordKind::Pact,
                ],
            )
            .await?;
        let pick = |k: RecordKind| subject.filter(|(kind, _)| *kind == k).map(|(_, id)| id);
        let subject_kind = match subject.map(|(k, _)| k) {
            Some(RecordKind::Instrument) => SubjectKind::Instrument,
            Some(RecordKind::Pact) => SubjectKind::Pact,
            _ => SubjectKind::Withdrawal,
        };
        let am = reaction::ActiveModel {
            slug: Set(c.slug(&self.slug)),
            stakeholder_id: Set(stakeholder_id),
            subject_kind: Set(subject_kind),
            withdrawal_id: Set(pick(RecordKind::Withdrawal)),
            instrument_id: Set(pick(RecordKind::Instrument)),
            pact_id: Set(pick(RecordKind::Pact)),
            stance: Set(self.stance),
            summary: Set(c.text("summary", &self.summary, 5000)),
            reacted_on: Set(self.reacted_on),
            date_approximate: Set(self.date_approximate),
            confidence: Set(self.confidence),
            ..Default::default()
        };
        c.finish()?;
        Ok(am)
    }
}
