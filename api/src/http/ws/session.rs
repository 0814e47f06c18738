//! One websocket connection: graphql-transport-ws or the legacy graphql-ws (picked at the
//! handshake from `Sec-WebSocket-Protocol`).
//!
//! One task per connection reads the client's frames, feeds them to async-graphql's protocol
//! state machine and writes what it answers. The task also
//! - pings every 10 s and drops a client silent for 30 s;
//! - resolves persisted queries and applies the safelist to `subscribe` messages;
//! - counts each `subscribe` against the caller's rate limit (as an HTTP request) and caps
//!   the subscriptions running at once;
//! - closes with 4408 a connection that sends no connection_init in time;
//! - checks a signed-in connection's account again before each operation and every few
//!   seconds: an expired token, a disabled account or a changed role closes it with 4403
//!   (the client signs in again, reconnects and resumes from its last cursor);
//! - on shutdown, closes with 1012 (service restart): clients reconnect and resume from the
//!   cursor of the last change they saw, so nothing is missed.

use crate::error::{AppError, ErrorCode};
use crate::graphql::context::RequestData;
use crate::http::body::error_object;
use crate::http::persisted::PersistedError;
use crate::http::state::AppState;
use crate::service::Viewer;
use actix_web::web;
use async_graphql::http::{ClientMessage, WebSocket, WebSocketProtocols, WsMessage};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::error::ProtocolError;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;

type Socket = WebSocketStream<TcpStream>;

const HEARTBEAT: Duration = Duration::from_secs(10);
const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);
/// Messages a client may have in flight before it is told to slow down (closed with 1008).
const BACKLOG: usize = 64;

/// Runs one upgraded connection to its end. A token comes in the connection_init payload as
/// `authorization` ("Bearer …"); a refused one closes the connection with 4403.
pub(super) async fn run(
    state: web::Data<AppState>,
    mut socket: Socket,
    protocol: WebSocketProtocols,
    client_ip: Option<IpAddr>,
    _slots: (
        OwnedSemaphorePermit,
        Option<crate::http::per_address::AddressSlot>,
    ),
) {
    // In flight until closed: a graceful stop waits (up to its limit) for every websocket to
    // send its 1012 before the workers go.
    let _in_flight = state.shutdown.enter();
    let opened = Instant::now();
    // The span around this task carries the request id.
    tracing::info!(
        ?client_ip,
        protocol = protocol.sec_websocket_protocol(),
        "websocket opened"
    );
    state.metrics.websocket(1);
    let reason = serve(&state, &mut socket, protocol, client_ip).await;
    state.metrics.websocket(-1);
    tracing::info!(
        code = reason.as_ref().map(|r| u16::from(r.code)),
        seconds = opened.elapsed().as_secs(),
        "websocket closed"
    );
    // The close handshake. Ours, when we end it; when the client closed first, tungstenite has
    // queued the answer to its Close frame, and closing the sink flushes it. A client that is
    // gone makes either fail, which is fine.
    let closing = async {
        if let Some(reason) = reason {
            let _ = socket.send(Message::Close(Some(reason))).await;
        }
        let _ = SinkExt::close(&mut socket).await;
    };
    let _ = tokio::time::timeout(CLIENT_TIMEOUT, closing).await;
}

/// Sends one message; false when the client is gone or has not taken it within
/// CLIENT_TIMEOUT (its receive window stayed full), which ends the connection.
async fn send(socket: &mut Socket, message: Message) -> bool {
    matches!(
        tokio::time::timeout(CLIENT_TIMEOUT, socket.send(message)).await,
        Ok(Ok(()))
    )
}

/// Runs one connection until either side ends it; returns how to close it.
async fn serve(
    state: &web::Data<AppState>,
    socket: &mut Socket,
    protocol: WebSocketProtocols,
    client_ip: Option<IpAddr>,
) -> Option<CloseFrame> {
    // Messages wait boxed: the channel allocates its slots 32 at a time, and a slot as large
    // as a whole request would cost every idle connection kilobytes.
    let (to_graphql, from_client) = tokio::sync::mpsc::channel::<Box<Incoming>>(BACKLOG);
    let from_client = Box::pin(futures_util::stream::unfold(
        from_client,
        |mut rx| async move { rx.recv().await.map(|message| (*message, rx)) },
    ));
    let init_state = state.clone();
    let refused = Arc::new(AtomicBool::new(false));
    let refusing = refused.clone();
    let account: Arc<Mutex<Option<Account>>> = Arc::default();
    let signed_in = account.clone();
    let graphql = WebSocket::from_message_stream(state.schema.clone(), from_client, protocol)
        .on_connection_init(move |payload| async move {
            let init = connection_init(init_state, payload, client_ip).await;
            refusing.store(init.is_err(), Ordering::Relaxed);
            init.map(|(data, account)| {
                *signed_in.lock().unwrap_or_else(|e| e.into_inner()) = account;
                data
            })
        });
    let mut graphql = std::pin::pin!(graphql);
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    let mut recheck = tokio::time::interval(state.ws.recheck);
    let init_deadline = tokio::time::sleep(state.ws.init_timeout);
    let mut init_deadline = std::pin::pin!(init_deadline);
    let mut initialized = false;
    let mut last_seen = Instant::now();
    let mut anonymous = true;
    // Subscriptions started and not yet ended, by id.
    let mut running: HashSet<String> = HashSet::new();
    loop {
        tokio::select! {
            frame = socket.next() => {
                let frame = match frame {
                    None => return None,
                    Some(Ok(frame)) => frame,
                    Some(Err(e)) => return refused_frame(e),
                };
                last_seen = Instant::now();
                let bytes = match frame {
                    Message::Text(text) => text.into(),
                    Message::Binary(bytes) => bytes,
                    // tungstenite answers pings itself, on the next write or flush.
                    Message::Ping(_) => {
                        if !matches!(
                            tokio::time::timeout(CLIENT_TIMEOUT, socket.flush()).await,
                            Ok(Ok(()))
                        ) {
                            return None;
                        }
                        continue;
                    }
                    Message::Pong(_) | Message::Frame(_) => continue,
                    Message::Close(_) => return None,
                };
                let message = match ClientMessage::from_bytes(bytes) {
                    Ok(ClientMessage::ConnectionInit { payload }) => {
                        initialized = true;
                        anonymous = payload.as_ref().and_then(token_in).is_none();
                        Ok(ClientMessage::ConnectionInit { payload })
                    }
                    Ok(ClientMessage::Start { id, mut payload }) => {
                        let current = current_account(&account);
                        if let Some(account) = &current {
                            if !account.still_valid(state).await {
                                return Some(account_changed());
                            }
                        }
                        let viewer = current.map_or(Viewer::Anonymous, |a| a.viewer);
                        let admitted = admit(state, &viewer, client_ip, &running)
                            .and_then(|()| resolve(state, &mut payload, anonymous).map_err(|e| (e.code(), e.message())));
                        match admitted {
                            Ok(()) => {
                                state.metrics.websocket_operation("started");
                                running.insert(id.to_string());
                                Ok(ClientMessage::Start { id, payload })
                            }
                            Err((code, message)) => {
                                state.metrics.websocket_operation(match code {
                                    ErrorCode::RateLimited => "rate_limited",
                                    ErrorCode::BadRequest => "too_many",
                                    _ => "refused",
                                });
                                let refusal = refusal(protocol, &id, code, &message);
                                if !send(socket, Message::text(refusal)).await {
                                    return None;
                                }
                                continue;
                            }
                        }
                    }
                    Ok(ClientMessage::Stop { id }) => {
                        running.remove(&*id);
                        Ok(ClientMessage::Stop { id })
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
                    if let Some(id) = ended(&text) {
                        running.remove(&id);
                    }
                    if !send(socket, Message::text(text)).await {
                        return None;
                    }
                }
                Some(WsMessage::Close(code, reason)) => {
                    let code = close_code(protocol, code, refused.load(Ordering::Relaxed));
                    return Some(close(CloseCode::from(code), &reason));
                }
                None => return None,
            },
            _ = &mut init_deadline, if !initialized => {
                return Some(close(CloseCode::from(4408), "Connection initialisation timeout"));
            }
            _ = recheck.tick() => {
                if let Some(account) = current_account(&account) {
                    if !account.still_valid(state).await {
                        return Some(account_changed());
                    }
                }
            }
            _ = heartbeat.tick() => {
                if last_seen.elapsed() > CLIENT_TIMEOUT {
                    return Some(close(CloseCode::Away, "no answer to pings"));
                }
                if !send(socket, Message::Ping(Default::default())).await {
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

/// The close code for one async-graphql chose: graphql-transport-ws has its own (4400 for a
/// malformed message, 4401 for a subscribe before connection_ack, 4403 for a refused
/// connection_init) where async-graphql 7.2 sends 1002, or 1011 (an internal error), for all.
fn close_code(protocol: WebSocketProtocols, code: u16, refused: bool) -> u16 {
    match (protocol, code) {
        (WebSocketProtocols::GraphQLWS, 1002) if refused => 4403,
        (WebSocketProtocols::GraphQLWS, 1002) => 4400,
        (WebSocketProtocols::GraphQLWS, 1011) => 4401,
        // The client broke the protocol; the server did not fail.
        (WebSocketProtocols::SubscriptionsTransportWS, 1011) => 1002,
        _ => code,
    }
}

/// How to close after a frame the connection could not take: too large, or not websocket.
fn refused_frame(error: WsError) -> Option<CloseFrame> {
    match error {
        // The client dropped the connection without a close handshake: nothing to answer.
        WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake) => None,
        WsError::Capacity(e) => Some(close(CloseCode::Size, &e.to_string())),
        WsError::Protocol(e) => Some(close(CloseCode::Protocol, &e.to_string())),
        WsError::Utf8(e) => Some(close(CloseCode::Invalid, &e)),
        // The connection is gone or broken: nothing can be sent.
        _ => None,
    }
}

fn close(code: CloseCode, reason: &str) -> CloseFrame {
    // A close frame carries at most 123 bytes of reason.
    let mut end = reason.len().min(120);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    CloseFrame {
        code,
        reason: reason[..end].to_owned().into(),
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

/// The account a connection signed in with, and the viewer it was when it did.
#[derive(Clone)]
struct Account {
    header: String,
    viewer: Viewer,
}

impl Account {
    /// Whether the token still holds and names the same viewer (not expired, the account
    /// not disabled, its role unchanged). A database outage is not a reason to drop an
    /// editor: it is checked again at the next tick.
    async fn still_valid(&self, state: &AppState) -> bool {
        match state.auth.authenticate(&state.db, &self.header).await {
            Ok(viewer) => viewer == self.viewer,
            Err(AppError::Unauthenticated(_) | AppError::Forbidden(_)) => false,
            Err(e) => {
                tracing::warn!(code = e.code(), "re-checking a websocket's account failed");
                true
            }
        }
    }
}

fn current_account(account: &Mutex<Option<Account>>) -> Option<Account> {
    account.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// The close for a connection whose account no longer holds.
fn account_changed() -> CloseFrame {
    close(
        CloseCode::from(4403),
        "Forbidden: the token expired, or the account was disabled or changed; sign in and reconnect",
    )
}

/// Whether one more subscription may start: the caller's rate limit (one request, as over
/// HTTP) and the cap on subscriptions running on one connection.
fn admit(
    state: &AppState,
    viewer: &Viewer,
    client_ip: Option<IpAddr>,
    running: &HashSet<String>,
) -> Result<(), (ErrorCode, String)> {
    if running.len() >= state.ws.max_subscriptions {
        return Err((
            ErrorCode::BadRequest,
            format!(
                "at most {} subscriptions may run on one connection; complete some first",
                state.ws.max_subscriptions
            ),
        ));
    }
    if let Err(AppError::RateLimited { retry_after }) = state.rate_limiter.check(viewer, client_ip)
    {
        let scope = if *viewer == Viewer::Anonymous {
            "address"
        } else {
            "editor"
        };
        state.metrics.rate_limited(scope);
        return Err((
            ErrorCode::RateLimited,
            format!("too many requests; try again in {retry_after} s"),
        ));
    }
    Ok(())
}

/// The id of the operation an outgoing message ends (`complete`, or an `error` that ends
/// it), if it is one. Only those messages are parsed: they start with their type.
fn ended(text: &str) -> Option<String> {
    let ends = ["{\"type\":\"complete\"", "{\"type\":\"error\""];
    if !ends.iter().any(|p| text.starts_with(p)) {
        return None;
    }
    let message: Value = serde_json::from_str(text).ok()?;
    message["id"].as_str().map(str::to_owned)
}

/// The protocol's error message for a subscription that was not started.
fn refusal(protocol: WebSocketProtocols, id: &str, code: ErrorCode, message: &str) -> String {
    let error = error_object(code, message);
    match protocol {
        WebSocketProtocols::GraphQLWS => json!({ "id": id, "type": "error", "payload": [error] }),
        WebSocketProtocols::SubscriptionsTransportWS => {
            json!({ "id": id, "type": "error", "payload": error })
        }
    }
    .to_string()
}

/// connection_init: the viewer from the token in the payload, if any, and the account to
/// check again while the connection is open.
async fn connection_init(
    state: web::Data<AppState>,
    payload: Value,
    client_ip: Option<IpAddr>,
) -> async_graphql::Result<(async_graphql::Data, Option<Account>)> {
    let header = token_in(&payload).map(|v| {
        if v.starts_with("Bearer ") || v.starts_with("bearer ") {
            v.to_owned()
        } else {
            format!("Bearer {v}")
        }
    });
    let (viewer, account) = match header {
        None => (Viewer::Anonymous, None),
        Some(h) => {
            let viewer = state
                .auth
                .authenticate(&state.db, &h)
                .await
                .map_err(|e| async_graphql::Error::new(e.message()))?;
            let account = Account {
                header: h,
                viewer: viewer.clone(),
            };
            (viewer, Some(account))
        }
    };
    let mut data = async_graphql::Data::default();
    data.insert(RequestData::new(
        state.db.clone(),
        viewer,
        state.auth.clone(),
        state.throttle.clone(),
        client_ip,
    ));
    Ok((data, account))
}
