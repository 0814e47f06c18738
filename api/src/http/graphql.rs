//! GraphQL over HTTP, as the GraphQL-over-HTTP specification describes it.
//!
//! - POST with `Content-Type: application/json`; GET with `query`, `variables`,
//!   `operationName` and `extensions` in the query string (queries only: a mutation over GET
//!   is 405).
//! - The response is `application/graphql-response+json` when the client accepts it, else
//!   `application/json`. With the former, a request that cannot be executed (unparsable,
//!   invalid) is 400; with the latter it is 200, as legacy clients expect.
//! - A malformed HTTP request (bad JSON, wrong content type) is 400 or 415 with a GraphQL
//!   error body; browsers asking for HTML get GraphiQL.

use super::AppState;
use crate::graphql::context::RequestData;
use crate::service::Viewer;
use actix_web::http::header::{self, HeaderMap};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use async_graphql::http::GraphiQLSource;
use async_graphql::parser::types::{DocumentOperations, OperationType};
use serde_json::{json, Map, Value};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

/// A response body carrying one error, for requests that never reached GraphQL.
pub fn error_response(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(JSON)
        .json(json!({ "errors": [{ "message": message, "extensions": { "code": code } }] }))
}

/// Which media type to answer with, or None when the client accepts neither.
fn negotiate(headers: &HeaderMap) -> Option<&'static str> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(JSON);
    };
    let types: Vec<String> = accept
        .split(',')
        .map(|t| {
            t.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .collect();
    if types.iter().any(|t| t == GRAPHQL_RESPONSE) {
        Some(GRAPHQL_RESPONSE)
    } else if types
        .iter()
        .any(|t| t == JSON || t == "application/*" || t == "*/*" || t.is_empty())
    {
        Some(JSON)
    } else {
        None
    }
}

fn not_acceptable() -> HttpResponse {
    error_response(
        StatusCode::NOT_ACCEPTABLE,
        "BAD_REQUEST",
        "accept application/graphql-response+json or application/json",
    )
}

/// POST /graphql.
pub async fn post(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let Some(media) = negotiate(req.headers()) else {
        return not_acceptable();
    };
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    if content_type.as_deref() != Some(JSON) {
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "BAD_REQUEST",
            "send the request as Content-Type: application/json",
        );
    }
    let body = match read_body(payload, state.request_limits.max_body_bytes).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                &format!("the request body is not valid JSON: {e}"),
            )
        }
    };
    let Value::Object(fields) = value else {
        return error_response(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "the request body must be a JSON object with a `query` (batched requests are not supported)",
        );
    };
    match request_from(fields) {
        Ok(request) => execute(&req, request, media, false, &state).await,
        Err(message) => error_response(StatusCode::BAD_REQUEST, "BAD_REQUEST", &message),
    }
}

/// Reads the body up to the limit; a larger one is 413 before it is all read.
async fn read_body(mut payload: web::Payload, limit: usize) -> Result<web::BytesMut, HttpResponse> {
    use actix_web::web::BufMut;
    use async_graphql::futures_util::StreamExt;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| {
            error_response(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "the request body could not be read",
            )
        })?;
        if body.len() + chunk.len() > limit {
            return Err(error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                "BAD_REQUEST",
                &format!("the request body is larger than {} bytes", limit),
            ));
        }
        body.put(chunk);
    }
    Ok(body)
}

/// GET /graphql: a query in the query string, or GraphiQL for a browser.
pub async fn get(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let params: Vec<(String, String)> = match serde_urlencoded::from_str(req.query_string()) {
        Ok(p) => p,
        Err(_) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "the query string is malformed",
            )
        }
    };
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if wants_html && !params.iter().any(|(k, _)| k == "query") {
        return HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(
                GraphiQLSource::build()
                    .endpoint("/graphql")
                    .subscription_endpoint("/graphql")
                    .title("Exodus")
                    .finish(),
            );
    }
    let Some(media) = negotiate(req.headers()) else {
        return not_acceptable();
    };
    let mut fields = Map::new();
    for (key, value) in params {
        let parsed = match key.as_str() {
            "variables" | "extensions" => match serde_json::from_str::<Value>(&value) {
                Ok(v) => v,
                Err(e) => {
                    return error_response(
                        StatusCode::BAD_REQUEST,
                        "BAD_REQUEST",
                        &format!("`{key}` is not valid JSON: {e}"),
                    )
                }
            },
            _ => Value::String(value),
        };
        fields.insert(key, parsed);
    }
    match request_from(fields) {
        Ok(request) => execute(&req, request, media, true, &state).await,
        Err(message) => error_response(StatusCode::BAD_REQUEST, "BAD_REQUEST", &message),
    }
}

/// Any other method on /graphql.
pub async fn method_not_allowed() -> HttpResponse {
    let mut response = error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        "BAD_REQUEST",
        "use GET or POST on /graphql",
    );
    response
        .headers_mut()
        .insert(header::ALLOW, header::HeaderValue::from_static("GET, POST"));
    response
}

/// GET /graphql with `Upgrade: websocket`: subscriptions over graphql-transport-ws or the
/// legacy graphql-ws protocol (picked from Sec-WebSocket-Protocol). A token comes in the
/// connection_init payload as `authorization` ("Bearer …"); a refused one refuses the
/// connection.
pub async fn websocket(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> actix_web::Result<HttpResponse> {
    let client_ip = req.peer_addr().map(|a| a.ip());
    let init_state = state.clone();
    async_graphql_actix_web::GraphQLSubscription::new(state.schema.clone())
        .on_connection_init(move |payload| async move {
            let header = ["authorization", "Authorization", "token"]
                .iter()
                .find_map(|k| payload.get(*k).and_then(Value::as_str))
                .map(|v| {
                    if v.starts_with("Bearer ") || v.starts_with("bearer ") {
                        v.to_owned()
                    } else {
                        format!("Bearer {v}")
                    }
                });
            let viewer = match header {
                None => Viewer::Anonymous,
                Some(h) => init_state
                    .auth
                    .authenticate(&init_state.db, &h)
                    .await
                    .map_err(|e| async_graphql::Error::new(e.message()))?,
            };
            let mut data = async_graphql::Data::default();
            data.insert(RequestData::new(
                init_state.db.clone(),
                viewer,
                init_state.auth.clone(),
                init_state.throttle.clone(),
                client_ip,
            ));
            Ok(data)
        })
        .start(&req, payload)
}

/// Reads the well-known parameters of a GraphQL request.
fn request_from(mut fields: Map<String, Value>) -> Result<async_graphql::Request, String> {
    let query = match fields.remove("query") {
        Some(Value::String(q)) => q,
        Some(_) => return Err("`query` must be a string".into()),
        None => return Err("the request has no `query`".into()),
    };
    let mut request = async_graphql::Request::new(query);
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
    match fields.remove("extensions") {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for (k, v) in map {
                let v = async_graphql::Value::from_json(v)
                    .map_err(|_| "`extensions` is malformed".to_string())?;
                request.extensions.insert(k, v);
            }
        }
        Some(_) => return Err("`extensions` must be an object".into()),
    }
    Ok(request)
}

/// Parses, checks the method, executes and shapes the response.
async fn execute(
    req: &HttpRequest,
    mut request: async_graphql::Request,
    media: &'static str,
    via_get: bool,
    state: &AppState,
) -> HttpResponse {
    let operation_name = request.operation_name.clone();
    let parse_error = match request.parsed_query() {
        Ok(doc) => {
            if via_get && is_mutation(&doc.operations, operation_name.as_deref()) {
                let mut response = error_response(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "BAD_REQUEST",
                    "mutations must be sent with POST",
                );
                response
                    .headers_mut()
                    .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
                return response;
            }
            None
        }
        Err(e) => Some(e.message.clone()),
    };
    if let Some(message) = parse_error {
        let body = json!({ "errors": [{ "message": message, "extensions": { "code": "GRAPHQL_PARSE_FAILED" } }] });
        let status = if media == GRAPHQL_RESPONSE {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        };
        return HttpResponse::build(status).content_type(media).json(body);
    }

    let viewer = match req.headers().get(header::AUTHORIZATION) {
        None => Viewer::Anonymous,
        Some(value) => {
            let value = value.to_str().unwrap_or("");
            match state.auth.authenticate(&state.db, value).await {
                Ok(viewer) => viewer,
                Err(err) => return auth_error(err),
            }
        }
    };
    let client_ip = req.peer_addr().map(|a| a.ip());
    let viewer_is_anonymous = viewer == Viewer::Anonymous;
    if let Err(crate::error::AppError::RateLimited { retry_after }) =
        state.rate_limiter.check(&viewer, client_ip)
    {
        let mut response = error_response(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMITED",
            &format!("too many requests; try again in {retry_after} s"),
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from(retry_after));
        return response;
    }
    let data = RequestData::new(
        state.db.clone(),
        viewer,
        state.auth.clone(),
        state.throttle.clone(),
        client_ip,
    );
    let mut request = request.data(data);
    if viewer_is_anonymous && !state.request_limits.public_introspection {
        request = request.disable_introspection();
    }
    let timeout = state.request_limits.timeout;
    let response = match tokio::time::timeout(timeout, state.schema.execute(request)).await {
        Ok(response) => response,
        Err(_) => return error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "TIMEOUT",
            "the request took too long and was stopped; ask for less (smaller pages, fewer fields)",
        ),
    };
    let retry_after = response.errors.iter().find_map(|e| {
        let ext = e.extensions.as_ref()?;
        match (ext.get("code"), ext.get("retryAfter")) {
            (Some(async_graphql::Value::String(code)), Some(async_graphql::Value::Number(n)))
                if code == "RATE_LIMITED" =>
            {
                n.as_u64()
            }
            _ => None,
        }
    });
    let request_error = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    let mut body = serde_json::to_value(&response).unwrap_or_else(|_| json!({}));
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
    if let Some(secs) = retry_after {
        return HttpResponse::build(StatusCode::TOO_MANY_REQUESTS)
            .content_type(media)
            .insert_header((header::RETRY_AFTER, secs.to_string()))
            .json(body);
    }
    let status = if request_error && media == GRAPHQL_RESPONSE {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    HttpResponse::build(status).content_type(media).json(body)
}

/// A refused token: 401 (UNAUTHENTICATED, with a Bearer challenge) or 403 (FORBIDDEN).
fn auth_error(err: crate::error::AppError) -> HttpResponse {
    let status = if err.code() == "FORBIDDEN" {
        StatusCode::FORBIDDEN
    } else {
        StatusCode::UNAUTHORIZED
    };
    let mut response = error_response(status, err.code(), &err.message());
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
    }
    response
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
            Value::String(
                if request_error {
                    "GRAPHQL_VALIDATION_FAILED"
                } else {
                    "BAD_USER_INPUT"
                }
                .into(),
            )
        });
    }
}

fn is_mutation(operations: &DocumentOperations, name: Option<&str>) -> bool {
    match operations {
        DocumentOperations::Single(op) => op.node.ty == OperationType::Mutation,
        DocumentOperations::Multiple(map) => match name {
            Some(name) => map
                .get(name)
                .is_some_and(|op| op.node.ty == OperationType::Mutation),
            None => false,
        },
    }
}
