//! The list and by-slug fields of every kind.

use crate::error::AppError;
use crate::graphql::context::{data, limits};
use crate::graphql::filters::*;
use crate::graphql::plan::{self, Plannable, Prebuilt};
use crate::graphql::types::*;
use crate::service::find_by_slug;
use crate::service::lists;
use crate::service::page::PageArgs;
use crate::service::page::SortSpec;
use async_graphql::{Context, Object, Result};
use entity::*;
use sea_orm::Condition;

/// One keyset page of a kind, as a connection: the planner's answer when it takes the
/// selection, the executor's otherwise.
async fn page_of<E: Plannable, T, P: FromPage<T>>(
    ctx: &Context<'_>,
    condition: Result<Condition, AppError>,
    sort: SortSpec<E>,
    args: PageArgs,
    wrap: fn(E::Model) -> T,
) -> Result<Prebuilt<P>> {
    let d = data(ctx);
    if let Some(plan) = plan::connection::<E>(ctx) {
        let answer = plan::answer_page(ctx, &plan, condition?, &sort, &args).await?;
        return Ok(Prebuilt::answer(answer));
    }
    let page = lists::list(&d.db, &d.viewer, condition?, &sort, &args, limits(ctx)).await?;
    let rows = page
        .rows
        .into_iter()
        .map(|(cursor, m)| (cursor, wrap(m)))
        .collect();
    let info = ListInfo::new(d.db.clone(), page.count);
    Ok(Prebuilt::object(P::from_rows(
        rows,
        page.has_previous_page,
        page.has_next_page,
        info,
    )))
}

async fn by_slug<E: Plannable, T>(
    ctx: &Context<'_>,
    slug: &str,
    wrap: fn(E::Model) -> T,
) -> Result<Prebuilt<Option<T>>> {
    if let Some(plan) = plan::record::<E>(ctx) {
        let answer = plan::answer_record(ctx, &plan, slug).await?;
        return Ok(Prebuilt::answer(answer));
    }
    let d = data(ctx);
    let found = find_by_slug::<E, _>(&d.db, &d.viewer, slug).await?;
    Ok(Prebuilt::object(found.map(wrap)))
}

fn page_args(
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> PageArgs {
    PageArgs {
        first,
        after,
        last,
        before,
    }
}

/// Declares the list field and the by-slug field of every kind, in one object (the field
/// definitions must be expanded before `#[Object]` reads them).
macro_rules! list_query {
    ($($(#[$list_doc:meta])* $list:ident, $(#[$one_doc:meta])* $one:ident,
       $module:ident, $ty:ident, $conn:ident, $filter:ident, $order:ident;)*) => {
        /// The list and by-slug fields of each kind.
        #[derive(Default)]
        pub struct ListQuery;

        #[Object]
        impl ListQuery {
            $(
            $(#[$list_doc])*
            #[allow(clippy::too_many_arguments)]
            // Each requested row costs its fields: `first: 100` of a 10-field node is 1000.
            #[graphql(complexity = "crate::graphql::limits::cost(first.or(last), child_complexity)")]
            async fn $list(
                &self,
                ctx: &Context<'_>,
                #[graphql(desc = "Return the first n records (at most the server's maximum page size).")]
                first: Option<i32>,
                #[graphql(desc = "Return records after this cursor.")] after: Option<String>,
                #[graphql(desc = "Return the last n records.")] last: Option<i32>,
                #[graphql(desc = "Return records before this cursor.")] before: Option<String>,
                #[graphql(desc = "Which records to return.")] filter: Option<$filter>,
                #[graphql(desc = "The order of the records (see the enum for the default).")]
                order_by: Option<$order>,
            ) -> Result<Prebuilt<$conn>> {
                let filter: lists::$filter = filter.map(Into::into).unwrap_or_default();
                let order: lists::$order = order_by.map(Into::into).unwrap_or_default();
                let args = page_args(first, after, last, before);
                let statuses = data(ctx).viewer.visible_statuses();
                page_of::<$module::Entity, _, _>(ctx, filter.condition(&statuses), order.spec(), args, $ty).await
            }

            $(#[$one_doc])*
            async fn $one(
                &self,
                ctx: &Context<'_>,
                #[graphql(desc = "The record's slug.")] slug: String,
            ) -> Result<Prebuilt<Option<$ty>>> {
                by_slug::<$module::Entity, _>(ctx, &slug, $ty).await
            }
            )*
        }
    };
}

list_query! {
    /// International bodies, by name unless `orderBy` says otherwise.
    organizations,
    /// One organization by slug, such as "freedom-online-coalition".
    organization, organization, Organization, OrganizationConnection, OrganizationFilter, OrganizationOrder;
    /// The acts behind the withdrawals, oldest first unless `orderBy` says otherwise.
    instruments,
    /// One instrument by slug, such as "eo-14199".
    instrument, instrument, Instrument, InstrumentConnection, InstrumentFilter, InstrumentOrder;
    /// Withdrawals, earliest announcement first unless `orderBy` says otherwise.
    withdrawals,
    /// One withdrawal by slug.
    withdrawal, withdrawal, Withdrawal, WithdrawalConnection, WithdrawalFilter, WithdrawalOrder;
    /// People and bodies who reacted, by name unless `orderBy` says otherwise.
    stakeholders,
    /// One stakeholder by slug.
    stakeholder, stakeholder, Stakeholder, StakeholderConnection, StakeholderFilter, StakeholderOrder;
    /// Reactions, earliest first unless `orderBy` says otherwise.
    reactions,
    /// One reaction by slug.
    reaction, reaction, Reaction, ReactionConnection, ReactionFilter, ReactionOrder;
    /// Alternative pacts, by title unless `orderBy` says otherwise.
    pacts,
    /// One pact by slug.
    pact, pact, Pact, PactConnection, PactFilter, PactOrder;
    /// Every source Exodus cites, by title unless `orderBy` says otherwise.
    sources,
    /// One source by slug.
    source, source, Source, SourceConnection, SourceFilter, SourceOrder;
    /// Claims in circulation that the record contradicts or qualifies.
    corrections,
    /// One correction by slug.
    correction, correction, Correction, CorrectionConnection, CorrectionFilter, CorrectionOrder;
}
