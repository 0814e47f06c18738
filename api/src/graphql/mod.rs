//! The GraphQL schema: the query root, the types (one per file) and the context they share.

pub mod context;
pub mod mutation;
pub mod query;
pub mod scalars;
pub mod types;

use crate::service::Limits;
use async_graphql::{EmptySubscription, Schema};

/// The schema Exodus serves.
pub type ExodusSchema = Schema<query::Query, mutation::Mutation, EmptySubscription>;

/// Builds the schema once at start-up; per-request data (viewer, loaders) is added per request.
pub fn build_schema(limits: Limits) -> ExodusSchema {
    Schema::build(
        query::Query::default(),
        mutation::Mutation::default(),
        EmptySubscription,
    )
    .data(limits)
    .finish()
}

/// The SDL, as `exodus schema` prints it and `schema.graphql` stores it.
pub fn sdl() -> String {
    build_schema(Limits {
        default_page_size: 20,
        max_page_size: 100,
    })
    .sdl()
}
