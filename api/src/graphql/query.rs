//! The query root. Resolvers read arguments, call the service layer and wrap the result.

use crate::error::AppError;
use crate::graphql::context::{data, limits};
use crate::graphql::scalars::{naive, Date};
use crate::graphql::subscription::ChangeEvent;
use crate::graphql::types::*;
use crate::service::curated::Curated;
use crate::service::lists::{self, *};
use crate::service::page::{PageArgs, SortSpec};
use crate::service::{find_by_slug, ids, search, stats::StanceBreakdown, timeline};
use async_graphql::connection::PageInfo;
use async_graphql::{
    Context, InputObject, MergedObject, Object, OutputType, Result, SimpleObject, ID,
};
use entity::enums::*;
use entity::*;
use sea_orm::Condition;

/// Read access to the whole dataset. Anonymous readers see published records only.
#[derive(MergedObject, Default)]
pub struct Query(RootQuery, ListQuery);

/// The root fields that are not per-kind lists.
#[derive(Default)]
pub struct RootQuery;

/// One keyset page of a kind, as a connection.
async fn page_of<E: Curated, T, P: FromPage<T>>(
    ctx: &Context<'_>,
    condition: Result<Condition, AppError>,
    sort: SortSpec<E>,
    args: PageArgs,
    wrap: fn(E::Model) -> T,
) -> Result<P> {
    let d = data(ctx);
    let page = lists::list(&d.db, &d.viewer, condition?, &sort, &args, limits(ctx)).await?;
    let page_info = PageInfo {
        has_previous_page: page.has_previous_page,
        has_next_page: page.has_next_page,
        start_cursor: page.rows.first().map(|(c, _)| c.clone()),
        end_cursor: page.rows.last().map(|(c, _)| c.clone()),
    };
    let rows = page
        .rows
        .into_iter()
        .map(|(cursor, m)| (cursor, wrap(m)))
        .collect();
    Ok(P::from_page(
        rows,
        page_info,
        ListInfo::new(d.db.clone(), page.count),
    ))
}

async fn by_slug<E: Curated, T>(
    ctx: &Context<'_>,
    slug: &str,
    wrap: fn(E::Model) -> T,
) -> Result<Option<T>> {
    let d = data(ctx);
    Ok(find_by_slug::<E, _>(&d.db, &d.viewer, slug)
        .await?
        .map(wrap))
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
       $module:ident, $ty:ident, $conn:ident, $filter:ty, $order:ty;)*) => {
        /// The list and by-slug fields of each kind.
        #[derive(Default)]
        pub struct ListQuery;

        #[Object]
        impl ListQuery {
            $(
            $(#[$list_doc])*
            #[allow(clippy::too_many_arguments)]
            // Each requested row costs its fields: `first: 100` of a 10-field node is 1000.
            #[graphql(complexity = "(first.or(last).unwrap_or(20).clamp(0, 100) as usize) * child_complexity + 1")]
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
            ) -> Result<$conn> {
                let filter = filter.unwrap_or_default();
                let args = page_args(first, after, last, before);
                page_of::<$module::Entity, _, _>(ctx, filter.condition(), order_by.unwrap_or_default().spec(), args, $ty).await
            }

            $(#[$one_doc])*
            async fn $one(
                &self,
                ctx: &Context<'_>,
                #[graphql(desc = "The record's slug.")] slug: String,
            ) -> Result<Option<$ty>> {
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

/// A search match.
#[derive(SimpleObject)]
pub struct SearchHit {
    /// What kind of record matched.
    kind: RecordKind,
    /// How well it matched; higher is better. Comparable within one response only.
    rank: f64,
    /// The record.
    node: Node,
}

/// Which timeline events to return.
#[derive(InputObject, Default)]
pub struct TimelineFilter {
    /// Kinds of event (all when omitted).
    kinds: Option<Vec<timeline::TimelineEventKind>>,
    /// Events on or after this date.
    from: Option<Date>,
    /// Events on or before this date.
    to: Option<Date>,
}

#[Object]
impl RootQuery {
    /// Any record by its global id; null when it does not exist or is not visible to you.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global id.")] id: ID,
    ) -> Result<Option<Node>> {
        let (kind, id) = ids::decode(&id)?;
        load_node(ctx, kind, id).await
    }

    /// Several records by global id, in the order asked; null for those not found.
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ids.")] ids: Vec<ID>,
    ) -> Result<Vec<Option<Node>>> {
        let max = limits(ctx).max_page_size as usize;
        if ids.len() > max {
            return Err(AppError::bad_input(format!(
                "at most {max} ids at a time (got {})",
                ids.len()
            ))
            .into());
        }
        let decoded = ids
            .iter()
            .map(|id| ids::decode(id))
            .collect::<Result<Vec<_>, _>>()?;
        let loaded = async_graphql::futures_util::future::join_all(
            decoded
                .into_iter()
                .map(|(kind, id)| load_node(ctx, kind, id)),
        )
        .await;
        loaded.into_iter().collect()
    }

    /// Full-text search across kinds, best matches first. On PostgreSQL this is English
    /// full-text search (stemming, "quoted phrases", -exclusions); on SQLite every word must
    /// occur in the text.
    async fn search(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to look for.")] query: String,
        #[graphql(desc = "Only these kinds (all when omitted).")] kinds: Option<Vec<RecordKind>>,
        #[graphql(
            desc = "How many matches to return (at most the maximum page size).",
            default = 20
        )]
        first: i32,
    ) -> Result<Vec<SearchHit>> {
        let max = limits(ctx).max_page_size;
        if first < 0 || first as u32 > max {
            return Err(AppError::bad_input(format!(
                "`first` must be between 0 and {max} (got {first})"
            ))
            .into());
        }
        let d = data(ctx);
        let hits = search::search(
            &d.db,
            &d.viewer,
            &query,
            &kinds.unwrap_or_default(),
            first as u64,
        )
        .await?;
        let nodes = async_graphql::futures_util::future::join_all(
            hits.iter().map(|h| load_node(ctx, h.kind, h.id)),
        )
        .await;
        let mut out = Vec::with_capacity(hits.len());
        for (hit, node) in hits.into_iter().zip(nodes) {
            if let Some(node) = node? {
                out.push(SearchHit {
                    kind: hit.kind,
                    rank: hit.rank,
                    node,
                });
            }
        }
        Ok(out)
    }

    /// The signed-in editor; null for anonymous readers.
    async fn me(&self, ctx: &Context<'_>) -> Result<Option<Editor>> {
        let d = data(ctx);
        match d.viewer {
            crate::service::Viewer::Editor { id, .. } => Ok(Some(Editor(
                crate::service::editors::by_id(&d.db, id).await?,
            ))),
            crate::service::Viewer::Anonymous => Ok(None),
        }
    }

    /// Every editor account (admins only).
    async fn editors(&self, ctx: &Context<'_>) -> Result<Vec<Editor>> {
        let d = data(ctx);
        crate::service::editing::require_admin(&d.viewer)?;
        Ok(crate::service::editors::list(&d.db)
            .await?
            .into_iter()
            .map(Editor)
            .collect())
    }

    /// The changes to one record, newest first (editors only).
    async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The record's global id.")] id: ID,
        #[graphql(desc = "Return the first n revisions.")] first: Option<i32>,
        #[graphql(desc = "Return revisions after this cursor.")] after: Option<String>,
    ) -> Result<RevisionConnection> {
        let d = data(ctx);
        crate::service::editing::require_editor(&d.viewer)?;
        let (kind, id) = ids::decode(&id)?;
        let args = PageArgs {
            first,
            after,
            last: None,
            before: None,
        };
        let page = crate::service::history::history(&d.db, kind, id, &args, limits(ctx)).await?;
        let page_info = PageInfo {
            has_previous_page: page.has_previous_page,
            has_next_page: page.has_next_page,
            start_cursor: page.rows.first().map(|(c, _)| c.clone()),
            end_cursor: page.rows.last().map(|(c, _)| c.clone()),
        };
        let edges = page
            .rows
            .into_iter()
            .map(|(cursor, m)| RevisionEdge {
                cursor,
                node: Revision(m),
            })
            .collect();
        Ok(RevisionConnection { edges, page_info })
    }

    /// One revision, with its diff against the one before (editors only).
    async fn revision(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The revision's global id.")] id: ID,
    ) -> Result<Option<Revision>> {
        let d = data(ctx);
        crate::service::editing::require_editor(&d.viewer)?;
        let id = decode_revision_id(&id).ok_or_else(|| {
            AppError::bad_input(format!("{:?} is not a revision id", id.as_str()))
        })?;
        Ok(crate::service::history::revision(&d.db, id)
            .await?
            .map(Revision))
    }

    /// The change feed for clients that poll: changes after a cursor, oldest first. Keep the
    /// last `cursor` and pass it as `after` next time (or to the `changes` subscription).
    #[allow(clippy::too_many_arguments)]
    async fn changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Changes after this cursor; from the beginning when omitted.")]
        after: Option<String>,
        #[graphql(desc = "How many changes to return (at most the maximum page size).")]
        first: Option<i32>,
        #[graphql(desc = "Only these kinds (all when omitted).")] kinds: Option<Vec<RecordKind>>,
        #[graphql(desc = "Only these records (global ids; all when omitted).")] ids: Option<
            Vec<ID>,
        >,
        #[graphql(desc = "Editors only: include drafts and archived states (default false).")]
        include_drafts: Option<bool>,
    ) -> Result<ChangeConnection> {
        let d = data(ctx);
        let max = limits(ctx).max_page_size;
        let first = match first {
            None => limits(ctx).default_page_size,
            Some(n) if n < 0 || n as u32 > max => {
                return Err(AppError::bad_input(format!(
                    "`first` must be between 0 and {max} (got {n})"
                ))
                .into())
            }
            Some(n) => n as u32,
        };
        let filter = crate::graphql::subscription::feed_filter(
            kinds,
            ids,
            include_drafts.unwrap_or(false),
            &d.viewer,
        )?;
        let start = match &after {
            Some(c) => crate::events::feed::decode_cursor(c)?,
            None => 0,
        };
        // Read until the page is full or the log ends; invisible revisions are skipped.
        let mut edges: Vec<ChangeEdge> = Vec::new();
        let mut last = start;
        let head = crate::events::feed::head(&d.db)
            .await
            .map_err(AppError::from)?;
        while (edges.len() as u32) < first && last < head {
            let want = (first as u64 - edges.len() as u64).max(1);
            let (changes, read_to) =
                crate::events::feed::read(&d.db, &d.viewer, &filter, last, want).await?;
            if read_to == last {
                break;
            }
            last = read_to;
            edges.extend(changes.into_iter().map(|c| ChangeEdge {
                cursor: c.cursor(),
                node: ChangeEvent(c),
            }));
        }
        edges.truncate(first as usize);
        let end_cursor = Some(
            edges
                .last()
                .map(|e| e.cursor.clone())
                .unwrap_or_else(|| crate::events::feed::encode_cursor(last)),
        );
        let page_info = PageInfo {
            has_previous_page: start > 0,
            has_next_page: last < head,
            start_cursor: edges.first().map(|e| e.cursor.clone()),
            end_cursor,
        };
        Ok(ChangeConnection { edges, page_info })
    }

    /// Counts for dashboards, over the records visible to you.
    async fn stats(&self) -> Stats {
        Stats
    }

    /// Dated events in order: instruments signed, withdrawals announced and effective, pact
    /// status changes and reactions.
    async fn timeline(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which events to return.")] filter: Option<TimelineFilter>,
        #[graphql(desc = "Return the first n events.")] first: Option<i32>,
        #[graphql(desc = "Return events after this cursor.")] after: Option<String>,
    ) -> Result<TimelineConnection> {
        let filter = filter.unwrap_or_default();
        let d = data(ctx);
        let page = timeline::timeline(
            &d.db,
            &d.viewer,
            &filter.kinds.unwrap_or_default(),
            naive(filter.from),
            naive(filter.to),
            first,
            after.as_deref(),
            limits(ctx),
        )
        .await?;
        let edges: Vec<TimelineEdge> = page
            .events
            .into_iter()
            .map(|e| TimelineEdge {
                cursor: e.cursor(),
                node: TimelineEvent(e),
            })
            .collect();
        let page_info = PageInfo {
            has_previous_page: after.is_some(),
            has_next_page: page.has_next_page,
            start_cursor: edges.first().map(|e| e.cursor.clone()),
            end_cursor: edges.last().map(|e| e.cursor.clone()),
        };
        Ok(TimelineConnection { edges, page_info })
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

/// A dated event on the timeline.
pub struct TimelineEvent(timeline::Event);

/// A dated event on the timeline.
#[Object]
impl TimelineEvent {
    /// When it happened.
    async fn date(&self) -> Date {
        self.0.date.into()
    }
    /// What happened.
    async fn kind(&self) -> timeline::TimelineEventKind {
        self.0.kind
    }
    /// The record it happened to.
    async fn record(&self, ctx: &Context<'_>) -> Result<Option<Node>> {
        load_node(ctx, self.0.record_kind, self.0.record_id).await
    }
    /// For a pact status change: the status the pact moved to.
    async fn pact_status(&self) -> Option<PactStatus> {
        self.0.pact_status_change.as_ref().map(|c| c.pact_status)
    }
    /// For a pact status change: what happened, in our words.
    async fn note(&self) -> Option<&str> {
        self.0
            .pact_status_change
            .as_ref()
            .and_then(|c| c.note.as_deref())
    }
}

/// A page of the change feed, oldest first.
#[derive(SimpleObject)]
pub struct ChangeConnection {
    /// The changes of this page, each with its cursor.
    edges: Vec<ChangeEdge>,
    /// Whether more changes follow; `endCursor` is where to continue (even on an empty page).
    page_info: PageInfo,
}

/// A change in a page, with its cursor.
#[derive(SimpleObject)]
pub struct ChangeEdge {
    /// Pass it as `after` to continue after this change.
    cursor: String,
    /// The change.
    node: ChangeEvent,
}

/// A page of timeline events, in date order.
#[derive(SimpleObject)]
pub struct TimelineConnection {
    /// The events of this page, each with its cursor.
    edges: Vec<TimelineEdge>,
    /// Whether there are more events, and the cursors at this page's ends.
    page_info: PageInfo,
}

/// A timeline event in a page, with its cursor.
#[derive(SimpleObject)]
pub struct TimelineEdge {
    /// Pass it as `after` to continue from this event.
    cursor: String,
    /// The event.
    node: TimelineEvent,
}
