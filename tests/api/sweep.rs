//! The visibility rule, swept (issue 13): every anonymous read path, with selections built
//! from the schema itself so that a field added later is swept too.
//!
//! - The canary sweep writes a marker into every hidden place — drafts and archived records
//!   of every kind, notes of links to drafts, an edit made while archived, text published
//!   then archived — and reads every root field, nested fields, `node`/`nodes`, slugs,
//!   search, stats, timeline, the `changes` query from the start, both subscription
//!   protocols replaying from the start, history/revision, GET and persisted queries,
//!   asserting that no marker and no hidden id ever appears.
//! - The differential check asks the same anonymous questions of two databases, one with
//!   hidden records (drafts of every kind, their edits, their links to published records)
//!   and one without, and requires the same answers (timestamps aside: the two were seeded
//!   at different moments).

use crate::canary::{self, Hidden, CANARY};
use awc::http::Method;
use entity::enums::EditorRole;
use harness::{backend_tests, serde_json::json, Backend, TestApp, LEGACY_WS, TRANSPORT_WS};
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

backend_tests!(
    no_anonymous_path_shows_a_hidden_marker,
    hidden_records_change_no_anonymous_answer,
);

/// An app whose limits let one request read everything.
async fn roomy(backend: Backend) -> TestApp {
    harness::spawn_with(backend, |c| {
        c.max_depth = 40;
        c.max_complexity = 100_000_000;
        c.max_body_bytes = 8 << 20;
        c.max_aliases = 100_000;
        c.max_root_fields = 200;
        c.max_page_size = 1000;
        c.rate_limit_anonymous = 1_000_000;
        c.rate_limit_editor = 1_000_000;
    })
    .await
    .unwrap()
}

const INTROSPECT: &str = r#"{ __schema { types { name kind
    fields { name args { name defaultValue type { ...T } } type { ...T } }
    possibleTypes { name } inputFields { name } } } }
  fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }"#;

/// The schema's types, by name, as introspection gives them.
struct Types(HashMap<String, Value>);

impl Types {
    async fn of(app: &TestApp) -> Self {
        let data = app.data(INTROSPECT, json!({})).await;
        let types = data["__schema"]["types"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["name"].as_str().unwrap().to_owned(), t.clone()))
            .collect();
        Types(types)
    }

    /// A type reference's named type: (kind, name).
    fn named(t: &Value) -> (&str, &str) {
        let mut t = t;
        while t["name"].is_null() {
            t = &t["ofType"];
        }
        (t["kind"].as_str().unwrap(), t["name"].as_str().unwrap())
    }

    fn needs_arguments(field: &Value) -> bool {
        field["args"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["type"]["kind"] == "NON_NULL" && a["defaultValue"].is_null())
    }

    /// Every field of `name` that takes no required argument, objects `depth` levels deep.
    /// Fields inside a type condition get an alias of their own (`Type_field`): the same
    /// name may have different types on different kinds.
    fn select(&self, name: &str, depth: usize, prefix: Option<&str>) -> String {
        let t = &self.0[name];
        match t["kind"].as_str().unwrap() {
            "OBJECT" => {
                let mut parts = Vec::new();
                for f in t["fields"].as_array().unwrap() {
                    if Self::needs_arguments(f) {
                        continue;
                    }
                    let field = f["name"].as_str().unwrap();
                    let alias = prefix.map_or(String::new(), |p| format!("{p}_{field}: "));
                    match Self::named(&f["type"]) {
                        ("SCALAR" | "ENUM", _) => parts.push(format!("{alias}{field}")),
                        ("OBJECT" | "INTERFACE" | "UNION", inner) if depth > 0 => {
                            parts.push(format!(
                                "{alias}{field} {{ {} }}",
                                self.select(inner, depth - 1, None)
                            ))
                        }
                        _ => {}
                    }
                }
                parts.join(" ")
            }
            _ => {
                let mut parts = vec!["__typename".to_owned()];
                for p in t["possibleTypes"].as_array().unwrap() {
                    let p = p["name"].as_str().unwrap();
                    parts.push(format!(
                        "... on {p} {{ {} }}",
                        self.select(p, depth, Some(p))
                    ));
                }
                parts.join(" ")
            }
        }
    }

    /// The query root's connections that take no required argument, by field name, with
    /// the name of their connection type.
    fn root_lists(&self) -> Vec<(String, String)> {
        self.0["Query"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| !Self::needs_arguments(f))
            .filter_map(|f| {
                let (_, name) = Self::named(&f["type"]);
                let field = f["name"].as_str().unwrap();
                (name.ends_with("Connection") && field != "changes")
                    .then(|| (field.to_owned(), name.to_owned()))
            })
            .collect()
    }
}

/// Every page of one root list, anonymously, as one JSON array of pages.
async fn every_page(app: &TestApp, types: &Types, field: &str, connection: &str) -> Vec<Value> {
    let query = format!(
        "query($a: String) {{ {field}(first: 1000, after: $a) {{ {} }} }}",
        types.select(connection, 4, None)
    );
    let mut pages = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = app.data(&query, json!({ "a": after })).await;
        let info = page[field]["pageInfo"].clone();
        pages.push(page);
        if info["hasNextPage"] != true {
            return pages;
        }
        after = info["endCursor"].clone();
    }
}

/// The whole public change feed, polled from the start, each event with everything.
async fn whole_feed(app: &TestApp, types: &Types) -> Vec<Value> {
    let query = format!(
        "query($a: String) {{ changes(first: 100, after: $a) {{ edges {{ node {{ {} }} }} pageInfo {{ hasNextPage endCursor }} }} }}",
        types.select("ChangeEvent", 3, None)
    );
    let mut events = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = app.data(&query, json!({ "a": after })).await;
        let page = &page["changes"];
        for e in page["edges"].as_array().unwrap() {
            events.push(e["node"].clone());
        }
        if page["pageInfo"]["hasNextPage"] != true {
            return events;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

/// The public feed replayed from the start by a subscription, until its last event.
async fn replayed(
    app: &TestApp,
    types: &Types,
    protocol: &'static str,
    last: &Value,
) -> Vec<Value> {
    let start = crate::canary::feed_start(app).await;
    let subscription = format!(
        "subscription($a: String) {{ changes(after: $a) {{ {} }} }}",
        types.select("ChangeEvent", 3, None)
    );
    let mut ws = app.ws(protocol, json!({})).await.unwrap();
    ws.subscribe("1", &subscription, json!({ "a": start }))
        .await;
    let mut events: Vec<Value> = Vec::new();
    while events.last().map(|e| &e["cursor"]) != Some(last) {
        let event = ws
            .next_event(Duration::from_secs(20))
            .await
            .unwrap_or_else(|| {
                panic!(
                    "{protocol}: the replay stopped after {} events",
                    events.len()
                )
            });
        events.push(event["changes"].clone());
    }
    ws.close().await;
    events
}

/// What the anonymous public can read, path by path: (path, answer).
async fn public_answers(app: &TestApp, hidden: &[Hidden]) -> Vec<(String, Value)> {
    let types = Types::of(app).await;
    let mut out = Vec::new();
    for (field, connection) in types.root_lists() {
        let pages = every_page(app, &types, &field, &connection).await;
        out.push((format!("{field} (POST)"), Value::Array(pages)));
        // Filtered by the marker's text, where the list has a text filter.
        let filter = format!(
            "{}Filter",
            &connection[..connection.len() - "Connection".len()]
        );
        let has_text = types.0.get(&filter).is_some_and(|f| {
            f["inputFields"]
                .as_array()
                .is_some_and(|fields| fields.iter().any(|i| i["name"] == "text"))
        });
        if has_text {
            let query = format!(
                "query($t: String) {{ {field}(first: 1000, filter: {{ text: $t }}) {{ {} }} }}",
                types.select(&connection, 4, None)
            );
            let found = app.data(&query, json!({ "t": CANARY })).await;
            out.push((format!("{field}(filter: text)"), found));
        }
    }
    let stats = format!("{{ stats {{ {} }} }}", types.select("Stats", 3, None));
    out.push(("stats".into(), app.data(&stats, json!({})).await));
    let node = types.select("Node", 3, None);
    let ids: Vec<&Value> = hidden.iter().map(|h| &h.id).collect();
    let nodes = format!("query($ids: [ID!]!) {{ nodes(ids: $ids) {{ {node} }} }}");
    out.push((
        "nodes".into(),
        app.data(&nodes, json!({ "ids": ids })).await,
    ));
    for h in hidden {
        let one = format!("query($id: ID!) {{ node(id: $id) {{ {node} }} }}");
        out.push((
            format!("node {}", h.slug),
            app.data(&one, json!({ "id": h.id })).await,
        ));
        let field = h.kind[..1].to_ascii_lowercase() + &h.kind[1..];
        let by_slug = format!(
            "query($s: String!) {{ {field}(slug: $s) {{ {} }} }}",
            types.select(h.kind, 3, None)
        );
        out.push((
            format!("{field}(slug: {})", h.slug),
            app.data(&by_slug, json!({ "s": h.slug })).await,
        ));
    }
    let hit = types.select("SearchHit", 3, None);
    for words in [CANARY, "cyber", "zqcanary cyber"] {
        let search = format!("query($q: String!) {{ search(query: $q, first: 100) {{ {hit} }} }}");
        out.push((
            format!("search {words}"),
            app.data(&search, json!({ "q": words })).await,
        ));
    }
    out
}

/// Panics if a public answer mentions a marker or the id of a record that was never public.
fn assert_clean(path: &str, answer: &Value, hidden: &[Hidden], removals_allowed: bool) {
    let text = answer.to_string();
    assert!(!text.contains(CANARY), "{path} shows a marker: {text:.800}");
    for h in hidden {
        // A record published and then archived was public: its removal may name it.
        if removals_allowed && h.status == "ARCHIVED" {
            continue;
        }
        let id = h.id.as_str().unwrap();
        assert!(
            !text.contains(id),
            "{path} names the {} {} {}",
            h.status,
            h.kind,
            h.slug
        );
    }
}

/// Markers in the places that are not records of their own: a citation note on a link to a
/// draft source, a claim about a draft, an edit made while archived (then reverted to the
/// published state), a correction about a draft. Returns the draft source (hidden).
async fn hide_in_links(app: &TestApp, token: &str, r: &canary::Refs) -> Vec<Hidden> {
    let create = |kind: &str, input: Value| {
        let q = format!("mutation($i: {kind}Input!) {{ create{kind}(input: $i) {{ id }} }}");
        let kind = kind.to_owned();
        async move {
            app.data_as(token, &q, json!({ "i": input })).await[format!("create{kind}")]["id"]
                .clone()
        }
    };
    let attach = "mutation($r: ID!, $s: ID!, $n: String) { attachSource(recordId: $r, sourceId: $s, note: $n) { ... on Node { id } } }";
    let set = |a: &str| {
        format!("mutation($id: ID!, $v: Int!) {{ {a}(id: $id, expectedVersion: $v) {{ ... on Node {{ id }} }} }}")
    };
    let source = canary::input("Source", "zqcanary-linked-source", r);
    let draft_source = create("Source", source).await;
    let org = json!({ "slug": "sweep-public-org", "name": "Sweep body", "kind": "OTHER",
                      "digitalRelevance": "NONE", "description": "Public text." });
    let org = create("Organization", org).await;
    app.data_as(token, attach, json!({ "r": org, "s": r.source, "n": null }))
        .await;
    app.data_as(
        token,
        attach,
        json!({ "r": org, "s": draft_source, "n": format!("{CANARY} note") }),
    )
    .await;
    app.data_as(token, &set("publish"), json!({ "id": org, "v": 1 }))
        .await;
    app.data_as(token, &set("archive"), json!({ "id": org, "v": 2 }))
        .await;
    let update = "mutation($id: ID!, $i: OrganizationInput!) { updateOrganization(id: $id, expectedVersion: 3, input: $i) { id } }";
    let edit = json!({ "slug": "sweep-public-org", "name": "Sweep body", "kind": "OTHER",
                       "digitalRelevance": "NONE", "description": format!("{CANARY} archived edit") });
    app.data_as(token, update, json!({ "id": org, "i": edit }))
        .await;
    let published = canary::publish_revision(app, token, &org).await;
    app.data_as(
        token,
        "mutation($r: ID!) { revert(revisionId: $r) { id } }",
        json!({ "r": published }),
    )
    .await;
    let draft_org = create(
        "Organization",
        canary::input("Organization", "zqcanary-claimed-org", r),
    )
    .await;
    let pact = json!({ "slug": "sweep-public-pact", "title": "Sweep pact", "kind": "BILATERAL",
                       "pactStatus": "PROPOSED", "summary": "A pact.",
                       "replaces": [{ "organizationId": draft_org, "note": format!("{CANARY} claim") }] });
    let pact = create("Pact", pact).await;
    app.data_as(
        token,
        attach,
        json!({ "r": pact, "s": r.source, "n": null }),
    )
    .await;
    app.data_as(token, &set("publish"), json!({ "id": pact, "v": 1 }))
        .await;
    let correction = json!({ "slug": "sweep-public-correction", "claim": "A claim.", "claimedIn": "Somewhere",
                             "verdict": "FALSE", "finding": "A finding.", "concerns": [r.organization, draft_org] });
    let correction = create("Correction", correction).await;
    app.data_as(
        token,
        attach,
        json!({ "r": correction, "s": r.source, "n": null }),
    )
    .await;
    app.data_as(token, &set("publish"), json!({ "id": correction, "v": 1 }))
        .await;
    vec![
        Hidden {
            kind: "Source",
            id: draft_source,
            slug: "zqcanary-linked-source".into(),
            status: "DRAFT",
        },
        Hidden {
            kind: "Organization",
            id: draft_org,
            slug: "zqcanary-claimed-org".into(),
            status: "DRAFT",
        },
    ]
}

async fn no_anonymous_path_shows_a_hidden_marker(app: TestApp) {
    let app = roomy(app.backend).await;
    let token = app.editor("sweep@example.org", EditorRole::Editor).await;
    let r = canary::refs(&app).await;
    let mut hidden = canary::hide_every_kind(&app, &token).await;
    hidden.extend(hide_in_links(&app, &token, &r).await);
    let types = Types::of(&app).await;

    // An editor following drafts meets every marker (the sweep below is not clean by
    // accident): the notes, the claim, the edit made while archived.
    let editors = app
        .data_as(&token, "{ changes(first: 1000, includeDrafts: true) { edges { node { revision { snapshot } } } } }", json!({}))
        .await
        .to_string();
    for marker in ["zqcanary note", "zqcanary claim", "zqcanary archived edit"] {
        assert!(editors.contains(marker), "{marker}");
    }

    for (path, answer) in public_answers(&app, &hidden).await {
        assert_clean(&path, &answer, &hidden, false);
    }
    // The change feed: polled, then replayed over both websocket protocols.
    let feed = whole_feed(&app, &types).await;
    assert_clean("changes", &Value::Array(feed.clone()), &hidden, true);
    let last = &feed.last().unwrap()["cursor"];
    for protocol in [TRANSPORT_WS, LEGACY_WS] {
        let events = replayed(&app, &types, protocol, last).await;
        assert_eq!(
            events, feed,
            "{protocol} replays what the query pages through"
        );
    }
    // Editors' fields refuse the public without showing anything.
    for query in [
        "query($id: ID!) { history(id: $id) { edges { node { snapshot } } } }",
        "{ editors { email } }",
    ] {
        let reply = app.query(query, json!({ "id": hidden[0].id })).await;
        assert_eq!(reply.code(), "UNAUTHENTICATED", "{}", reply.text);
        assert_clean(query, &reply.body, &hidden, false);
    }
    // GET, and a persisted query sent by its hash.
    for (field, connection) in types.root_lists() {
        let query = format!(
            "{{ {field}(first: 1000) {{ {} }} }}",
            types.select(&connection, 3, None)
        );
        let path = format!(
            "/graphql?{}",
            serde_urlencoded::to_string([("query", &query)]).unwrap()
        );
        let reply = app.request(Method::GET, &path, &[], None).await;
        assert_eq!(reply.status, 200, "{field}: {}", reply.text);
        assert_clean(&format!("GET {field}"), &reply.body, &hidden, false);
        let hash = exodus::http::persisted::hash(&query);
        let ext = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
        app.post(json!({ "query": query, "extensions": ext })).await;
        let path = format!(
            "/graphql?{}",
            serde_urlencoded::to_string([("extensions", ext.to_string())]).unwrap()
        );
        let reply = app.request(Method::GET, &path, &[], None).await;
        assert_eq!(reply.status, 200, "{field}: {}", reply.text);
        assert!(
            reply.body["data"][&field].is_object(),
            "{field}: {}",
            reply.text
        );
        assert_clean(&format!("persisted {field}"), &reply.body, &hidden, false);
    }
}

/// Timestamps differ between two databases seeded at different moments: they are replaced
/// by a placeholder before comparing, also inside cursors (a page ordered by creation time
/// has the time in its cursors). Dates (no time of day) are kept.
fn without_times(v: &Value) -> Value {
    match v {
        Value::String(s)
            if s.len() >= 19 && s.as_bytes()[10] == b'T' && s.as_bytes()[4] == b'-' =>
        {
            Value::String("<time>".into())
        }
        Value::Array(a) => Value::Array(a.iter().map(without_times).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| {
                    let v = match v.as_str() {
                        Some(cursor) if k.ends_with("ursor") => {
                            decoded(cursor).unwrap_or_else(|| v.clone())
                        }
                        _ => v.clone(),
                    };
                    (k.clone(), without_times(&v))
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A list cursor's content (base64 of JSON), if it is one.
fn decoded(cursor: &str) -> Option<Value> {
    let raw =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, cursor).ok()?;
    serde_json::from_slice(&raw).ok()
}

/// Drafts of every kind, edited, cited and linked to published records: what an editor
/// prepares before publishing. None of it may change an anonymous answer.
async fn prepare_drafts(app: &TestApp) -> Vec<Hidden> {
    let token = app.editor("drafts@example.org", EditorRole::Editor).await;
    let r = canary::refs(app).await;
    let mut hidden = Vec::new();
    for kind in [
        "Organization",
        "Instrument",
        "Withdrawal",
        "Stakeholder",
        "Reaction",
        "Pact",
        "Source",
        "Correction",
    ] {
        let lower = kind.to_ascii_lowercase();
        let slug = format!("{CANARY}-prepared-{lower}");
        let create = format!("mutation($i: {kind}Input!) {{ create{kind}(input: $i) {{ id }} }}");
        let id = app
            .data_as(
                &token,
                &create,
                json!({ "i": canary::input(kind, &slug, &r) }),
            )
            .await[format!("create{kind}")]["id"]
            .clone();
        if kind != "Source" {
            let attach = "mutation($r: ID!, $s: ID!) { attachSource(recordId: $r, sourceId: $s, note: \"zqcanary\") { ... on Node { id } } }";
            app.data_as(&token, attach, json!({ "r": id, "s": r.source }))
                .await;
        }
        let update = format!("mutation($id: ID!, $i: {kind}Input!) {{ update{kind}(id: $id, expectedVersion: 1, input: $i) {{ id }} }}");
        app.data_as(
            &token,
            &update,
            json!({ "id": id, "i": canary::input(kind, &slug, &r) }),
        )
        .await;
        hidden.push(Hidden {
            kind,
            id,
            slug,
            status: "DRAFT",
        });
    }
    hidden
}

async fn hidden_records_change_no_anonymous_answer(app: TestApp) {
    let with = roomy(app.backend).await;
    let without = roomy(app.backend).await;
    let hidden = prepare_drafts(&with).await;
    let types = Types::of(&with).await;
    let a = public_answers(&with, &hidden).await;
    let b = public_answers(&without, &hidden).await;
    assert_eq!(a.len(), b.len());
    for ((path, x), (_, y)) in a.iter().zip(&b) {
        assert_eq!(without_times(x), without_times(y), "{path} differs");
    }
    let x = Value::Array(whole_feed(&with, &types).await);
    let y = Value::Array(whole_feed(&without, &types).await);
    assert_eq!(
        without_times(&x),
        without_times(&y),
        "the change feed differs"
    );
    // The same for one record's feed: a draft's id answers as an id that never existed.
    let read = "query($ids: [ID!]) { changes(ids: $ids, first: 5) { edges { cursor } pageInfo { endCursor hasNextPage } } }";
    for h in &hidden {
        let x = with.data(read, json!({ "ids": [h.id] })).await;
        let y = without.data(read, json!({ "ids": [h.id] })).await;
        assert_eq!(x, y, "changes(ids: [{}])", h.slug);
    }
}
