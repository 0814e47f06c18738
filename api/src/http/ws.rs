//! GraphQL subscriptions over websockets: graphql-transport-ws or the legacy graphql-ws
//! (picked from `Sec-WebSocket-Protocol`).
//!
//! One task per connection reads the client's frames, feeds them to async-graphql's protocol
//! state machine and writes what it answers. The task also
//! - pings every 10 s and drops a client silent for 30 s;
//! - resolves persisted queries and applies the safelist to `subscribe` messages;
//! - on shutdown, closes with 1012 (service restart): clients reconnect and resume from the
//!   cursor of the last change they saw, so nothing is missed.

use super::persisted::PersistedError;
use super::AppState;
use crate::graphql::context::RequestData;
use crate::service::Viewer;
use actix_web::{web, HttpRequest, HttpResponse};
use actix_ws::{AggregatedMessage, CloseCode, CloseReason, Session};
use async_graphql::http::{ClientMessage, WebSocket, WebSocketProtocols, WsMessage};
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::net::IpAddr;
use std::str::FromStr;
use std::time::Duration;
use tokio::time::Instant;

const PROTOCOLS: [&str; 2] = ["graphql-transport-ws", "graphql-ws"];
const HEARTBEAT: Duration = Duration::from_secs(10);
const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);
/// Messages a client may have in flight before it is told to slow down (closed with 1008).
const BACKLOG: usize = 64;

/// GET /graphql with `Upgrade: websocket`. A token comes in the connection_init payload as
/// `authorization` ("Bearer …"); a refused one closes the connection with 4403.
pub async fn websocket(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> actix_web::Result<HttpResponse> {
    let offered = req
        .headers()
        .get("sec-websocket-protocol")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some(protocol) = offered
        .split(',')
        .find_map(|p| WebSocketProtocols::from_str(p.trim()).ok())
    else {
        return Ok(super::graphql::error_response(
            actix_web::http::StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "offer the graphql-transport-ws or graphql-ws subprotocol",
        ));
    };
    let (response, session, stream) = actix_ws::handle_with_protocols(&req, payload, &PROTOCOLS)?;
    let limit = state.request_limits.max_body_bytes;
    let stream = stream
        .max_frame_size(limit)
        .aggregate_continuations()
        .max_continuation_size(limit);
    let client_ip = req.peer_addr().map(|a| a.ip());
    actix_web::rt::spawn(async move {
        state.metrics.websocket(1);
        let mut writer = session.clone();
        let reason = serve(&state, &mut writer, stream, protocol, client_ip).await;
        state.metrics.websocket(-1);
        let _ = session.close(reason).await;
    });
    Ok(response)
}

/// Runs one connection until either side ends it; returns how to close it.
async fn serve(
    state: &web::Data<AppState>,
    session: &mut Session,
    mut incoming: actix_ws::AggregatedMessageStream,
    protocol: WebSocketProtocols,
    client_ip: Option<IpAddr>,
) -> Option<CloseReason> {
    // Messages wait boxed: the channel allocates its slots 32 at a time, and a slot as large
    // as a whole request would cost every idle connection kilobytes.
    let (to_graphql, from_client) = tokio::sync::mpsc::channel::<Box<Incoming>>(BACKLOG);
    let from_client = Box::pin(futures_util::stream::unfold(
        from_client,
        |mut rx| async move { rx.recv().await.map(|message| (*message, rx)) },
    ));
    let init_state = state.clone();
    let graphql = WebSocket::from_message_stream(state.schema.clone(), from_client, protocol)
        .on_connection_init(move |payload| connection_init(init_state, payload, client_ip));
    let mut graphql = std::pin::pin!(graphql);
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    let mut last_seen = Instant::now();
    let mut anonymous = true;
    loop {
        tokio::select! {
            frame = incoming.recv() => {
                let frame = match frame {
                    None => return None,
                    Some(Ok(frame)) => frame,
                    Some(Err(e)) => return Some(close(CloseCode::Protocol, &e.to_string())),
                };
                last_seen = Instant::now();
                let bytes = match frame {
                    AggregatedMessage::Text(text) => text.into_bytes(),
                    AggregatedMessage::Binary(bytes) => bytes,
                    AggregatedMessage::Ping(p) => {
                        if session.pong(&p).await.is_err() {
                            return None;
                        }
                        continue;
                    }
                    AggregatedMessage::Pong(_) => continue,
                    AggregatedMessage::Close(_) => return None,
                };
                let message = match ClientMessage::from_bytes(bytes) {
                    Ok(ClientMessage::ConnectionInit { payload }) => {
                        anonymous = payload.as_ref().and_then(token_in).is_none();
                        Ok(ClientMessage::ConnectionInit { payload })
                    }
                    Ok(ClientMessage::Start { id, mut payload }) => {
                        match resolve(state, &mut payload, anonymous) {
                            Ok(()) => Ok(ClientMessage::Start { id, payload }),
                            Err(e) => {
                                if session.text(refusal(protocol, &id, &e)).await.is_err() {
                                    return None;
                                }
                                continue;
                            }
                        }
                    }
                    // Malformed messages go on too: the protocol closes with 4400 for them.
                    other => other,
                };
                if to_graphql.try_send(Box::new(message)).is_err() {
                    return Some(close(CloseCode::Policy, "too many messages in flight"));
                }
            }
            out = graphql.next() => match out {
                Some(WsMessage::Text(text)) => {
                    if session.text(text).await.is_err() {
                        return None;
                    }
                }
                Some(WsMessage::Close(code, reason)) => {
                    return Some(close(CloseCode::from(code), &reason));
                }
                None => return None,
            },
            _ = heartbeat.tick() => {
                if last_seen.elapsed() > CLIENT_TIMEOUT {
                    return Some(close(CloseCode::Away, "no answer to pings"));
                }
                if session.ping(b"").await.is_err() {
                    return None;
                }
            }
            _ = state.shutdown.wait() => {
                return Some(close(
                    CloseCode::Restart,
                    "server restarting; reconnect and resume from your last cursor",
                ));
            }
        }
    }
}

fn close(code: CloseCode, reason: &str) -> CloseReason {
    // A close frame carries at most 123 bytes of reason.
    let mut end = reason.len().min(120);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    CloseReason {
        code,
        description: Some(reason[..end].to_owned()),
    }
}

/// A client message as async-graphql's protocol machine takes it.
type Incoming = Result<ClientMessage, serde_json::Error>;

/// The token a connection_init payload carries, if any.
fn token_in(payload: &Value) -> Option<&str> {
    ["authorization", "Authorization", "token"]
        .iter()
        .find_map(|k| payload.get(*k).and_then(Value::as_str))
}

/// Settles the query of a `subscribe` message: persisted queries and the safelist.
fn resolve(
    state: &AppState,
    request: &mut async_graphql::Request,
    anonymous: bool,
) -> Result<(), PersistedError> {
    let persisted = request
        .extensions
        .get("persistedQuery")
        .map(|v| v.clone().into_json().unwrap_or(Value::Null));
    let query = Some(std::mem::take(&mut request.query)).filter(|q| !q.is_empty());
    request.query = state
        .persisted
        .resolve(query, persisted.as_ref(), anonymous)?;
    Ok(())
}

/// The protocol's error message for a subscription that was not started.
fn refusal(protocol: WebSocketProtocols, id: &str, error: &PersistedError) -> String {
    let error = json!({ "message": error.message(), "extensions": { "code": error.code() } });
    match protocol {
        WebSocketProtocols::GraphQLWS => json!({ "id": id, "type": "error", "payload": [error] }),
        WebSocketProtocols::SubscriptionsTransportWS => {
            json!({ "id": id, "type": "error", "payload": error })
        }
    }
    .to_string()
}

/// connection_init: the viewer from the token in the payload, if any.
async fn connection_init(
    state: web::Data<AppState>,
    payload: Value,
    client_ip: Option<IpAddr>,
) -> async_graphql::Result<async_graphql::Data> {
    let header = token_in(&payload).map(|v| {
        if v.starts_with("Bearer ") || v.starts_with("bearer ") {
            v.to_owned()
        } else {
            format!("Bearer {v}")
        }
    });
    let viewer = match header {
        None => Viewer::Anonymous,
        Some(h) => state
            .auth
            .authenticate(&state.db, &h)
            .await
            .map_err(|e| async_graphql::Error::new(e.message()))?,
    };
    let mut data = async_graphql::Data::default();
    data.insert(RequestData::new(
        state.db.clone(),
        viewer,
        state.auth.clone(),
        state.throttle.clone(),
        client_ip,
    ));
    Ok(data)
}
