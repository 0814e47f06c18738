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

use super::body::{error_response, GRAPHQL_RESPONSE, JSON};
use super::caching;
use super::execute::{self, Outcome};
use super::state::AppState;
use crate::error::{AppError, ErrorCode};
use crate::service::Viewer;
use actix_web::http::header::{self, HeaderMap};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Map, Value};

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
        ErrorCode::BadRequest,
        "accept application/graphql-response+json or application/json",
    )
}

/// POST /graphql: one request (a JSON object) or a batch (a JSON array of them).
pub async fn post(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let stream = super::sse::wanted(req.headers());
    let media = match negotiate(req.headers()) {
        Some(media) => media,
        None if stream => JSON,
        None => return not_acceptable(),
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
            ErrorCode::BadRequest,
            "send the request as Content-Type: application/json",
        );
    }
    let limits = state.request_limits;
    let body = match read_body(payload, limits.max_body_bytes, limits.timeout).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRequest,
                &format!("the request body is not valid JSON: {e}"),
            )
        }
    };
    let viewer = match viewer(&req, &state).await {
        Ok(viewer) => viewer,
        Err(response) => return response,
    };
    match value {
        Value::Object(fields) if stream => super::sse::run(&req, fields, &viewer, state, false),
        Value::Object(fields) => {
            let outcome = execute::run(&req, fields, &viewer, media, false, &state).await;
            let mut response = outcome.into_response(media);
            caching::no_store(&mut response);
            response
        }
        Value::Array(items) => batch(&req, items, &viewer, media, &state).await,
        _ => error_response(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            "the request body must be a JSON object with a `query`, or a batch: an array of requests",
        ),
    }
}

/// A batch: each request runs in turn (and counts against the rate limit); the answer is the
/// array of their results, in order.
async fn batch(
    req: &HttpRequest,
    items: Vec<Value>,
    viewer: &Viewer,
    media: &'static str,
    state: &AppState,
) -> HttpResponse {
    let max = state.request_limits.max_batch;
    if items.is_empty() || items.len() > max {
        return error_response(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            &format!("a batch must hold between 1 and {max} requests"),
        );
    }
    let mut results = Vec::with_capacity(items.len());
    for item in items {
        let outcome = match item {
            Value::Object(fields) => execute::run(req, fields, viewer, media, false, state).await,
            _ => Outcome::bad_request("every request of a batch must be a JSON object"),
        };
        results.push(outcome.into_value());
    }
    let mut response = HttpResponse::Ok()
        .content_type(media)
        .json(Value::Array(results));
    caching::no_store(&mut response);
    response
}

/// Reads the body up to the limit; a larger one is 413 before it is all read, and one that
/// does not arrive within the request's time (a client that stalls mid-body, holding a
/// worker's connection) is 408.
async fn read_body(
    payload: web::Payload,
    limit: usize,
    within: std::time::Duration,
) -> Result<web::BytesMut, HttpResponse> {
    match tokio::time::timeout(within, read_all(payload, limit)).await {
        Ok(read) => read,
        Err(_) => Err(error_response(
            StatusCode::REQUEST_TIMEOUT,
            ErrorCode::Timeout,
            &format!(
                "the request body did not arrive within {} s",
                within.as_secs_f64()
            ),
        )),
    }
}

async fn read_all(mut payload: web::Payload, limit: usize) -> Result<web::BytesMut, HttpResponse> {
    use actix_web::web::BufMut;
    use async_graphql::futures_util::StreamExt;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| {
            error_response(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRequest,
                "the request body could not be read",
            )
        })?;
        if body.len() + chunk.len() > limit {
            return Err(error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::BadRequest,
                &format!("the request body is larger than {} bytes", limit),
            ));
        }
        body.put(chunk);
    }
    Ok(body)
}

/// GET /graphql: a query in the query string, or GraphiQL for a browser. Anonymous answers
/// without errors are cacheable, with an ETag.
pub async fn get(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let params: Vec<(String, String)> = match serde_urlencoded::from_str(req.query_string()) {
        Ok(p) => p,
        Err(_) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRequest,
                "the query string is malformed",
            )
        }
    };
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    let is_graphql = params
        .iter()
        .any(|(k, _)| k == "query" || k == "extensions");
    if wants_html && !is_graphql && state.graphiql {
        return super::graphiql::page();
    }
    // graphql-sse over GET: what a browser's EventSource sends (it cannot POST).
    let stream = super::sse::wanted(req.headers());
    let media = match negotiate(req.headers()) {
        Some(media) => media,
        None if stream => JSON,
        None => return not_acceptable(),
    };
    let mut fields = Map::new();
    for (key, value) in params {
        let parsed = match key.as_str() {
            "variables" | "extensions" => match serde_json::from_str::<Value>(&value) {
                Ok(v) => v,
                Err(e) => {
                    return error_response(
                        StatusCode::BAD_REQUEST,
                        ErrorCode::BadRequest,
                        &format!("`{key}` is not valid JSON: {e}"),
                    )
                }
            },
            _ => Value::String(value),
        };
        fields.insert(key, parsed);
    }
    let viewer = match viewer(&req, &state).await {
        Ok(viewer) => viewer,
        Err(response) => return response,
    };
    if stream {
        return super::sse::run(&req, fields, &viewer, state, true);
    }
    let outcome = execute::run(&req, fields, &viewer, media, true, &state).await;
    if !(outcome.cacheable && viewer == Viewer::Anonymous) {
        let mut response = outcome.into_response(media);
        caching::no_store(&mut response);
        return response;
    }
    let bytes = outcome.to_bytes();
    let etag = caching::etag(&outcome.into_value());
    let max_age = state.request_limits.cache_max_age;
    let mut response = if caching::not_modified(&req, &etag) {
        HttpResponse::NotModified().finish()
    } else {
        HttpResponse::Ok().content_type(media).body(bytes)
    };
    caching::public(&mut response, &etag, max_age);
    response
}

/// Any other method on /graphql.
pub async fn method_not_allowed() -> HttpResponse {
    let mut response = error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::BadRequest,
        "use GET or POST on /graphql",
    );
    response
        .headers_mut()
        .insert(header::ALLOW, header::HeaderValue::from_static("GET, POST"));
    response
}

/// The viewer of a request, from its `Authorization` header; a refused token is answered
/// here and now.
async fn viewer(req: &HttpRequest, state: &AppState) -> Result<Viewer, HttpResponse> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(Viewer::Anonymous);
    };
    let value = value.to_str().unwrap_or("");
    state
        .auth
        .authenticate(&state.db, value)
        .await
        .map_err(|err| {
            state
                .metrics
                .observe(None, err.code(), std::time::Duration::ZERO);
            auth_error(err)
        })
}

/// A refused token: 401 (UNAUTHENTICATED, with a Bearer challenge), 403 (FORBIDDEN), or 503
/// when the database could not be asked.
fn auth_error(err: AppError) -> HttpResponse {
    let code = err.error_code();
    let status = match code {
        ErrorCode::Forbidden | ErrorCode::ServiceUnavailable => code.http_status(),
        // Whatever else kept the token from being accepted, the client is not signed in.
        _ => StatusCode::UNAUTHORIZED,
    };
    if let (StatusCode::SERVICE_UNAVAILABLE, Some(retry)) = (status, err.retry_after()) {
        let extensions = json!({ "code": code.as_str(), "retryable": true, "retryAfter": retry });
        let body = json!({ "errors": [{ "message": err.message(), "extensions": extensions }] });
        return HttpResponse::build(status)
            .content_type(JSON)
            .insert_header((header::RETRY_AFTER, header::HeaderValue::from(retry)))
            .json(body);
    }
    let mut response = error_response(status, code, &err.message());
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
    }
    response
}
