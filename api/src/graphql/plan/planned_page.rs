//! A planned list field: the page read with only the columns its plan needs, and on
//! PostgreSQL with its relations joined into the same statement.

use super::{answered, projection, ConnectionPlan, Part, Plannable};
use super::{fill, raw, write};
use crate::error::AppError;
use crate::graphql::context::{data, limits};
use crate::service::joined::{self, Joins, ToOrganization, ToReactions};
use crate::service::lists;
use crate::service::page::{self, PageArgs, PageQuery, SortSpec};
use crate::service::rows;
use async_graphql::{Context, Value};
use sea_orm::{Condition, DbBackend};

/// Answers the connection plan over one page of `E`: visible to the viewer, matching
/// `condition`, in `sort` order.
pub async fn answer<E: Plannable>(
    ctx: &Context<'_>,
    plan: &ConnectionPlan<E>,
    condition: Condition,
    sort: &SortSpec<E>,
    args: &PageArgs,
) -> async_graphql::Result<Value> {
    let d = data(ctx);
    let statuses = d.viewer.visible_statuses();
    let select = lists::visible::<E>(&statuses, condition);
    let backend = d.db.get_database_backend();
    let query = PageQuery::new(backend, select, E::id_column(), sort, args, limits(ctx))?;
    // The sort column is always read: the cursors are made from it.
    let columns = projection(&plan.nodes(), &[sort.column]);
    let joins = match backend {
        DbBackend::Postgres => joins(plan, columns.clone()),
        _ => None,
    };
    let (page, fetched) = match joins {
        Some(joins) => {
            let found = joined::page(&d.db, &query, sort, &statuses, &joins).await?;
            let fetched = fill::from_joined(plan, found.organizations, found.reactions);
            (found.page, fetched)
        }
        None => {
            let statement = query.statement(&columns);
            // As AppError, so the client sees its code and not the database's message.
            let read = rows::all_projected(&d.db, statement, &columns)
                .await
                .map_err(AppError::from)?;
            let page = query.cut(read);
            let models: Vec<&E::Model> = page.rows.iter().collect();
            let fetched = fill::fetch_connection(ctx, plan, &models).await?;
            (page, fetched)
        }
    };
    let models: Vec<&E::Model> = page.rows.iter().collect();
    // Cursors are made only for the rows whose cursor the plan asks for.
    let cursor = |i: usize| page::encode_cursor(sort, E::id_of(models[i]), models[i]);
    let view = fill::Page {
        rows: &models,
        cursor: &cursor,
        has_previous_page: page.has_previous_page,
        has_next_page: page.has_next_page,
    };
    let mut json = write::Json::with_capacity(64 * 1024);
    write::connection(&mut json, plan, &view, &fetched);
    Ok(answered(ctx, raw::deliver(ctx, json.into_bytes())?))
}

/// The joins that read the plan's relations with its page, when it has any and one join
/// can serve them: a single node plan (`edges.node` or `nodes`), with at most one
/// `organization` and one `reactions` field. Other plans read each relation separately.
fn joins<E: Plannable>(
    plan: &ConnectionPlan<E>,
    columns: crate::loaders::Projection,
) -> Option<Joins<E::Column>> {
    let nodes = plan.nodes();
    let [node] = nodes.as_slice() else {
        return None;
    };
    let mut joins = Joins {
        projection: columns,
        organization: None,
        reactions: None,
    };
    for (_, part) in &node.fields {
        match part {
            Part::Scalar(..) | Part::Typename => {}
            Part::Organization(_, plan) => {
                if joins.organization.is_some() {
                    return None;
                }
                joins.organization = Some(ToOrganization {
                    column: E::organization_column()?,
                    projection: projection(&[plan], &[]),
                });
            }
            Part::Reactions(args, sort, plan) => {
                if joins.reactions.is_some() {
                    return None;
                }
                // The sort column makes the reactions' cursors and their order.
                joins.reactions = Some(ToReactions {
                    column: E::reactions_by()?.0,
                    sort: sort.clone(),
                    args: args.clone(),
                    projection: projection(&plan.nodes(), &[sort.column]),
                    probe: plan.asks_has_next_page(),
                });
            }
        }
    }
    (joins.organization.is_some() || joins.reactions.is_some()).then_some(joins)
}
