//! The service's lifecycle: a graceful stop, and a database that goes away and comes back.

use entity::enums::EditorRole;
use harness::proxy::{self, Proxy};
use harness::{backend_tests, serde_json::json, TestApp, TRANSPORT_WS};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;

backend_tests!(stopping_closes_websockets_and_finishes_requests_in_flight,);

async fn stopping_closes_websockets_and_finishes_requests_in_flight(app: TestApp) {
    // A request in flight: its headers are in, half of its body is not (over a raw socket,
    // so that what the server has received is exactly what was written).
    let body = b"{\"query\": \"{ stats { pacts } }\"}";
    let (first, rest) = body.split_at(12);
    let mut socket = tokio::net::TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    socket.write_all(first).await.unwrap();
    socket.flush().await.unwrap();

    // A websocket opened afterwards, through to connection_ack: the server (one worker) has
    // accepted the connection above, which was in its backlog first.
    let mut ws = app.ws(TRANSPORT_WS, json!({})).await.unwrap();
    ws.subscribe("1", "subscription { changes { cursor } }", json!({}))
        .await;
    // And a subscription over Server-Sent Events, its stream open.
    let mut sse = tokio::net::TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .unwrap();
    let subscription = br#"{"query":"subscription { changes { cursor } }"}"#;
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        subscription.len()
    );
    sse.write_all(head.as_bytes()).await.unwrap();
    sse.write_all(subscription).await.unwrap();
    let mut started = [0u8; 12];
    tokio::time::timeout(Duration::from_secs(10), sse.read_exact(&mut started))
        .await
        .expect("the stream starts")
        .unwrap();
    assert_eq!(&started, b"HTTP/1.1 200");

    // SIGTERM's path.
    let stopping = actix_web::rt::spawn(app.stopper());

    // The event stream ends (the client reconnects with its last cursor): its last chunk
    // comes. (The connection itself stays open until its keep-alive runs out, as HTTP/1.1
    // allows, so the test reads to the end of the stream, not of the connection.)
    let mut rest_of_stream = Vec::new();
    let mut buf = [0u8; 4096];
    while !rest_of_stream.ends_with(b"0\r\n\r\n") {
        let n = tokio::time::timeout(Duration::from_secs(30), sse.read(&mut buf))
            .await
            .expect("the event stream ends when the server stops")
            .unwrap();
        assert!(
            n > 0,
            "the connection closed before the stream's last chunk"
        );
        rest_of_stream.extend_from_slice(&buf[..n]);
    }
    let rest_of_stream = String::from_utf8_lossy(&rest_of_stream);
    assert!(rest_of_stream.ends_with("0\r\n\r\n"), "{rest_of_stream}");

    // Websockets are told to reconnect: 1012, service restart.
    let closed = ws
        .next_message(Duration::from_secs(10))
        .await
        .expect("a close frame");
    assert_eq!(closed["type"], "closed", "{closed}");
    let reason = closed["reason"].as_str().unwrap();
    assert!(reason.contains("Restart"), "{reason}");
    assert!(reason.contains("resume"), "{reason}");

    // The request in flight completes.
    socket.write_all(rest).await.unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(10), socket.read(&mut buf))
            .await
            .expect("the answer comes")
            .unwrap();
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buf[..n]);
        if answer.ends_with(b"}}}") {
            break;
        }
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.ends_with(r#"{"data":{"stats":{"pacts":8}}}"#),
        "{answer}"
    );

    // Then the server is gone: new connections are refused.
    tokio::time::timeout(Duration::from_secs(20), stopping)
        .await
        .expect("the server stops within its shutdown timeout")
        .unwrap();
    let refused = awc::Client::default()
        .get(format!("{}/healthz", app.base))
        .send()
        .await;
    assert!(refused.is_err(), "no longer accepting");
}

const CREATE_SOURCE: &str = "mutation($i: SourceInput!) { createSource(input: $i) { id slug } }";

/// PostgreSQL only (an embedded SQLite file cannot be cut off): the connection to the database
/// is cut while editors write and readers read. Clients get SERVICE_UNAVAILABLE (503,
/// Retry-After, `retryable`), never a 500; the service recovers by itself when the database is
/// back; and every write that was acknowledged is in the database.
#[actix_web::test]
async fn a_database_outage_is_retryable_and_loses_no_acknowledged_write() {
    let Some(direct) = harness::spawn(harness::Backend::Postgres).await else {
        return;
    };
    let proxy = Proxy::start(proxy::target_of(&direct.database_url)).await;
    let url = proxy::via(&direct.database_url, proxy.addr);
    let app = harness::spawn_with(harness::Backend::Postgres, |c| {
        c.database_url = Some(url.clone());
        c.db_acquire_timeout = 1;
        c.rate_limit_editor = 100_000;
        c.rate_limit_anonymous = 100_000;
    })
    .await
    .unwrap();
    let token = app.editor("ed@example.org", EditorRole::Editor).await;

    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let refusals = Arc::new(Mutex::new(Vec::<(u16, String)>::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut workers = Vec::new();
    for w in 0..4 {
        let (base, token) = (app.base.clone(), token.clone());
        let (acked, refused) = (acknowledged.clone(), refusals.clone());
        let stop = stop.clone();
        workers.push(actix_web::rt::spawn(async move {
            let client = awc::Client::builder()
                .timeout(Duration::from_secs(30))
                .finish();
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                n += 1;
                let slug = format!("outage-{w}-{n}");
                let (query, variables) = if n % 3 == 0 {
                    ("{ stats { pacts } }".to_owned(), json!({}))
                } else {
                    (
                        CREATE_SOURCE.to_owned(),
                        json!({ "i": { "slug": slug, "title": format!("Source {slug}"),
                            "publisher": "Tests", "url": format!("https://example.org/{slug}"),
                            "publishedOn": "2026-01-02" } }),
                    )
                };
                let sent = client
                    .post(format!("{base}/graphql"))
                    .insert_header(("authorization", format!("Bearer {token}")))
                    .send_json(&json!({ "query": query, "variables": variables }))
                    .await;
                let mut response = sent.expect("the app itself stays reachable");
                let status = response.status().as_u16();
                let retry_after = response.headers().get("retry-after").is_some();
                let body: harness::serde_json::Value =
                    response.json().limit(1 << 20).await.unwrap();
                match body.get("errors") {
                    None => {
                        if let Some(s) = body["data"]["createSource"]["slug"].as_str() {
                            acked.lock().unwrap().push(s.to_owned());
                        }
                    }
                    Some(errors) => {
                        let code = errors[0]["extensions"]["code"]
                            .as_str()
                            .unwrap_or("")
                            .to_owned();
                        if code == "SERVICE_UNAVAILABLE" {
                            assert!(retry_after, "503 comes with Retry-After");
                            assert_eq!(errors[0]["extensions"]["retryable"], true);
                        }
                        refused.lock().unwrap().push((status, code));
                        // Pacing, not synchronisation: do not spin while the database is away.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            }
        }));
    }

    // Each step waits for what it needs, polling with a bound: writes acknowledged before
    // the cut; the outage seen by readiness and by the clients; writes acknowledged again.
    let acked = || acknowledged.lock().unwrap().len();
    wait_until("writes before the cut", || acked() >= 4).await;
    proxy.cut();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let ready = app
            .request(awc::http::Method::GET, "/readyz", &[], None)
            .await;
        if ready.status == 503 {
            break;
        }
        assert!(Instant::now() < deadline, "readiness never saw the outage");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    wait_until("a client refused during the outage", || {
        !refusals.lock().unwrap().is_empty()
    })
    .await;
    let before_restore = acked();
    proxy.restore();
    wait_until("writes acknowledged after the outage", || {
        acked() > before_restore
    })
    .await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for worker in workers {
        worker.await.unwrap();
    }

    let refusals = refusals.lock().unwrap().clone();
    assert!(
        !refusals.is_empty(),
        "the outage was seen by the clients (else the test proves nothing)"
    );
    for (status, code) in &refusals {
        assert_eq!(
            (*status, code.as_str()),
            (503, "SERVICE_UNAVAILABLE"),
            "every refusal during the outage is a retryable 503"
        );
    }

    // Recovered by itself: reads and writes work again without a restart.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let reply = app
            .query_as(
                &token,
                CREATE_SOURCE,
                json!({ "i": { "slug": "after-outage", "title": "After the outage",
                    "publisher": "Tests", "url": "https://example.org/after", "publishedOn": "2026-01-02" } }),
            )
            .await;
        if reply.status == 200 && reply.body.get("errors").is_none() {
            acknowledged.lock().unwrap().push("after-outage".into());
            break;
        }
        assert!(Instant::now() < deadline, "no recovery: {}", reply.text);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        app.request(awc::http::Method::GET, "/readyz", &[], None)
            .await
            .status,
        200
    );

    // No acknowledged write is lost: each is in the database with its revision.
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() > 4, "{acknowledged:?}");
    for slug in &acknowledged {
        let data = app
            .data_as(
                &token,
                "query($s: String!) { source(slug: $s) { id slug } }",
                json!({ "s": slug }),
            )
            .await;
        assert_eq!(
            data["source"]["slug"], *slug,
            "{slug} was acknowledged but is gone"
        );
        let history = app
            .data_as(
                &token,
                "query($id: ID!) { history(id: $id, first: 5) { edges { cursor } } }",
                json!({ "id": data["source"]["id"] }),
            )
            .await;
        assert_eq!(
            history["history"]["edges"].as_array().map(Vec::len),
            Some(1),
            "{slug} has its revision"
        );
    }
}

/// Polls `condition` every 20 ms; fails the test after 15 s.
async fn wait_until(what: &str, condition: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
