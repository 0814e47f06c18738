use super::RecordRef;
use super::{Check, RecordInput};
use crate::error::AppResult;
use crate::service::children::{CorrectionLists, RecordLists};
use entity::enums::*;
use entity::{correction, correction_subject};
use sea_orm::{ConnectionTrait, Set};
use serde::Deserialize;

const CONCERNABLE: [RecordKind; 7] = [
    RecordKind::Organization,
    RecordKind::Instrument,
    RecordKind::Withdrawal,
    RecordKind::Stakeholder,
    RecordKind::Reaction,
    RecordKind::Pact,
    RecordKind::Source,
];

/// The editable state of a correction. Its evidence is its sources (attachSource).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CorrectionInput {
    /// The stable key people link to.
    pub slug: String,
    /// The claim, in our words.
    pub claim: String,
    /// Where the claim was made.
    pub claimed_in: String,
    /// The source that made the claim (global id), when it is in Exodus.
    pub claim_source_id: Option<RecordRef>,
    /// What the record says about the claim.
    pub verdict: Verdict,
    /// What the record shows, in our words.
    pub finding: String,
    /// The records the correction concerns (global ids).
    #[serde(default)]
    pub concerns: Vec<RecordRef>,
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

impl CorrectionInput {
    async fn concern_pairs<C: ConnectionTrait>(
        &self,
        db: &C,
        c: &mut Check,
    ) -> AppResult<Vec<(RecordKind, i64)>> {
        let mut pairs = Vec::new();
        if self.concerns.len() > 50 {
            c.fail("concerns", "at most 50 records");
        }
        for (i, id) in self.concerns.iter().enumerate() {
            if let Some(pair) = c
                .any_reference(db, &format!("concerns[{i}]"), id, &CONCERNABLE)
                .await?
            {
                if !pairs.contains(&pair) {
                    pairs.push(pair);
                }
            }
        }
        Ok(pairs)
    }
}

impl RecordInput for CorrectionInput {
    type Entity = correction::Entity;

    async fn prepare<C: ConnectionTrait>(
        &self,
        db: &C,
        current: Option<&correction::Model>,
    ) -> AppResult<correction::ActiveModel> {
        let mut c = Check::default();
        let claim_source_id = match &self.claim_source_id {
            Some(id) => Some(
                c.reference(db, "claimSourceId", id, RecordKind::Source)
                    .await?,
            ),
            None => None,
        };
        self.concern_pairs(db, &mut c).await?;
        let (ceiling, ceiling_note) = super::ceiling(
            &mut c,
            self.confidence,
            &self.confidence_note,
            self.keep_ceiling,
            current.map(|r| (r.confidence_ceiling, r.confidence_note.clone())),
        );
        let am = correction::ActiveModel {
            slug: Set(c.slug(&self.slug)),
            claim: Set(c.text("claim", &self.claim, 2000)),
            claimed_in: Set(c.text("claimedIn", &self.claimed_in, 500)),
            claim_source_id: Set(claim_source_id),
            verdict: Set(self.verdict),
            finding: Set(c.text("finding", &self.finding, 5000)),
            confidence_ceiling: Set(ceiling),
            confidence_note: Set(ceiling_note),
            ..Default::default()
        };
        c.finish()?;
        Ok(am)
    }

    async fn write_lists<C: ConnectionTrait>(
        &self,
        db: &C,
        saved: &correction::Model,
        _before: Option<&correction::Model>,
    ) -> AppResult<()> {
        let mut c = Check::default();
        let pairs = self.concern_pairs(db, &mut c).await?;
        c.finish()?;
        let concerns = pairs
            .into_iter()
            .map(|(record_kind, record_id)| correction_subject::Model {
                id: 0,
                correction_id: saved.id,
                record_kind,
                record_id,
            })
            .collect();
        CorrectionLists { concerns }.replace(db, saved.id).await
    }
}
