//! One GraphQL request, from its JSON parameters to the status and body it gets: rate limit,
//! persisted queries, parsing, execution under the timeout, error codes, metrics.

use super::body::{error_body, GRAPHQL_RESPONSE};
use super::persisted::PersistedError;
use super::response_cache::ResponseCache;
use super::state::AppState;
use crate::error::{AppError, ErrorCode, ErrorTag};
use crate::graphql::context::RequestData;
use crate::graphql::plan::raw::{response_bytes, SplicesJson};
use crate::service::Viewer;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use async_graphql::parser::types::{
    DocumentOperations, OperationDefinition, OperationType, Selection,
};
use futures_util::FutureExt;
use serde_json::{json, Map, Value};
use std::time::Instant;

/// What one request produced.
pub struct Outcome {
    pub status: StatusCode,
    /// The answer; `Null` when only `raw` holds it (an answer from the response cache).
    pub body: Value,
    /// The answer already serialized, when it was (for the response cache).
    raw: Option<Bytes>,
    headers: Vec<(HeaderName, HeaderValue)>,
    /// A successful query without errors: an anonymous GET of it may be cached.
    pub cacheable: bool,
}

impl Outcome {
    fn new(status: StatusCode, body: Value) -> Self {
        Self {
            status,
            body,
            raw: None,
            headers: Vec::new(),
            cacheable: false,
        }
    }

    /// A successful answer already serialized (computed now, or stored by the cache).
    fn serialized(raw: Bytes) -> Self {
        let mut outcome = Self::new(StatusCode::OK, Value::Null);
        outcome.raw = Some(raw);
        outcome.cacheable = true;
        outcome
    }

    /// The answer as JSON (parsed back if it was only kept serialized).
    pub fn into_value(self) -> Value {
        match self.raw {
            Some(raw) if self.body.is_null() => serde_json::from_slice(&raw).unwrap_or(Value::Null),
            _ => self.body,
        }
    }

    /// The answer serialized.
    pub fn to_bytes(&self) -> Bytes {
        match &self.raw {
            Some(raw) => raw.clone(),
            None => Bytes::from(serde_json::to_vec(&self.body).unwrap_or_default()),
        }
    }

    /// An answer that is this one error, with the code's own status.
    fn error(code: ErrorCode, message: &str) -> Self {
        Self::new(code.http_status(), error_body(code, message))
    }

    pub fn bad_request(message: &str) -> Self {
        Self::error(ErrorCode::BadRequest, message)
    }

    /// A request that could not be executed.
    fn request_error(media: &str, code: ErrorCode, message: &str) -> Self {
        Self::new(request_error_status(media), error_body(code, message))
    }

    fn header(mut self, name: HeaderName, value: impl Into<HeaderValue>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn into_response(self, media: &str) -> HttpResponse {
        let mut builder = HttpResponse::build(self.status);
        builder.content_type(media);
        for header in self.headers {
            builder.insert_header(header);
        }
        match self.raw {
            Some(raw) => builder.body(raw),
            None => builder.json(self.body),
        }
    }
}

/// Runs one request given as its JSON parameters (`query`, `operationName`, `variables`,
/// `extensions`).
pub async fn run(
    req: &HttpRequest,
    fields: Map<String, Value>,
    viewer: &Viewer,
    media: &'static str,
    via_get: bool,
    state: &AppState,
) -> Outcome {
    let started = Instant::now();
    let mut operation = fields
        .get("operationName")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let mut root = None;
    let (outcome, label) = run_inner(
        req,
        fields,
        viewer,
        media,
        via_get,
        state,
        (&mut operation, &mut root),
    )
    .await;
    // Metrics are labelled by what ran (its type and first root field: names the schema
    // bounds), never by the client's operation name, which is unbounded and would show an
    // editor's operations to whoever reads /metrics. A document that failed validation
    // may name fields that do not exist: it is not labelled.
    let executed = !matches!(label, "invalid" | "bad_request");
    let root = root.filter(|_| executed);
    state
        .metrics
        .observe(root.as_deref(), label, started.elapsed());
    let span = tracing::Span::current();
    span.record("graphql.operation", operation.as_deref().unwrap_or(""));
    span.record("graphql.outcome", label);
    outcome
}

async fn run_inner(
    req: &HttpRequest,
    fields: Map<String, Value>,
    viewer: &Viewer,
    media: &'static str,
    via_get: bool,
    state: &AppState,
    (operation, root): (&mut Option<String>, &mut Option<String>),
) -> (Outcome, &'static str) {
    let anonymous = *viewer == Viewer::Anonymous;
    let client_ip = req.peer_addr().map(|a| a.ip());
    let mut request = match admit(client_ip, fields, viewer, media, state) {
        Ok(request) => request,
        Err(refused) => return *refused,
    };

    let operation_name = request.operation_name.clone();
    let mut is_query = false;
    let parse_error = match state.schema.parse(&mut request) {
        Ok(doc) => {
            // Without operationName, a document's one named operation names the request.
            if let (None, DocumentOperations::Multiple(named)) = (&operation, &doc.operations) {
                if named.len() == 1 {
                    *operation = named.keys().next().map(|n| n.to_string());
                }
            }
            is_query = is_query_operation(&doc.operations, operation_name.as_deref());
            *root = root_label(&doc.operations, operation_name.as_deref());
            if via_get && is_mutation(&doc.operations, operation_name.as_deref()) {
                return (mutation_over_get(), "bad_request");
            }
            None
        }
        Err(e) => Some(e.message.clone()),
    };
    if let Some(message) = parse_error {
        return (
            Outcome::request_error(media, ErrorCode::GraphqlParseFailed, &message),
            "invalid",
        );
    }

    // Anonymous queries may be answered from the cache while the data has not changed.
    let cache_key = (anonymous && is_query && state.responses.enabled()).then(|| {
        let variables = serde_json::to_string(&request.variables).unwrap_or_default();
        ResponseCache::key(&request.query, operation_name.as_deref(), &variables)
    });
    let head = state.bus.head();
    if let Some(raw) = cache_key
        .as_deref()
        .and_then(|k| state.responses.get(k, head))
    {
        return (Outcome::serialized(raw), "cached");
    }

    // `shape` serializes the answer: the planner's JSON can be copied into it as it is.
    let request = with_data(request, viewer, state, client_ip).data(SplicesJson);
    let timeout = state.request_limits.timeout;
    // A panic in a resolver is a bug; it is logged and answered as INTERNAL, and the worker
    // and the connection live on.
    let execution = std::panic::AssertUnwindSafe(state.schema.execute(request)).catch_unwind();
    let response = match tokio::time::timeout(timeout, execution).await {
        Ok(Ok(response)) => response,
        Ok(Err(_)) => {
            tracing::error!("a resolver panicked");
            let outcome = Outcome::error(ErrorCode::Internal, "internal error; it has been logged");
            return (outcome, "internal");
        }
        Err(_) => {
            let outcome = Outcome::error(
                ErrorCode::Timeout,
                "the request took too long and was stopped; ask for less (smaller pages, fewer fields)",
            );
            return (outcome, "timeout");
        }
    };
    let (mut outcome, label) = shape(response, media, state);
    if let Some(key) = cache_key {
        if outcome.cacheable && outcome.status == StatusCode::OK {
            let raw = outcome.to_bytes();
            state.responses.put(key, head, raw.clone());
            outcome.raw = Some(raw);
        }
    }
    (outcome, label)
}

/// The steps before parsing, shared by every transport over HTTP: the caller's rate limit,
/// the request's parameters, and its query (persisted queries and the safelist resolved).
pub(super) fn admit(
    client_ip: Option<std::net::IpAddr>,
    mut fields: Map<String, Value>,
    viewer: &Viewer,
    media: &'static str,
    state: &AppState,
) -> Result<async_graphql::Request, Box<(Outcome, &'static str)>> {
    let anonymous = *viewer == Viewer::Anonymous;
    if let Err(AppError::RateLimited { retry_after }) = state.rate_limiter.check(viewer, client_ip)
    {
        state
            .metrics
            .rate_limited(if anonymous { "address" } else { "editor" });
        let outcome = Outcome::error(
            ErrorCode::RateLimited,
            &format!("too many requests; try again in {retry_after} s"),
        )
        .header(header::RETRY_AFTER, HeaderValue::from(retry_after));
        return Err(Box::new((outcome, "rate_limited")));
    }

    let mut request = match request_from(&mut fields) {
        Ok(r) => r,
        Err(message) => return Err(Box::new((Outcome::bad_request(&message), "bad_request"))),
    };
    let query = match fields.remove("query") {
        None | Some(Value::Null) => None,
        Some(Value::String(q)) => Some(q),
        Some(_) => {
            return Err(Box::new((
                Outcome::bad_request("`query` must be a string"),
                "bad_request",
            )))
        }
    };
    let persisted = fields
        .get("extensions")
        .and_then(|e| e.get("persistedQuery"));
    match state.persisted.resolve(query, persisted, anonymous) {
        Ok(query) => request.query = query,
        Err(PersistedError::Malformed(message)) => {
            return Err(Box::new((Outcome::bad_request(&message), "bad_request")))
        }
        Err(e) => {
            return Err(Box::new((
                Outcome::request_error(media, e.code(), &e.message()),
                "persisted_query",
            )))
        }
    }
    Ok(request)
}

/// The request's data (the viewer, loaders made for it) and, for anonymous readers when
/// configured so, no introspection.
pub(super) fn with_data(
    request: async_graphql::Request,
    viewer: &Viewer,
    state: &AppState,
    client_ip: Option<std::net::IpAddr>,
) -> async_graphql::Request {
    let data = RequestData::new(
        state.db.clone(),
        viewer.clone(),
        state.auth.clone(),
        state.throttle.clone(),
        client_ip,
    );
    let request = request.data(data);
    if *viewer == Viewer::Anonymous && !state.request_limits.public_introspection {
        request.disable_introspection()
    } else {
        request
    }
}

/// Status, headers and codes for an executed response.
fn shape(
    response: async_graphql::Response,
    media: &'static str,
    state: &AppState,
) -> (Outcome, &'static str) {
    if response.errors.is_empty() {
        // Nothing to add to an answer without errors: serialize it once, straight to bytes
        // (a JSON value in between cost a tenth of a nested page's CPU).
        let raw = Bytes::from(response_bytes(&response));
        return (Outcome::serialized(raw), "ok");
    }
    // Our own errors carry their code as typed data (`ErrorTag`); async-graphql's carry none.
    let tagged = |code: ErrorCode| {
        response
            .errors
            .iter()
            .filter_map(|e| e.source::<ErrorTag>())
            .find(|tag| tag.code == code)
            .copied()
    };
    // An error that asks the client to wait sets the status of the whole answer; a throttled
    // login (the client's doing) is named before an unavailable database.
    let wait = tagged(ErrorCode::RateLimited).or_else(|| tagged(ErrorCode::ServiceUnavailable));
    let request_error = response.data == async_graphql::Value::Null
        && response.errors.iter().all(|e| e.path.is_empty());
    let mut body = serde_json::from_slice(&response_bytes(&response)).unwrap_or_else(|_| json!({}));
    if let Some(errors) = body.get_mut("errors").and_then(Value::as_array_mut) {
        for error in errors {
            add_default_code(error, request_error);
        }
    }
    if request_error {
        // A request that never executed has no `data` entry at all.
        if let Some(map) = body.as_object_mut() {
            map.remove("data");
        }
    }
    if let Some(tag) = wait {
        let label = if tag.code == ErrorCode::RateLimited {
            state.metrics.rate_limited("login");
            "rate_limited"
        } else {
            // Retryable as it is; the database is down or restarting.
            "unavailable"
        };
        let mut outcome = Outcome::new(tag.code.http_status(), body);
        if let Some(secs) = tag.retry_after {
            outcome = outcome.header(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        return (outcome, label);
    }
    if request_error {
        return (Outcome::new(request_error_status(media), body), "invalid");
    }
    (Outcome::new(StatusCode::OK, body), "error")
}

/// The status of a request that could not be executed: 400 for graphql-response+json, 200
/// for legacy application/json clients, as the GraphQL-over-HTTP specification says.
fn request_error_status(media: &str) -> StatusCode {
    if media == GRAPHQL_RESPONSE {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    }
}

/// Reads `operationName`, `variables` and `extensions`; the query is settled afterwards (it
/// may come from a persisted query).
fn request_from(fields: &mut Map<String, Value>) -> Result<async_graphql::Request, String> {
    let mut request = async_graphql::Request::new("");
    match fields.remove("operationName") {
        None | Some(Value::Null) => {}
        Some(Value::String(name)) => request = request.operation_name(name),
        Some(_) => return Err("`operationName` must be a string".into()),
    }
    match fields.remove("variables") {
        None | Some(Value::Null) => {}
        Some(v @ Value::Object(_)) => {
            request = request.variables(async_graphql::Variables::from_json(v));
        }
        Some(_) => return Err("`variables` must be an object".into()),
    }
    match fields.get("extensions") {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for (k, v) in map {
                let v = async_graphql::Value::from_json(v.clone())
                    .map_err(|_| "`extensions` is malformed".to_string())?;
                request.extensions.insert(k.clone(), v);
            }
        }
        Some(_) => return Err("`extensions` must be an object".into()),
    }
    Ok(request)
}

/// Every error carries `extensions.code`; ours set it, async-graphql's own do not.
fn add_default_code(error: &mut Value, request_error: bool) {
    let Some(error) = error.as_object_mut() else {
        return;
    };
    let extensions = error.entry("extensions").or_insert_with(|| json!({}));
    if let Some(ext) = extensions.as_object_mut() {
        ext.entry("code").or_insert_with(|| {
            // Without a path the request failed validation; with one, an argument was
            // rejected by its validator (server-side failures are coded INTERNAL by us).
            let code = if request_error {
                ErrorCode::GraphqlValidationFailed
            } else {
                ErrorCode::BadUserInput
            };
            Value::String(code.as_str().into())
        });
    }
}

/// The operation that will run: the named one, or a document's only operation, named or not
/// (async-graphql runs that one without an operationName). None when the name matches
/// nothing or the document has several operations and no name was given.
fn selected<'a>(
    operations: &'a DocumentOperations,
    name: Option<&str>,
) -> Option<&'a OperationDefinition> {
    match operations {
        DocumentOperations::Single(op) => Some(&op.node),
        DocumentOperations::Multiple(map) => {
            let op = match name {
                Some(name) => map.get(name),
                None if map.len() == 1 => map.values().next(),
                None => None,
            };
            op.map(|op| &op.node)
        }
    }
}

/// The type of the operation that will run (see [`selected`]).
fn selected_type(operations: &DocumentOperations, name: Option<&str>) -> Option<OperationType> {
    selected(operations, name).map(|op| op.ty)
}

/// What the metrics call an operation: its type and its first root field, as
/// `query.organizations` (a fragment at the root: `query.fragment`).
fn root_label(operations: &DocumentOperations, name: Option<&str>) -> Option<String> {
    let op = selected(operations, name)?;
    let ty = match op.ty {
        OperationType::Query => "query",
        OperationType::Mutation => "mutation",
        OperationType::Subscription => "subscription",
    };
    let field = match &op.selection_set.node.items.first()?.node {
        Selection::Field(f) => f.node.name.node.as_str(),
        _ => "fragment",
    };
    Some(format!("{ty}.{field}"))
}

/// Whether the operation that will run is a query (not a mutation or a subscription).
fn is_query_operation(operations: &DocumentOperations, name: Option<&str>) -> bool {
    selected_type(operations, name) == Some(OperationType::Query)
}

/// The answer to a mutation sent with GET: 405, POST allowed.
pub(super) fn mutation_over_get() -> Outcome {
    let body = error_body(ErrorCode::BadRequest, "mutations must be sent with POST");
    Outcome::new(StatusCode::METHOD_NOT_ALLOWED, body)
        .header(header::ALLOW, HeaderValue::from_static("POST"))
}

pub(super) fn is_mutation(operations: &DocumentOperations, name: Option<&str>) -> bool {
    selected_type(operations, name) == Some(OperationType::Mutation)
}
