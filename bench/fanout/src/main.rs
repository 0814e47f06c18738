//! Subscription fan-out benchmark: opens N websocket subscribers to `changes`, waits until the
//! server reports them all active, measures the server's memory, publishes one change as an
//! editor, and times how long each subscriber takes to receive it. Prints one JSON object.
//!
//! Latency is measured from just before the mutation is sent, so it includes the mutation's
//! own time (reported separately as `mutation_ms`): an upper bound on commit-to-receipt.

use awc::ws::{Frame, Message};
use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    /// The GraphQL endpoint, http://host:port/graphql.
    #[arg(long)]
    url: String,
    /// How many subscribers to open.
    #[arg(long, default_value_t = 1000)]
    subscribers: usize,
    /// An editor's token, to publish the change.
    #[arg(long)]
    token: String,
    /// The server's process id, to read its resident memory.
    #[arg(long)]
    server_pid: u32,
    /// Connections opened at once.
    #[arg(long, default_value_t = 200)]
    concurrency: usize,
    /// Only connect (connection_init, no subscription) and report the memory: what an open
    /// connection costs before any subscription.
    #[arg(long)]
    connect_only: bool,
    /// How long to wait for every subscriber to receive the change.
    #[arg(long, default_value_t = 30)]
    wait_seconds: u64,
}

#[derive(Default)]
struct State {
    subscribed: usize,
    failed: usize,
    closed_early: usize,
    /// Set just before the mutation is sent.
    published_at: Option<Instant>,
    target: String,
    latencies: Vec<Duration>,
    unexpected: usize,
}

type Shared = Rc<RefCell<State>>;

const SUBSCRIPTION: &str = "subscription { changes { cursor kind action recordId } }";

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    actix_rt::System::new().block_on(run(args))
}

async fn run(args: Args) -> std::io::Result<()> {
    let http = awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .finish();
    let base = args.url.trim_end_matches("/graphql").to_owned();
    // A previous round's connections must be gone before memory is measured.
    wait_for_gauge(&http, &base, "exodus_websocket_connections", |v| v == 0.0).await;
    tokio_sleep(Duration::from_secs(1)).await;
    let rss_before = rss_kib(args.server_pid);

    let state: Shared = Rc::new(RefCell::new(State::default()));
    let ws_url = args.url.replacen("http", "ws", 1);
    let started = Instant::now();
    let gate = std::sync::Arc::new(tokio::sync::Semaphore::new(args.concurrency));
    for _ in 0..args.subscribers {
        let permit = gate.clone().acquire_owned().await.expect("semaphore open");
        actix_rt::spawn(subscriber(
            ws_url.clone(),
            state.clone(),
            permit,
            !args.connect_only,
        ));
    }
    // Every connection attempt has finished (subscribed or failed) once all permits are back.
    let _all = gate
        .acquire_many(args.concurrency as u32)
        .await
        .expect("semaphore open");
    let subscribed = state.borrow().subscribed;
    // The server starts a subscription's stream after reading the subscribe message.
    let gauge = if args.connect_only {
        "exodus_websocket_connections"
    } else {
        "exodus_active_subscriptions"
    };
    let active = wait_for_gauge(&http, &base, gauge, |v| v >= subscribed as f64).await;
    if args.connect_only {
        tokio_sleep(Duration::from_secs(2)).await;
        let added = rss_kib(args.server_pid).saturating_sub(rss_before);
        println!(
            "{}",
            json!({"connections": subscribed, "failed_connections": state.borrow().failed,
                   "rss_kib_added": added,
                   "rss_kib_per_connection": added as f64 / subscribed.max(1) as f64})
        );
        return Ok(());
    }
    let connect_seconds = started.elapsed().as_secs_f64();
    tokio_sleep(Duration::from_secs(2)).await;
    let rss_after = rss_kib(args.server_pid);

    let (target, mutation) = prepare_change(&http, &args).await?;
    state.borrow_mut().target = target;
    state.borrow_mut().published_at = Some(Instant::now());
    let t0 = Instant::now();
    let answer = graphql(&http, &args.url, &args.token, &mutation.0, mutation.1).await?;
    let mutation_ms = t0.elapsed().as_secs_f64() * 1000.0;
    if answer.get("errors").is_some() {
        return Err(std::io::Error::other(format!(
            "the change failed: {answer}"
        )));
    }

    let deadline = Instant::now() + Duration::from_secs(args.wait_seconds);
    while state.borrow().latencies.len() < subscribed && Instant::now() < deadline {
        tokio_sleep(Duration::from_millis(20)).await;
    }
    let s = state.borrow();
    let mut lat: Vec<f64> = s
        .latencies
        .iter()
        .map(|d| d.as_secs_f64() * 1000.0)
        .collect();
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| -> f64 {
        if lat.is_empty() {
            return f64::NAN;
        }
        let i = ((lat.len() as f64 * p) as usize).min(lat.len() - 1);
        (lat[i] * 10.0).round() / 10.0
    };
    let added = rss_after.saturating_sub(rss_before);
    let report = json!({
        "subscribers": args.subscribers,
        "connected": s.subscribed,
        "active_on_server": active,
        "failed_connections": s.failed,
        "closed_early": s.closed_early,
        "received": lat.len(),
        "missed": s.subscribed - lat.len().min(s.subscribed),
        "unexpected_events": s.unexpected,
        "latency_ms": { "p50": pct(0.50), "p99": pct(0.99), "max": pct(1.0) },
        "mutation_ms": (mutation_ms * 10.0).round() / 10.0,
        "connect_seconds": (connect_seconds * 10.0).round() / 10.0,
        "rss_kib_before": rss_before,
        "rss_kib_after": rss_after,
        "rss_kib_added": added,
        "rss_kib_per_subscriber": if s.subscribed > 0 {
            ((added as f64 / s.subscribed as f64) * 10.0).round() / 10.0
        } else {
            0.0
        },
    });
    println!("{report}");
    // Dropping the System closes every connection.
    Ok(())
}

async fn tokio_sleep(d: Duration) {
    actix_rt::time::sleep(d).await;
}

/// One subscriber: connect, init, subscribe, then record when the change arrives.
async fn subscriber(
    url: String,
    state: Shared,
    permit: tokio::sync::OwnedSemaphorePermit,
    subscribe: bool,
) {
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(60))
        .finish();
    let connected = client
        .ws(url)
        .protocols(["graphql-transport-ws"])
        .connect()
        .await;
    let Ok((_, mut ws)) = connected else {
        state.borrow_mut().failed += 1;
        return;
    };
    let init = json!({"type": "connection_init", "payload": {}}).to_string();
    if ws.send(Message::Text(init.into())).await.is_err() {
        state.borrow_mut().failed += 1;
        return;
    }
    loop {
        match ws.next().await {
            Some(Ok(Frame::Text(t))) if t.windows(14).any(|w| w == b"connection_ack") => break,
            Some(Ok(Frame::Ping(p))) => {
                let _ = ws.send(Message::Pong(p)).await;
            }
            Some(Ok(Frame::Text(_))) => {}
            _ => {
                state.borrow_mut().failed += 1;
                return;
            }
        }
    }
    let message =
        json!({"type": "subscribe", "id": "1", "payload": {"query": SUBSCRIPTION}}).to_string();
    if subscribe && ws.send(Message::Text(message.into())).await.is_err() {
        state.borrow_mut().failed += 1;
        return;
    }
    state.borrow_mut().subscribed += 1;
    drop(permit);
    loop {
        match ws.next().await {
            Some(Ok(Frame::Text(t))) => {
                let now = Instant::now();
                let msg: Value = serde_json::from_slice(&t).unwrap_or(Value::Null);
                let mut s = state.borrow_mut();
                let expected = msg["type"] == "next"
                    && msg["payload"]["data"]["changes"]["recordId"] == s.target.as_str();
                match (expected, s.published_at) {
                    (true, Some(at)) => s.latencies.push(now - at),
                    _ => {
                        if s.unexpected == 0 {
                            eprintln!("first unexpected message: {msg}");
                        }
                        s.unexpected += 1
                    }
                }
            }
            Some(Ok(Frame::Ping(p))) => {
                let _ = ws.send(Message::Pong(p)).await;
            }
            Some(Ok(_)) => {}
            _ => {
                state.borrow_mut().closed_early += 1;
                return;
            }
        }
    }
}

/// Picks a published withdrawal and builds an update that keeps it published.
async fn prepare_change(
    http: &awc::Client,
    args: &Args,
) -> std::io::Result<(String, (String, Value))> {
    let read = "{ withdrawals(first: 1) { edges { node { id version slug announcedOn effectiveOn \
                withdrawalStatus fundingEnded rationale expectedImpact \
                organization { id } instrument { id } } } } }";
    let data = graphql(http, &args.url, &args.token, read, json!({})).await?;
    let w = &data["data"]["withdrawals"]["edges"][0]["node"];
    if w.is_null() {
        return Err(std::io::Error::other(format!(
            "no withdrawal to change: {data}"
        )));
    }
    let input = json!({
        "slug": w["slug"],
        "organizationId": w["organization"]["id"],
        "instrumentId": w["instrument"]["id"],
        "announcedOn": w["announcedOn"],
        "effectiveOn": w["effectiveOn"],
        "withdrawalStatus": w["withdrawalStatus"],
        "fundingEnded": w["fundingEnded"],
        "rationale": format!("{} (checked {:?})", w["rationale"].as_str().unwrap_or(""), Instant::now()),
        "expectedImpact": w["expectedImpact"],
        // No `confidence`: since 0.11 it is an editor's ceiling, kept when left out.
    });
    let mutation = "mutation Change($id: ID!, $v: Int!, $input: WithdrawalInput!) { \
                    updateWithdrawal(id: $id, expectedVersion: $v, input: $input) { id version } }";
    let vars = json!({"id": w["id"], "v": w["version"], "input": input});
    Ok((
        w["id"].as_str().unwrap_or_default().to_owned(),
        (mutation.to_owned(), vars),
    ))
}

async fn graphql(
    http: &awc::Client,
    url: &str,
    token: &str,
    query: &str,
    variables: Value,
) -> std::io::Result<Value> {
    let mut res = http
        .post(url)
        .bearer_auth(token)
        .send_json(&json!({"query": query, "variables": variables}))
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    res.json::<Value>()
        .limit(10 << 20)
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))
}

/// Polls /metrics until a gauge satisfies `ok` (or 60 s pass); returns its last value.
async fn wait_for_gauge(
    http: &awc::Client,
    base: &str,
    name: &str,
    ok: impl Fn(f64) -> bool,
) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut value = f64::NAN;
    while Instant::now() < deadline {
        if let Ok(mut res) = http.get(format!("{base}/metrics")).send().await {
            if let Ok(body) = res.body().limit(10 << 20).await {
                let text = String::from_utf8_lossy(&body);
                value = text
                    .lines()
                    .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
                    .unwrap_or(f64::NAN);
                if ok(value) {
                    return value;
                }
            }
        }
        tokio_sleep(Duration::from_millis(100)).await;
    }
    value
}

/// Resident memory of a process, in KiB (0 if it cannot be read).
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}
