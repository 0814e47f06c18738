//! Search hits whose `node` is asked only for its id: answered from the hits themselves.
//! The search already kept only what the viewer may see (`service::search` filters by
//! status), so loading each record again to print its id is work the answer does not need.

use super::{answered, enabled, env, select};
use crate::service::ids;
use crate::service::search::Hit;
use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::SelectionSet;
use async_graphql::{Context, Name, ScalarType, Value};

/// The fields asked of each hit.
pub struct HitsPlan {
    fields: Vec<(Name, HitPart)>,
}

enum HitPart {
    Typename,
    Kind,
    Rank,
    Node(Vec<(Name, NodePart)>),
}

enum NodePart {
    Typename,
    Id,
}

/// The plan for the current `search` field; `None` when the executor answers (the node is
/// asked for more than its id, or through a fragment on a concrete type).
pub fn hits(ctx: &Context<'_>) -> Option<HitsPlan> {
    if !enabled(ctx) {
        return None;
    }
    let mut fields = Vec::new();
    for field in select::fields(
        env(ctx),
        &ctx.item.node.selection_set.node,
        "SearchHit",
        &[],
    )? {
        let part = match field.node.name.node.as_str() {
            "__typename" => HitPart::Typename,
            "kind" => HitPart::Kind,
            "rank" => HitPart::Rank,
            "node" => HitPart::Node(node(ctx, &field.node.selection_set.node)?),
            _ => return None,
        };
        fields.push((select::key(field), part));
    }
    Some(HitsPlan { fields })
}

fn node(ctx: &Context<'_>, set: &SelectionSet) -> Option<Vec<(Name, NodePart)>> {
    let mut fields = Vec::new();
    for field in select::fields(env(ctx), set, "Node", &[])? {
        let part = match field.node.name.node.as_str() {
            "__typename" => NodePart::Typename,
            "id" => NodePart::Id,
            _ => return None,
        };
        fields.push((select::key(field), part));
    }
    Some(fields)
}

/// The answer: one object per hit, in the search's order.
pub fn answer(ctx: &Context<'_>, plan: &HitsPlan, hits: &[Hit]) -> Value {
    let list = hits.iter().map(|hit| one(plan, hit)).collect();
    answered(ctx, Value::List(list))
}

fn one(plan: &HitsPlan, hit: &Hit) -> Value {
    let mut out = IndexMap::with_capacity(plan.fields.len());
    for (key, part) in &plan.fields {
        let value = match part {
            HitPart::Typename => Value::String("SearchHit".to_owned()),
            HitPart::Kind => async_graphql::InputType::to_value(&hit.kind),
            HitPart::Rank => ScalarType::to_value(&hit.rank),
            HitPart::Node(fields) => {
                let mut node = IndexMap::with_capacity(fields.len());
                for (key, part) in fields {
                    let value = match part {
                        NodePart::Typename => Value::String(ids::type_name(hit.kind).to_owned()),
                        NodePart::Id => Value::String(ids::encode(hit.kind, hit.id)),
                    };
                    node.insert(key.clone(), value);
                }
                Value::Object(node)
            }
        };
        out.insert(key.clone(), value);
    }
    Value::Object(out)
}
