//! Fetching a plan's relations for a whole page (`super::write` writes the answer).

use super::{projection, ConnectionPart, ConnectionPlan, EdgePart, NodePlan, Part, Plannable};
use crate::graphql::context::{load_error, loaders};
use crate::service::page::ChildArgs;
use async_graphql::Context;
use entity::{organization, reaction};
use rustc_hash::FxHashMap;

/// What one part of a node plan fetched for the page (parallel to the plan's fields).
pub enum Fetched {
    Nothing,
    Organizations(FxHashMap<i64, organization::Model>),
    Reactions(FxHashMap<(i64, ChildArgs), Vec<reaction::Model>>),
}

/// What a connection plan's node plans fetched (`edges.node` and `nodes` each have their own).
pub struct ConnectionFetched {
    parts: Vec<Vec<Fetched>>,
}

impl ConnectionFetched {
    /// Nothing fetched, for a plan whose node plans have no relations.
    pub fn none<E: Plannable>(plan: &ConnectionPlan<E>) -> Self {
        Self {
            parts: plan.fields.iter().map(|_| Vec::new()).collect(),
        }
    }

    /// What each node plan fetched, in the plan's order.
    pub fn parts(&self) -> std::slice::Iter<'_, Vec<Fetched>> {
        self.parts.iter()
    }
}

/// Fetches the relations of a node plan for these rows: one loader call per relation.
pub async fn fetch<E: Plannable>(
    ctx: &Context<'_>,
    plan: &NodePlan<E>,
    rows: &[&E::Model],
) -> async_graphql::Result<Vec<Fetched>> {
    let mut out = Vec::with_capacity(plan.fields.len());
    for (_, part) in &plan.fields {
        out.push(match part {
            Part::Scalar(..) | Part::Typename => Fetched::Nothing,
            // The loaders' own statements, called once for the page: no batching to wait
            // for, and the rows are moved into the answer rather than cloned out of the
            // DataLoader's batch for each parent.
            // Only the columns of the fields asked are read.
            Part::Organization(of, plan) => {
                let mut ids: Vec<i64> = rows.iter().map(|m| of(m)).collect();
                ids.sort_unstable();
                ids.dedup();
                let loader = loaders(ctx).organization.loader();
                let found = loader.load_projected(&ids, &projection(&[plan], &[])).await;
                Fetched::Organizations(found.map_err(load_error)?)
            }
            Part::Reactions(args, _, plan) => {
                // A plan has reactions only for kinds that have their loader.
                let Some(loader) = E::reactions(loaders(ctx)) else {
                    out.push(Fetched::Nothing);
                    continue;
                };
                let keys: Vec<_> = rows.iter().map(|m| (E::id_of(m), args.clone())).collect();
                let columns = projection(&plan.nodes(), &[]);
                let found = loader.loader().load_projected(&keys, &columns).await;
                Fetched::Reactions(found.map_err(load_error)?)
            }
        });
    }
    Ok(out)
}

/// Fetches the relations of every node plan in a connection plan.
pub async fn fetch_connection<E: Plannable>(
    ctx: &Context<'_>,
    plan: &ConnectionPlan<E>,
    rows: &[&E::Model],
) -> async_graphql::Result<ConnectionFetched> {
    let mut parts = Vec::new();
    for (_, part) in &plan.fields {
        match part {
            ConnectionPart::Nodes(node) => parts.push(fetch(ctx, node, rows).await?),
            ConnectionPart::Edges(edge) => {
                for (_, part) in edge {
                    if let EdgePart::Node(node) = part {
                        parts.push(fetch(ctx, node, rows).await?);
                    }
                }
            }
            ConnectionPart::Typename | ConnectionPart::PageInfo(_) => {}
        }
    }
    Ok(ConnectionFetched { parts })
}

/// What a page's one statement read for its node plan (see `super::planned_page::joins`: one node
/// plan, at most one part of each relation), in the shape `fetch_connection` gives.
pub fn from_joined<E: Plannable>(
    plan: &ConnectionPlan<E>,
    organizations: FxHashMap<i64, organization::Model>,
    reactions: FxHashMap<i64, Vec<reaction::Model>>,
) -> ConnectionFetched {
    let (mut organizations, mut reactions) = (Some(organizations), Some(reactions));
    let parts = plan
        .nodes()
        .into_iter()
        .map(|node| {
            node.fields
                .iter()
                .map(|(_, part)| match part {
                    Part::Organization(..) => organizations
                        .take()
                        .map_or(Fetched::Nothing, Fetched::Organizations),
                    Part::Reactions(args, ..) => {
                        reactions.take().map_or(Fetched::Nothing, |found| {
                            let keyed = found
                                .into_iter()
                                .map(|(id, rows)| ((id, args.clone()), rows))
                                .collect();
                            Fetched::Reactions(keyed)
                        })
                    }
                    Part::Scalar(..) | Part::Typename => Fetched::Nothing,
                })
                .collect()
        })
        .collect();
    ConnectionFetched { parts }
}

/// One page of rows and where it stands in its list.
pub struct Page<'a, M> {
    pub rows: &'a [&'a M],
    /// The cursor of the row at this index.
    pub cursor: &'a dyn Fn(usize) -> String,
    pub has_previous_page: bool,
    pub has_next_page: bool,
}
