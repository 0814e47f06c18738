use super::{curated_object, load_by_id, load_many, Organization, Withdrawal};
use crate::graphql::scalars::Date;
use async_graphql::{Context, Object, Result};
use entity::enums::*;
use entity::{pact, pact_party, pact_replacement, pact_status_change};

/// An alternative agreement.
pub struct Pact(pub pact::Model);

curated_object!(
    /// An alternative agreement: a bilateral or plurilateral pact, or a private alliance.
    Pact, Pact,
    children: [
    /// Reactions to this pact, earliest first.
    reactions: ReactionConnection = reactions_by_pact, Reaction;
    ],
    {
    /// Its title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// How many and what kind of parties it has.
    async fn kind(&self) -> PactKind {
        self.0.kind
    }
    /// Where it stands now; see `statusHistory` for how it got there.
    async fn pact_status(&self) -> PactStatus {
        self.0.pact_status
    }
    /// Whether it binds its parties in law.
    async fn binding(&self) -> bool {
        self.0.binding
    }
    /// When it was signed, if it was.
    async fn signed_on(&self) -> Option<Date> {
        self.0.signed_on.map(Date)
    }
    /// What it covers, in our words.
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    /// Topic keywords, such as "ai" or "quantum".
    async fn topics(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        let rows = load_many!(ctx, topics, self.0.id, std::convert::identity)?;
        Ok(rows.into_iter().map(|t| t.topic).collect())
    }
    /// The parties, with their roles and when they joined.
    async fn parties(&self, ctx: &Context<'_>) -> Result<Vec<PactParty>> {
        load_many!(ctx, parties, self.0.id, PactParty)
    }
    /// Each change of `pactStatus`, oldest first.
    async fn status_history(&self, ctx: &Context<'_>) -> Result<Vec<PactStatusChange>> {
        load_many!(ctx, status_history, self.0.id, PactStatusChange)
    }
    /// The withdrawals or organizations this pact is said to replace, and who says so.
    async fn replaces(&self, ctx: &Context<'_>) -> Result<Vec<PactReplacement>> {
        load_many!(ctx, replacements, self.0.id, PactReplacement)
    }
});

/// A party to a pact.
pub struct PactParty(pub pact_party::Model);

/// A party to a pact.
#[Object]
impl PactParty {
    /// The party's name, such as "United Kingdom".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The party's ISO 3166 alpha-2 code, such as "GB".
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Its role in the pact.
    async fn role(&self) -> PartyRole {
        self.0.role
    }
    /// When it joined, if known.
    async fn joined_on(&self) -> Option<Date> {
        self.0.joined_on.map(Date)
    }
}

/// One step in a pact's status history.
pub struct PactStatusChange(pub pact_status_change::Model);

/// One step in a pact's status history.
#[Object]
impl PactStatusChange {
    /// The status the pact moved to.
    async fn pact_status(&self) -> PactStatus {
        self.0.pact_status
    }
    /// When.
    async fn on(&self) -> Date {
        self.0.changed_on.into()
    }
    /// What happened, in our words.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
}

/// A claim that a pact replaces a withdrawal or an organization.
pub struct PactReplacement(pub pact_replacement::Model);

/// A claim that a pact replaces a withdrawal or an organization.
#[Object]
impl PactReplacement {
    /// The pact (null if not visible to you).
    async fn pact(&self, ctx: &Context<'_>) -> Result<Option<Pact>> {
        load_by_id!(ctx, pact, self.0.pact_id, Pact)
    }
    /// The organization it is said to replace, if the claim names one.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        match self.0.organization_id {
            Some(id) => load_by_id!(ctx, organization, id, Organization),
            None => Ok(None),
        }
    }
    /// The withdrawal whose loss it is said to make up for, if the claim names one.
    async fn withdrawal(&self, ctx: &Context<'_>) -> Result<Option<Withdrawal>> {
        match self.0.withdrawal_id {
            Some(id) => load_by_id!(ctx, withdrawal, id, Withdrawal),
            None => Ok(None),
        }
    }
    /// Who makes the claim and how it stands, in our words.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// How well the claim is supported.
    async fn confidence(&self) -> Confidence {
        self.0.confidence
    }
}
