use super::{curated_object, load_by_id, load_many, load_node, Node, Source};
use async_graphql::futures_util::future::join_all;
use async_graphql::{Context, Result};
use entity::enums::*;

/// A claim in circulation that the record contradicts or qualifies.
pub struct Correction(pub entity::correction::Model);

curated_object!(
    /// A claim in circulation that the record contradicts or qualifies, with the evidence
    /// (its `sources`).
    Correction, Correction, {
    /// The claim, in our words.
    async fn claim(&self) -> &str {
        &self.0.claim
    }
    /// Where the claim was made.
    async fn claimed_in(&self) -> &str {
        &self.0.claimed_in
    }
    /// The source that made the claim, when it is in Exodus.
    async fn claim_source(&self, ctx: &Context<'_>) -> Result<Option<Source>> {
        match self.0.claim_source_id {
            Some(id) => load_by_id!(ctx, source, id, Source),
            None => Ok(None),
        }
    }
    /// What the record says about the claim.
    async fn verdict(&self) -> Verdict {
        self.0.verdict
    }
    /// What the record shows, in our words.
    async fn finding(&self) -> &str {
        &self.0.finding
    }
    /// The records the correction concerns (those visible to you).
    async fn concerns(&self, ctx: &Context<'_>) -> Result<Vec<Node>> {
        let subjects = load_many!(ctx, correction_subjects, self.0.id, std::convert::identity)?;
        // Load concurrently so the loaders batch them into one query per kind.
        let loaded = join_all(subjects.iter().map(|s| load_node(ctx, s.record_kind, s.record_id))).await;
        let mut nodes = Vec::with_capacity(loaded.len());
        for node in loaded {
            nodes.extend(node?);
        }
        Ok(nodes)
    }
});
