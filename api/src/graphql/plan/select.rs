//! Reading a selection the way async-graphql's executor would, or declining to.
//!
//! The planner answers only selections whose meaning it can state exactly: fields,
//! fragments whose type condition is the object itself or an interface it implements, no
//! directives left after `@skip`/`@include` were applied, and each response key once. For
//! anything else it returns `None` and the general executor answers, so a planned answer
//! never differs from the executor's.

use async_graphql::context::QueryEnv;
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::{Name, Positioned, Value};
use std::collections::HashSet;

/// The fields `set` selects on an object of type `ty` (implementing `interfaces`), fragments
/// flattened, in the order they appear; `None` when the planner should not answer it.
pub fn fields<'a>(
    env: &'a QueryEnv,
    set: &'a SelectionSet,
    ty: &str,
    interfaces: &[&str],
) -> Option<Vec<&'a Positioned<Field>>> {
    let mut out = Vec::new();
    collect(env, set, ty, interfaces, &mut out)?;
    let mut keys = HashSet::with_capacity(out.len());
    // Two fields under one key are merged by the executor; leave that to it.
    if !out
        .iter()
        .all(|f| keys.insert(f.node.response_key().node.as_str()))
    {
        return None;
    }
    Some(out)
}

fn collect<'a>(
    env: &'a QueryEnv,
    set: &'a SelectionSet,
    ty: &str,
    interfaces: &[&str],
    out: &mut Vec<&'a Positioned<Field>>,
) -> Option<()> {
    for selection in &set.items {
        // `@skip` and `@include` are removed before execution; any directive left is one the
        // planner does not apply.
        if !selection.node.directives().is_empty() {
            return None;
        }
        let (condition, inner) = match &selection.node {
            Selection::Field(field) => {
                out.push(field);
                continue;
            }
            Selection::InlineFragment(fragment) => (
                fragment.node.type_condition.as_ref(),
                &fragment.node.selection_set.node,
            ),
            Selection::FragmentSpread(spread) => {
                let fragment = env.fragments.get(&spread.node.fragment_name.node)?;
                if !fragment.node.directives.is_empty() {
                    return None;
                }
                (
                    Some(&fragment.node.type_condition),
                    &fragment.node.selection_set.node,
                )
            }
        };
        let applies = condition.is_none_or(|c| {
            let on = c.node.on.node.as_str();
            on == ty || interfaces.contains(&on)
        });
        if !applies {
            return None;
        }
        collect(env, inner, ty, interfaces, out)?;
    }
    Some(())
}

/// The response key of a field, as the answer names it.
pub fn key(field: &Positioned<Field>) -> Name {
    field.node.response_key().node.clone()
}

/// An argument's value with variables substituted (a variable that was not sent takes its
/// default); `Null` when the argument is absent, `None` when it cannot be read.
pub fn argument(env: &QueryEnv, field: &Field, name: &str) -> Option<Value> {
    let Some(value) = field.get_argument(name) else {
        return Some(Value::Null);
    };
    value
        .node
        .clone()
        .into_const_with(|var| {
            env.variables
                .get(&var)
                .cloned()
                .or_else(|| {
                    env.operation
                        .node
                        .variable_definitions
                        .iter()
                        .find(|d| d.node.name.node == var)
                        .and_then(|d| d.node.default_value().cloned())
                })
                .ok_or(())
        })
        .ok()
}

/// Whether a field has no arguments (the planner reads arguments only where it knows them).
pub fn plain(field: &Field) -> bool {
    field.arguments.is_empty()
}
