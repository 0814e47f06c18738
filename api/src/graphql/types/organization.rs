use super::{curated_object, load_many, PactReplacement};
use async_graphql::{Context, Result};
use entity::enums::*;
use entity::organization;

/// An international body: a UN entity, an intergovernmental organization, a multistakeholder
/// forum or a partnership.
pub struct Organization(pub organization::Model);

curated_object!(
    /// An international body: a UN entity, an intergovernmental organization, a
    /// multistakeholder forum or a partnership.
    Organization, Organization,
    children: [
    /// The United States' withdrawals from it, earliest announced first.
    withdrawals: WithdrawalConnection = withdrawals_by_organization, Withdrawal;
    /// Stakeholders that speak for this body, by name.
    stakeholders: StakeholderConnection = stakeholders_by_organization, Stakeholder;
    ],
    {
    /// Its full name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Its usual acronym, if it has one.
    async fn acronym(&self) -> Option<&str> {
        self.0.acronym.as_deref()
    }
    /// What kind of body it is.
    async fn kind(&self) -> OrganizationKind {
        self.0.kind
    }
    /// Category keywords, such as "cybersecurity" or "climate" (our classification).
    async fn categories(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        let rows = load_many!(ctx, categories, self.0.id, std::convert::identity)?;
        Ok(rows.into_iter().map(|c| c.category).collect())
    }
    /// How closely its mandate touches the internet and digital policy.
    async fn digital_relevance(&self) -> DigitalRelevance {
        self.0.digital_relevance
    }
    /// The section of the 7 January 2026 memorandum's list it appears in, if any.
    async fn list_section(&self) -> Option<ListSection> {
        self.0.list_section
    }
    /// Its position within that section, if known.
    async fn list_position(&self) -> Option<i32> {
        self.0.list_position
    }
    /// Whether the UN system hosts it, whatever section of the list it appears in.
    async fn hosted_by_un(&self) -> bool {
        self.0.hosted_by_un
    }
    /// Where it is based.
    async fn headquarters(&self) -> Option<&str> {
        self.0.headquarters.as_deref()
    }
    /// Its website.
    async fn website(&self) -> Option<&str> {
        self.0.website.as_deref()
    }
    /// What it does, in our words.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Pacts said to replace this body, with who says so.
    async fn replaced_by(&self, ctx: &Context<'_>) -> Result<Vec<PactReplacement>> {
        load_many!(ctx, replaced_by_organization, self.0.id, PactReplacement)
    }
});
