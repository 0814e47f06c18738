//! The history of a record and its revisions (editors only).

use crate::error::AppError;
use crate::graphql::context::{data, limits};
use crate::graphql::types::page_info;
use crate::graphql::types::*;
use crate::service::ids;
use crate::service::page::PageArgs;
use async_graphql::{Context, Object, Result, ID};

/// Revisions, for editors.
#[derive(Default)]
pub struct HistoryQuery;

#[Object]
impl HistoryQuery {
    /// The changes to one record, newest first (editors only).
    async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The record's global id.")] id: ID,
        #[graphql(desc = "Return the first n revisions.")] first: Option<i32>,
        #[graphql(desc = "Return revisions after this cursor.")] after: Option<String>,
    ) -> Result<RevisionConnection> {
        let d = data(ctx);
        crate::service::editing::require_editor(&d.viewer)?;
        let (kind, id) = ids::decode(&id)?;
        let args = PageArgs {
            first,
            after,
            last: None,
            before: None,
        };
        let page = crate::service::history::history(&d.db, kind, id, &args, limits(ctx)).await?;
        let page_info = page_info(
            page.has_previous_page,
            page.has_next_page,
            page.rows.first().map(|(c, _)| c),
            page.rows.last().map(|(c, _)| c),
        );
        let edges = page
            .rows
            .into_iter()
            .map(|(cursor, m)| RevisionEdge {
                cursor,
                node: Revision(m),
            })
            .collect();
        Ok(RevisionConnection { edges, page_info })
    }

    /// One revision, with its diff against the one before (editors only).
    async fn revision(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The revision's global id.")] id: ID,
    ) -> Result<Option<Revision>> {
        let d = data(ctx);
        crate::service::editing::require_editor(&d.viewer)?;
        let id = decode_revision_id(&id).ok_or_else(|| {
            AppError::bad_input(format!("{:?} is not a revision id", id.as_str()))
        })?;
        Ok(crate::service::history::revision(&d.db, id)
            .await?
            .map(Revision))
    }
}
