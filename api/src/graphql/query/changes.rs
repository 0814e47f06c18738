//! The change feed for clients that poll.

use crate::error::AppError;
use crate::graphql::context::{data, limits};
use crate::graphql::subscription::ChangeEvent;
use crate::graphql::types::page_info;
use async_graphql::connection::PageInfo;
use async_graphql::{Context, Object, Result, SimpleObject, ID};
use entity::enums::*;

/// Revisions read at a time (at least a page).
const READ_BATCH: u64 = 100;
/// Reads one request may make: its page ends there, full or not.
const MAX_READS: u32 = 20;

/// The change feed, polled.
#[derive(Default)]
pub struct ChangesQuery;

#[Object]
impl ChangesQuery {
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
        // Read until the page is full or the log ends; invisible revisions are skipped. Reads
        // go a batch at a time (a page of one may lie behind thousands of hidden revisions),
        // and a request reads a bounded number of batches.
        let mut edges: Vec<ChangeEdge> = Vec::new();
        let mut last = start;
        let head = crate::events::feed::head(&d.db)
            .await
            .map_err(AppError::from)?;
        let batch = u64::from(first).max(READ_BATCH);
        let mut reads = 0;
        let mut exhausted = last >= head || first == 0;
        // One event more than the page, to know whether a visible one follows.
        while edges.len() <= first as usize && !exhausted && reads < MAX_READS {
            reads += 1;
            let (changes, read_to) =
                crate::events::feed::read(&d.db, &d.viewer, &filter, last, batch).await?;
            exhausted = read_to == last || read_to >= head;
            last = read_to;
            edges.extend(changes.into_iter().map(|c| ChangeEdge {
                cursor: c.cursor(),
                node: ChangeEvent(c),
            }));
        }
        let more = edges.len() > first as usize;
        edges.truncate(first as usize);
        // The page ends at its last event, or where it began when it has none: never at a
        // revision the reader may not see, so that the answer is the same whether hidden
        // records exist or not (a draft's id answers as an unknown id; hidden edits move no
        // cursor, and `hasNextPage` says whether a *visible* change follows). Hidden
        // revisions after the last event are read again by the next page. Only a page cut
        // short by the read bound ends where its reads stopped, so that a reader behind a
        // long run of hidden revisions still makes progress.
        let cut_short = !more && !exhausted;
        let end = match edges.last() {
            _ if cut_short => crate::events::feed::encode_cursor(last),
            Some(e) => e.cursor.clone(),
            None => crate::events::feed::encode_cursor(start),
        };
        let end_cursor = Some(end);
        let has_next = more || cut_short;
        let first = edges.first().map(|e| &e.cursor);
        let page_info = page_info(start > 0, has_next, first, end_cursor.as_ref());
        Ok(ChangeConnection { edges, page_info })
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
