//! Counts for dashboards.

use crate::graphql::context::data;
use crate::graphql::types::*;
use crate::service::stats::{StanceBreakdown, Tallies};
use async_graphql::{Context, Object, OutputType, Result, SimpleObject};
use entity::enums::*;
use tokio::sync::OnceCell;

/// Counts for dashboards.
#[derive(Default)]
pub struct StatsQuery;

#[Object]
impl StatsQuery {
    /// Counts for dashboards, over the records visible to you.
    async fn stats(&self) -> Stats {
        Stats::default()
    }
}

/// Counts for dashboards.
#[derive(Default)]
pub struct Stats {
    tallies: OnceCell<Tallies>,
}

/// A count of records sharing one value.
#[derive(SimpleObject)]
#[graphql(concrete(name = "CategoryCount", params(String)))]
#[graphql(concrete(name = "OrganizationKindCount", params(OrganizationKind)))]
#[graphql(concrete(name = "DigitalRelevanceCount", params(DigitalRelevance)))]
#[graphql(concrete(name = "WithdrawalStatusCount", params(WithdrawalStatus)))]
#[graphql(concrete(name = "StanceCount", params(Stance)))]
#[graphql(concrete(name = "PactStatusCount", params(PactStatus)))]
#[graphql(concrete(name = "VerdictCount", params(Verdict)))]
pub struct Count<T: OutputType> {
    /// The value.
    key: T,
    /// How many records have it.
    count: u64,
}

fn counts<T: OutputType>(rows: Vec<(T, u64)>) -> Vec<Count<T>> {
    rows.into_iter()
        .map(|(key, count)| Count { key, count })
        .collect()
}

/// How a withdrawal was received: its reactions by stance.
pub struct WithdrawalStances(StanceBreakdown);

/// How a withdrawal was received: its reactions by stance.
#[Object]
impl WithdrawalStances {
    /// The withdrawal.
    async fn withdrawal(&self, ctx: &Context<'_>) -> Result<Option<Withdrawal>> {
        match load_node(ctx, RecordKind::Withdrawal, self.0.withdrawal_id).await? {
            Some(Node::Withdrawal(w)) => Ok(Some(w)),
            _ => Ok(None),
        }
    }
    /// Reactions in support.
    async fn support(&self) -> u64 {
        self.0.support
    }
    /// Reactions against.
    async fn oppose(&self) -> u64 {
        self.0.oppose
    }
    /// Mixed reactions.
    async fn mixed(&self) -> u64 {
        self.0.mixed
    }
    /// Neutral reactions, including regret without opposition.
    async fn neutral(&self) -> u64 {
        self.0.neutral
    }
    /// All reactions.
    async fn total(&self) -> u64 {
        self.0.total()
    }
}

/// Counts for dashboards, over the records visible to you.
#[Object]
impl Stats {
    /// Organizations tracked.
    async fn organizations(&self, ctx: &Context<'_>) -> Result<u64> {
        Ok(self.tallies(ctx).await?.total("organization"))
    }
    /// Withdrawals tracked.
    async fn withdrawals(&self, ctx: &Context<'_>) -> Result<u64> {
        Ok(self.tallies(ctx).await?.total("withdrawal"))
    }
    /// Reactions tracked.
    async fn reactions(&self, ctx: &Context<'_>) -> Result<u64> {
        Ok(self.tallies(ctx).await?.total("reaction"))
    }
    /// Pacts tracked.
    async fn pacts(&self, ctx: &Context<'_>) -> Result<u64> {
        Ok(self.tallies(ctx).await?.total("pact"))
    }
    /// Organizations per category keyword, largest first.
    async fn organizations_by_category(&self, ctx: &Context<'_>) -> Result<Vec<Count<String>>> {
        Ok(counts(
            self.tallies(ctx).await?.strings("organization.category"),
        ))
    }
    /// Organizations per kind, largest first.
    async fn organizations_by_kind(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<Count<OrganizationKind>>> {
        Ok(counts(self.tallies(ctx).await?.by("organization.kind")))
    }
    /// Organizations per digital relevance, largest first.
    async fn organizations_by_digital_relevance(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<Count<DigitalRelevance>>> {
        Ok(counts(
            self.tallies(ctx)
                .await?
                .by("organization.digital_relevance"),
        ))
    }
    /// Withdrawals per status, largest first.
    async fn withdrawals_by_status(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<Count<WithdrawalStatus>>> {
        Ok(counts(
            self.tallies(ctx).await?.by("withdrawal.withdrawal_status"),
        ))
    }
    /// Reactions per stance, largest first.
    async fn reactions_by_stance(&self, ctx: &Context<'_>) -> Result<Vec<Count<Stance>>> {
        Ok(counts(self.tallies(ctx).await?.by("reaction.stance")))
    }
    /// Pacts per status, largest first.
    async fn pacts_by_status(&self, ctx: &Context<'_>) -> Result<Vec<Count<PactStatus>>> {
        Ok(counts(self.tallies(ctx).await?.by("pact.pact_status")))
    }
    /// Corrections per verdict, largest first.
    async fn corrections_by_verdict(&self, ctx: &Context<'_>) -> Result<Vec<Count<Verdict>>> {
        Ok(counts(self.tallies(ctx).await?.by("correction.verdict")))
    }
    /// The stance breakdown of every withdrawal that drew reactions, most reactions first.
    async fn stance_by_withdrawal(&self, ctx: &Context<'_>) -> Result<Vec<WithdrawalStances>> {
        let d = data(ctx);
        Ok(
            crate::service::stats::stance_by_withdrawal(&d.db, &d.viewer)
                .await?
                .into_iter()
                .map(WithdrawalStances)
                .collect(),
        )
    }
}

impl Stats {
    /// The kept counts, read once per `stats` selection however many of them it asks for.
    async fn tallies(&self, ctx: &Context<'_>) -> Result<&Tallies> {
        let d = data(ctx);
        Ok(self
            .tallies
            .get_or_try_init(|| crate::service::stats::tallies(&d.db, &d.viewer))
            .await?)
    }
}
