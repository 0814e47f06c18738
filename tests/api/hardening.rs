//! Production features of the HTTP layer: document limits, batches, persisted queries and the
//! safelist, HTTP caching and compression, metrics and request ids.

use awc::http::Method;
use entity::enums::EditorRole;
use harness::{backend_tests, serde_json::json, serde_json::Value, TestApp, TRANSPORT_WS};
use std::time::Duration;

backend_tests!(
    metrics_can_ask_for_a_token,
    root_fields_and_aliases_are_limited,
    batches_run_in_order_up_to_the_limit,
    automatic_persisted_queries,
    safelist_mode_admits_registered_operations_only,
    public_gets_are_cacheable_and_revalidate,
    responses_are_compressed_on_request,
    metrics_count_requests_outcomes_and_connections,
    every_response_has_a_request_id,
    batches_count_against_the_rate_limit,
    a_bad_safelist_stops_the_start,
    websocket_subscriptions_meet_the_same_document_limits,
);

const STATS: &str = "query Stats { stats { pacts organizations } }";

/// The SHA-256 that APQ names a query by (computed with the app's own function).
fn sha(query: &str) -> String {
    exodus::http::persisted::hash(query)
}

fn get_path(params: &[(&str, &str)]) -> String {
    format!(
        "/graphql?{}",
        serde_urlencoded::to_string(params).expect("encodable")
    )
}

async fn root_fields_and_aliases_are_limited(app: TestApp) {
    let roots: String = (0..21)
        .map(|i| format!("r{i}: stats {{ pacts }} "))
        .collect();
    let reply = app.query(&format!("{{ {roots} }}"), json!({})).await;
    assert_eq!(reply.code(), "GRAPHQL_VALIDATION_FAILED");
    assert!(
        reply.message().contains("21 root fields"),
        "{}",
        reply.message()
    );

    // Aliases below the root count too, and as often as a fragment is spread.
    let nested: String = (0..16).map(|i| format!("p{i}: pacts ")).collect();
    let query = format!(
        "{{ stats {{ ...F }} again: stats {{ ...F }} }} fragment F on Stats {{ {nested} }}"
    );
    let reply = app.query(&query, json!({})).await;
    assert_eq!(reply.code(), "GRAPHQL_VALIDATION_FAILED");
    assert!(
        reply.message().contains("33 aliases"),
        "{}",
        reply.message()
    );

    // Within the limits, aliases work as usual.
    let data = app
        .data("{ a: stats { pacts } b: stats { p: pacts } }", json!({}))
        .await;
    assert_eq!(data["b"]["p"], 8);
}

async fn batches_run_in_order_up_to_the_limit(app: TestApp) {
    let reply = app
        .post(json!([
            { "query": STATS },
            { "query": "{ stats { reactions } }" },
            { "query": "{ nope }" },
            "not an object",
        ]))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let results = reply.body.as_array().expect("an array of results");
    assert_eq!(results.len(), 4);
    assert_eq!(results[0]["data"]["stats"]["pacts"], 8);
    assert_eq!(results[1]["data"]["stats"]["reactions"], 33);
    assert_eq!(
        results[2]["errors"][0]["extensions"]["code"],
        "GRAPHQL_VALIDATION_FAILED"
    );
    assert_eq!(results[3]["errors"][0]["extensions"]["code"], "BAD_REQUEST");

    let eleven: Vec<Value> = (0..11).map(|_| json!({ "query": STATS })).collect();
    let reply = app.post(Value::Array(eleven)).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.code(), "BAD_REQUEST");
    assert!(reply.message().contains("between 1 and 10"));
    assert_eq!(app.post(json!([])).await.status, 400);
}

async fn automatic_persisted_queries(app: TestApp) {
    let hash = sha(STATS);
    let ext = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } }).to_string();
    let accept = [("accept", "application/json")];

    // 1. The hash alone, unknown yet: the client is told to send the query.
    let reply = app
        .request(
            Method::GET,
            &get_path(&[("extensions", &ext)]),
            &accept,
            None,
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.code(), "PERSISTED_QUERY_NOT_FOUND");
    assert_eq!(reply.message(), "PersistedQueryNotFound");

    // 2. The query with its hash registers it.
    let reply = app
        .request(
            Method::GET,
            &get_path(&[("query", STATS), ("extensions", &ext)]),
            &accept,
            None,
        )
        .await;
    assert_eq!(reply.data()["stats"]["pacts"], 8);

    // 3. From now on the hash alone is enough, as a short cacheable GET.
    let reply = app
        .request(
            Method::GET,
            &get_path(&[("extensions", &ext)]),
            &accept,
            None,
        )
        .await;
    assert_eq!(reply.data()["stats"]["pacts"], 8);
    assert!(reply.headers.get("etag").is_some());
    // POST works the same way.
    let reply = app
        .post(json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } }))
        .await;
    assert_eq!(reply.data()["stats"]["pacts"], 8);

    // A query that does not match its hash is refused, and nothing is registered.
    let other = "{ stats { reactions } }";
    let lie = json!({ "query": other, "extensions": { "persistedQuery": { "version": 1, "sha256Hash": sha("{ x }") } } });
    let reply = app.post(lie).await;
    assert_eq!(reply.code(), "PERSISTED_QUERY_HASH_MISMATCH");
    let reply = app.post(json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": sha("{ x }") } } })).await;
    assert_eq!(reply.code(), "PERSISTED_QUERY_NOT_FOUND");

    // Malformed extensions are a bad request, not a crash.
    for bad in [
        json!({ "version": 2, "sha256Hash": hash }),
        json!({ "version": 1, "sha256Hash": "abc" }),
        json!("not an object"),
    ] {
        let reply = app
            .post(json!({ "extensions": { "persistedQuery": bad } }))
            .await;
        assert_eq!(reply.status, 400, "{}", reply.text);
        assert_eq!(reply.code(), "BAD_REQUEST");
    }
}

async fn safelist_mode_admits_registered_operations_only(app: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("safelist.json");
    let manifest = json!({
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [
            { "id": sha(STATS), "name": "Stats", "type": "query", "body": STATS },
            { "id": sha(harness::LOGIN), "type": "mutation", "body": harness::LOGIN },
        ]
    });
    std::fs::write(&path, manifest.to_string()).unwrap();
    let app = harness::spawn_with(app.backend, |c| c.safelist = Some(path.clone()))
        .await
        .unwrap();

    // Registered: by hash alone, or by its exact text.
    let reply = app
        .post(json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": sha(STATS) } } }))
        .await;
    assert_eq!(reply.data()["stats"]["pacts"], 8);
    assert_eq!(app.data(STATS, json!({})).await["stats"]["pacts"], 8);

    // Anything else is refused for anonymous clients, and cannot be registered through APQ.
    let other = "{ stats { reactions } }";
    let reply = app.query(other, json!({})).await;
    assert_eq!(reply.code(), "PERSISTED_QUERY_NOT_IN_LIST");
    let apq = json!({ "query": other, "extensions": { "persistedQuery": { "version": 1, "sha256Hash": sha(other) } } });
    assert_eq!(app.post(apq).await.code(), "PERSISTED_QUERY_NOT_IN_LIST");

    // Editors are not held to the list; the login mutation they use is registered.
    let token = app.editor("ed@example.org", EditorRole::Editor).await;
    assert!(
        app.data_as(&token, other, json!({})).await["stats"]["reactions"]
            .as_i64()
            .unwrap()
            > 0
    );

    // Subscriptions over websockets follow the same rule.
    let mut ws = app.ws(TRANSPORT_WS, json!({})).await.unwrap();
    ws.subscribe("1", "subscription { changes { cursor } }", json!({}))
        .await;
    let message = ws.next_message(Duration::from_secs(10)).await.unwrap();
    assert_eq!(message["type"], "error", "{message}");
    assert_eq!(
        message["payload"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_IN_LIST"
    );
    ws.close().await;
}

async fn public_gets_are_cacheable_and_revalidate(app: TestApp) {
    let path = get_path(&[("query", STATS)]);
    let accept = [("accept", "application/json")];
    let first = app.request(Method::GET, &path, &accept, None).await;
    assert_eq!(first.status, 200);
    let header = |r: &harness::Reply, name: &str| {
        r.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    assert_eq!(header(&first, "cache-control"), "public, max-age=30");
    let etag = header(&first, "etag");
    assert!(etag.starts_with("W/\"") && etag.len() > 10, "{etag:?}");

    // Revalidation: the same ETag is 304 with no body; another is 200.
    let again = app
        .request(
            Method::GET,
            &path,
            &[("accept", "application/json"), ("if-none-match", &etag)],
            None,
        )
        .await;
    assert_eq!(again.status, 304, "{} then {}", first.text, again.text);
    assert!(again.text.is_empty());
    assert_eq!(header(&again, "etag"), etag);
    let stale = app
        .request(
            Method::GET,
            &path,
            &[
                ("accept", "application/json"),
                ("if-none-match", "\"0000\""),
            ],
            None,
        )
        .await;
    assert_eq!(stale.status, 200);

    // After a change the body, and so the ETag, differ.
    let token = app.editor("ed@example.org", EditorRole::Editor).await;
    let org = json!({ "slug": "cache-test", "name": "Cache test", "kind": "MULTISTAKEHOLDER", "categories": ["Internet Governance"],
        "digitalRelevance": "CORE", "description": "A body used by the tests.", "website": "https://example.org" });
    let created = app
        .query_as(
            &token,
            "mutation($i: OrganizationInput!) { createOrganization(input: $i) { id } }",
            json!({ "i": org }),
        )
        .await;
    assert_eq!(header(&created, "cache-control"), "no-store");
    let id = created.data()["createOrganization"]["id"].clone();
    let draft = app
        .data_as(
            &token,
            "query($id: ID!) { node(id: $id) { ... on Organization { status } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(draft["node"]["status"], "DRAFT", "the draft exists");
    // Drafts are not public; the stats count only published records, so the page is the same.
    let same = app.request(Method::GET, &path, &accept, None).await;
    assert_eq!(
        header(&same, "etag"),
        etag,
        "{} then {}",
        first.text,
        same.text
    );

    // Published, it is counted: a new body under a new ETag, and the old ETag is no longer
    // answered with 304.
    let source = app
        .data("{ sources(first: 1) { edges { node { id } } } }", json!({}))
        .await["sources"]["edges"][0]["node"]["id"]
        .clone();
    app.data_as(
        &token,
        "mutation($r: ID!, $s: ID!) { attachSource(recordId: $r, sourceId: $s) { id } }",
        json!({ "r": id, "s": source }),
    )
    .await;
    let published = app
        .data_as(
            &token,
            "mutation($id: ID!) { publish(id: $id, expectedVersion: 1) { ... on Organization { status } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(published["publish"]["status"], "PUBLISHED");
    let changed = app
        .request(
            Method::GET,
            &path,
            &[("accept", "application/json"), ("if-none-match", &etag)],
            None,
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(
        changed.body["data"]["stats"]["organizations"],
        first.body["data"]["stats"]["organizations"]
            .as_i64()
            .unwrap()
            + 1
    );
    let new_etag = header(&changed, "etag");
    assert!(new_etag.starts_with("W/\""), "{new_etag:?}");
    assert_ne!(new_etag, etag, "a published change gives a new ETag");

    // Not cacheable: POSTs, editors' GETs, errors.
    let post = app.query(STATS, json!({})).await;
    assert_eq!(header(&post, "cache-control"), "no-store");
    let auth = format!("Bearer {token}");
    let mine = app
        .request(
            Method::GET,
            &path,
            &[("accept", "application/json"), ("authorization", &auth)],
            None,
        )
        .await;
    assert_eq!(mine.status, 200);
    assert_eq!(header(&mine, "cache-control"), "no-store");
    assert!(mine.headers.get("etag").is_none());
    let broken = app
        .request(
            Method::GET,
            &get_path(&[("query", "{ nope }")]),
            &accept,
            None,
        )
        .await;
    assert_eq!(header(&broken, "cache-control"), "no-store");
}

async fn responses_are_compressed_on_request(app: TestApp) {
    let query = "{ organizations(first: 100) { edges { node { name description } } } }";
    let path = get_path(&[("query", query)]);
    let compressed = app
        .request(
            Method::GET,
            &path,
            &[("accept", "application/json"), ("accept-encoding", "gzip")],
            None,
        )
        .await;
    assert_eq!(compressed.status, 200);
    assert_eq!(
        compressed.headers.get("content-encoding").unwrap(),
        "gzip",
        "a large page is gzipped"
    );
    // The client decoded it: the same data as uncompressed.
    let plain = app
        .request(
            Method::GET,
            &path,
            &[
                ("accept", "application/json"),
                ("accept-encoding", "identity"),
            ],
            None,
        )
        .await;
    assert!(plain.headers.get("content-encoding").is_none());
    assert_eq!(compressed.body, plain.body);
    // Brotli too, for clients that prefer it.
    let brotli = app
        .request(
            Method::GET,
            &path,
            &[("accept", "application/json"), ("accept-encoding", "br")],
            None,
        )
        .await;
    assert_eq!(brotli.headers.get("content-encoding").unwrap(), "br");
    assert_eq!(brotli.body, plain.body);
    assert_eq!(
        plain.body["data"]["organizations"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        72
    );
}

/// The value of one sample of the exposition, e.g. `name{label="x"}`.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

async fn metrics_count_requests_outcomes_and_connections(app: TestApp) {
    let app = harness::spawn_with(app.backend, |c| c.rate_limit_anonymous = 6)
        .await
        .unwrap();
    let began = tokio::time::Instant::now();
    for _ in 0..3 {
        app.query(STATS, json!({})).await;
    }
    app.query("query Broken { nope }", json!({})).await;
    let mut ws = app.ws(TRANSPORT_WS, json!({})).await.unwrap();
    ws.subscribe("1", "subscription { changes { cursor } }", json!({}))
        .await;
    // Wait (bounded) until the server counts the subscription as active: it is admitted (and
    // counted against the limit) before that. The webhook worker's own watch of the log is
    // not a subscription and must not count, or this would not wait at all.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let text = app.request(Method::GET, "/metrics", &[], None).await.text;
        if sample(&text, "exodus_active_subscriptions") == Some(1.0) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the subscription never became active: {text:.2000}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Past the anonymous limit (6 a minute; the subscription counted as one).
    for _ in 0..3 {
        app.query(STATS, json!({})).await;
    }
    let elapsed = began.elapsed();

    let reply = app.request(Method::GET, "/metrics", &[], None).await;
    assert_eq!(reply.status, 200);
    assert!(reply.content_type.starts_with("text/plain"));
    let text = &reply.text;
    let count = |series: &str| sample(text, series).unwrap_or(0.0);
    // Labelled by what ran, not by the client's operation names.
    assert!(
        !text.contains("Stats") && !text.contains("Broken"),
        "{text:.3000}"
    );
    // Eight requests against an allowance of six: two refused, unless the limit gave one back
    // meanwhile (one every 10 s; a loaded machine can take that long). Every refusal is an
    // HTTP request's: the subscription came fifth, so it was admitted.
    let refused = count(r#"exodus_graphql_requests_total{operation="-",outcome="rate_limited"}"#);
    let given_back = (elapsed.as_secs() / 10) as f64;
    assert!(
        refused <= 2.0 && refused >= 2.0 - given_back,
        "{refused} refused in {elapsed:?}: {text:.3000}"
    );
    assert_eq!(
        count(r#"exodus_rate_limited_total{scope="address"}"#),
        refused,
        "{text:.3000}"
    );
    assert_eq!(
        count(r#"exodus_websocket_operations_total{outcome="started"}"#),
        1.0,
        "{text:.3000}"
    );
    // Of the six `stats` requests, the first was computed, the others not refused were
    // answered from the response cache (nothing changed in between).
    assert_eq!(
        count(r#"exodus_graphql_requests_total{operation="query.stats",outcome="ok"}"#),
        1.0,
        "{text:.3000}"
    );
    assert_eq!(
        count(r#"exodus_graphql_requests_total{operation="query.stats",outcome="cached"}"#),
        5.0 - refused,
        "{text:.3000}"
    );
    assert_eq!(
        count(r#"exodus_graphql_request_duration_seconds_count{operation="query.stats"}"#),
        6.0 - refused,
        "{text:.3000}"
    );
    // A document that failed validation names no operation the schema knows.
    assert_eq!(
        count(r#"exodus_graphql_requests_total{operation="-",outcome="invalid"}"#),
        1.0,
        "{text:.3000}"
    );
    assert_eq!(count("exodus_websocket_connections"), 1.0, "{text:.3000}");
    assert_eq!(count("exodus_active_subscriptions"), 1.0, "{text:.3000}");
    // PostgreSQL: the start-up pool's 10, and the 10 the one HTTP worker's own pool gets.
    let max = if app.backend == harness::Backend::Sqlite {
        1.0
    } else {
        20.0
    };
    assert_eq!(
        count(r#"exodus_db_pool_connections{state="max"}"#),
        max,
        "{text:.3000}"
    );
    assert!(count("exodus_db_statements_total") > 0.0, "{text:.3000}");

    ws.close().await;
    // The connection and the subscription are counted down once the server sees the close.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let text = app.request(Method::GET, "/metrics", &[], None).await.text;
        let open = sample(&text, "exodus_websocket_connections");
        let active = sample(&text, "exodus_active_subscriptions");
        if open == Some(0.0) && active == Some(0.0) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the closed websocket is still counted: {text:.3000}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn every_response_has_a_request_id(app: TestApp) {
    let a = app.query(STATS, json!({})).await;
    let b = app.request(Method::GET, "/healthz", &[], None).await;
    let id = |r: &harness::Reply| {
        r.headers
            .get("x-request-id")
            .expect("an X-Request-Id header")
            .to_str()
            .unwrap()
            .to_owned()
    };
    assert!(id(&a).len() >= 16);
    assert_ne!(id(&a), id(&b));
}

async fn batches_count_against_the_rate_limit(app: TestApp) {
    let app = harness::spawn_with(app.backend, |c| c.rate_limit_anonymous = 5)
        .await
        .unwrap();
    // Seven requests in one batch against an allowance of five: the last two are refused.
    let seven: Vec<Value> = (0..7).map(|_| json!({ "query": STATS })).collect();
    let spent = std::time::Instant::now();
    let reply = app.post(Value::Array(seven)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let results = reply.body.as_array().expect("an array of results");
    let codes: Vec<&str> = results
        .iter()
        .map(|r| {
            r["errors"][0]["extensions"]["code"]
                .as_str()
                .unwrap_or("ok")
        })
        .collect();
    assert_eq!(
        codes,
        ["ok", "ok", "ok", "ok", "ok", "RATE_LIMITED", "RATE_LIMITED"]
    );
    // And the allowance is spent for single requests too (unless the run was slow enough for
    // the limit to give one back).
    let single = app.query(STATS, json!({})).await;
    harness::assert_spent(&single, spent, 5);
}

async fn a_bad_safelist_stops_the_start(app: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("not JSON", "{ operations".to_owned(), "is not JSON"),
        (
            "a hash that is not its query's",
            json!({ "operations": [{ "id": sha("{ x }"), "body": STATS }] }).to_string(),
            "does not match its query",
        ),
        (
            "an entry without a body",
            json!({ "operations": [{ "id": sha(STATS) }] }).to_string(),
            "needs an `id` and a `body`",
        ),
    ];
    for (what, text, needle) in cases {
        let path = dir.path().join("safelist.json");
        std::fs::write(&path, text).unwrap();
        let mut config = harness::default_config();
        config.database_url = Some(app.database_url.clone());
        config.jwt_secret = Some(harness::TEST_SECRET.into());
        config.safelist = Some(path);
        match exodus::cli::prepare(&config).await {
            Ok(_) => panic!("{what}: the app started with a bad safelist"),
            Err(e) => assert!(format!("{e:#}").contains(needle), "{what}: {e:#}"),
        }
    }
}

async fn websocket_subscriptions_meet_the_same_document_limits(app: TestApp) {
    let aliases: String = (0..31).map(|i| format!("a{i}: cursor ")).collect();
    let deep = format!(
        "subscription {{ changes {{ node {{ ... on Withdrawal {{ {}name{} }} }} }} }}",
        "organization { withdrawals { nodes { ".repeat(6),
        " } } }".repeat(6)
    );
    let roots: String = (0..21)
        .map(|i| format!("r{i}: changes {{ cursor }} "))
        .collect();
    let cases = [
        (
            format!("subscription {{ changes {{ {aliases} }} }}"),
            "aliases",
        ),
        (deep, "nested too deep"),
        (format!("subscription {{ {roots} }}"), "root fields"),
    ];
    let mut ws = app.ws(TRANSPORT_WS, json!({})).await.unwrap();
    for (i, (query, needle)) in cases.iter().enumerate() {
        let id = i.to_string();
        ws.subscribe(&id, query, json!({})).await;
        let m = ws.next_message(Duration::from_secs(10)).await.unwrap();
        assert_eq!(m["id"], id.as_str(), "{m}");
        let message = if m["type"] == "error" {
            m["payload"][0]["message"].as_str()
        } else {
            assert_eq!(m["type"], "next", "{m}");
            assert!(m["payload"]["data"].is_null(), "{m}");
            let done = ws.next_message(Duration::from_secs(10)).await.unwrap();
            assert_eq!(done, json!({ "type": "complete", "id": id }));
            m["payload"]["errors"][0]["message"].as_str()
        };
        assert!(message.unwrap_or("").contains(needle), "{needle}: {m}");
    }
    // The connection is still good for a subscription within the limits.
    ws.subscribe("ok", "subscription { changes { cursor } }", json!({}))
        .await;
    ws.send(json!({ "type": "ping" })).await;
    let pong = ws
        .next_message_or_keepalive(Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(pong["type"], "pong", "{pong}");
}

/// With EXODUS_METRICS_TOKEN set, /metrics answers only a scraper that sends it.
async fn metrics_can_ask_for_a_token(app: TestApp) {
    let app = harness::spawn_with(app.backend, |c| {
        c.metrics_token = Some("scrape-secret-0123456789".into())
    })
    .await
    .unwrap();
    for headers in [
        vec![],
        vec![("Authorization", "Bearer wrong")],
        vec![("Authorization", "Bearer scrape-secret-012345678")],
    ] {
        let reply = app.request(Method::GET, "/metrics", &headers, None).await;
        assert_eq!(reply.status, 401, "{headers:?}");
        assert_eq!(reply.code(), "UNAUTHENTICATED");
    }
    let auth = [("Authorization", "Bearer scrape-secret-0123456789")];
    let reply = app.request(Method::GET, "/metrics", &auth, None).await;
    assert_eq!(reply.status, 200);
    assert!(
        reply.text.contains("exodus_graphql_requests_total")
            || reply.text.contains("exodus_websocket_connections"),
        "{}",
        reply.text
    );
}
