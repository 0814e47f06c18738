use super::RecordRef;
use super::{Check, RecordInput};
use crate::error::AppResult;
use chrono::NaiveDate;
use entity::enums::*;
use entity::withdrawal;
use sea_orm::{ConnectionTrait, Set};
use serde::Deserialize;

/// The editable state of a withdrawal.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WithdrawalInput {
    /// The stable key people link to.
    pub slug: String,
    /// The organization left (global id).
    pub organization_id: RecordRef,
    /// The act that ordered it (global id).
    pub instrument_id: RecordRef,
    /// When it was announced.
    pub announced_on: NaiveDate,
    /// When it takes effect (not before the announcement).
    pub effective_on: Option<NaiveDate>,
    /// How far it has gone.
    pub withdrawal_status: WithdrawalStatus,
    /// Whether US funding has ended; None (or absent) when the sources do not establish it.
    #[serde(default)]
    pub funding_ended: Option<bool>,
    /// The reasons given, in our words.
    pub rationale: Option<String>,
    /// What observers expect it to change, in our words.
    pub expected_impact: Option<String>,
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

impl RecordInput for WithdrawalInput {
    type Entity = withdrawal::Entity;

    async fn prepare<C: ConnectionTrait>(
        &self,
        db: &C,
        current: Option<&withdrawal::Model>,
    ) -> AppResult<withdrawal::ActiveModel> {
        let mut c = Check::default();
        let organization_id = c
            .reference(
                db,
                "organizationId",
                &self.organization_id,
                RecordKind::Organization,
            )
            .await?;
        let instrument_id = c
            .reference(
                db,
                "instrumentId",
                &self.instrument_id,
                RecordKind::Instrument,
            )
            .await?;
        let effective = self.effective_on;
        c.not_before(
            "effectiveOn",
            effective,
            Some(self.announced_on),
            "announcedOn",
        );
        if self.withdrawal_status == WithdrawalStatus::Effective && effective.is_none() {
            c.fail(
                "effectiveOn",
                "is required when the withdrawal is EFFECTIVE",
            );
        }
        let (ceiling, ceiling_note) = super::ceiling(
            &mut c,
            self.confidence,
            &self.confidence_note,
            self.keep_ceiling,
            current.map(|r| (r.confidence_ceiling, r.confidence_note.clone())),
        );
        let am = withdrawal::ActiveModel {
            slug: Set(c.slug(&self.slug)),
            organization_id: Set(organization_id),
            instrument_id: Set(instrument_id),
            announced_on: Set(self.announced_on),
            effective_on: Set(effective),
            withdrawal_status: Set(self.withdrawal_status),
            funding_ended: Set(self.funding_ended),
            rationale: Set(c.opt_text("rationale", &self.rationale, 5000)),
            expected_impact: Set(c.opt_text("expectedImpact", &self.expected_impact, 5000)),
            confidence_ceiling: Set(ceiling),
            confidence_note: Set(ceiling_note),
            ..Default::default()
        };
        c.finish()?;
        Ok(am)
    }
}
