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
    /// Whether US funding has ended.
    #[serde(default)]
    pub funding_ended: bool,
    /// The reasons given, in our words.
    pub rationale: Option<String>,
    /// What observers expect it to change, in our words.
    pub expected_impact: Option<String>,
    /// How well the record is supported.
    #[serde(default = "super::unconfirmed")]
    pub confidence: Confidence,
}

impl RecordInput for WithdrawalInput {
    type Entity = withdrawal::Entity;

    async fn prepare<C: ConnectionTrait>(
        &self,
        db: &C,
        _current: Option<&withdrawal::Model>,
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
            confidence: Set(self.confidence),
            ..Default::default()
        };
        c.finish()?;
        Ok(am)
    }
}
