//! Webhook delivery benchmark: a receiver in this process, N endpoints registered on it (each
//! its own path), then two runs of published changes:
//!
//! - latency: changes one at a time, each waited for at every endpoint; a delivery's latency
//!   is from just before its change's `publish` mutation is sent to its arrival at the
//!   receiver (an upper bound on commit-to-delivery: it includes the mutation's own time,
//!   reported as `mutation_ms`);
//! - throughput: a burst of changes published back to back; deliveries per second from the
//!   first publish to the last delivery.
//!
//! Prints one JSON object.

use actix_web::{web, App, HttpResponse, HttpServer};
use clap::Parser;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    /// The GraphQL endpoint, http://host:port/graphql.
    #[arg(long)]
    url: String,
    /// An admin's token (registers the hooks, makes the changes).
    #[arg(long)]
    token: String,
    /// How many endpoints to register.
    #[arg(long, default_value_t = 100)]
    endpoints: usize,
    /// Changes in the latency run.
    #[arg(long, default_value_t = 20)]
    latency_changes: usize,
    /// Changes in the throughput burst.
    #[arg(long, default_value_t = 50)]
    burst_changes: usize,
    /// How long to wait for deliveries before giving up.
    #[arg(long, default_value_t = 120)]
    wait_seconds: u64,
}

/// Arrivals: (endpoint path, record id) -> when.
#[derive(Default)]
struct Arrivals {
    at: HashMap<(usize, String), Instant>,
    count: usize,
}

type Shared = Arc<Mutex<Arrivals>>;

async fn receive(
    path: web::Path<usize>,
    body: web::Bytes,
    arrivals: web::Data<Shared>,
) -> HttpResponse {
    let now = Instant::now();
    let payload: Value = serde_json::from_slice(&body).unwrap_or_default();
    let record = payload["data"]["recordId"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    let mut a = arrivals.lock().unwrap();
    a.at.entry((path.into_inner(), record)).or_insert(now);
    a.count += 1;
    HttpResponse::NoContent().finish()
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    actix_rt::System::new().block_on(run(args))
}

async fn gql(client: &awc::Client, args: &Args, query: &str, variables: Value) -> Value {
    let mut response = client
        .post(&args.url)
        .insert_header(("authorization", format!("Bearer {}", args.token)))
        .send_json(&json!({ "query": query, "variables": variables }))
        .await
        .expect("the server answers");
    let body: Value = response.json().limit(1 << 24).await.expect("JSON");
    assert!(body.get("errors").is_none(), "{query}: {body}");
    body["data"].clone()
}

/// A draft source; returns its id.
async fn draft(client: &awc::Client, args: &Args, slug: &str) -> String {
    let made = gql(
        client,
        args,
        "mutation($i: SourceInput!) { createSource(input: $i) { id } }",
        json!({ "i": { "slug": slug, "url": format!("https://example.org/{slug}"), "title": slug } }),
    )
    .await;
    made["createSource"]["id"].as_str().unwrap().to_owned()
}

async fn publish(client: &awc::Client, args: &Args, id: &str) {
    gql(
        client,
        args,
        "mutation($id: ID!) { publish(id: $id, expectedVersion: 1) { id } }",
        json!({ "id": id }),
    )
    .await;
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank]
}

async fn wait_for(arrivals: &Shared, count: usize, limit: Duration) -> bool {
    let start = Instant::now();
    while arrivals.lock().unwrap().count < count {
        if start.elapsed() > limit {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    true
}

async fn run(args: Args) -> std::io::Result<()> {
    let arrivals: Shared = Arc::default();
    let data = web::Data::new(arrivals.clone());
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/hook/{n}", web::post().to(receive))
    })
    .workers(1)
    .backlog(4096)
    .max_connections(100_000)
    .listen(listener)?
    .run();
    actix_rt::spawn(server);
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(60))
        .finish();
    let tag = std::process::id();
    for n in 0..args.endpoints {
        gql(
            &client,
            &args,
            "mutation($i: WebhookInput!) { registerWebhook(input: $i) { webhook { id } } }",
            json!({ "i": { "url": format!("http://127.0.0.1:{port}/hook/{n}"), "kinds": ["SOURCE"] } }),
        )
        .await;
    }
    let limit = Duration::from_secs(args.wait_seconds);

    // Latency: one change at a time, waited for everywhere.
    let mut latencies: Vec<f64> = Vec::new();
    let mut mutation_ms: Vec<f64> = Vec::new();
    let mut expected = 0;
    let mut complete = true;
    for k in 0..args.latency_changes {
        let id = draft(&client, &args, &format!("bench-hook-{tag}-l{k}")).await;
        let sent = Instant::now();
        publish(&client, &args, &id).await;
        mutation_ms.push(sent.elapsed().as_secs_f64() * 1000.0);
        expected += args.endpoints;
        complete &= wait_for(&arrivals, expected, limit).await;
        let a = arrivals.lock().unwrap();
        for n in 0..args.endpoints {
            if let Some(at) = a.at.get(&(n, id.clone())) {
                latencies.push(at.duration_since(sent).as_secs_f64() * 1000.0);
            }
        }
    }
    latencies.sort_by(f64::total_cmp);
    mutation_ms.sort_by(f64::total_cmp);

    // Throughput: drafts first (not timed), then a burst of publications.
    let mut ids = Vec::new();
    for k in 0..args.burst_changes {
        ids.push(draft(&client, &args, &format!("bench-hook-{tag}-b{k}")).await);
    }
    let start = Instant::now();
    for id in &ids {
        publish(&client, &args, id).await;
    }
    let published = start.elapsed();
    expected += args.endpoints * args.burst_changes;
    let burst_complete = wait_for(&arrivals, expected, limit).await;
    let last = {
        let a = arrivals.lock().unwrap();
        ids.iter()
            .flat_map(|id| (0..args.endpoints).filter_map(|n| a.at.get(&(n, id.clone())).copied()))
            .max()
    };
    let elapsed = last.map(|l| l.duration_since(start)).unwrap_or_default();
    let deliveries = args.endpoints * args.burst_changes;
    let total = arrivals.lock().unwrap().count;
    println!(
        "{}",
        json!({
            "endpoints": args.endpoints,
            "latency": {
                "changes": args.latency_changes,
                "deliveries": latencies.len(),
                "complete": complete,
                "p50_ms": percentile(&latencies, 50.0),
                "p90_ms": percentile(&latencies, 90.0),
                "p99_ms": percentile(&latencies, 99.0),
                "max_ms": latencies.last(),
                "mutation_p50_ms": percentile(&mutation_ms, 50.0),
            },
            "throughput": {
                "changes": args.burst_changes,
                "deliveries": deliveries,
                "complete": burst_complete,
                "publish_seconds": published.as_secs_f64(),
                "seconds_to_last_delivery": elapsed.as_secs_f64(),
                "deliveries_per_second": deliveries as f64 / elapsed.as_secs_f64(),
            },
            // More than expected means some change was delivered twice to one endpoint.
            "requests_received": total,
            "requests_expected": expected,
        })
    );
    Ok(())
}
