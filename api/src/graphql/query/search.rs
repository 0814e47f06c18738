//! Full-text search across kinds.

use crate::error::AppError;
use crate::graphql::context::{data, limits};
use crate::graphql::plan::{self, Prebuilt};
use crate::graphql::types::*;
use crate::service::search;
use async_graphql::{Context, Object, Result, SimpleObject};
use entity::enums::*;

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

/// Full-text search.
#[derive(Default)]
pub struct SearchQuery;

#[Object]
impl SearchQuery {
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
    ) -> Result<Prebuilt<Vec<SearchHit>>> {
        let max = limits(ctx).max_page_size;
        if first < 0 || first as u32 > max {
            return Err(AppError::bad_input(format!(
                "`first` must be between 0 and {max} (got {first})"
            ))
            .into());
        }
        let d = data(ctx);
        let plan = plan::search::hits(ctx);
        let hits = search::search(
            &d.db,
            &d.viewer,
            &query,
            &kinds.unwrap_or_default(),
            first as u64,
        )
        .await?;
        if let Some(plan) = plan {
            return Ok(Prebuilt::answer(plan::search::answer(ctx, &plan, &hits)));
        }
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
        Ok(Prebuilt::object(out))
    }
}
