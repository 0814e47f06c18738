//! The GraphQL schema: the query, mutation and subscription roots, the types (one per file)
//! and the context they share.

pub mod context;
pub mod error;
pub mod filters;
pub mod inputs;
pub mod limits;
pub mod mutation;
pub mod nul;
pub mod query;
pub mod render;
pub mod scalars;
pub mod subscription;
pub mod types;
pub mod webhooks;

use crate::events::ChangeBus;
use crate::service::{Limits, RequestLimits};
use async_graphql::Schema;

/// Directives one field may carry (we define none; `@include`/`@skip` need one each).
const MAX_DIRECTIVES: usize = 8;

/// The schema Exodus serves.
pub type ExodusSchema = Schema<query::Query, mutation::Mutation, subscription::Subscription>;

/// Builds the schema once at start-up; per-request data (viewer, loaders) is added per
/// request. Subscriptions need the change bus; printing the SDL does not.
pub fn build_schema(
    limits: Limits,
    request: Option<RequestLimits>,
    bus: Option<ChangeBus>,
    webhooks: Option<std::sync::Arc<crate::webhooks::Settings>>,
) -> ExodusSchema {
    let mut builder = Schema::build(
        query::Query::default(),
        mutation::Mutation::default(),
        subscription::Subscription,
    )
    .data(limits);
    if let Some(r) = request {
        // Checked during validation, so a query over a limit never reaches the database.
        builder = builder
            .limit_complexity(r.max_complexity)
            .limit_directives(MAX_DIRECTIVES)
            .extension(limits::DocumentLimits {
                max_depth: r.max_depth,
                max_introspection_depth: r.max_introspection_depth,
                max_aliases: r.max_aliases,
                max_root_fields: r.max_root_fields,
            })
            .extension(nul::NoNul);
    }
    if let Some(bus) = bus {
        builder = builder.data(bus);
    }
    if let Some(w) = webhooks {
        builder = builder.data(w);
    }
    builder.finish()
}

/// The SDL, as `exodus schema` prints it and `schema.graphql` stores it.
pub fn sdl() -> String {
    build_schema(
        Limits {
            default_page_size: 20,
            max_page_size: 100,
        },
        None,
        None,
        None,
    )
    .sdl_with_options(async_graphql::SDLExportOptions::new().include_specified_by())
}
