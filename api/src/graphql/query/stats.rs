//! Counts for dashboards.

use crate::graphql::context::data;
use crate::graphql::types::*;
use crate::service::stats::StanceBreakdown;
use async_graphql::{Context, Object, OutputType, Result, SimpleObject};
use entity::enums::*;
use entity::*;

/// Counts for dashboards.
#[derive(Default)]
pub struct StatsQuery;

#[Object]
impl StatsQuery {
    /// Counts for dashboards, over the records visible to you.
    async fn stats(&self) -> Stats {
        Stats
    }
}

/// Counts for dashboards.
pub struct Stats;

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
        let d = data(ctx);
        Ok(crate::service::stats::total::<organization::Entity, _>(&d.db, &d.viewer).await?)
    }
    /// Withdrawals tracked.
    async fn withdrawals(&self, ctx: &Context<'_>) -> Result<u64> {
        let d = data(ctx);
        Ok(crate::service::stats::total::<withdrawal::Entity, _>(&d.db, &d.viewer).await?)
    }
    /// Reactions tracked.
    async fn reactions(&self, ctx: &Context<'_>) -> Result<u64> {
        let d = data(ctx);
        Ok(crate::service::stats::total::<reaction::Entity, _>(&d.db, &d.viewer).await?)
    }
    /// Pacts tracked.
    async fn pacts(&self, ctx: &Context<'_>) -> Result<u64> {
        let d = data(ctx);
        Ok(crate::service::stats::total::<pact::Entity, _>(&d.db, &d.viewer).await?)
    }
    /// Organizations per category keyword, largest first.
    async fn organizations_by_category(&self, ctx: &Context<'_>) -> Result<Vec<Count<String>>> {
        let d = data(ctx);
        Ok(counts(
            crate::service::stats::organizations_by_category(&d.db, &d.viewer).await?,
        ))
    }
    /// Organizations per kind, largest first.
    async fn organizations_by_kind(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<Count<OrganizationKind>>> {
        let d = data(ctx);
        Ok(counts(
            crate::service::stats::count_by::<organization::Entity, _, _>(
                &d.db,
                &d.viewer,
                organization::Column::Kind,
            )
            .await?,
        ))
    }
    /// Organizations per digital relevance, largest first.
    async fn organizations_by_digital_relevance(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<Count<DigitalRelevance>>> {
        let d = data(ctx);
        Ok(counts(
            crate::service::stats::count_by::<organization::Entity, _, _>(
                &d.db,
                &d.viewer,
                organization::Column::DigitalRelevance,
            )
            .await?,
        ))
    }
    /// Withdrawals per status, largest first.
    async fn withdrawals_by_status(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<Count<WithdrawalStatus>>> {
        let d = data(ctx);
        Ok(counts(
            crate::service::stats::count_by::<withdrawal::Entity, _, _>(
                &d.db,
                &d.viewer,
                withdrawal::Column::WithdrawalStatus,
            )
            .await?,
        ))
    }
    /// Reactions per stance, largest first.
    async fn reactions_by_stance(&self, ctx: &Context<'_>) -> Result<Vec<Count<Stance>>> {
        let d = data(ctx);
        Ok(counts(
            crate::service::stats::count_by::<reaction::Entity, _, _>(
                &d.db,
                &d.viewer,
                reaction::Column::Stance,
            )
            .await?,
        ))
    }
    /// Pacts per status, largest first.
    async fn pacts_by_status(&self, ctx: &Context<'_>) -> Result<Vec<Count<PactStatus>>> {
        let d = data(ctx);
        Ok(counts(
            crate::service::stats::count_by::<pact::Entity, _, _>(
                &d.db,
                &d.viewer,
                pact::Column::PactStatus,
            )
            .await?,
        ))
    }
    /// Corrections per verdict, largest first.
    async fn corrections_by_verdict(&self, ctx: &Context<'_>) -> Result<Vec<Count<Verdict>>> {
        let d = data(ctx);
        Ok(counts(
            crate::service::stats::count_by::<correction::Entity, _, _>(
                &d.db,
                &d.viewer,
                correction::Column::Verdict,
            )
            .await?,
        ))
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
