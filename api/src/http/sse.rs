//! GraphQL over Server-Sent Events: the graphql-sse protocol's "distinct connections" mode,
//! for clients behind proxies that break websockets.
//!
//! A POST to `/graphql` that accepts `text/event-stream`, or a GET with the request in its
//! query string (what a browser's `EventSource` sends; never a mutation), is answered with a
//! stream: one
//! `next` event per result (one for a query or a mutation, one per change for a
//! subscription), then `complete`. The request goes through the same steps as any other
//! (authentication from `Authorization`, the rate limit, persisted queries and the safelist,
//! the document limits, the visibility rule), and a subscription resumes from `after` as
//! over websockets. A comment line every 15 s keeps proxies from closing an idle stream; a
//! stopping server ends the stream, and the client reconnects with its last cursor.

use super::execute::{admit, is_mutation, mutation_over_get, with_data};
use super::state::AppState;
use crate::service::Viewer;
use actix_web::http::header::{self, HeaderMap};
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse};
use async_graphql::futures_util::stream::{self, Stream, StreamExt};
use serde_json::{Map, Value};
use std::time::Duration;

/// The media type of an event stream.
pub const EVENT_STREAM: &str = "text/event-stream";

const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Whether the client asks for an event stream (graphql-sse).
pub fn wanted(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| {
            accept
                .split(',')
                .any(|t| t.split(';').next().unwrap_or("").trim() == EVENT_STREAM)
        })
}

/// Runs one request as an event stream; `via_get` refuses mutations (405), as GET does.
pub fn run(
    req: &HttpRequest,
    fields: Map<String, Value>,
    viewer: &Viewer,
    state: web::Data<AppState>,
    via_get: bool,
) -> HttpResponse {
    let client_ip = req.peer_addr().map(|a| a.ip());
    let mut request = match admit(client_ip, fields, viewer, super::body::JSON, &state) {
        Ok(request) => request,
        Err(refused) => return refused.0.into_response(super::body::JSON),
    };
    if via_get {
        let operation = request.operation_name.clone();
        if let Ok(doc) = state.schema.parse(&mut request) {
            if is_mutation(&doc.operations, operation.as_deref()) {
                return mutation_over_get().into_response(super::body::JSON);
            }
        }
    }
    let request = with_data(request, viewer, &state, client_ip);
    state.metrics.sse_stream();
    let results = state.schema.execute_stream(request, None);
    HttpResponse::Ok()
        .content_type("text/event-stream; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache, no-store"))
        // Sent as it comes: neither compressed (which buffers) nor held by a proxy.
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(events(results, state))
}

/// The results as SSE events, with keep-alive comments, until the results end (then
/// `complete`) or the server stops (then the stream just ends: the client reconnects).
fn events(
    results: impl Stream<Item = async_graphql::Response> + Unpin + 'static,
    state: web::Data<AppState>,
) -> impl Stream<Item = Result<Bytes, actix_web::Error>> {
    enum Step {
        Next(Option<Box<async_graphql::Response>>),
        KeepAlive,
        Stop,
    }
    let state_for_stop = state.clone();
    stream::unfold(
        (Some(results), state_for_stop),
        |(results, state)| async move {
            let mut results = results?;
            let step = tokio::select! {
                next = results.next() => Step::Next(next.map(Box::new)),
                _ = tokio::time::sleep(KEEP_ALIVE) => Step::KeepAlive,
                _ = state.shutdown.wait() => Step::Stop,
            };
            match step {
                Step::Next(Some(result)) => {
                    let data = serde_json::to_string(&result).unwrap_or_default();
                    let event = format!("event: next\ndata: {data}\n\n");
                    Some((Ok(Bytes::from(event)), (Some(results), state)))
                }
                Step::Next(None) => Some((
                    Ok(Bytes::from_static(b"event: complete\ndata:\n\n")),
                    (None, state),
                )),
                Step::KeepAlive => Some((Ok(Bytes::from_static(b":\n\n")), (Some(results), state))),
                Step::Stop => None,
            }
        },
    )
}
