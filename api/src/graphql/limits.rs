//! Limits on the shape of a document that depth and complexity do not catch: how many fields
//! an operation asks for at its root, and how many aliases it uses (aliases are how one field
//! is asked for a thousand times). Checked right after parsing, for HTTP and websockets alike,
//! so a document over a limit never reaches validation or the database.

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, ServerError, ServerResult, Variables};
use std::collections::HashMap;
use std::sync::Arc;

/// The configured maxima.
#[derive(Debug, Clone, Copy)]
pub struct DocumentLimits {
    pub max_aliases: usize,
    pub max_root_fields: usize,
}

impl ExtensionFactory for DocumentLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(*self)
    }
}

#[async_trait::async_trait]
impl Extension for DocumentLimits {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        self.check(&document)?;
        Ok(document)
    }
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
