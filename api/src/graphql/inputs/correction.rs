//! The GraphQL input of corrections (see `service::inputs` for what each field must be).

use crate::service::inputs;
use crate::service::inputs::RecordRef;
use async_graphql::{InputObject, ID};
use entity::enums::*;

/// The editable state of a correction. Its evidence is its sources (attachSource).
#[derive(InputObject, Debug)]
pub struct CorrectionInput {
    /// The stable key people link to.
    pub slug: String,
    /// The claim, in our words.
    pub claim: String,
    /// Where the claim was made.
    pub claimed_in: String,
    /// The source that made the claim (global id), when it is in Exodus.
    pub claim_source_id: Option<ID>,
    /// What the record says about the claim.
    pub verdict: Verdict,
    /// What the record shows, in our words.
    pub finding: String,
    /// The records the correction concerns (global ids).
    #[graphql(default)]
    pub concerns: Vec<ID>,
    /// An editor's ceiling: the most the record may claim, when it deserves less than its
    /// sources support. The confidence itself is computed from the sources; this can only
    /// lower it, and needs `confidenceNote`. Left out of an update, the record's ceiling
    /// stays; `null` lifts it.
    pub confidence: async_graphql::MaybeUndefined<Confidence>,
    /// Why the record claims less than its sources support; required with `confidence`.
    pub confidence_note: Option<String>,
}

impl From<CorrectionInput> for inputs::CorrectionInput {
    fn from(v: CorrectionInput) -> Self {
        Self {
            slug: v.slug,
            claim: v.claim,
            claimed_in: v.claimed_in,
            claim_source_id: v.claim_source_id.map(|i| RecordRef::Id(i.0)),
            verdict: v.verdict,
            finding: v.finding,
            concerns: v.concerns.into_iter().map(|i| RecordRef::Id(i.0)).collect(),
            keep_ceiling: v.confidence.is_undefined(),
            confidence: v.confidence.take(),
            confidence_note: v.confidence_note,
        }
    }
}
