//! The GraphQL schema: the query, mutation and subscription roots, the types (one per file)
//! and the context they share.

pub mod context;
pub mod documents;
pub mod error;
pub mod filters;
pub mod inputs;
pub mod limits;
pub mod mutation;
pub mod nul;
pub mod plan;
pub mod query;
pub mod render;
pub mod scalars;
pub mod subscription;
pub mod types;
pub mod webhooks;

use crate::events::ChangeBus;
use crate::service::{Limits, RequestLimits};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Data, Executor, Request, Response, Schema, ServerResult};
use futures_util::stream::{BoxStream, StreamExt};
use std::sync::Arc;

/// Directives one field may carry (we define none; `@include`/`@skip` need one each).
const MAX_DIRECTIVES: usize = 8;

/// The schema Exodus serves.
pub type ExodusSchema = Schema<query::Query, mutation::Mutation, subscription::Subscription>;

/// The schema with the checks every request passes before it runs, on every transport (HTTP,
/// SSE and websockets go through it): the document limits and the refusal of NUL characters.
///
/// They are not schema extensions because any extension puts every resolved field through
/// async-graphql's extension chain (a registry lookup and a boxed future per extension per
/// field): about a fifth of the CPU of a nested page (BENCHMARKS.md, issue 17).
#[derive(Clone)]
pub struct CheckedSchema {
    schema: ExodusSchema,
    limits: Option<limits::DocumentLimits>,
    planning: plan::Planning,
    documents: Arc<documents::Documents>,
}

impl CheckedSchema {
    /// The planner's setting and count of answers.
    pub fn planning(&self) -> &plan::Planning {
        &self.planning
    }

    /// The schema itself (its SDL, say); executing through it skips the checks.
    pub fn unchecked(&self) -> &ExodusSchema {
        &self.schema
    }

    /// The request's document, parsed once (kept in the request, and by its text for the
    /// requests that send it again).
    pub fn parse<'r>(&self, request: &'r mut Request) -> ServerResult<&'r ExecutableDocument> {
        self.documents.parse(request)
    }

    /// Parses the document and checks it. A document that does not parse is left to the
    /// schema, which reports it as it always has.
    pub fn check(&self, request: &mut Request) -> ServerResult<()> {
        let Some(limits) = self.limits else {
            return Ok(());
        };
        let Ok(document) = self.parse(request) else {
            return Ok(());
        };
        limits.check(document)?;
        nul::check(&request.query, &request.variables)
    }

    /// Runs a query or mutation once it passed the checks.
    pub async fn execute(&self, mut request: Request) -> Response {
        if let Err(e) = self.check(&mut request) {
            return Response::from_errors(vec![e]);
        }
        self.schema.execute(request).await
    }

    /// Runs any operation as a stream once it passed the checks.
    pub fn execute_stream(
        &self,
        mut request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        if let Err(e) = self.check(&mut request) {
            return futures_util::stream::once(async move { Response::from_errors(vec![e]) })
                .boxed();
        }
        Executor::execute_stream(&self.schema, request, session_data)
    }
}

impl Executor for CheckedSchema {
    fn execute(&self, request: Request) -> impl std::future::Future<Output = Response> + Send {
        CheckedSchema::execute(self, request)
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        CheckedSchema::execute_stream(self, request, session_data)
    }
}

/// Builds the schema once at start-up; per-request data (viewer, loaders) is added per
/// request. Subscriptions need the change bus; printing the SDL does not.
pub fn build_schema(
    limits: Limits,
    request: Option<RequestLimits>,
    bus: Option<ChangeBus>,
    webhooks: Option<std::sync::Arc<crate::webhooks::Settings>>,
) -> CheckedSchema {
    let mut builder = Schema::build(
        query::Query::default(),
        mutation::Mutation::default(),
        subscription::Subscription,
    )
    .data(limits);
    let planning = plan::Planning::new(request.is_some_and(|r| r.planner));
    builder = builder.data(planning.clone());
    if let Some(r) = request {
        // Checked during validation, so a query over a limit never reaches the database.
        builder = builder
            .limit_complexity(r.max_complexity)
            .limit_directives(MAX_DIRECTIVES);
    }
    if let Some(bus) = bus {
        builder = builder.data(bus);
    }
    if let Some(w) = webhooks {
        builder = builder.data(w);
    }
    CheckedSchema {
        planning,
        documents: Arc::default(),
        schema: builder.finish(),
        limits: request.map(|r| limits::DocumentLimits {
            max_depth: r.max_depth,
            max_introspection_depth: r.max_introspection_depth,
            max_aliases: r.max_aliases,
            max_root_fields: r.max_root_fields,
        }),
    }
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
    .unchecked()
    .sdl_with_options(async_graphql::SDLExportOptions::new().include_specified_by())
}
