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

impl RecordInput for ReactionInput {
    type Entity = reaction::Entity;

    async fn prepare<C: ConnectionTrait>(
        &self,
        db: &C,
        current: Option<&reaction::Model>,
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
        let (ceiling, ceiling_note) = super::ceiling(
            &mut c,
            self.confidence,
            &self.confidence_note,
            self.keep_ceiling,
            current.map(|r| (r.confidence_ceiling, r.confidence_note.clone())),
        );
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
            confidence_ceiling: Set(ceiling),
            confidence_note: Set(ceiling_note),
            ..Default::default()
        };
        c.finish()?;
        Ok(am)
    }
}
