//! GraphQL over HTTP: methods, media types, status codes and malformed requests.

use awc::http::Method;
use entity::enums::EditorRole;
use harness::{backend_tests, serde_json::json, TestApp};

backend_tests!(
    a_person_and_a_tool_find_their_way,
    post_and_get_answer_a_query,
    graphql_response_json_gives_400_for_request_errors,
    application_json_gives_200_for_request_errors,
    malformed_http_requests_are_rejected_with_codes,
    mutations_over_get_are_refused,
    graphiql_health_and_unknown_paths,
);

const SIMPLE: &str = "{ organization(slug: \"freedom-online-coalition\") { name } }";

async fn post_and_get_answer_a_query(app: TestApp) {
    let reply = app.post(json!({ "query": SIMPLE })).await;
    assert_eq!(reply.status, 200);
    assert!(
        reply.content_type.starts_with("application/json"),
        "{}",
        reply.content_type
    );
    assert_eq!(
        reply.data()["organization"]["name"],
        "Freedom Online Coalition"
    );

    let path = format!("/graphql?query={}", urlencode(SIMPLE));
    let reply = app
        .request(
            Method::GET,
            &path,
            &[("accept", "application/graphql-response+json")],
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(reply
        .content_type
        .starts_with("application/graphql-response+json"));
    assert_eq!(
        reply.data()["organization"]["name"],
        "Freedom Online Coalition"
    );

    // Variables and operationName travel in the query string too.
    let q = "query One($slug: String!) { organization(slug: $slug) { slug } }";
    let path = format!(
        "/graphql?query={}&operationName=One&variables={}",
        urlencode(q),
        urlencode(r#"{"slug":"global-forum-on-cyber-expertise"}"#)
    );
    let reply = app.request(Method::GET, &path, &[], None).await;
    assert_eq!(
        reply.data()["organization"]["slug"],
        "global-forum-on-cyber-expertise"
    );
}

async fn graphql_response_json_gives_400_for_request_errors(app: TestApp) {
    let accept = [
        ("content-type", "application/json"),
        ("accept", "application/graphql-response+json"),
    ];
    let send = |body: serde_json::Value| {
        let app = &app;
        async move {
            app.request(
                Method::POST,
                "/graphql",
                &accept,
                Some(serde_json::to_vec(&body).unwrap()),
            )
            .await
        }
    };
    let reply = send(json!({ "query": "{ organizations { " })).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.code(), "GRAPHQL_PARSE_FAILED");
    assert!(
        reply.body.get("data").is_none(),
        "a request error has no data: {}",
        reply.text
    );

    let reply = send(json!({ "query": "{ organizations { nope } }" })).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.code(), "GRAPHQL_VALIDATION_FAILED");
    assert!(reply.message().contains("nope"), "{}", reply.message());

    let reply = send(json!({
        "query": "query($n: Int) { organizations(first: $n) { totalCount } }",
        "variables": { "n": "ten" }
    }))
    .await;
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert_eq!(reply.code(), "GRAPHQL_VALIDATION_FAILED", "{}", reply.text);
    assert!(reply.body.get("data").is_none(), "{}", reply.text);

    // A field error during execution is not a request error: 200 with data and errors.
    let reply = send(json!({ "query": "{ organizations(first: -1) { totalCount } }" })).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.code(), "BAD_USER_INPUT");
    assert!(reply.body.get("data").is_some());
}

async fn application_json_gives_200_for_request_errors(app: TestApp) {
    let reply = app.post(json!({ "query": "{ organizations { " })).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.code(), "GRAPHQL_PARSE_FAILED");
    let reply = app
        .post(json!({ "query": "{ organizations(first: \"x\") { totalCount } }" }))
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.code(), "GRAPHQL_VALIDATION_FAILED");
}

async fn malformed_http_requests_are_rejected_with_codes(app: TestApp) {
    let json_ct = [("content-type", "application/json")];
    // (headers, body, expected status, words the message must contain)
    type Case<'a> = (&'a [(&'a str, &'a str)], Vec<u8>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (&json_ct, b"{not json".to_vec(), 400, "not valid JSON"),
        (&json_ct, vec![0xff, 0xfe, 0x00], 400, "not valid JSON"),
        (&json_ct, b"7".to_vec(), 400, "or a batch"),
        (&json_ct, b"{\"variables\":{}}".to_vec(), 400, "no `query`"),
        (
            &json_ct,
            b"{\"query\":42}".to_vec(),
            400,
            "must be a string",
        ),
        (
            &json_ct,
            b"{\"query\":\"{ stats { pacts } }\",\"variables\":[1]}".to_vec(),
            400,
            "must be an object",
        ),
        (
            &[("content-type", "text/plain")],
            b"{ stats { pacts } }".to_vec(),
            415,
            "application/json",
        ),
        (
            &[],
            b"{\"query\":\"{ stats { pacts } }\"}".to_vec(),
            415,
            "application/json",
        ),
    ];
    for (headers, body, status, needle) in cases {
        let reply = app
            .request(Method::POST, "/graphql", headers, Some(body))
            .await;
        assert_eq!(reply.status, status, "{}", reply.text);
        assert_eq!(reply.code(), "BAD_REQUEST");
        assert!(
            reply.message().contains(needle),
            "{:?} lacks {needle:?}",
            reply.message()
        );
    }
    let reply = app
        .request(
            Method::POST,
            "/graphql",
            &[("content-type", "application/json"), ("accept", "text/csv")],
            Some(b"{\"query\":\"{ stats { pacts } }\"}".to_vec()),
        )
        .await;
    assert_eq!(reply.status, 406);
    let too_big = format!(
        "{{\"query\":\"{{ stats {{ pacts }} }}\",\"x\":\"{}\"}}",
        "a".repeat(300 * 1024)
    );
    let reply = app
        .request(
            Method::POST,
            "/graphql",
            &json_ct,
            Some(too_big.into_bytes()),
        )
        .await;
    assert_eq!(reply.status, 413, "{}", reply.text);
    let reply = app
        .request(Method::GET, "/graphql?variables=%7Bbad", &[], None)
        .await;
    assert_eq!(reply.status, 400);
    // The server keeps serving after all of that.
    assert_eq!(
        app.data("{ stats { pacts } }", json!({})).await["stats"]["pacts"],
        8
    );
}

async fn mutations_over_get_are_refused(app: TestApp) {
    let path = format!("/graphql?query={}", urlencode("mutation { x }"));
    let reply = app.request(Method::GET, &path, &[], None).await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.headers.get("allow").unwrap(), "POST");
    let reply = app.request(Method::PUT, "/graphql", &[], None).await;
    assert_eq!(reply.status, 405);

    // Named, alone in its document, chosen by operationName among others: all refused, and
    // nothing runs (no token is issued, no record is written).
    let token = app.editor("get@example.org", EditorRole::Editor).await;
    let login = r#"mutation SignIn { login(email: "get@example.org", password: "x") { token } }"#;
    let create = r#"mutation Make { createSource(input: { slug: "made-over-get", url: "https://example.org/g", title: "G" }) { id } }"#;
    let both = format!("query Q {{ stats {{ pacts }} }} {create}");
    let auth = [("authorization", format!("Bearer {token}"))];
    let auth: Vec<(&str, &str)> = auth.iter().map(|(k, v)| (*k, v.as_str())).collect();
    for (query, operation) in [
        (login, None),
        (create, None),
        (create, Some("Make")),
        (both.as_str(), Some("Make")),
    ] {
        let mut path = format!("/graphql?query={}", urlencode(query));
        if let Some(name) = operation {
            path.push_str(&format!("&operationName={name}"));
        }
        let reply = app.request(Method::GET, &path, &auth, None).await;
        assert_eq!(reply.status, 405, "{query} ({operation:?}): {}", reply.text);
        assert_eq!(reply.code(), "BAD_REQUEST");
        assert!(!reply.text.contains("token\":\"ey"), "{}", reply.text);
    }
    let found = app
        .data_as(
            &token,
            r#"{ source(slug: "made-over-get") { id } }"#,
            json!({}),
        )
        .await;
    assert!(found["source"].is_null(), "{found}");
    // The one way a token is issued, POST, is never stored by a cache.
    let login =
        "mutation($p: String!) { login(email: \"get@example.org\", password: $p) { token } }";
    let reply = app
        .post(json!({ "query": login, "variables": { "p": harness::PASSWORD } }))
        .await;
    assert!(reply.data()["login"]["token"].is_string(), "{}", reply.text);
    assert_eq!(
        reply.headers.get("cache-control").unwrap(),
        "no-store",
        "{}",
        reply.text
    );
    // The query of a mixed document still runs over GET.
    let path = format!("/graphql?query={}&operationName=Q", urlencode(&both));
    let reply = app.request(Method::GET, &path, &[], None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.data()["stats"]["pacts"], 8);
}

async fn graphiql_health_and_unknown_paths(app: TestApp) {
    let reply = app
        .request(Method::GET, "/graphql", &[("accept", "text/html")], None)
        .await;
    assert_eq!(reply.status, 200);
    assert!(reply.content_type.starts_with("text/html"));
    assert!(reply.text.contains("graphiql"), "GraphiQL page expected");
    let policy = reply
        .headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    // Every script and stylesheet the page names is served here, cacheable for good.
    let page = reply.text.clone();
    let links: Vec<&str> = page
        .split(['"', '\''])
        .filter(|part| part.starts_with("/graphiql/"))
        .collect();
    assert_eq!(links.len(), 8, "{page}");
    for link in &links {
        let file = app.request(Method::GET, link, &[], None).await;
        assert_eq!(file.status, 200, "{link}");
        assert!(file.text.len() > 1000 || link.ends_with(".css"), "{link}");
        let cache = file.headers.get("cache-control").unwrap().to_str().unwrap();
        assert!(cache.contains("immutable"), "{link}: {cache}");
    }
    // Compressed once, in the encoding asked for, and decoding to the file itself.
    let bundle = links
        .iter()
        .find(|l| l.ends_with("/graphiql.min.js"))
        .unwrap();
    let original = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/api/assets/graphiql/graphiql.min.js"
    ))
    .unwrap();
    for (asked, served) in [
        ("br", Some("br")),
        ("gzip, deflate", Some("gzip")),
        ("identity", None),
    ] {
        let file = app
            .request(Method::GET, bundle, &[("accept-encoding", asked)], None)
            .await;
        let encoding = file
            .headers
            .get("content-encoding")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(
            encoding.as_deref().filter(|e| *e != "identity"),
            served,
            "{asked}"
        );
        assert!(
            file.text == original,
            "{asked}: the bundle decodes to the file"
        );
    }
    let missing = links[0].rsplit_once('/').unwrap().0.to_owned() + "/nope.js";
    let reply = app.request(Method::GET, &missing, &[], None).await;
    assert_eq!(reply.status, 404);
    let reply = app
        .request(Method::GET, "/graphiql/0.0.0/graphiql.min.js", &[], None)
        .await;
    assert_eq!(reply.status, 404, "another version's path");
    // Switched off, a browser gets the API's own answer to a request without a query.
    let off = harness::spawn_with(app.backend, |c| c.graphiql = false)
        .await
        .unwrap();
    let reply = off
        .request(
            Method::GET,
            "/graphql",
            &[("accept", "text/html,application/xhtml+xml,*/*;q=0.8")],
            None,
        )
        .await;
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert!(!reply.text.contains("graphiql"), "{}", reply.text);
    let reply = app.request(Method::GET, "/healthz", &[], None).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["status"], "ok");
    let reply = app.request(Method::GET, "/nope", &[], None).await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.code(), "NOT_FOUND");
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `/` says what this is and where things are; `/schema.graphql` is the SDL; HEAD is
/// answered wherever GET is.
async fn a_person_and_a_tool_find_their_way(app: TestApp) {
    let page = app
        .request(Method::GET, "/", &[("accept", "text/html")], None)
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.content_type.starts_with("text/html"),
        "{}",
        page.content_type
    );
    for link in [
        "href=\"/graphql\"",
        "href=\"/schema.graphql\"",
        "href=\"/healthz\"",
        "withdrawals(",
    ] {
        assert!(page.text.contains(link), "{link} missing");
    }
    assert!(page.text.contains(env!("CARGO_PKG_VERSION")));
    let sdl = app.request(Method::GET, "/schema.graphql", &[], None).await;
    assert_eq!(sdl.status, 200);
    assert!(
        sdl.content_type.starts_with("text/plain"),
        "{}",
        sdl.content_type
    );
    let stored = include_str!("../../schema.graphql");
    assert!(
        sdl.text == stored,
        "/schema.graphql differs from schema.graphql"
    );
    for path in [
        "/",
        "/schema.graphql",
        "/healthz",
        "/graphql?query=%7Bstats%7Bpacts%7D%7D",
    ] {
        let get = app
            .request(Method::GET, path, &[("accept", "application/json")], None)
            .await;
        let head = app
            .request(Method::HEAD, path, &[("accept", "application/json")], None)
            .await;
        assert_eq!(head.status, get.status, "HEAD {path}");
        assert_eq!(head.content_type, get.content_type, "HEAD {path}");
        assert!(head.text.is_empty(), "HEAD {path} has a body");
    }
}
