//! A subscriber for advocacy platforms: follows Exodus's change feed and never misses a
//! change, even across restarts and dropped connections.
//!
//! ```sh
//! cargo run --example subscriber -- ws://127.0.0.1:8080/graphql exodus-cursor.txt
//! ```
//!
//! It speaks graphql-transport-ws, prints each change as one JSON line, and after handling
//! each event writes the event's cursor to the cursor file. On start (and after any
//! disconnect) it subscribes with `after: <saved cursor>`, so Exodus replays everything it
//! missed from the revision log before going live: no gap, no duplicate. Set EXODUS_TOKEN to
//! follow drafts as an editor.

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::time::Duration;

const QUERY: &str = "subscription($after: String, $drafts: Boolean) {
  changes(after: $after, includeDrafts: $drafts) {
    cursor kind action visible id recordId at
    node { __typename ... on Withdrawal { slug withdrawalStatus organization { name } }
           ... on Reaction { slug stance summary } ... on Pact { slug pactStatus } }
  }
}";

fn load_cursor(path: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn save_cursor(path: &str, cursor: &str) -> std::io::Result<()> {
    // Write then rename, so a crash never leaves half a cursor behind.
    let tmp = format!("{path}.tmp");
    std::fs::write(&tmp, cursor)?;
    std::fs::rename(tmp, path)
}

/// One connection: subscribe from the saved cursor and handle events until it drops.
async fn follow(url: &str, cursor_file: &str, token: Option<&str>) -> Result<(), String> {
    let (_, mut ws) = awc::Client::new()
        .ws(url)
        .protocols(["graphql-transport-ws"])
        .connect()
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let send = |v: Value| awc::ws::Message::Text(v.to_string().into());
    let init = match token {
        Some(t) => {
            json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {t}") } })
        }
        None => json!({ "type": "connection_init", "payload": {} }),
    };
    ws.send(send(init)).await.map_err(|e| e.to_string())?;
    let after = load_cursor(cursor_file);
    eprintln!("following from {}", after.as_deref().unwrap_or("now"));
    let vars = json!({ "after": after, "drafts": token.is_some() });
    let subscribe = json!({ "id": "feed", "type": "subscribe", "payload": { "query": QUERY, "variables": vars } });
    while let Some(frame) = ws.next().await {
        match frame.map_err(|e| e.to_string())? {
            awc::ws::Frame::Text(bytes) => {
                let message: Value = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
                match message["type"].as_str() {
                    Some("connection_ack") => ws
                        .send(send(subscribe.clone()))
                        .await
                        .map_err(|e| e.to_string())?,
                    Some("ping") => ws
                        .send(send(json!({ "type": "pong" })))
                        .await
                        .map_err(|e| e.to_string())?,
                    Some("next") => {
                        if let Some(errors) = message["payload"].get("errors") {
                            return Err(format!("the server refused the subscription: {errors}"));
                        }
                        let event = &message["payload"]["data"]["changes"];
                        // Handle the event (here: print it), then remember it.
                        println!("{event}");
                        if let Some(c) = event["cursor"].as_str() {
                            save_cursor(cursor_file, c).map_err(|e| e.to_string())?;
                        }
                    }
                    Some("error") => return Err(format!("subscription error: {message}")),
                    Some("complete") => return Ok(()),
                    _ => {}
                }
            }
            awc::ws::Frame::Ping(p) => ws
                .send(awc::ws::Message::Pong(p))
                .await
                .map_err(|e| e.to_string())?,
            awc::ws::Frame::Close(reason) => return Err(format!("closed: {reason:?}")),
            _ => {}
        }
    }
    Err("the connection ended".into())
}

#[actix_web::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .unwrap_or_else(|| "ws://127.0.0.1:8080/graphql".into());
    let cursor_file = args.next().unwrap_or_else(|| "exodus-cursor.txt".into());
    let token = std::env::var("EXODUS_TOKEN").ok();
    let mut backoff = Duration::from_millis(500);
    loop {
        match follow(&url, &cursor_file, token.as_deref()).await {
            Ok(()) => backoff = Duration::from_millis(500),
            Err(e) => eprintln!("{e}; reconnecting in {backoff:?}"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(30));
    }
}
