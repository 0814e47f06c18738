//! Hostile and oversized requests are refused before the database, with clear errors; the
//! server keeps serving. Also readiness, security headers and CORS.

use awc::http::Method;
use entity::enums::EditorRole;
use harness::{backend_tests, serde_json::json, TestApp};

backend_tests!(
    query_limits_refuse_bombs_before_the_database,
    body_size_and_introspection_are_configurable,
    readiness_headers_and_cors,
    requests_are_rate_limited_per_address_and_per_editor,
    a_request_past_its_time_is_stopped_with_timeout,
    a_stalled_body_is_answered_408,
    one_address_holds_a_bounded_number_of_connections,
    the_standard_introspection_query_runs_and_bombs_do_not,
);

/// graphql-js 16's `getIntrospectionQuery()` with every option on (descriptions,
/// specifiedByUrl, directiveIsRepeatable, schemaDescription, inputValueDeprecation): what
/// GraphiQL, codegen, Apollo's and IDEs' schema loaders and Python's gql send.
const STANDARD_INTROSPECTION: &str = r#"query IntrospectionQuery {
  __schema {
    description
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives { name description isRepeatable locations args(includeDeprecated: true) { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description specifiedByURL
  fields(includeDeprecated: true) {
    name description args(includeDeprecated: true) { ...InputValue } type { ...TypeRef }
    isDeprecated deprecationReason
  }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue {
  name description type { ...TypeRef } defaultValue isDeprecated deprecationReason
}
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }
}"#;

/// The introspection query every standard client sends runs on a default install,
/// anonymously and signed in; an introspection bomb is still refused, and so is a data
/// query as deep as the introspection query (it has its own budget).
async fn the_standard_introspection_query_runs_and_bombs_do_not(app: TestApp) {
    let schema = app.data(STANDARD_INTROSPECTION, json!({})).await;
    let types = schema["__schema"]["types"].as_array().unwrap();
    assert!(
        types.iter().any(|t| t["name"] == "Organization"),
        "{schema:.300}"
    );
    let token = app.editor("intro@example.org", EditorRole::Editor).await;
    let signed_in = app.data_as(&token, STANDARD_INTROSPECTION, json!({})).await;
    assert_eq!(signed_in["__schema"]["queryType"]["name"], "Query");

    let bomb = format!(
        "{{ __schema {{ types {{ {}name{} }} }} }}",
        "fields { type { ".repeat(10),
        " } }".repeat(10)
    );
    let reply = app.query(&bomb, json!({})).await;
    assert_eq!(reply.code(), "GRAPHQL_VALIDATION_FAILED", "{}", reply.text);
    assert!(
        reply
            .message()
            .contains("introspection query is nested too deep"),
        "{}",
        reply.text
    );
    // 13 levels of data: within the introspection budget, over the data budget (12).
    let deep = format!(
        "{{ withdrawals(first: 1) {{ edges {{ node {{ {}organization {{ slug }}{} }} }} }} }}",
        "organization { withdrawals { nodes { ".repeat(3),
        " } } }".repeat(3)
    );
    let reply = app.query(&deep, json!({})).await;
    assert_eq!(reply.code(), "GRAPHQL_VALIDATION_FAILED", "{}", reply.text);
    assert!(
        reply
            .message()
            .contains("Query is nested too deep: 14 levels"),
        "{}",
        reply.text
    );
}

/// `EXODUS_MAX_CONNECTIONS_PER_ADDRESS`: past the cap a connection is answered 429 and
/// closed; when one closes, the address may connect again.
async fn one_address_holds_a_bounded_number_of_connections(app: TestApp) {
    use tokio::io::AsyncReadExt;
    let app = harness::spawn_with(app.backend, |c| c.max_connections_per_address = 2)
        .await
        .unwrap();
    let address = app.base.trim_start_matches("http://").to_owned();
    let request = format!("GET /healthz HTTP/1.1\r\nHost: {address}\r\n\r\n");
    // The server closes an idle connection after 5 s (its keep-alive), which frees a slot:
    // a run slow enough to reach that is tried again, a bounded number of times.
    let mut tries = 0;
    let mut held = loop {
        tries += 1;
        // Two connections, each shown to be served (so both hold their slot).
        let mut held = Vec::new();
        let mut served = None;
        for _ in 0..2 {
            // From before the request: an upper bound on how long the first one sat idle.
            served.get_or_insert_with(std::time::Instant::now);
            held.push(served_connection(&address, &request).await);
        }
        let idle_too_long = served.unwrap().elapsed() >= std::time::Duration::from_secs(4);
        let mut third = tokio::net::TcpStream::connect(&address).await.unwrap();
        let mut answer = Vec::new();
        let read = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            third.read_to_end(&mut answer),
        )
        .await;
        let answer = String::from_utf8_lossy(&answer).into_owned();
        if !answer.starts_with("HTTP/1.1 429") && idle_too_long && tries < 3 {
            continue;
        }
        assert!(read.is_ok(), "the third connection was left open");
        assert!(answer.starts_with("HTTP/1.1 429"), "{answer}");
        assert!(answer.contains("RATE_LIMITED"), "{answer}");
        break held;
    };
    drop(held.pop());
    // The slot comes back once the server sees the close.
    served_connection(&address, &request).await;
}

/// A connection answered 200, kept open. Slots of connections the test closed come back
/// once the server sees the close: until then (30 s at most) it is tried again.
async fn served_connection(address: &str, request: &str) -> tokio::net::TcpStream {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let mut s = tokio::net::TcpStream::connect(address).await.unwrap();
        let _ = s.write_all(request.as_bytes()).await;
        let mut buf = [0u8; 12];
        let status = match s.read_exact(&mut buf).await {
            Ok(_) => String::from_utf8_lossy(&buf).into_owned(),
            Err(e) => e.to_string(),
        };
        if status == "HTTP/1.1 200" {
            return s;
        }
        assert!(tokio::time::Instant::now() < deadline, "{status}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// A client that sends its headers and part of its body, then stalls, is answered 408 once
/// the request's time is up, instead of holding the connection open.
async fn a_stalled_body_is_answered_408(app: TestApp) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = harness::spawn_with(app.backend, |c| c.request_timeout = 1)
        .await
        .unwrap();
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"query\": "
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(15),
        stream.read_to_end(&mut answer),
    )
    .await;
    assert!(read.is_ok(), "no answer within 15 s");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"TIMEOUT\""), "{answer}");
}

/// `EXODUS_REQUEST_TIMEOUT`: a request still running after it is answered 503 `TIMEOUT`,
/// counted as such, and the server goes on serving. The database is held so the request
/// cannot finish: on SQLite by taking the pool's only connection, on PostgreSQL by locking
/// the table the query reads.
async fn a_request_past_its_time_is_stopped_with_timeout(app: TestApp) {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let app = harness::spawn_with(app.backend, |c| {
        c.request_timeout = 1;
        c.db_acquire_timeout = 30;
    })
    .await
    .unwrap();
    let hold = app.db.begin().await.unwrap();
    if app.backend == harness::Backend::Postgres {
        hold.execute_unprepared("LOCK TABLE organization IN ACCESS EXCLUSIVE MODE")
            .await
            .unwrap();
    }
    let query = json!({ "query": "{ organizations(first: 1) { totalCount } }" });
    let started = std::time::Instant::now();
    let reply = app.post(query.clone()).await;
    let waited = started.elapsed();
    hold.rollback().await.unwrap();
    assert_eq!(reply.status, 503, "{:?}", reply.body);
    assert_eq!(reply.code(), "TIMEOUT", "{:?}", reply.body);
    // Stopped at about its limit, not at the 30 s the pool would have waited.
    assert!(waited < std::time::Duration::from_secs(10), "{waited:?}");
    let metrics = app.request(Method::GET, "/metrics", &[], None).await;
    assert!(
        metrics
            .text
            .lines()
            .any(|l| l.contains("outcome=\"timeout\"") && l.ends_with(" 1")),
        "{}",
        metrics.text
    );
    // Released, the same request is answered (its 1 s limit still holds: a slow machine may
    // need a few tries).
    let released = std::time::Instant::now();
    let again = loop {
        let again = app.post(query.clone()).await;
        if again.status != 503 || released.elapsed() > std::time::Duration::from_secs(30) {
            break again;
        }
        assert_eq!(again.code(), "TIMEOUT", "{:?}", again.body);
    };
    assert_eq!(again.status, 200, "{:?}", again.body);
    assert!(
        again.data()["organizations"]["totalCount"]
            .as_u64()
            .unwrap()
            > 0
    );
}

async fn requests_are_rate_limited_per_address_and_per_editor(app: TestApp) {
    let app = harness::spawn_with(app.backend, |c| {
        c.rate_limit_anonymous = 5;
        c.rate_limit_editor = 8;
    })
    .await
    .unwrap();
    // Sends until refused; how many were answered first. The limit gives one request back
    // every minute / limit, so a run slower than that (a loaded machine) may see more.
    async fn until_refused(send: impl AsyncFn() -> harness::Reply) -> (usize, harness::Reply) {
        let mut answered = 0;
        loop {
            let reply = send().await;
            if reply.status != 200 || answered > 100 {
                return (answered, reply);
            }
            answered += 1;
        }
    }

    // Signing in is one anonymous request; four more are answered, then the fifth is refused.
    let began = std::time::Instant::now();
    let token = app.editor("ed@example.org", EditorRole::Editor).await;
    let (answered, refused) =
        until_refused(|| app.post(json!({ "query": "{ stats { pacts } }" }))).await;
    let most = 4 + harness::given_back(began, 5);
    assert!(
        (4..=most).contains(&answered),
        "{answered} answered, at most {most} expected"
    );
    assert_eq!(refused.status, 429, "{}", refused.text);
    assert_eq!(refused.code(), "RATE_LIMITED");
    assert!((1..=60).contains(&refused.retry_after()));
    // The editor has an allowance of their own.
    let began = std::time::Instant::now();
    let (answered, refused) =
        until_refused(|| app.query_as(&token, "{ me { email } }", json!({}))).await;
    let most = 8 + harness::given_back(began, 8);
    assert!(
        (8..=most).contains(&answered),
        "{answered} answered, at most {most} expected"
    );
    assert_eq!(refused.status, 429, "{}", refused.text);
}

async fn query_limits_refuse_bombs_before_the_database(app: TestApp) {
    let mut deep = String::from("{ organizations(first: 1) { edges { node { ");
    for _ in 0..8 {
        deep.push_str("withdrawals { nodes { organization { ");
    }
    deep.push_str("name");
    deep.push_str(&" } } }".repeat(8));
    deep.push_str(" } } } }");
    let aliases: String = (0..3000)
        .map(|i| format!("a{i}: stats {{ organizations }} "))
        .collect();
    let cases = [
        (deep, "nested too deep"),
        (
            format!("{{ {} }}", (0..8).map(|i| format!("o{i}: organizations(first: 100) {{ edges {{ node {{ name slug acronym description withdrawals {{ nodes {{ slug }} }} }} }} }} ")).collect::<String>()),
            "too complex",
        ),
        (format!("{{ {aliases} }}"), "root fields"),
        // Nested full pages with aliases: refused, without overflowing the sum.
        (
            format!(
                "{{ organizations(first: 100) {{ nodes {{ withdrawals(first: 100) {{ nodes {{ reactions(first: 100) {{ nodes {{ {} }} }} }} }} }} }} }}",
                (0..29).map(|i| format!("r{i}: stakeholder {{ reactions(first: 100) {{ nodes {{ id }} }} }} ")).collect::<String>()
            ),
            "too complex",
        ),
        ("query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }".to_owned(), "recursion depth"),
    ];
    for (query, needle) in cases {
        // Background work may run meanwhile (the change log's 2 s check, the webhook worker's
        // 5 s look), and on a loaded machine both can fall within one request. A request that
        // asked the database would do so every time, so the case passes when one of three
        // tries saw at most one statement.
        let mut counts = Vec::new();
        for _ in 0..3 {
            let before = app.statements.get();
            let reply = app.post(json!({ "query": query.clone() })).await;
            assert_eq!(
                reply.code(),
                "GRAPHQL_VALIDATION_FAILED",
                "{}",
                &reply.text[..reply.text.len().min(300)]
            );
            assert!(
                reply.message().contains(needle),
                "{:?} lacks {needle:?}",
                reply.message()
            );
            assert!(reply.body.get("data").is_none());
            counts.push(app.statements.get() - before);
            if counts.last() <= Some(&1) {
                break;
            }
        }
        assert!(
            counts.last() <= Some(&1),
            "the database was not asked: statements meanwhile in three tries {counts:?}, for {needle:?}"
        );
    }
    assert_eq!(
        app.data("{ stats { pacts } }", json!({})).await["stats"]["pacts"],
        8,
        "still serving"
    );
}

async fn body_size_and_introspection_are_configurable(app: TestApp) {
    let app = harness::spawn_with(app.backend, |c| {
        c.max_body_bytes = 2048;
        c.public_introspection = false;
    })
    .await
    .unwrap();
    let big = json!({ "query": "{ stats { pacts } }", "variables": { "pad": "x".repeat(3000) } });
    let reply = app.post(big).await;
    assert_eq!(reply.status, 413);
    assert_eq!(reply.code(), "BAD_REQUEST");
    let intro = "{ __schema { queryType { name } } }";
    let reply = app.query(intro, json!({})).await;
    assert_eq!(
        reply.body,
        json!({ "data": { "__schema": null } }),
        "no introspection for anonymous clients, and no error either: {}",
        reply.text
    );
    let token = app.editor("ed@example.org", EditorRole::Editor).await;
    assert_eq!(
        app.data_as(&token, intro, json!({})).await["__schema"]["queryType"]["name"],
        "Query"
    );
    // Ordinary queries are unaffected.
    assert_eq!(
        app.data("{ stats { pacts } }", json!({})).await["stats"]["pacts"],
        8
    );
}

async fn readiness_headers_and_cors(app: TestApp) {
    let reply = app.request(Method::GET, "/readyz", &[], None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["status"], "ready");
    assert_eq!(reply.body["pendingMigrations"], 0);
    let reply = app.post(json!({ "query": "{ stats { pacts } }" })).await;
    assert_eq!(
        reply.headers.get("x-content-type-options").unwrap(),
        "nosniff"
    );
    assert_eq!(reply.headers.get("x-frame-options").unwrap(), "DENY");
    let preflight = app
        .request(
            Method::OPTIONS,
            "/graphql",
            &[
                ("origin", "https://tracker.example.org"),
                ("access-control-request-method", "POST"),
                ("access-control-request-headers", "content-type"),
            ],
            None,
        )
        .await;
    assert!(preflight.status < 300, "{}", preflight.status);
    assert!(preflight
        .headers
        .get("access-control-allow-origin")
        .is_some());
    // What real browser apps send: Apollo's client awareness, tracing, conditional requests.
    let sent = "content-type, authorization, apollographql-client-name, apollographql-client-version, sentry-trace, baggage, x-requested-with, if-none-match, traceparent";
    let preflight = app
        .request(
            Method::OPTIONS,
            "/graphql",
            &[
                ("origin", "https://tracker.example.org"),
                ("access-control-request-method", "POST"),
                ("access-control-request-headers", sent),
            ],
            None,
        )
        .await;
    assert!(
        preflight.status < 300,
        "{}: {}",
        preflight.status,
        preflight.text
    );
    let allowed = preflight
        .headers
        .get("access-control-allow-headers")
        .unwrap()
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for header in sent.split(", ") {
        assert!(allowed.contains(header), "{header} not in {allowed}");
    }
    assert_eq!(
        preflight.headers.get("access-control-max-age").unwrap(),
        "3600"
    );
    // Browser code may read the request id, Retry-After and the ETag.
    let answer = app
        .request(
            Method::POST,
            "/graphql",
            &[
                ("content-type", "application/json"),
                ("origin", "https://tracker.example.org"),
            ],
            Some(br#"{"query":"{ stats { pacts } }"}"#.to_vec()),
        )
        .await;
    let exposed = answer
        .headers
        .get("access-control-expose-headers")
        .unwrap()
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for header in ["x-request-id", "retry-after", "etag"] {
        assert!(exposed.contains(header), "{header} not in {exposed}");
    }

    let strict = harness::spawn_with(app.backend, |c| {
        c.cors_origins = "https://allowed.example".into()
    })
    .await
    .unwrap();
    let ok = strict
        .request(
            Method::POST,
            "/graphql",
            &[
                ("content-type", "application/json"),
                ("origin", "https://allowed.example"),
            ],
            Some(br#"{"query":"{ stats { pacts } }"}"#.to_vec()),
        )
        .await;
    assert_eq!(
        ok.headers.get("access-control-allow-origin").unwrap(),
        "https://allowed.example"
    );
    let other = strict
        .request(
            Method::POST,
            "/graphql",
            &[
                ("content-type", "application/json"),
                ("origin", "https://evil.example"),
            ],
            Some(br#"{"query":"{ stats { pacts } }"}"#.to_vec()),
        )
        .await;
    assert!(other.headers.get("access-control-allow-origin").is_none());
}
