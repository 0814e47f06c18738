//! Relay connections, one pair of types per kind, so each carries its own description.

use super::*;
use async_graphql::connection::PageInfo;
use async_graphql::{Object, SimpleObject};

/// Builds a connection from a page of rows.
pub trait FromPage<T>: Sized {
    fn from_page(rows: Vec<(String, T)>, page_info: PageInfo, info: ListInfo) -> Self;

    /// From rows and whether pages come before and after them; the page info's cursors are
    /// the rows' ends.
    fn from_rows(
        rows: Vec<(String, T)>,
        has_previous_page: bool,
        has_next_page: bool,
        info: ListInfo,
    ) -> Self {
        let page_info = page_info(
            has_previous_page,
            has_next_page,
            rows.first().map(|(c, _)| c),
            rows.last().map(|(c, _)| c),
        );
        Self::from_page(rows, page_info, info)
    }
}

/// Declares `<Kind>Connection` and `<Kind>Edge` for one node type.
macro_rules! connection {
    ($conn:ident, $edge:ident, $node:ident, $what:literal) => {
        #[doc = concat!("A page of ", $what, ", with its position and the total.")]
        pub struct $conn {
            edges: Vec<$edge>,
            page_info: PageInfo,
            info: ListInfo,
        }

        #[doc = concat!("One of ", $what, " in a page, with its cursor.")]
        #[derive(SimpleObject)]
        pub struct $edge {
            /// Pass it as `after` or `before` to continue from this record.
            cursor: String,
            /// The record.
            node: $node,
        }

        #[doc = concat!("A page of ", $what, ", with its position and the total.")]
        #[Object]
        impl $conn {
            /// The records of this page, each with its cursor.
            async fn edges(&self) -> &[$edge] {
                &self.edges
            }
            /// The records of this page.
            async fn nodes(&self) -> Vec<&$node> {
                self.edges.iter().map(|e| &e.node).collect()
            }
            /// Whether there are pages before and after this one, and the cursors at its ends.
            async fn page_info(&self) -> &PageInfo {
                &self.page_info
            }
            /// How many there are across all pages (that match the filter, for a top-level
            /// list).
            async fn total_count(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> async_graphql::Result<u64> {
                self.info.total_count(ctx).await
            }
        }

        impl FromPage<$node> for $conn {
            fn from_page(rows: Vec<(String, $node)>, page_info: PageInfo, info: ListInfo) -> Self {
                let edges = rows
                    .into_iter()
                    .map(|(cursor, node)| $edge { cursor, node })
                    .collect();
                Self {
                    edges,
                    page_info,
                    info,
                }
            }
        }
    };
}

connection!(
    OrganizationConnection,
    OrganizationEdge,
    Organization,
    "organizations"
);
connection!(
    InstrumentConnection,
    InstrumentEdge,
    Instrument,
    "instruments"
);
connection!(
    WithdrawalConnection,
    WithdrawalEdge,
    Withdrawal,
    "withdrawals"
);
connection!(
    StakeholderConnection,
    StakeholderEdge,
    Stakeholder,
    "stakeholders"
);
connection!(ReactionConnection, ReactionEdge, Reaction, "reactions");
connection!(PactConnection, PactEdge, Pact, "pacts");
connection!(SourceConnection, SourceEdge, Source, "sources");
connection!(
    SourceLinkConnection,
    SourceLinkEdge,
    SourceLink,
    "a record's sources"
);
connection!(
    CorrectionConnection,
    CorrectionEdge,
    Correction,
    "corrections"
);

/// The page info of a page whose edges run from the cursor `start` to `end`: the one place a
/// PageInfo is built.
pub fn page_info(
    has_previous_page: bool,
    has_next_page: bool,
    start: Option<&String>,
    end: Option<&String>,
) -> PageInfo {
    PageInfo {
        has_previous_page,
        has_next_page,
        start_cursor: start.cloned(),
        end_cursor: end.cloned(),
    }
}
