//! What every error answer of the HTTP layer shares: the media types, the status of each
//! error code, and the one JSON error body.
//!
//! A leaf: it imports no other module of `http`, so the handlers (`graphql`, `execute`, `ws`
//! and the fallback in `mod`) all use it without importing each other.

use crate::error::ErrorCode;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde_json::{json, Value};

/// The GraphQL-over-HTTP media type; with it, a request error is 400.
pub const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
/// The legacy media type; with it, a request error is 200.
pub const JSON: &str = "application/json";

impl ErrorCode {
    /// The status of an answer that is this error alone: a request refused before or instead
    /// of execution.
    ///
    /// Some refusals say more with their status than with their code (a BAD_REQUEST that is
    /// really 405, 406, 413 or 415); they set it themselves. Inside an executed response an
    /// error leaves the status at 200, except RATE_LIMITED and SERVICE_UNAVAILABLE, which tell
    /// the client to wait (`execute::shape`); a request error is 200 for legacy
    /// `application/json` clients (`execute::request_error_status`).
    pub fn http_status(self) -> StatusCode {
        match self {
            Self::BadUserInput
            | Self::BadRequest
            | Self::GraphqlParseFailed
            | Self::GraphqlValidationFailed
            | Self::PersistedQueryNotFound
            | Self::PersistedQueryNotInList
            | Self::PersistedQueryHashMismatch => StatusCode::BAD_REQUEST,
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict => StatusCode::CONFLICT,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            // A timeout is an overload of sorts: the request may pass later or asking for less
            // (504 would blame an upstream server, and there is none).
            Self::ServiceUnavailable | Self::Timeout => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// One error as a GraphQL `errors` entry (and a websocket error payload) carries it.
pub fn error_object(code: ErrorCode, message: &str) -> Value {
    json!({ "message": message, "extensions": { "code": code.as_str() } })
}

/// The body of an answer that carries one error and no data.
pub fn error_body(code: ErrorCode, message: &str) -> Value {
    json!({ "errors": [error_object(code, message)] })
}

/// A JSON answer carrying one error, for requests that never reached GraphQL.
pub fn error_response(status: StatusCode, code: ErrorCode, message: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(JSON)
        .json(error_body(code, message))
}

/// The answer for a service error outside GraphQL (the export, the feeds): its code's
/// status, its client-facing message (the cause of an internal error is logged, not sent).
pub fn app_error_response(err: &crate::error::AppError) -> HttpResponse {
    let code = err.error_code();
    if matches!(code, ErrorCode::Internal | ErrorCode::ServiceUnavailable) {
        tracing::error!(error = ?err, "request failed");
    }
    let mut response = error_response(code.http_status(), code, &err.message());
    if let Some(seconds) = err.retry_after() {
        if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&seconds.to_string()) {
            response
                .headers_mut()
                .insert(actix_web::http::header::RETRY_AFTER, v);
        }
    }
    response
}
