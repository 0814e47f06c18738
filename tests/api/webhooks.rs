//! Webhooks through the real interfaces: an admin registers an endpoint over GraphQL, a real
//! HTTP receiver in this process verifies every signature with the `standardwebhooks` crate
//! (the specification's own Rust library, independent of ours), and changes made through the
//! API arrive in order. The receiver fails (500s), hangs past the timeout, recovers; the
//! server restarts; two replicas share one PostgreSQL: nothing is lost and nothing is
//! delivered twice. The SSRF guard refuses loopback unless allowed.

use crate::canary;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use entity::enums::EditorRole;
use harness::{serde_json::json, spawn_with, Backend, TestApp};
use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Like `backend_tests!`, with the webhook settings of [`app`].
macro_rules! webhook_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
            #[actix_web::test]
            async fn $name() {
                let app = super::app(harness::Backend::Sqlite).await.expect("SQLite always runs");
                super::$name(app).await;
            }
            )*
        }
        mod postgres {
            $(
            #[actix_web::test]
            async fn $name() {
                if let Some(app) = super::app(harness::Backend::Postgres).await {
                    super::$name(app).await;
                }
            }
            )*
        }
    };
}

webhook_tests!(
    signed_events_arrive_in_order_and_survive_an_outage,
    retries_run_out_then_an_admin_resumes_and_replays,
    a_restarted_server_resumes_from_the_cursor,
    the_ssrf_guard_refuses_private_addresses,
    public_hooks_see_the_public_and_editors_hooks_see_drafts,
    only_admins_manage_webhooks,
    an_admin_pause_holds_even_against_an_attempt_in_flight,
);

mod postgres_only {
    #[actix_web::test]
    async fn two_replicas_deliver_each_event_once() {
        if let Some(app) = super::app(harness::Backend::Postgres).await {
            super::two_replicas_deliver_each_event_once(app).await;
        }
    }
}

/// How the receiver answers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Accept,
    Fail,
    Hang,
    /// Holds each request until the test releases it, then answers 503.
    Hold,
}

/// A webhook receiver: verifies each request with `standardwebhooks` and keeps what it
/// accepted, in arrival order.
struct Receiver {
    mode: Mutex<Mode>,
    secrets: Mutex<Vec<String>>,
    accepted: Mutex<Vec<Value>>,
    attempts: AtomicUsize,
    /// Permits for held requests to answer (Mode::Hold).
    release: tokio::sync::Semaphore,
    bad_signatures: AtomicUsize,
    /// The `webhook-signature` headers seen, for the rotation test.
    signatures: Mutex<Vec<String>>,
    /// The last accepted request as sent: its headers and body.
    last: Mutex<Option<(http::HeaderMap, Vec<u8>)>>,
}

struct Running {
    receiver: Arc<Receiver>,
    url: String,
    _server: actix_web::dev::ServerHandle,
}

async fn receive(req: HttpRequest, body: web::Bytes, r: web::Data<Arc<Receiver>>) -> HttpResponse {
    r.attempts.fetch_add(1, Ordering::SeqCst);
    let mode = *r.mode.lock().unwrap();
    match mode {
        Mode::Fail => return HttpResponse::InternalServerError().finish(),
        Mode::Hang => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            return HttpResponse::ServiceUnavailable().finish();
        }
        Mode::Hold => {
            if let Ok(permit) = r.release.acquire().await {
                permit.forget();
            }
            return HttpResponse::ServiceUnavailable().finish();
        }
        Mode::Accept => {}
    }
    // actix-web's header types are http 0.2's; the library takes http 1's.
    let mut headers = http::HeaderMap::new();
    for (name, value) in req.headers() {
        headers.append(
            http::HeaderName::from_bytes(name.as_str().as_bytes()).unwrap(),
            http::HeaderValue::from_bytes(value.as_bytes()).unwrap(),
        );
    }
    let secrets = r.secrets.lock().unwrap().clone();
    let verified = secrets.iter().any(|s| {
        standardwebhooks::Webhook::new(s)
            .unwrap()
            .verify(&body, &headers)
            .is_ok()
    });
    if !verified {
        r.bad_signatures.fetch_add(1, Ordering::SeqCst);
        return HttpResponse::Unauthorized().finish();
    }
    r.signatures
        .lock()
        .unwrap()
        .push(headers["webhook-signature"].to_str().unwrap().to_owned());
    *r.last.lock().unwrap() = Some((headers.clone(), body.to_vec()));
    let payload: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        payload["data"]["id"],
        headers["webhook-id"].to_str().unwrap(),
        "webhook-id is the event's id"
    );
    r.accepted.lock().unwrap().push(payload);
    HttpResponse::NoContent().finish()
}

async fn receiver() -> Running {
    let receiver = Arc::new(Receiver {
        mode: Mutex::new(Mode::Accept),
        secrets: Mutex::new(Vec::new()),
        accepted: Mutex::new(Vec::new()),
        attempts: AtomicUsize::new(0),
        release: tokio::sync::Semaphore::new(0),
        bad_signatures: AtomicUsize::new(0),
        signatures: Mutex::new(Vec::new()),
        last: Mutex::new(None),
    });
    let data = web::Data::new(receiver.clone());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/hook", web::post().to(receive))
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    Running {
        receiver,
        url: format!("http://localhost:{port}/hook"),
        _server: handle,
    }
}

/// Settings for tests: plain http and loopback allowed, a short timeout and retry schedule.
fn settings(c: &mut exodus::config::Config) {
    c.webhook_allow_http = true;
    c.webhook_allow_networks = "127.0.0.0/8,::1".into();
    c.webhook_timeout = 1;
    c.webhook_retry_schedule = "100ms,100ms,200ms,200ms,300ms,300ms,300ms,300ms".into();
}

async fn app(backend: Backend) -> Option<TestApp> {
    spawn_with(backend, settings).await
}

/// Another server on the same database, with the same webhook settings.
async fn replica(of: &TestApp, tweak: impl FnOnce(&mut exodus::config::Config)) -> TestApp {
    let url = of.database_url.clone();
    let mut app = spawn_with(of.backend, |c| {
        settings(c);
        tweak(c);
        c.database_url = Some(url.clone());
    })
    .await
    .unwrap();
    app.database_url = url;
    app
}

/// Waits for `done` (polling: the deliveries are another task's work), or fails after 30 s.
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

const REGISTER: &str =
    "mutation($i: WebhookInput!, $a: String) { registerWebhook(input: $i, after: $a) {
    secret webhook { id url active cursor version kinds } } }";

/// Registers a hook for the receiver; returns its id, with the secret given to the receiver.
async fn register(app: &TestApp, admin: &str, r: &Running, input: Value) -> Value {
    let mut input = input;
    input["url"] = json!(r.url);
    let reply = app.data_as(admin, REGISTER, json!({ "i": input })).await;
    let payload = &reply["registerWebhook"];
    let secret = payload["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"));
    r.receiver.secrets.lock().unwrap().push(secret.to_owned());
    payload["webhook"]["id"].clone()
}

/// The change feed's cursor at its newest event.
async fn head(app: &TestApp) -> Value {
    let mut after = Value::Null;
    loop {
        let page = &app
            .data(
                "query($a: String) { changes(after: $a, first: 100) { pageInfo { hasNextPage endCursor } } }",
                json!({ "a": after }),
            )
            .await["changes"]["pageInfo"];
        after = page["endCursor"].clone();
        if page["hasNextPage"] != true {
            return after;
        }
    }
}

/// Makes `n` public changes (a source created and published, then edited): returns the
/// change event ids the public feed gives them, in order.
async fn changes(app: &TestApp, editor: &str, tag: &str, n: usize) -> Vec<String> {
    let start = head(app).await;
    let source = |title: String| {
        json!({ "slug": format!("hook-{tag}"), "url": format!("https://example.org/{tag}"), "title": title,
            "publisher": "Example", "publishedOn": "2026-03-01", "retrievedOn": "2026-03-02" })
    };
    let created = app
        .data_as(
            editor,
            "mutation($i: SourceInput!) { createSource(input: $i) { id } }",
            json!({ "i": source(format!("{tag} 0")) }),
        )
        .await;
    let id = created["createSource"]["id"].clone();
    app.data_as(
        editor,
        "mutation($id: ID!) { publish(id: $id, expectedVersion: 1) { id } }",
        json!({ "id": id }),
    )
    .await;
    for i in 1..n {
        app.data_as(
            editor,
            "mutation($id: ID!, $v: Int!, $i: SourceInput!) { updateSource(id: $id, expectedVersion: $v, input: $i) { id } }",
            json!({ "id": id, "v": i as i64 + 1, "i": source(format!("{tag} {i}")) }),
        )
        .await;
    }
    let page = app
        .data(
            "query($a: String) { changes(after: $a, first: 100) { edges { node { id } } } }",
            json!({ "a": start }),
        )
        .await;
    let ids: Vec<String> = page["changes"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), n, "{tag}: one public event per change");
    ids
}

fn accepted_ids(r: &Running) -> Vec<String> {
    r.receiver
        .accepted
        .lock()
        .unwrap()
        .iter()
        .map(|p| p["data"]["id"].as_str().unwrap().to_owned())
        .collect()
}

const STATE: &str = "query($id: ID!) { webhook(id: $id) { active pausedReason failures cursor lag version
    deliveries(first: 100) { edges { node { messageId attempt statusCode delivered error latencyMs } } } } }";

async fn state(app: &TestApp, admin: &str, id: &Value) -> Value {
    app.data_as(admin, STATE, json!({ "id": id })).await["webhook"].clone()
}

async fn signed_events_arrive_in_order_and_survive_an_outage(app: TestApp) {
    // Retries with a long tail: the outage below (500s, then a hang) must not use up the
    // schedule and pause the endpoint before the test turns the receiver back on, however
    // slowly the machine runs; nine attempts span about 28 s.
    let app = spawn_with(app.backend, |c| {
        settings(c);
        c.webhook_retry_schedule = "100ms,100ms,200ms,1s,2s,5s,10s,10s".into();
    })
    .await
    .unwrap();
    let admin = app
        .editor("hooks-admin@example.org", EditorRole::Admin)
        .await;
    let r = receiver().await;
    let id = register(
        &app,
        &admin,
        &r,
        json!({ "description": "the outage test" }),
    )
    .await;
    let mut expected = changes(&app, &admin, "first", 3).await;
    until("the first three events", || accepted_ids(&r).len() >= 3).await;
    assert_eq!(accepted_ids(&r), expected);
    // The payload is the public change event, with the record as the API shows it.
    let first = r.receiver.accepted.lock().unwrap()[0].clone();
    assert_eq!(first["type"], "exodus.change");
    assert_eq!(first["data"]["kind"], "SOURCE");
    assert_eq!(first["data"]["action"], "PUBLISH");
    assert_eq!(first["data"]["visible"], true);
    assert_eq!(first["data"]["node"]["slug"], "hook-first");
    assert_eq!(first["data"]["node"]["title"], "first 0");
    // Down: 500s.
    *r.receiver.mode.lock().unwrap() = Mode::Fail;
    let attempts = r.receiver.attempts.load(Ordering::SeqCst);
    expected.extend(changes(&app, &admin, "second", 2).await);
    until("failed attempts", || {
        r.receiver.attempts.load(Ordering::SeqCst) >= attempts + 2
    })
    .await;
    // Then it hangs past the 1 s timeout.
    *r.receiver.mode.lock().unwrap() = Mode::Hang;
    let hung = r.receiver.attempts.load(Ordering::SeqCst);
    until("an attempt that times out", || {
        r.receiver.attempts.load(Ordering::SeqCst) > hung
    })
    .await;
    let s = loop {
        let s = state(&app, &admin, &id).await;
        let timed_out = s["deliveries"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| {
                e["node"]["error"]
                    .as_str()
                    .is_some_and(|t| t.contains("timed out"))
            });
        if timed_out {
            break s;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(s["active"], true, "still retrying");
    // Two 500s at least, logged before the timeout (whose own count may still be in flight).
    assert!(s["failures"].as_i64().unwrap() >= 2);
    assert!(s["lag"].as_i64().unwrap() > 0);
    let logged = s["deliveries"]["edges"].as_array().unwrap();
    assert!(logged
        .iter()
        .any(|e| e["node"]["statusCode"] == 500 && e["node"]["delivered"] == false));
    // Recovers: everything arrives, in order, once.
    *r.receiver.mode.lock().unwrap() = Mode::Accept;
    until("all five events", || accepted_ids(&r).len() >= 5).await;
    assert_eq!(accepted_ids(&r), expected);
    assert_eq!(r.receiver.bad_signatures.load(Ordering::SeqCst), 0);
    // Caught up; the log shows the attempts at the event that failed, numbered.
    let done = loop {
        let s = state(&app, &admin, &id).await;
        if s["lag"] == 0 {
            break s;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(done["failures"], 0);
    let fourth = &expected[3];
    let attempts_at_fourth: Vec<i64> = done["deliveries"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["node"]["messageId"] == fourth.as_str())
        .map(|e| e["node"]["attempt"].as_i64().unwrap())
        .collect();
    assert!(attempts_at_fourth.len() >= 4, "{attempts_at_fourth:?}");
    assert_eq!(
        *attempts_at_fourth.iter().max().unwrap(),
        attempts_at_fourth.len() as i64
    );
    // /metrics counts them and shows the lag.
    let metrics = app
        .request(awc::http::Method::GET, "/metrics", &[], None)
        .await
        .text;
    assert!(metrics.contains("exodus_webhook_deliveries_total{outcome=\"delivered\"} 5"));
    assert!(metrics.contains("exodus_webhook_deliveries_total{outcome=\"failed\"}"));
    assert!(metrics.contains("exodus_webhook_lag_revisions{endpoint="));
    // Rotation: the new secret signs, and the old one too during the grace period.
    let rotated = app
        .data_as(
            &admin,
            "mutation($id: ID!) { rotateWebhookSecret(id: $id, graceHours: 1) { secret webhook { previousSecretExpiresAt } } }",
            json!({ "id": id }),
        )
        .await;
    let new_secret = rotated["rotateWebhookSecret"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(rotated["rotateWebhookSecret"]["webhook"]["previousSecretExpiresAt"].is_string());
    let old_secret = r.receiver.secrets.lock().unwrap()[0].clone();
    *r.receiver.secrets.lock().unwrap() = vec![new_secret];
    changes(&app, &admin, "third", 1).await;
    until("the event after rotation", || accepted_ids(&r).len() >= 6).await;
    assert_eq!(r.receiver.bad_signatures.load(Ordering::SeqCst), 0);
    let last_signature = r
        .receiver
        .signatures
        .lock()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last_signature.split(' ').count(), 2, "both secrets sign");
    // A receiver still on the old secret verifies it too.
    let (headers, body) = r.receiver.last.lock().unwrap().clone().unwrap();
    standardwebhooks::Webhook::new(&old_secret)
        .unwrap()
        .verify(&body, &headers)
        .expect("the old secret verifies during the grace period");
}

async fn retries_run_out_then_an_admin_resumes_and_replays(app: TestApp) {
    let admin = app
        .editor("hooks-admin@example.org", EditorRole::Admin)
        .await;
    let r = receiver().await;
    *r.receiver.mode.lock().unwrap() = Mode::Fail;
    let id = register(&app, &admin, &r, json!({})).await;
    let expected = changes(&app, &admin, "paused", 2).await;
    // 1 attempt + 8 retries, then paused with the reason.
    let paused = loop {
        let s = state(&app, &admin, &id).await;
        if s["active"] == false {
            break s;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let reason = paused["pausedReason"].as_str().unwrap();
    assert!(
        reason.contains("9 failed attempts") && reason.contains("500"),
        "{reason}"
    );
    assert_eq!(r.receiver.attempts.load(Ordering::SeqCst), 9);
    // Paused: nothing more is tried.
    changes(&app, &admin, "while-paused", 1).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(r.receiver.attempts.load(Ordering::SeqCst), 9);
    *r.receiver.mode.lock().unwrap() = Mode::Accept;
    app.data_as(
        &admin,
        "mutation($id: ID!) { resumeWebhook(id: $id) { active } }",
        json!({ "id": id }),
    )
    .await;
    until("the three events", || accepted_ids(&r).len() >= 3).await;
    assert_eq!(&accepted_ids(&r)[..2], &expected[..]);
    // Replay from the first event's cursor: the later ones again, same ids (idempotency).
    let first_cursor = paused["cursor"].clone();
    app.data_as(
        &admin,
        "mutation($id: ID!, $a: String!) { replayWebhook(id: $id, after: $a) { cursor } }",
        json!({ "id": id, "a": first_cursor }),
    )
    .await;
    until("the replay", || accepted_ids(&r).len() >= 6).await;
    let all = accepted_ids(&r);
    assert_eq!(
        all[3..],
        all[..3],
        "a replay sends the same events with the same ids"
    );
}

async fn a_restarted_server_resumes_from_the_cursor(app: TestApp) {
    let admin = app
        .editor("hooks-admin@example.org", EditorRole::Admin)
        .await;
    let r = receiver().await;
    register(&app, &admin, &r, json!({})).await;
    let mut expected = changes(&app, &admin, "before-restart", 2).await;
    until("the first events", || accepted_ids(&r).len() >= 2).await;
    // The receiver is down while the server stops; changes are made meanwhile.
    *r.receiver.mode.lock().unwrap() = Mode::Fail;
    let next = replica(&app, |c| c.webhooks = false).await;
    app.stop().await;
    expected.extend(changes(&next, &admin, "while-stopped", 2).await);
    drop(next);
    // A new server starts on the same database; the receiver is back.
    *r.receiver.mode.lock().unwrap() = Mode::Accept;
    let restarted = replica(&app, |_| {}).await;
    until("the events made while stopped", || {
        accepted_ids(&r).len() >= 4
    })
    .await;
    assert_eq!(accepted_ids(&r), expected);
    drop(restarted);
}

async fn two_replicas_deliver_each_event_once(app: TestApp) {
    let admin = app
        .editor("hooks-admin@example.org", EditorRole::Admin)
        .await;
    let other = replica(&app, |_| {}).await;
    let receivers = [receiver().await, receiver().await, receiver().await];
    for r in &receivers {
        register(&app, &admin, r, json!({})).await;
    }
    // Changes through both replicas.
    let mut expected = changes(&app, &admin, "replica-a", 5).await;
    expected.extend(changes(&other, &admin, "replica-b", 5).await);
    for r in &receivers {
        until("every event at every receiver", || {
            accepted_ids(r).len() >= 10
        })
        .await;
    }
    // Both replicas had the chance to deliver twice; none did.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for r in &receivers {
        assert_eq!(accepted_ids(r), expected);
    }
}

async fn the_ssrf_guard_refuses_private_addresses(app: TestApp) {
    let admin = app
        .editor("hooks-admin@example.org", EditorRole::Admin)
        .await;
    let r = receiver().await;
    let port = r.url.rsplit(':').next().unwrap().to_owned();
    // A server that allows neither http nor private addresses (production's defaults).
    let strict = replica(&app, |c| {
        c.webhook_allow_http = false;
        c.webhook_allow_networks = String::new();
        c.webhooks = false;
    })
    .await;
    for url in [
        r.url.clone(),
        format!("https://127.0.0.1:{port}/hook"),
        format!("https://localhost:{port}/hook"),
        format!("https://[::1]:{port}/hook"),
        "https://169.254.169.254/latest/meta-data".to_owned(),
        "https://10.0.0.7/hook".to_owned(),
        "ftp://example.org/hook".to_owned(),
    ] {
        let reply = strict
            .query_as(&admin, REGISTER, json!({ "i": { "url": url } }))
            .await;
        assert_eq!(reply.code(), "BAD_USER_INPUT", "{url}: {}", reply.text);
    }
    assert!(strict
        .data_as(&admin, "{ webhooks { id } }", json!({}))
        .await["webhooks"]
        .as_array()
        .unwrap()
        .is_empty());
    // Registered where loopback is allowed, then delivered from a server where it is not
    // (as when DNS starts answering a private address): refused when connecting.
    let id = register(&app, &admin, &r, json!({})).await;
    drop(strict);
    let guarded = replica(&app, |c| c.webhook_allow_networks = String::new()).await;
    app.stop().await;
    changes(&guarded, &admin, "guarded", 1).await;
    let refused = loop {
        let s = state(&guarded, &admin, &id).await;
        if let Some(e) = s["deliveries"]["edges"].as_array().unwrap().first() {
            break e["node"].clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(refused["delivered"], false);
    let error = refused["error"].as_str().unwrap();
    assert!(error.contains("refused addresses"), "{error}");
    assert_eq!(r.receiver.attempts.load(Ordering::SeqCst), 0);
}

async fn public_hooks_see_the_public_and_editors_hooks_see_drafts(app: TestApp) {
    let admin = app
        .editor("hooks-admin@example.org", EditorRole::Admin)
        .await;
    let public = receiver().await;
    let editors = receiver().await;
    let pacts = receiver().await;
    register(&app, &admin, &public, json!({})).await;
    register(&app, &admin, &editors, json!({ "editors": true })).await;
    register(&app, &admin, &pacts, json!({ "kinds": ["PACT"] })).await;
    let hidden = canary::hide_every_kind(&app, &admin).await;
    // A public change after the hidden ones: once it arrives, the hidden ones were passed.
    let last = changes(&app, &admin, "after-hidden", 1).await;
    until("the public change", || {
        accepted_ids(&public).contains(&last[0])
    })
    .await;
    // Drafts never reach it. (The archived canaries were public for a moment, between their
    // publication and their archiving, and a live hook may have received them then.)
    let seen = serde_json::to_string(&*public.receiver.accepted.lock().unwrap()).unwrap();
    for h in hidden.iter().filter(|h| h.status == "DRAFT") {
        assert!(
            !seen.contains(h.id.as_str().unwrap()),
            "a public hook saw {}",
            h.slug
        );
        assert!(!seen.contains(&h.slug), "a public hook saw {}", h.slug);
    }
    // The archived records' removals reach public hooks, without content.
    let removals: Vec<Value> = public
        .receiver
        .accepted
        .lock()
        .unwrap()
        .iter()
        .filter(|p| p["data"]["visible"] == false)
        .cloned()
        .collect();
    assert_eq!(removals.len(), 8, "one removal per archived record");
    assert!(removals.iter().all(|p| p["data"]["node"].is_null()));
    // The editors' hook sees the drafts.
    until("the drafts at the editors' hook", || {
        accepted_ids(&editors).len() >= accepted_ids(&public).len()
    })
    .await;
    until("the canary", || {
        serde_json::to_string(&*editors.receiver.accepted.lock().unwrap())
            .unwrap()
            .contains(canary::CANARY)
    })
    .await;
    // The PACT hook: pacts only, and its cursor moves past the rest (lag 0).
    until("the pact removal", || !accepted_ids(&pacts).is_empty()).await;
    assert!(pacts
        .receiver
        .accepted
        .lock()
        .unwrap()
        .iter()
        .all(|p| p["data"]["kind"] == "PACT"));
    assert!(!hidden.is_empty());
    let mut waited = 0;
    let mut lags: Vec<i64> = Vec::new();
    while waited < 60 {
        let hooks = app
            .data_as(&admin, "{ webhooks { kinds lag } }", json!({}))
            .await;
        lags = hooks["webhooks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["lag"].as_i64().unwrap())
            .collect();
        if lags.iter().all(|l| *l == 0) {
            break;
        }
        waited += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(lags, [0, 0, 0]);
}

async fn only_admins_manage_webhooks(app: TestApp) {
    let admin = app
        .editor("hooks-admin@example.org", EditorRole::Admin)
        .await;
    let editor = app
        .editor("hooks-editor@example.org", EditorRole::Editor)
        .await;
    let input = json!({ "i": { "url": "http://localhost:9/hook" } });
    for token in [Some(editor.as_str()), None] {
        let reply = match token {
            Some(t) => app.query_as(t, REGISTER, input.clone()).await,
            None => app.query(REGISTER, input.clone()).await,
        };
        let expected = if token.is_some() {
            "FORBIDDEN"
        } else {
            "UNAUTHENTICATED"
        };
        assert_eq!(reply.code(), expected, "{}", reply.text);
        let list = match token {
            Some(t) => app.query_as(t, "{ webhooks { id } }", json!({})).await,
            None => app.query("{ webhooks { id } }", json!({})).await,
        };
        assert_eq!(list.code(), expected);
    }
    // An admin's stale update is a CONFLICT; nothing is written.
    let created = app.data_as(&admin, REGISTER, input).await;
    let id = created["registerWebhook"]["webhook"]["id"].clone();
    let update = "mutation($id: ID!, $v: Int!, $u: String!) { updateWebhook(id: $id, expectedVersion: $v, input: { url: $u }) { version url } }";
    let ok = app
        .data_as(
            &admin,
            update,
            json!({ "id": id, "v": 1, "u": "http://localhost:10/hook" }),
        )
        .await;
    assert_eq!(ok["updateWebhook"]["version"], 2);
    let stale = app
        .query_as(
            &admin,
            update,
            json!({ "id": id, "v": 1, "u": "http://localhost:11/hook" }),
        )
        .await;
    assert_eq!(stale.code(), "CONFLICT");
    let now = app
        .data_as(
            &admin,
            "query($id: ID!) { webhook(id: $id) { url version } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(now["webhook"]["url"], "http://localhost:10/hook");
    // Bad input is the client's error.
    let bad = app
        .query_as(
            &admin,
            REGISTER,
            json!({ "i": { "url": "http://localhost:9/hook", "ids": ["nonsense"] } }),
        )
        .await;
    assert_eq!(bad.code(), "BAD_USER_INPUT");
    let deleted = app
        .data_as(
            &admin,
            "mutation($id: ID!) { deleteWebhook(id: $id) }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(deleted["deleteWebhook"], id);
    let gone = app
        .query_as(
            &admin,
            "query($id: ID!) { webhook(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(gone.code(), "NOT_FOUND");
}

async fn an_admin_pause_holds_even_against_an_attempt_in_flight(app: TestApp) {
    // The attempt must still be in flight when the pause commits: the receiver holds it until
    // the test lets it go, within a timeout long enough for a slow machine.
    let app = spawn_with(app.backend, |c| {
        settings(c);
        c.webhook_timeout = 20;
    })
    .await
    .unwrap();
    let admin = app
        .editor("hooks-admin@example.org", EditorRole::Admin)
        .await;
    let r = receiver().await;
    *r.receiver.mode.lock().unwrap() = Mode::Hold;
    let id = register(&app, &admin, &r, json!({})).await;
    changes(&app, &admin, "in-flight", 2).await;
    until("an attempt in flight", || {
        r.receiver.attempts.load(Ordering::SeqCst) >= 1
    })
    .await;
    // Paused while the attempt is held: when it then fails, its failure must not overwrite
    // the pause, and nothing more is tried.
    app.data_as(
        &admin,
        "mutation($id: ID!) { pauseWebhook(id: $id) { active } }",
        json!({ "id": id }),
    )
    .await;
    *r.receiver.mode.lock().unwrap() = Mode::Accept;
    r.receiver.release.add_permits(1);
    // The failed attempt is logged (it happened) ...
    let started = Instant::now();
    loop {
        let s = state(&app, &admin, &id).await;
        let logged = s["deliveries"]["edges"].as_array().unwrap();
        if logged.iter().any(|e| e["node"]["statusCode"] == 503) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the held attempt was never logged: {s}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // ... and the retry it would have scheduled (100 ms) never comes.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let s = state(&app, &admin, &id).await;
    assert_eq!(s["active"], false);
    assert_eq!(s["pausedReason"], "paused by an admin");
    assert_eq!(r.receiver.attempts.load(Ordering::SeqCst), 1);
    assert!(accepted_ids(&r).is_empty());
    // A cursor from the future is refused; resuming delivers both changes.
    let future = harness::serde_json::Value::String(base64_cursor(i64::from(i32::MAX)));
    let refused = app
        .query_as(
            &admin,
            "mutation($id: ID!, $a: String!) { replayWebhook(id: $id, after: $a) { cursor } }",
            json!({ "id": id, "a": future }),
        )
        .await;
    assert_eq!(refused.code(), "BAD_USER_INPUT");
    app.data_as(
        &admin,
        "mutation($id: ID!) { resumeWebhook(id: $id) { active } }",
        json!({ "id": id }),
    )
    .await;
    until("both changes", || accepted_ids(&r).len() >= 2).await;
}

/// A change cursor for a sequence (the format clients hold: base64url of `change:N`).
fn base64_cursor(sequence: i64) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("change:{sequence}"))
}
