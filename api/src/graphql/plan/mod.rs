//! The planner: answers common selections of lists and records straight from rows.
//!
//! The general executor resolves every field of every row as its own future and value
//! (about 1,600 per nested page). For a selection made of row fields, `organization` and
//! `reactions`, the planner reads the selection once, fetches each level for the whole page
//! in one statement (the loaders' statements, so visibility is the same), and writes the
//! answer from the rows. Anything it does not know, it leaves to the executor
//! (`select::fields` says when), so the answers are the same; `tests/api/planner.rs`
//! compares the two.

mod fill;
mod kinds;
mod planned_page;
mod prebuilt;
pub mod raw;
pub mod search;
mod select;
mod write;

pub use kinds::Plannable;
pub use planned_page::answer as answer_page;
pub use prebuilt::Prebuilt;

use crate::graphql::context::limits;
use crate::loaders::Projection;
use crate::service::page::{self, ChildArgs, SortSpec};
use async_graphql::context::QueryEnv;
use async_graphql::parser::types::SelectionSet;
use async_graphql::{Context, Name, Value};
use entity::{organization, reaction};
use kinds::Scalar;
use sea_orm::{IdenStatic, Iterable};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Whether the planner may answer (`EXODUS_PLANNER`; the executor answers when it is off),
/// and how many fields it has answered (`exodus_planner_answers_total` in /metrics).
#[derive(Debug, Clone, Default)]
pub struct Planning {
    enabled: bool,
    answers: Arc<AtomicU64>,
}

impl Planning {
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            answers: Arc::default(),
        }
    }

    /// The fields the planner has answered so far.
    pub fn answers(&self) -> u64 {
        self.answers.load(Ordering::Relaxed)
    }
}

/// The fields asked of each row of kind `E`.
pub struct NodePlan<E: Plannable> {
    fields: Vec<(Name, Part<E>)>,
}

impl<E: Plannable> ConnectionPlan<E> {
    /// Whether the selection asks `pageInfo.hasNextPage` (the only answer that needs the row
    /// past the page).
    fn asks_has_next_page(&self) -> bool {
        self.fields.iter().any(|(_, part)| match part {
            ConnectionPart::PageInfo(info) => {
                info.iter().any(|(_, p)| matches!(p, InfoPart::HasNextPage))
            }
            _ => false,
        })
    }

    /// The node plans of this connection (`nodes`, and `node` in `edges`).
    fn nodes(&self) -> Vec<&NodePlan<E>> {
        self.fields
            .iter()
            .flat_map(|(_, part)| match part {
                ConnectionPart::Nodes(node) => vec![node],
                ConnectionPart::Edges(edge) => edge
                    .iter()
                    .filter_map(|(_, p)| match p {
                        EdgePart::Node(node) => Some(node),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            })
            .collect()
    }
}

/// The columns the plans read of `E`'s rows: the id, `extra` (a sort or parent column the
/// fetch needs), and the column of each field asked. Every column when a field's column is
/// not found (so a field the projection missed would read all, never a placeholder).
fn projection<E: Plannable>(plans: &[&NodePlan<E>], extra: &[E::Column]) -> Projection {
    let mut columns: Vec<String> = vec!["id".to_owned()];
    columns.extend(extra.iter().map(|c| c.as_str().to_owned()));
    for plan in plans {
        for (_, part) in &plan.fields {
            match part {
                Part::Scalar(name, _) => columns.push(kinds::column_of(name)),
                Part::Organization(..) => match E::organization_column() {
                    Some(c) => columns.push(c.as_str().to_owned()),
                    None => return Projection::all(),
                },
                Part::Typename | Part::Reactions(..) => {}
            }
        }
    }
    let known = |name: &String| E::Column::iter().any(|c| c.as_str() == name);
    if !columns.iter().all(known) {
        return Projection::all();
    }
    let names: Vec<&str> = columns.iter().map(String::as_str).collect();
    Projection::of::<E>(&names)
}

enum Part<E: Plannable> {
    /// The field's name and how the row answers it.
    Scalar(Name, Scalar<E>),
    Typename,
    Organization(fn(&E::Model) -> i64, NodePlan<organization::Entity>),
    Reactions(
        ChildArgs,
        SortSpec<reaction::Entity>,
        ConnectionPlan<reaction::Entity>,
    ),
}

/// The fields asked of a connection of kind `E`.
pub struct ConnectionPlan<E: Plannable> {
    fields: Vec<(Name, ConnectionPart<E>)>,
}

enum ConnectionPart<E: Plannable> {
    Typename,
    Nodes(NodePlan<E>),
    Edges(Vec<(Name, EdgePart<E>)>),
    PageInfo(Vec<(Name, InfoPart)>),
}

enum EdgePart<E: Plannable> {
    Typename,
    Cursor,
    Node(NodePlan<E>),
}

#[derive(Clone, Copy)]
enum InfoPart {
    Typename,
    HasPreviousPage,
    HasNextPage,
    StartCursor,
    EndCursor,
}

fn enabled(ctx: &Context<'_>) -> bool {
    ctx.data_opt::<Planning>().is_some_and(|p| p.enabled)
}

/// Counts one answer of the planner.
fn answered(ctx: &Context<'_>, value: Value) -> Value {
    if let Some(p) = ctx.data_opt::<Planning>() {
        p.answers.fetch_add(1, Ordering::Relaxed);
    }
    value
}

/// The plan for the current field, a connection of `E`; `None` when the executor answers.
pub fn connection<E: Plannable>(ctx: &Context<'_>) -> Option<ConnectionPlan<E>> {
    if !enabled(ctx) {
        return None;
    }
    connection_plan(ctx, &ctx.item.node.selection_set.node, true)
}

/// The plan for the current field, one record of `E`; `None` when the executor answers.
pub fn record<E: Plannable>(ctx: &Context<'_>) -> Option<NodePlan<E>> {
    if !enabled(ctx) {
        return None;
    }
    node_plan(ctx, &ctx.item.node.selection_set.node, true)
}

fn env<'a>(ctx: &'a Context<'_>) -> &'a QueryEnv {
    ctx.query_env
}

fn connection_plan<E: Plannable>(
    ctx: &Context<'_>,
    set: &SelectionSet,
    relations: bool,
) -> Option<ConnectionPlan<E>> {
    let ty = format!("{}Connection", E::TYPE_NAME);
    let mut fields = Vec::new();
    for field in select::fields(env(ctx), set, &ty, &[])? {
        let f = &field.node;
        let inner = &f.selection_set.node;
        let part = match f.name.node.as_str() {
            "__typename" => ConnectionPart::Typename,
            "nodes" => ConnectionPart::Nodes(node_plan(ctx, inner, relations)?),
            "edges" => ConnectionPart::Edges(edge_plan(ctx, inner, relations)?),
            "pageInfo" => ConnectionPart::PageInfo(info_plan(ctx, inner)?),
            _ => return None,
        };
        fields.push((select::key(field), part));
    }
    Some(ConnectionPlan { fields })
}

fn edge_plan<E: Plannable>(
    ctx: &Context<'_>,
    set: &SelectionSet,
    relations: bool,
) -> Option<Vec<(Name, EdgePart<E>)>> {
    let ty = format!("{}Edge", E::TYPE_NAME);
    let mut fields = Vec::new();
    for field in select::fields(env(ctx), set, &ty, &[])? {
        let part = match field.node.name.node.as_str() {
            "__typename" => EdgePart::Typename,
            "cursor" => EdgePart::Cursor,
            "node" => EdgePart::Node(node_plan(ctx, &field.node.selection_set.node, relations)?),
            _ => return None,
        };
        fields.push((select::key(field), part));
    }
    Some(fields)
}

fn info_plan(ctx: &Context<'_>, set: &SelectionSet) -> Option<Vec<(Name, InfoPart)>> {
    let mut fields = Vec::new();
    for field in select::fields(env(ctx), set, "PageInfo", &[])? {
        let part = match field.node.name.node.as_str() {
            "__typename" => InfoPart::Typename,
            "hasPreviousPage" => InfoPart::HasPreviousPage,
            "hasNextPage" => InfoPart::HasNextPage,
            "startCursor" => InfoPart::StartCursor,
            "endCursor" => InfoPart::EndCursor,
            _ => return None,
        };
        fields.push((select::key(field), part));
    }
    Some(fields)
}

/// `relations`: whether this level may fetch related records (the planner fetches one level
/// of relations below the rows it was given; deeper selections go to the executor).
fn node_plan<E: Plannable>(
    ctx: &Context<'_>,
    set: &SelectionSet,
    relations: bool,
) -> Option<NodePlan<E>> {
    let mut fields = Vec::new();
    for field in select::fields(env(ctx), set, E::TYPE_NAME, &["Node"])? {
        let f = &field.node;
        let name = f.name.node.as_str();
        let part = if name == "__typename" {
            Part::Typename
        } else if let Some(scalar) = E::scalar(name).filter(|_| select::plain(f)) {
            Part::Scalar(f.name.node.clone(), scalar)
        } else if name == "organization" && relations && select::plain(f) {
            let of = E::organization_of()?;
            Part::Organization(of, node_plan(ctx, &f.selection_set.node, false)?)
        } else if name == "reactions" && relations {
            // From the kind, not its loader: making the request's loaders to ask costs more
            // than the planner saves on a small page.
            let (_, sort) = E::reactions_by()?;
            let first = match select::argument(env(ctx), f, "first")? {
                Value::Null => None,
                Value::Number(n) => Some(i32::try_from(n.as_i64()?).ok()?),
                _ => return None,
            };
            let after = match select::argument(env(ctx), f, "after")? {
                Value::Null => None,
                Value::String(s) => Some(s),
                _ => return None,
            };
            if !f
                .arguments
                .iter()
                .all(|(n, _)| matches!(n.node.as_str(), "first" | "after"))
            {
                return None;
            }
            // A bad argument is the executor's to report.
            let args = page::child_args(first, after.as_deref(), &sort, limits(ctx)).ok()?;
            Part::Reactions(
                args,
                sort,
                connection_plan(ctx, &f.selection_set.node, false)?,
            )
        } else {
            return None;
        };
        fields.push((select::key(field), part));
    }
    Some(NodePlan { fields })
}

/// The answer to a record plan: the visible record with this slug (reading only the
/// columns the plan needs), or null.
pub async fn answer_record<E: Plannable>(
    ctx: &Context<'_>,
    plan: &NodePlan<E>,
    slug: &str,
) -> async_graphql::Result<Value> {
    let d = crate::graphql::context::data(ctx);
    let columns = projection(&[plan], &[]);
    let found =
        crate::service::find_by_slug_projected::<E, _>(&d.db, &d.viewer, slug, &columns).await?;
    let Some(model) = found else {
        return Ok(answered(ctx, Value::Null));
    };
    let fetched = fill::fetch(ctx, plan, &[&model]).await?;
    let mut json = write::Json::with_capacity(1024);
    write::node(&mut json, plan, &model, &fetched);
    Ok(answered(ctx, raw::deliver(ctx, json.into_bytes())?))
}
