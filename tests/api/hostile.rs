//! Hostile input: malformed bodies and variables, broken websocket traffic, and a generated
//! stream of near-GraphQL documents. Each gets a clear error (never a 5xx), and the server
//! keeps serving. (Depth, alias and fragment bombs are in limits.rs and hardening.rs, token
//! attacks in auth.rs.)

use awc::http::Method;
use harness::serde_json::{json, Map, Value};
use harness::{backend_tests, TestApp, LEGACY_WS, TRANSPORT_WS};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use std::time::Duration;

backend_tests!(
    malformed_http_requests_get_clear_errors,
    malformed_websocket_traffic_is_closed_cleanly,
    websocket_handshakes_are_checked,
    generated_documents_never_get_a_server_error,
);

const JSON: [(&str, &str); 1] = [("content-type", "application/json")];

async fn still_serving(app: &TestApp) {
    assert_eq!(
        app.data("{ stats { pacts } }", json!({})).await["stats"]["pacts"],
        8,
        "the server still serves"
    );
}

async fn malformed_http_requests_get_clear_errors(app: TestApp) {
    let post = |body: Vec<u8>| app.request(Method::POST, "/graphql", &JSON, Some(body));

    // Invalid UTF-8, inside and outside strings.
    let mut bytes = b"{\"query\": \"{ stats { pacts } }\", \"operationName\": \"".to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe, 0x80]);
    bytes.extend_from_slice(b"\"}");
    let reply = post(bytes).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.code(), "BAD_REQUEST");
    assert_eq!(post(vec![0xc3, 0x28, 0xa0, 0xa1]).await.status, 400);

    // Variables nested far deeper than any input type.
    let deep = format!(
        "{{\"query\": \"{{ stats {{ pacts }} }}\", \"variables\": {{\"v\": {}{}}}}}",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let reply = post(deep.into_bytes()).await;
    assert_eq!(reply.status, 400, "{:.300}", reply.text);
    assert_eq!(reply.code(), "BAD_REQUEST");

    // Huge variables within the body limit: many keys, a long string for a search.
    let mut many = Map::new();
    for i in 0..5000 {
        many.insert(format!("k{i}"), json!(i));
    }
    let reply = app
        .post(json!({ "query": "{ stats { pacts } }", "variables": many }))
        .await;
    assert_eq!(reply.data()["stats"]["pacts"], 8);
    let reply = app
        .query(
            "query($t: String!) { search(query: $t, first: 5) { __typename } }",
            json!({ "t": "x".repeat(200_000) }),
        )
        .await;
    assert!(reply.status < 500, "{:.300}", reply.text);
    assert!(
        reply.body.get("data").is_some() || reply.code() == "BAD_USER_INPUT",
        "{:.300}",
        reply.text
    );
    // Variables of the wrong type.
    let reply = app
        .query(
            "query($n: Int) { organizations(first: $n) { totalCount } }",
            json!({ "n": "ten" }),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.code(), "GRAPHQL_VALIDATION_FAILED", "{}", reply.text);

    // A broken query string, and bad JSON in it.
    for (path, status, code) in [
        // Undecodable text reaches the parser as replacement characters: a parse error.
        ("/graphql?query=%FF%FE", 200, "GRAPHQL_PARSE_FAILED"),
        ("/graphql?query=%ZZ", 200, "GRAPHQL_PARSE_FAILED"),
        (
            "/graphql?query={stats{pacts}}&variables={",
            400,
            "BAD_REQUEST",
        ),
    ] {
        let reply = app
            .request(Method::GET, path, &[("accept", "application/json")], None)
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (status, code),
            "{path}: {:.200}",
            reply.text
        );
    }
    still_serving(&app).await;
}

/// A websocket handshake sent byte for byte (HTTP clients manage `Connection` themselves):
/// the status, the lower-cased head and the JSON body of the answer.
async fn handshake(
    app: &TestApp,
    method: &str,
    path: &str,
    protocol: &str,
    version: &str,
) -> (u16, String, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Sec-WebSocket-Version: {version}\r\nSec-WebSocket-Protocol: {protocol}\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    // A refusal is answered and closed: read to the end. An accepted handshake stays open:
    // read its head.
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk))
            .await
            .expect("the handshake is answered")
            .unwrap();
        answer.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&answer);
        if n == 0 || (text.starts_with("HTTP/1.1 101") && text.contains("\r\n\r\n")) {
            break;
        }
    }
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = serde_json::from_str(body).unwrap_or(Value::Null);
    (status, head.to_ascii_lowercase(), body)
}

/// Upgrades are answered before routing (http/ws), so that path checks what the app's
/// routes would: the path, the method, the handshake and the subprotocol.
async fn websocket_handshakes_are_checked(app: TestApp) {
    let cases = [
        (
            "GET",
            "/graphql",
            "chat, superchat",
            "13",
            400,
            "BAD_REQUEST",
        ),
        ("GET", "/graphql", TRANSPORT_WS, "8", 400, "BAD_REQUEST"),
        (
            "GET",
            "/subscriptions",
            TRANSPORT_WS,
            "13",
            404,
            "NOT_FOUND",
        ),
        (
            "POST",
            "/graphql",
            TRANSPORT_WS,
            "13",
            405,
            "METHOD_NOT_ALLOWED",
        ),
    ];
    for (method, path, protocol, version, status, code) in cases {
        let what = format!("{method} {path} {protocol} version {version}");
        let (got, head, body) = handshake(&app, method, path, protocol, version).await;
        assert_eq!(got, status, "{what}: {head} {body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], code, "{what}");
        assert!(
            head.contains("content-type: application/json"),
            "{what}: {head}"
        );
        assert!(head.contains("x-request-id: "), "{what}: {head}");
    }
    // The same handshake offering a subprotocol we speak is accepted.
    let offer = format!("chat, {TRANSPORT_WS}");
    let (got, head, _) = handshake(&app, "GET", "/graphql", &offer, "13").await;
    assert_eq!(got, 101, "{head}");
    // RFC 6455's example key and its accept value.
    assert!(
        head.contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo="),
        "{head}"
    );
    assert!(
        head.contains(&format!("sec-websocket-protocol: {TRANSPORT_WS}")),
        "{head}"
    );
    assert!(head.contains("x-request-id: "), "{head}");

    // A close the client starts is answered with a close frame (a clean close, not a dropped
    // connection).
    let mut ws = app.ws(LEGACY_WS, json!({})).await.unwrap();
    ws.send_frame(awc::ws::Message::Close(Some(
        awc::ws::CloseCode::Normal.into(),
    )))
    .await;
    let answer = ws.next_message(Duration::from_secs(10)).await;
    let answer = answer.expect("the server answers the close");
    assert_eq!(answer["type"], "closed", "{answer}");
    assert!(
        answer["reason"].as_str().unwrap().contains("Normal"),
        "{answer}"
    );

    // Open websockets are capped (EXODUS_MAX_WEBSOCKETS): past the cap, 503 with Retry-After,
    // and a slot is free again once a connection closes.
    let capped = harness::spawn_with(app.backend, |c| c.max_websockets = 1)
        .await
        .unwrap();
    let first = capped.ws(TRANSPORT_WS, json!({})).await.unwrap();
    let (got, head, body) = handshake(&capped, "GET", "/graphql", TRANSPORT_WS, "13").await;
    assert_eq!(got, 503, "{head} {body}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "SERVICE_UNAVAILABLE"
    );
    assert!(head.contains("retry-after: "), "{head}");
    first.close().await;
    let url = format!("{}/graphql", capped.base.replace("http://", "ws://"));
    let mut reopened = false;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::time::Instant::now() < deadline {
        let attempt = awc::Client::new()
            .ws(url.as_str())
            .protocols([TRANSPORT_WS])
            .connect()
            .await;
        if attempt.is_ok() {
            reopened = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(reopened, "a closed connection frees its slot");
    still_serving(&app).await;
}

async fn malformed_websocket_traffic_is_closed_cleanly(app: TestApp) {
    use awc::ws::Message;
    let huge = "x".repeat(300 * 1024);
    // (protocol, what, frames, the close code expected)
    let cases: Vec<(&str, &str, Vec<Message>, u16)> = vec![
        (
            TRANSPORT_WS,
            "not JSON",
            vec![Message::Text("hello?".into())],
            4400,
        ),
        (
            TRANSPORT_WS,
            "no type",
            vec![Message::Text(r#"{"id": "1"}"#.into())],
            4400,
        ),
        (
            TRANSPORT_WS,
            "subscribe before connection_init",
            vec![Message::Text(
                r#"{"id":"1","type":"subscribe","payload":{"query":"subscription { changes { cursor } }"}}"#.into(),
            )],
            4401,
        ),
        (
            LEGACY_WS,
            "start before connection_init",
            vec![Message::Text(
                r#"{"id":"1","type":"start","payload":{"query":"subscription { changes { cursor } }"}}"#.into(),
            )],
            1002,
        ),
        (
            LEGACY_WS,
            "binary garbage",
            vec![Message::Binary(vec![0u8, 159, 146, 150, 255].into())],
            1002,
        ),
        (
            TRANSPORT_WS,
            "a frame over the size limit",
            vec![Message::Text(huge.into())],
            1009,
        ),
    ];
    for (protocol, what, messages, code) in cases {
        let mut ws = app.raw_ws(protocol).await;
        for m in messages {
            ws.send_frame(m).await;
        }
        let answer = ws
            .next_message(Duration::from_secs(10))
            .await
            .unwrap_or_else(|| panic!("{what}: no answer"));
        assert_eq!(answer["type"], "closed", "{what}: {answer}");
        assert_eq!(answer["code"], code, "{what}: {answer}");
    }

    // A subscription with a broken query gets an error message, and the connection lives on.
    let mut ws = app.ws(TRANSPORT_WS, json!({})).await.unwrap();
    ws.subscribe("1", "subscription { nope }", json!({})).await;
    let message = ws.next_message(Duration::from_secs(10)).await.unwrap();
    // async-graphql reports a document that fails validation as a result with errors, then
    // completes the subscription.
    assert_eq!(message["type"], "next", "{message}");
    assert_eq!(message["id"], "1", "{message}");
    let error = &message["payload"]["errors"][0];
    assert_eq!(
        error["message"], "Unknown field \"nope\" on type \"Subscription\".",
        "{message}"
    );
    let done = ws.next_message(Duration::from_secs(10)).await.unwrap();
    assert_eq!(done, json!({ "type": "complete", "id": "1" }));
    // The connection lives on: it takes another subscription, and a ping is answered.
    ws.subscribe("2", "subscription { changes { cursor } }", json!({}))
        .await;
    ws.send(json!({ "type": "ping", "payload": { "n": 1 } }))
        .await;
    let pong = ws
        .next_message_or_keepalive(Duration::from_secs(10))
        .await
        .expect("an answer to the ping");
    assert_eq!(pong["type"], "pong", "{pong}");
    ws.close().await;
    still_serving(&app).await;
}

/// Pieces of GraphQL documents, valid and not, put together at random.
fn document() -> impl Strategy<Value = String> {
    let token = prop::sample::select(vec![
        "{",
        "{",
        "}",
        "}",
        "(",
        ")",
        ":",
        "[",
        "]",
        ",",
        "...",
        "$v",
        "query",
        "mutation",
        "subscription",
        "fragment F on Query",
        "...F",
        "on",
        "Organization",
        "organizations",
        "withdrawals",
        "reactions",
        "pacts",
        "stats",
        "search",
        "node",
        "nodes",
        "timeline",
        "changes",
        "first:",
        "after:",
        "query:",
        "id:",
        "ids:",
        "filter:",
        "orderBy:",
        "100",
        "-1",
        "0",
        "99999999999",
        "1.5",
        "true",
        "null",
        "\"x\"",
        "\"\"",
        "edges",
        "cursor",
        "pageInfo",
        "totalCount",
        "id",
        "name",
        "slug",
        "acronym",
        "__typename",
        "__schema",
        "types",
        "@include(if: true)",
        "@skip(if: $v)",
        "a:",
        "b:",
        "login",
        "email:",
        "createOrganization",
        "input:",
        "{ stats { pacts } }",
        "\"T3JnYW5pemF0aW9uOjE=\"",
        "\"Tm9wZTox\"",
        "#",
        "\"\"\"",
        "\\u0000",
        "é",
    ]);
    prop_oneof![
        9 => prop::collection::vec(token, 0..40).prop_map(|t| t.join(" ")),
        1 => any::<String>(),
    ]
}

fn variables() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,20}".prop_map(Value::from),
    ];
    let value = leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z]{1,3}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    prop_oneof![
        Just(Value::Null),
        prop::collection::btree_map(prop::sample::select(vec!["v", "n", "t", "id"]), value, 0..3)
            .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
    ]
}

async fn generated_documents_never_get_a_server_error(app: TestApp) {
    let app = harness::spawn_with(app.backend, |c| c.rate_limit_anonymous = 1_000_000)
        .await
        .unwrap();
    let cases: u32 = std::env::var("EXODUS_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    // Deterministic, so a failure in CI reproduces; raise EXODUS_FUZZ_CASES to explore more.
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases,
            ..Config::default()
        },
        proptest::test_runner::TestRng::deterministic_rng(
            proptest::test_runner::RngAlgorithm::ChaCha,
        ),
    );
    let strategy = (document(), variables(), any::<bool>());
    for _ in 0..cases {
        let (query, variables, via_get) = strategy.new_tree(&mut runner).unwrap().current();
        let reply = if via_get {
            let params = [
                ("query", query.clone()),
                ("variables", variables.to_string()),
            ];
            let path = format!("/graphql?{}", serde_urlencoded::to_string(params).unwrap());
            app.request(Method::GET, &path, &[("accept", "application/json")], None)
                .await
        } else {
            app.post(json!({ "query": query, "variables": variables }))
                .await
        };
        let case = format!("query {query:?} variables {variables} get {via_get}");
        assert!(
            reply.status < 500,
            "{case}: {} {:.300}",
            reply.status,
            reply.text
        );
        assert!(
            reply.body.get("data").is_some() || reply.body.get("errors").is_some(),
            "{case}: {:.300}",
            reply.text
        );
        if let Some(errors) = reply.body.get("errors").and_then(Value::as_array) {
            for error in errors {
                let code = error["extensions"]["code"].as_str().unwrap_or("");
                assert!(!code.is_empty(), "{case}: an error without a code: {error}");
                assert_ne!(code, "INTERNAL", "{case}: {error}");
            }
        }
    }
    still_serving(&app).await;
}
