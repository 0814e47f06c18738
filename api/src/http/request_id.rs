//! A request id per request: in the request's log span (so every line logged while serving it
//! carries it) and in the `X-Request-Id` response header, so a client reporting a problem can
//! name the request and an operator can find its log lines.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RequestId, RootSpanBuilder};

/// The root span of a request: tracing-actix-web's fields, plus the GraphQL operation and its
/// outcome, which the GraphQL handler records once it knows them.
pub struct RootSpan;

impl RootSpanBuilder for RootSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        tracing_actix_web::root_span!(
            level = tracing::Level::INFO,
            request,
            graphql.operation = tracing::field::Empty,
            graphql.outcome = tracing::field::Empty
        )
    }

    fn on_request_end<B: MessageBody>(
        span: Span,
        outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

/// Copies the request id into the `X-Request-Id` response header.
pub async fn echo(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = request.extensions().get::<RequestId>().copied();
    let mut response = next.call(request).await?;
    if let Some(id) = id {
        if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&id.to_string()) {
            response.headers_mut().insert(
                actix_web::http::header::HeaderName::from_static("x-request-id"),
                value,
            );
        }
    }
    Ok(response)
}
