//! Fetching a plan's relations for a whole page, then writing the answer from the rows.

use super::{
    projection, ConnectionPart, ConnectionPlan, EdgePart, InfoPart, NodePlan, Part, Plannable,
};
use crate::graphql::context::{load_error, loaders};
use crate::service::page::{self, ChildArgs, SortSpec};
use async_graphql::indexmap::IndexMap;
use async_graphql::{Context, Name, Value};
use entity::{organization, reaction};
use std::collections::HashMap;

/// What one part of a node plan fetched for the page (parallel to the plan's fields).
pub enum Fetched {
    Nothing,
    Organizations(HashMap<i64, organization::Model>),
    Reactions(HashMap<(i64, ChildArgs), Vec<reaction::Model>>),
}

/// What a connection plan's node plans fetched (`edges.node` and `nodes` each have their own).
pub struct ConnectionFetched {
    parts: Vec<Vec<Fetched>>,
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
    organizations: HashMap<i64, organization::Model>,
    reactions: HashMap<i64, Vec<reaction::Model>>,
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

fn object(capacity: usize) -> IndexMap<Name, Value> {
    IndexMap::with_capacity(capacity)
}

/// Writes one row's answer.
pub fn node<E: Plannable>(plan: &NodePlan<E>, model: &E::Model, fetched: &[Fetched]) -> Value {
    let mut out = object(plan.fields.len());
    for (i, (key, part)) in plan.fields.iter().enumerate() {
        // Plans without relations come with nothing fetched.
        let value = match (part, fetched.get(i).unwrap_or(&Fetched::Nothing)) {
            (Part::Scalar(_, f), _) => f(model),
            (Part::Typename, _) => Value::String(E::TYPE_NAME.to_owned()),
            (Part::Organization(of, plan), Fetched::Organizations(found)) => found
                .get(&of(model))
                .map_or(Value::Null, |o| node(plan, o, &[])),
            (Part::Reactions(args, sort, plan), Fetched::Reactions(found)) => reactions(
                plan,
                args,
                sort,
                found.get(&(E::id_of(model), args.clone())),
            ),
            // A relation's rows are always fetched with its part.
            _ => Value::Null,
        };
        out.insert(key.clone(), value);
    }
    Value::Object(out)
}

/// One parent's page of reactions, as `child_page` cuts it.
fn reactions(
    plan: &ConnectionPlan<reaction::Entity>,
    args: &ChildArgs,
    sort: &SortSpec<reaction::Entity>,
    rows: Option<&Vec<reaction::Model>>,
) -> Value {
    let rows: Vec<&reaction::Model> = rows.map(|r| r.iter().collect()).unwrap_or_default();
    let size = args.first as usize;
    let has_next_page = rows.len() > size;
    let rows = &rows[..rows.len().min(size)];
    let cursor = |i: usize| page::encode_cursor(sort, rows[i].id, rows[i]);
    let page = Page {
        rows,
        cursor: &cursor,
        has_previous_page: args.after.is_some(),
        has_next_page,
    };
    // The nested plan fetches nothing: its node plans have no relations.
    let fetched = ConnectionFetched {
        parts: plan.fields.iter().map(|_| Vec::new()).collect(),
    };
    connection(plan, &page, &fetched)
}

/// Writes a connection's answer.
pub fn connection<E: Plannable>(
    plan: &ConnectionPlan<E>,
    page: &Page<'_, E::Model>,
    fetched: &ConnectionFetched,
) -> Value {
    let mut parts = fetched.parts.iter();
    let mut out = object(plan.fields.len());
    for (key, part) in &plan.fields {
        let value = match part {
            ConnectionPart::Typename => Value::String(format!("{}Connection", E::TYPE_NAME)),
            ConnectionPart::Nodes(plan) => {
                let fetched = parts.next().map_or(&[][..], Vec::as_slice);
                let list = page.rows.iter().map(|m| node(plan, m, fetched)).collect();
                Value::List(list)
            }
            ConnectionPart::Edges(edge) => {
                let nodes: Vec<_> = edge
                    .iter()
                    .filter(|(_, p)| matches!(p, EdgePart::Node(_)))
                    .map(|_| parts.next().map_or(&[][..], Vec::as_slice))
                    .collect();
                let list = (0..page.rows.len())
                    .map(|i| edge_value::<E>(edge, page, i, &nodes))
                    .collect();
                Value::List(list)
            }
            ConnectionPart::PageInfo(info) => page_info(info, page),
        };
        out.insert(key.clone(), value);
    }
    Value::Object(out)
}

fn edge_value<E: Plannable>(
    edge: &[(Name, EdgePart<E>)],
    page: &Page<'_, E::Model>,
    i: usize,
    fetched: &[&[Fetched]],
) -> Value {
    let mut nodes = fetched.iter();
    let mut out = object(edge.len());
    for (key, part) in edge {
        let value = match part {
            EdgePart::Typename => Value::String(format!("{}Edge", E::TYPE_NAME)),
            EdgePart::Cursor => Value::String((page.cursor)(i)),
            EdgePart::Node(plan) => node(plan, page.rows[i], nodes.next().copied().unwrap_or(&[])),
        };
        out.insert(key.clone(), value);
    }
    Value::Object(out)
}

fn page_info<M>(info: &[(Name, InfoPart)], page: &Page<'_, M>) -> Value {
    let end = page.rows.len().checked_sub(1);
    let cursor = |i: Option<usize>| i.map_or(Value::Null, |i| Value::String((page.cursor)(i)));
    let mut out = object(info.len());
    for (key, part) in info {
        let value = match part {
            InfoPart::Typename => Value::String("PageInfo".to_owned()),
            InfoPart::HasPreviousPage => Value::Boolean(page.has_previous_page),
            InfoPart::HasNextPage => Value::Boolean(page.has_next_page),
            InfoPart::StartCursor => cursor((!page.rows.is_empty()).then_some(0)),
            InfoPart::EndCursor => cursor(end),
        };
        out.insert(key.clone(), value);
    }
    Value::Object(out)
}
