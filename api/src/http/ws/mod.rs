//! GraphQL subscriptions over websockets: the handshake here, the connection in `session`.
//!
//! Websocket upgrades leave the actix-web app before routing: actix-http hands the request
//! and its connection to [`upgrade_service`], which answers the handshake itself and runs the
//! connection on tokio-tungstenite. Why not a handler in the app: an upgraded connection kept
//! actix-http's dispatcher, its 8 KiB read and 8 KiB write buffers and the request's span
//! alive for as long as it stayed open. An initialized connection with no subscription cost
//! 28.5 KiB that way and costs about 5.5 KiB here, where it holds a 1 KiB read buffer and its
//! own state (`exodus-fanout --connect-only`, BENCHMARKS.md).

mod policy;
mod session;

pub use policy::WsPolicy;

use super::body::{error_body, JSON};
use super::state::AppState;
use crate::error::ErrorCode;
use actix_codec::Framed;
use actix_http::body::BodySize;
use actix_http::h1::{Codec, Message as H1Message};
use actix_http::header::{self, HeaderValue};
use actix_http::{ConnectionType, Method, Request, Response, StatusCode};
use actix_service::{fn_service, ServiceFactory};
use actix_web::web;
use async_graphql::http::WebSocketProtocols;
use futures_util::SinkExt;
use std::str::FromStr;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::WebSocketStream;
use tracing::Instrument;

/// Bytes a connection reads at a time. Client messages are small (init, subscribe, pong); a
/// larger one (up to the body size limit) grows the buffer, which keeps that capacity.
const READ_BUFFER: usize = 1024;

/// The service actix-http calls with every request that asks for an upgrade, on any path.
pub fn upgrade_service(
    state: web::Data<AppState>,
) -> impl ServiceFactory<
    (Request, Framed<TcpStream, Codec>),
    Config = (),
    Response = (),
    Error = actix_http::Error,
    InitError = (),
> {
    fn_service(
        move |(request, framed): (Request, Framed<TcpStream, Codec>)| {
            let state = state.clone();
            async move {
                upgrade(state, request, framed).await;
                Ok(())
            }
        },
    )
}

/// Answers the handshake; on success the connection goes on in a task of its own, so nothing
/// of the HTTP dispatcher outlives the handshake.
async fn upgrade(
    state: web::Data<AppState>,
    request: Request,
    mut framed: Framed<TcpStream, Codec>,
) {
    let request_id = uuid::Uuid::new_v4();
    let client_ip = request.peer_addr().map(|a| a.ip());
    let checked = handshake(&request).and_then(|protocol| {
        let address = match client_ip {
            Some(ip) => Some(state.ws.per_address.admit(ip).ok_or_else(|| {
                Refusal::new(
                    ErrorCode::RateLimited,
                    "too many websocket connections from your address; close some first",
                )
            })?),
            None => None,
        };
        let slot = state
            .websocket_slots
            .clone()
            .try_acquire_owned()
            .map_err(|_| {
                Refusal::new(
                    ErrorCode::ServiceUnavailable,
                    "too many websocket connections; retry later",
                )
            })?;
        Ok((protocol, (slot, address)))
    });
    let (protocol, slot) = match checked {
        Ok(accepted) => accepted,
        Err(refusal) => {
            tracing::info!(
                %request_id,
                path = request.path(),
                status = refusal.status.as_u16(),
                "websocket handshake refused: {}",
                refusal.message
            );
            let _ = refuse(&mut framed, refusal, request_id).await;
            return;
        }
    };
    let mut response = actix_http::ws::handshake_response(request.head()).finish();
    let headers = response.headers_mut();
    headers.insert(
        header::SEC_WEBSOCKET_PROTOCOL,
        HeaderValue::from_static(protocol.sec_websocket_protocol()),
    );
    insert_request_id(headers, request_id);
    drop(request);
    if framed
        .send(H1Message::Item((response.drop_body(), BodySize::None)))
        .await
        .is_err()
    {
        return;
    }
    // Whatever the client sent after its handshake is already in the read buffer.
    let parts = framed.into_parts();
    let limit = state.request_limits.max_body_bytes;
    let config = WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER)
        // Every message is written out at once: the session flushes after each anyway.
        .write_buffer_size(0)
        .max_message_size(Some(limit))
        .max_frame_size(Some(limit));
    let socket = WebSocketStream::from_partially_read(
        parts.io,
        parts.read_buf.to_vec(),
        Role::Server,
        Some(config),
    )
    .await;
    let span = tracing::info_span!("websocket", %request_id);
    actix_web::rt::spawn(session::run(state, socket, protocol, client_ip, slot).instrument(span));
}

/// Why a handshake was refused: the HTTP answer, with the code's own status.
struct Refusal {
    status: StatusCode,
    code: ErrorCode,
    message: String,
}

impl Refusal {
    fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Refusal {
            status: code.http_status(),
            code,
            message: message.into(),
        }
    }
}

/// Checks the path, the websocket handshake and the subprotocol; returns the subprotocol.
fn handshake(request: &Request) -> Result<WebSocketProtocols, Refusal> {
    if request.path() != "/graphql" {
        return Err(Refusal::new(
            ErrorCode::NotFound,
            "no such path; the API is at /graphql",
        ));
    }
    if request.method() != Method::GET {
        return Err(Refusal::new(
            ErrorCode::MethodNotAllowed,
            "a websocket upgrade is a GET",
        ));
    }
    actix_http::ws::verify_handshake(request.head()).map_err(|e| {
        Refusal::new(
            ErrorCode::BadRequest,
            format!("not a valid websocket handshake: {e}"),
        )
    })?;
    request
        .head()
        .headers()
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|p| WebSocketProtocols::from_str(p.trim()).ok())
        .ok_or_else(|| {
            Refusal::new(
                ErrorCode::BadRequest,
                "offer the graphql-transport-ws or graphql-ws subprotocol",
            )
        })
}

/// Answers a refused handshake with a GraphQL error body and closes the connection.
async fn refuse(
    framed: &mut Framed<TcpStream, Codec>,
    refusal: Refusal,
    request_id: uuid::Uuid,
) -> std::io::Result<()> {
    let body = error_body(refusal.code, &refusal.message).to_string();
    let mut response = Response::with_body(refusal.status, ());
    response
        .head_mut()
        .set_connection_type(ConnectionType::Close);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON));
    if refusal.status == StatusCode::METHOD_NOT_ALLOWED {
        headers.insert(header::ALLOW, HeaderValue::from_static("GET"));
    }
    if refusal.status == StatusCode::SERVICE_UNAVAILABLE
        || refusal.status == StatusCode::TOO_MANY_REQUESTS
    {
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    insert_request_id(headers, request_id);
    framed
        .send(H1Message::Item((
            response,
            BodySize::Sized(body.len() as u64),
        )))
        .await?;
    framed.send(H1Message::Chunk(Some(body.into()))).await?;
    framed.close().await
}

fn insert_request_id(headers: &mut actix_http::header::HeaderMap, id: uuid::Uuid) {
    if let Ok(value) = HeaderValue::from_str(&id.to_string()) {
        headers.insert(header::HeaderName::from_static("x-request-id"), value);
    }
}
