//! Records by global id, and the signed-in editor's account fields.

use crate::error::AppError;
use crate::graphql::context::{data, limits};
use crate::graphql::types::*;
use crate::service::ids;
use async_graphql::{Context, Object, Result, ID};

/// Records by global id.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any record by its global id; null when it does not exist or is not visible to you.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global id.")] id: ID,
    ) -> Result<Option<Node>> {
        let (kind, id) = ids::decode(&id)?;
        load_node(ctx, kind, id).await
    }

    /// Several records by global id, in the order asked; null for those not found.
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ids.")] ids: Vec<ID>,
    ) -> Result<Vec<Option<Node>>> {
        let max = limits(ctx).max_page_size as usize;
        if ids.len() > max {
            return Err(AppError::bad_input(format!(
                "at most {max} ids at a time (got {})",
                ids.len()
            ))
            .into());
        }
        let decoded = ids
            .iter()
            .map(|id| ids::decode(id))
            .collect::<Result<Vec<_>, _>>()?;
        let loaded = async_graphql::futures_util::future::join_all(
            decoded
                .into_iter()
                .map(|(kind, id)| load_node(ctx, kind, id)),
        )
        .await;
        loaded.into_iter().collect()
    }
}

/// The signed-in editor and the accounts (admins).
#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// The signed-in editor; null for anonymous readers.
    async fn me(&self, ctx: &Context<'_>) -> Result<Option<Editor>> {
        let d = data(ctx);
        match d.viewer {
            crate::service::Viewer::Editor { id, .. } => Ok(Some(Editor(
                crate::service::editors::by_id(&d.db, id).await?,
            ))),
            crate::service::Viewer::Anonymous => Ok(None),
        }
    }

    /// Every editor account (admins only).
    async fn editors(&self, ctx: &Context<'_>) -> Result<Vec<Editor>> {
        let d = data(ctx);
        crate::service::editing::require_admin(&d.viewer)?;
        Ok(crate::service::editors::list(&d.db)
            .await?
            .into_iter()
            .map(Editor)
            .collect())
    }
}
