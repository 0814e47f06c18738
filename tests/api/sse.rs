//! GraphQL over Server-Sent Events (graphql-sse, distinct connections mode): queries,
//! subscriptions with resume, authentication and limits, as over the other transports.

use entity::enums::EditorRole;
use futures_util::StreamExt;
use harness::{backend_tests, serde_json::json, TestApp};
use serde_json::Value;
use std::time::Duration;

backend_tests!(
    a_query_over_sse_is_one_event_then_complete,
    a_subscription_over_sse_replays_then_goes_live,
    sse_meets_authentication_and_the_rate_limit,
    sse_over_get_reads_and_never_writes,
);

/// An open event stream, read event by event.
struct Events {
    body: std::pin::Pin<
        Box<
            dyn futures_util::Stream<
                Item = Result<actix_web::web::Bytes, awc::error::PayloadError>,
            >,
        >,
    >,
    buffer: String,
}

/// POSTs `body` asking for an event stream; the response's status, content type and events.
async fn open(app: &TestApp, body: Value, token: Option<&str>) -> (u16, String, Events) {
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(60))
        .finish();
    let mut request = client
        .post(format!("{}/graphql", app.base))
        .insert_header(("accept", "text/event-stream"))
        .insert_header(("content-type", "application/json"));
    if let Some(t) = token {
        request = request.insert_header(("authorization", format!("Bearer {t}")));
    }
    let response = request
        .send_body(body.to_string())
        .await
        .expect("the request reaches the server");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        status,
        content_type,
        Events {
            body: Box::pin(response),
            buffer: String::new(),
        },
    )
}

/// GETs `/graphql?<params>` asking for an event stream, as a browser's EventSource does.
async fn open_get(app: &TestApp, params: &[(&str, String)], token: Option<&str>) -> (u16, Events) {
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(60))
        .finish();
    let query = serde_urlencoded::to_string(params).unwrap();
    let mut request = client
        .get(format!("{}/graphql?{query}", app.base))
        .insert_header(("accept", "text/event-stream"));
    if let Some(t) = token {
        request = request.insert_header(("authorization", format!("Bearer {t}")));
    }
    let response = request
        .send()
        .await
        .expect("the request reaches the server");
    (
        response.status().as_u16(),
        Events {
            body: Box::pin(response),
            buffer: String::new(),
        },
    )
}

impl Events {
    /// The next event as (name, data); None when the stream ends or nothing comes in time.
    async fn next(&mut self) -> Option<(String, Value)> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                if block.starts_with(':') {
                    continue; // a keep-alive comment
                }
                let mut name = String::new();
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(n) = line.strip_prefix("event: ") {
                        name = n.to_owned();
                    } else if let Some(d) = line.strip_prefix("data:") {
                        data.push_str(d.trim_start());
                    }
                }
                let data = if data.is_empty() {
                    Value::Null
                } else {
                    serde_json::from_str(&data).expect("JSON data")
                };
                return Some((name, data));
            }
            let chunk = tokio::time::timeout(Duration::from_secs(20), self.body.next())
                .await
                .ok()??
                .ok()?;
            self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }
}

async fn a_query_over_sse_is_one_event_then_complete(app: TestApp) {
    let (status, content_type, mut events) =
        open(&app, json!({ "query": "{ stats { pacts } }" }), None).await;
    assert_eq!(status, 200);
    assert!(
        content_type.starts_with("text/event-stream"),
        "{content_type}"
    );
    let (name, data) = events.next().await.expect("a result");
    assert_eq!(name, "next");
    assert_eq!(data, json!({ "data": { "stats": { "pacts": 8 } } }));
    let (name, _) = events.next().await.expect("the end");
    assert_eq!(name, "complete");
    assert!(events.next().await.is_none(), "nothing after complete");
}

async fn a_subscription_over_sse_replays_then_goes_live(app: TestApp) {
    let polled = app
        .data(
            "{ changes(first: 3) { edges { node { cursor recordId action } } } }",
            json!({}),
        )
        .await;
    let polled: Vec<Value> = polled["changes"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    let start = crate::canary::feed_start(&app).await;
    let query = "subscription($a: String) { changes(after: $a) { cursor recordId action } }";
    let (status, _, mut events) = open(
        &app,
        json!({ "query": query, "variables": { "a": start } }),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let mut replayed = Vec::new();
    while replayed.len() < 3 {
        let (name, data) = events.next().await.expect("the replay");
        assert_eq!(name, "next", "{data}");
        replayed.push(data["data"]["changes"].clone());
    }
    assert_eq!(replayed, polled, "the same events as the polled feed");

    // Live: without `after`, a change made now arrives.
    let (_, _, mut live) = open(
        &app,
        json!({ "query": "subscription { changes { recordId action } }" }),
        None,
    )
    .await;
    let token = app.editor("sse@example.org", EditorRole::Editor).await;
    let source = json!({ "slug": "sse-source", "url": "https://example.org/sse", "title": "SSE" });
    let made = app
        .data_as(
            &token,
            "mutation($i: SourceInput!) { createSource(input: $i) { id } }",
            json!({ "i": source }),
        )
        .await;
    let id = made["createSource"]["id"].clone();
    app.data_as(
        &token,
        "mutation($id: ID!) { publish(id: $id, expectedVersion: 1) { id } }",
        json!({ "id": id }),
    )
    .await;
    let (name, data) = live.next().await.expect("the published source");
    assert_eq!(name, "next");
    assert_eq!(
        data["data"]["changes"],
        json!({ "recordId": id, "action": "PUBLISH" })
    );
}

async fn sse_meets_authentication_and_the_rate_limit(app: TestApp) {
    let drafts = json!({ "query": "subscription { changes(includeDrafts: true) { cursor } }" });
    // Anonymous readers cannot follow drafts: the stream says so.
    let (status, _, mut events) = open(&app, drafts.clone(), None).await;
    assert_eq!(status, 200);
    let (name, data) = events.next().await.expect("an answer");
    assert_eq!(name, "next");
    assert_eq!(
        data["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{data}"
    );
    // An editor can, and a bad token is refused before any stream.
    let token = app.editor("sse-auth@example.org", EditorRole::Editor).await;
    let (status, content_type, _) = open(&app, drafts.clone(), Some(&token)).await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/event-stream"));
    let (status, _, _) = open(&app, drafts, Some("not-a-token")).await;
    assert_eq!(status, 401);

    let limited = harness::spawn_with(app.backend, |c| c.rate_limit_anonymous = 2)
        .await
        .unwrap();
    let query = json!({ "query": "{ stats { pacts } }" });
    for _ in 0..2 {
        assert_eq!(open(&limited, query.clone(), None).await.0, 200);
    }
    let (status, content_type, _) = open(&limited, query, None).await;
    assert_eq!(status, 429);
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
}

/// An EventSource can only GET: a subscription resumes from `after` in the query string, and
/// a mutation is refused (405) without running.
async fn sse_over_get_reads_and_never_writes(app: TestApp) {
    let polled = app
        .data(
            "{ changes(first: 2) { edges { node { cursor recordId action } } } }",
            json!({}),
        )
        .await;
    let start = crate::canary::feed_start(&app).await;
    let (status, mut events) = open_get(
        &app,
        &[
            (
                "query",
                "subscription($a: String) { changes(after: $a) { cursor recordId action } }".into(),
            ),
            ("variables", json!({ "a": start }).to_string()),
        ],
        None,
    )
    .await;
    assert_eq!(status, 200);
    for edge in polled["changes"]["edges"].as_array().unwrap() {
        let (name, data) = events.next().await.expect("the replay");
        assert_eq!(name, "next", "{data}");
        assert_eq!(data["data"]["changes"], edge["node"]);
    }

    let mutation = "mutation { createSource(input: { slug: \"by-get\", url: \"https://example.org/get\", title: \"GET\" }) { id } }";
    // Signed in, so the refusal is the method's, not a missing permission.
    let token = app.editor("get@example.org", EditorRole::Editor).await;
    let (status, mut events) = open_get(&app, &[("query", mutation.into())], Some(&token)).await;
    assert_eq!(status, 405);
    let body = events.body.next().await.unwrap().unwrap();
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_REQUEST",
        "{body}"
    );
    let found = app
        .data_as(&token, "{ source(slug: \"by-get\") { id } }", json!({}))
        .await;
    assert!(found["source"].is_null(), "nothing was written: {found}");
}
