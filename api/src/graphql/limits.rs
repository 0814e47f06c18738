//! Limits on the shape of a document: how deep it nests, how many fields an operation asks
//! for at its root, and how many aliases it uses (aliases are how one field is asked for a
//! thousand times). Checked right after parsing, for HTTP and websockets alike, so a document
//! over a limit never reaches validation or the database (`super::CheckedSchema`). (Complexity
//! is async-graphql's.)
//!
//! Depth has two budgets: one for data, and one for introspection (the fields under
//! `__schema` and `__type`), because every standard client's introspection query nests
//! deeper than any data query needs to (graphql-js's `getIntrospectionQuery()` reaches 15
//! levels through its `ofType` chain), while a data query that deep is an attack.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, ServerError, ServerResult};
use std::collections::HashMap;

/// The configured maxima.
#[derive(Debug, Clone, Copy)]
pub struct DocumentLimits {
    pub max_depth: usize,
    pub max_introspection_depth: usize,
    pub max_aliases: usize,
    pub max_root_fields: usize,
}

impl DocumentLimits {
    /// Every operation of the document must be within the limits.
    pub fn check(&self, document: &ExecutableDocument) -> ServerResult<()> {
        let mut counter = Counter {
            document,
            memo: HashMap::new(),
        };
        for (_, operation) in document.operations.iter() {
            let set = &operation.node.selection_set.node;
            let depth = Depth {
                document,
                memo: HashMap::new(),
            }
            .of(set, false, &mut Vec::new());
            if depth.data > self.max_depth {
                return Err(ServerError::new(
                    format!(
                        "Query is nested too deep: {} levels; the limit is {}",
                        depth.data, self.max_depth
                    ),
                    None,
                ));
            }
            if depth.introspection > self.max_introspection_depth {
                return Err(ServerError::new(
                    format!(
                        "The introspection query is nested too deep: {} levels; the limit is {}",
                        depth.introspection, self.max_introspection_depth
                    ),
                    None,
                ));
            }
            let roots = counter.count(set, &mut Vec::new(), Count::RootFields);
            if roots > self.max_root_fields {
                return Err(ServerError::new(
                    format!(
                        "the operation asks for {roots} root fields; the limit is {}",
                        self.max_root_fields
                    ),
                    None,
                ));
            }
            let aliases = counter.count(set, &mut Vec::new(), Count::Aliases);
            if aliases > self.max_aliases {
                return Err(ServerError::new(
                    format!(
                        "the operation uses {aliases} aliases; the limit is {}",
                        self.max_aliases
                    ),
                    None,
                ));
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Count {
    /// Fields of this selection set itself (through fragments), not below it.
    RootFields,
    /// Aliased fields anywhere below, counted as often as they would be executed.
    Aliases,
}

/// How deep a selection nests: its data fields, and apart its introspection fields.
#[derive(Clone, Copy, Default)]
struct Levels {
    data: usize,
    introspection: usize,
}

struct Depth<'a> {
    document: &'a ExecutableDocument,
    /// Per fragment (and whether it is spread under introspection): linear time.
    memo: HashMap<(&'a Name, bool), Levels>,
}

impl<'a> Depth<'a> {
    /// The levels of fields in `set` (a field is one level, as async-graphql counts).
    fn of(
        &mut self,
        set: &'a SelectionSet,
        introspection: bool,
        path: &mut Vec<&'a Name>,
    ) -> Levels {
        let mut levels = Levels::default();
        for item in &set.items {
            let inner = match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let name = field.name.node.as_str();
                    let below = introspection || name == "__schema" || name == "__type";
                    let child = self.of(&field.selection_set.node, below, path);
                    if below {
                        Levels {
                            data: 0,
                            introspection: 1 + child.introspection,
                        }
                    } else {
                        Levels {
                            data: 1 + child.data,
                            introspection: child.introspection,
                        }
                    }
                }
                Selection::InlineFragment(fragment) => {
                    self.of(&fragment.node.selection_set.node, introspection, path)
                }
                Selection::FragmentSpread(spread) => {
                    self.fragment(&spread.node.fragment_name.node, introspection, path)
                }
            };
            levels.data = levels.data.max(inner.data);
            levels.introspection = levels.introspection.max(inner.introspection);
        }
        levels
    }

    fn fragment(
        &mut self,
        name: &'a Name,
        introspection: bool,
        path: &mut Vec<&'a Name>,
    ) -> Levels {
        if let Some(levels) = self.memo.get(&(name, introspection)) {
            return *levels;
        }
        // A cycle counts as nothing here; validation refuses the document right after.
        if path.contains(&name) {
            return Levels::default();
        }
        let Some(fragment) = self.document.fragments.get(name) else {
            return Levels::default();
        };
        path.push(name);
        let levels = self.of(&fragment.node.selection_set.node, introspection, path);
        path.pop();
        self.memo.insert((name, introspection), levels);
        levels
    }
}

struct Counter<'a> {
    document: &'a ExecutableDocument,
    /// Per fragment, so that fragments spreading fragments cost linear time, not exponential.
    memo: HashMap<(&'a Name, Count), usize>,
}

impl<'a> Counter<'a> {
    fn count(&mut self, set: &'a SelectionSet, path: &mut Vec<&'a Name>, what: Count) -> usize {
        let mut total = 0usize;
        for item in &set.items {
            let n = match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    match what {
                        Count::RootFields => 1,
                        Count::Aliases => usize::from(field.alias.is_some())
                            .saturating_add(self.count(&field.selection_set.node, path, what)),
                    }
                }
                Selection::InlineFragment(fragment) => {
                    self.count(&fragment.node.selection_set.node, path, what)
                }
                Selection::FragmentSpread(spread) => {
                    self.fragment(&spread.node.fragment_name.node, path, what)
                }
            };
            total = total.saturating_add(n);
        }
        total
    }

    fn fragment(&mut self, name: &'a Name, path: &mut Vec<&'a Name>, what: Count) -> usize {
        if let Some(n) = self.memo.get(&(name, what)) {
            return *n;
        }
        // A cycle counts as nothing here; validation refuses the document right after.
        if path.contains(&name) {
            return 0;
        }
        let Some(fragment) = self.document.fragments.get(name) else {
            return 0;
        };
        path.push(name);
        let n = self.count(&fragment.node.selection_set.node, path, what);
        path.pop();
        self.memo.insert((name, what), n);
        n
    }
}

/// The complexity of a list field: each row it may return costs its fields. Rows are `first`
/// (or `last`) up to 100, the default largest page — a larger one is refused when it runs —
/// or 20, the default page size. (The rule runs without the schema's data, so it cannot read
/// the configured sizes; a server that raises them counts lists as at most 100 rows.)
/// Saturating, and capped far above any budget, so that nested lists with many aliases cannot
/// overflow the sum async-graphql makes of siblings.
pub fn cost(first: Option<i32>, child_complexity: usize) -> usize {
    let rows = first.map_or(20, |n| n.clamp(0, 100) as usize);
    rows.saturating_mul(child_complexity)
        .saturating_add(1)
        .min(1 << 40)
}
