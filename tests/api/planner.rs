//! The planner answers common list and record selections from rows; the executor answers the
//! rest. Both must give the same answer to every query, for the public and for editors: each
//! query here goes to an app with the planner on and to one with it off, on one database, and
//! the answers (data and errors) must be equal. `/metrics` shows which queries the planner
//! took, so a planner that silently declined everything would fail too.

use entity::enums::EditorRole;
use harness::{backend_tests, serde_json::json, spawn_with, TestApp};
use serde_json::Value;

backend_tests!(
    planned_answers_equal_the_executors,
    planned_answers_are_the_same_on_every_transport
);

const WITHDRAWAL: &str = "id slug status confidence confidenceReason confidenceCeiling
    confidenceNote version createdAt updatedAt announcedOn effectiveOn withdrawalStatus
    fundingEnded rationale expectedImpact __typename";
const ORGANIZATION: &str = "id slug status confidence confidenceReason confidenceCeiling
    confidenceNote version createdAt updatedAt name acronym kind digitalRelevance listSection
    listPosition hostedByUn headquarters website description __typename";
const REACTION: &str = "id slug status confidence confidenceReason version createdAt
    updatedAt subjectKind stance summary reactedOn dateApproximate __typename";
const PAGE_INFO: &str = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor __typename }";

/// The planner's answers so far, from /metrics.
async fn planned(app: &TestApp) -> u64 {
    let text = app
        .request(awc::http::Method::GET, "/metrics", &[], None)
        .await
        .text;
    text.lines()
        .find_map(|l| l.strip_prefix("exodus_planner_answers_total "))
        .map(|n| n.trim().parse().unwrap())
        .unwrap_or(0)
}

/// Sends one query to both apps, as the public and as an editor; the answers must be equal,
/// and the planning app must have planned `expect` root fields each time.
async fn same(on: &TestApp, off: &TestApp, token: &str, query: &str, vars: Value, expect: u64) {
    for who in [None, Some(token)] {
        let before = planned(on).await;
        let (a, b) = match who {
            None => (
                on.query(query, vars.clone()).await,
                off.query(query, vars.clone()).await,
            ),
            Some(t) => (
                on.query_as(t, query, vars.clone()).await,
                off.query_as(t, query, vars.clone()).await,
            ),
        };
        assert_eq!(a.body, b.body, "{who:?} differ on {query} {vars}");
        assert_eq!(a.status, b.status, "{query}");
        let took = planned(on).await - before;
        assert_eq!(
            took, expect,
            "planner answers for {who:?} on {query} {vars}: {}",
            a.body
        );
    }
    assert_eq!(
        planned(off).await,
        0,
        "the planner answered with EXODUS_PLANNER off"
    );
}

async fn planned_answers_equal_the_executors(on: TestApp) {
    let url = on.database_url.clone();
    let off = spawn_with(on.backend, |c| {
        c.database_url = Some(url.clone());
        c.planner = false;
    })
    .await
    .unwrap();
    let token = on.editor("planner@example.org", EditorRole::Editor).await;

    // A draft reaction and a draft organization: editors see them, the public does not.
    let ids = on
        .data_as(
            &token,
            "{ withdrawals(first: 1) { nodes { id } } stakeholders(first: 1) { nodes { id } } }",
            json!({}),
        )
        .await;
    on.data_as(
        &token,
        "mutation($i: ReactionInput!) { createReaction(input: $i) { id } }",
        json!({ "i": { "slug": "planner-draft", "stance": "OPPOSE", "summary": "A draft.",
                       "stakeholderId": ids["stakeholders"]["nodes"][0]["id"],
                       "subjectId": ids["withdrawals"]["nodes"][0]["id"], "reactedOn": "2026-03-01" } }),
    )
    .await;
    on.data_as(
        &token,
        "mutation($i: OrganizationInput!) { createOrganization(input: $i) { id } }",
        json!({ "i": { "slug": "planner-org", "name": "Planner Draft Org", "kind": "INTERGOVERNMENTAL",
                       "categories": [], "digitalRelevance": "ADJACENT", "hostedByUn": false,
                       "description": "A draft." } }),
    )
    .await;

    // An archived organization: the public's withdrawals of it show no organization.
    let org = on
        .data_as(
            &token,
            "{ withdrawals(first: 1, after: null) { nodes { organization { id version } } } }",
            json!({}),
        )
        .await["withdrawals"]["nodes"][0]["organization"]
        .clone();
    on.data_as(
        &token,
        "mutation($id: ID!, $v: Int!) { archive(id: $id, expectedVersion: $v) { id } }",
        json!({ "id": org["id"], "v": org["version"] }),
    )
    .await;

    // Every field the planner answers, at every level, with aliases and __typename.
    let nested = format!(
        "query($after: String) {{ withdrawals(first: 7, after: $after) {{ __typename {PAGE_INFO}
            edges {{ __typename cursor node {{ {WITHDRAWAL}
                organization {{ {ORGANIZATION} }}
                reactions(first: 2) {{ __typename {PAGE_INFO} edges {{ cursor node {{ {REACTION} }} }}
                                       nodes {{ id }} }}
                few: reactions(first: 1) {{ nodes {{ stance }} }} }} }}
            n: nodes {{ w: id o: organization {{ name }} }} }} }}"
    );
    let mut after = Value::Null;
    for _ in 0..3 {
        same(&on, &off, &token, &nested, json!({ "after": after }), 1).await;
        let page = off.data(&nested, json!({ "after": after })).await;
        after = page["withdrawals"]["pageInfo"]["endCursor"].clone();
    }

    // The bench's page: one node plan with an organization and reactions, which PostgreSQL
    // reads as one statement (the relations joined to the page), paged forwards.
    let joined = "query($after: String) { withdrawals(first: 7, after: $after) {
        edges { node { id slug announcedOn withdrawalStatus organization { id name acronym }
                       reactions(first: 2) { nodes { id stance summary reactedOn } } } }
        pageInfo { endCursor hasNextPage } } }";
    let mut after = Value::Null;
    for _ in 0..3 {
        same(&on, &off, &token, joined, json!({ "after": after }), 1).await;
        let page = off.data(joined, json!({ "after": after })).await;
        after = page["withdrawals"]["pageInfo"]["endCursor"].clone();
    }
    // On PostgreSQL that page is one statement; SQLite reads the page and each relation
    // separately. Asked by an editor, whom the response cache does not answer. The least of
    // five runs: the change bus's periodic check shares the counter.
    let mut least = u64::MAX;
    for _ in 0..5 {
        let before = on.statements.get();
        on.data_as(&token, joined, json!({ "after": null })).await;
        least = least.min(on.statements.get() - before);
    }
    // One more for the editor's account, which every editor's request looks up.
    let expected = match on.backend {
        harness::Backend::Postgres => 1 + 1,
        harness::Backend::Sqlite => 3 + 1,
    };
    assert_eq!(least, expected, "statements for the joined page");

    // And backwards, in descending order, the joined reactions with their own cursors.
    let backwards = "query($before: String) { withdrawals(last: 6, before: $before, orderBy: ANNOUNCED_ON_DESC) {
        edges { cursor node { slug rationale organization { slug status }
                              reactions(first: 3) { edges { cursor node { slug stance } } pageInfo { hasNextPage endCursor } } } }
        pageInfo { hasPreviousPage hasNextPage startCursor } } }";
    let mut before = Value::Null;
    for _ in 0..3 {
        same(&on, &off, &token, backwards, json!({ "before": before }), 1).await;
        let page = off.data(backwards, json!({ "before": before })).await;
        before = page["withdrawals"]["pageInfo"]["startCursor"].clone();
    }

    // Orderings, filters and the other lists and records the planner knows.
    for (query, vars, expect) in [
        ("{ withdrawals(first: 20, orderBy: ANNOUNCED_ON_DESC, filter: { withdrawalStatus: [ANNOUNCED, EFFECTIVE] }) { edges { node { id slug announcedOn withdrawalStatus organization { name } } } } }".to_owned(), json!({}), 1),
        (format!("{{ organizations(first: 30) {{ nodes {{ {ORGANIZATION} }} {PAGE_INFO} }} }}"), json!({}), 1),
        (format!("{{ reactions(last: 5) {{ edges {{ cursor node {{ {REACTION} }} }} {PAGE_INFO} }} }}"), json!({}), 1),
        (format!("{{ a: organization(slug: \"planner-org\") {{ {ORGANIZATION} }} b: organization(slug: \"none-such\") {{ id }} }}"), json!({}), 2),
        ("{ instruments(first: 3) { nodes { id slug version } } pacts(first: 2) { nodes { id __typename } } }".to_owned(), json!({}), 2),
        // Text columns are read only for the fields that ask them: through an alias, in
        // `edges` for one field and in `nodes` for another.
        ("{ withdrawals(first: 9) { nodes { organization { a: acronym ... on Organization { website } } reactions(first: 2) { edges { node { s: summary } } nodes { slug confidenceNote } } } } }".to_owned(), json!({}), 1),
        // Fragments: named, inline, on the interface, on the connection.
        ("query { withdrawals(first: 4) { ...C } } fragment C on WithdrawalConnection { nodes { ...W ... on Node { id } ... { slug } } }
          fragment W on Withdrawal { announcedOn organization { ... on Organization { acronym } } }".to_owned(), json!({}), 1),
        // Variables in a nested page's arguments, their defaults, and @skip/@include.
        ("query($n: Int = 3, $s: Boolean!) { withdrawals(first: 5) { nodes { id reactions(first: $n) { nodes { id @skip(if: $s) summary } } slug @include(if: $s) } } }".to_owned(), json!({ "s": true }), 1),
        ("query($n: Int = 3, $s: Boolean!) { withdrawals(first: 5) { nodes { id reactions(first: $n) { nodes { id @skip(if: $s) summary } } slug @include(if: $s) } } }".to_owned(), json!({ "s": false, "n": 1 }), 1),
        // Search hits whose node is asked only for its id (one word, several words), and one
        // that asks more of the node.
        ("{ search(query: \"internet\", kinds: [REACTION, ORGANIZATION], first: 20) { kind rank node { id } } }".to_owned(), json!({}), 1),
        ("query($q: String!) { search(query: $q) { __typename kind r: rank node { __typename ... on Node { id } } } }".to_owned(), json!({ "q": "climate fund" }), 1),
        ("{ search(query: \"internet\") { kind node { id ... on Organization { name } } } }".to_owned(), json!({}), 0),
        // The executor's: totalCount, fields the planner does not know, merged keys, bad
        // arguments (whose errors must be the executor's, with their paths).
        ("{ withdrawals(first: 2) { totalCount nodes { id } } }".to_owned(), json!({}), 0),
        ("{ withdrawals(first: 2) { nodes { id instrument { title } } } }".to_owned(), json!({}), 0),
        ("{ withdrawals(first: 2) { nodes { id } nodes { slug } } }".to_owned(), json!({}), 0),
        ("{ withdrawals(first: 2) { nodes { organization { withdrawals(first: 1) { nodes { id } } } } } }".to_owned(), json!({}), 0),
        ("{ withdrawals(first: 2) { nodes { reactions(first: 1000) { nodes { id } } } } }".to_owned(), json!({}), 0),
        ("{ withdrawals(first: 2) { nodes { reactions(after: \"bm9wZQ\") { nodes { id } } } } }".to_owned(), json!({}), 0),
        ("{ organization(slug: \"planner-org\") { name categories } }".to_owned(), json!({}), 0),
    ] {
        same(&on, &off, &token, &query, vars, expect).await;
    }

    // A page of reactions after a cursor, as a client continues one.
    let first = off
        .data("{ withdrawals(first: 10) { nodes { reactions(first: 1) { pageInfo { endCursor } } } } }", json!({}))
        .await;
    let cursor = first["withdrawals"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|n| {
            n["reactions"]["pageInfo"]["endCursor"]
                .as_str()
                .map(str::to_owned)
        })
        .expect("a withdrawal with reactions");
    same(
        &on,
        &off,
        &token,
        "query($c: String) { withdrawals(first: 10) { nodes { slug reactions(first: 2, after: $c) { nodes { slug } pageInfo { hasPreviousPage hasNextPage } } } } }",
        json!({ "c": cursor }),
        1,
    )
    .await;
    off.stop().await;
}

/// Over HTTP the planner's JSON is copied into the response as it is; websockets and
/// server-sent events serialize responses themselves and get it as values. All three must
/// give the same answer, and the planner must have answered each.
async fn planned_answers_are_the_same_on_every_transport(app: TestApp) {
    let query = format!(
        "query($a: String) {{ withdrawals(first: 3, after: $a) {{ edges {{ cursor node {{
            {WITHDRAWAL} organization {{ {ORGANIZATION} }}
            reactions(first: 2) {{ nodes {{ {REACTION} }} {PAGE_INFO} }} }} }} {PAGE_INFO} }}
          organization(slug: \"freedom-online-coalition\") {{ {ORGANIZATION} }} }}"
    );
    let before = planned(&app).await;
    let http = app.query(&query, json!({ "a": null })).await;
    assert_eq!(http.status, 200, "{}", http.body);
    assert!(http.body.get("errors").is_none(), "{}", http.body);
    let edges = http.body["data"]["withdrawals"]["edges"]
        .as_array()
        .unwrap();
    assert_eq!(edges.len(), 3, "{}", http.body);
    assert!(edges[0]["node"]["reactions"]["nodes"].is_array());
    assert_eq!(
        http.body["data"]["organization"]["slug"],
        "freedom-online-coalition"
    );
    assert_eq!(
        planned(&app).await - before,
        2,
        "the planner answered over HTTP"
    );

    let mut ws = app.ws("graphql-transport-ws", json!({})).await.unwrap();
    ws.subscribe("1", &query, json!({ "a": null })).await;
    let message = ws
        .next_message(std::time::Duration::from_secs(10))
        .await
        .expect("an answer over the websocket");
    assert_eq!(message["type"], "next", "{message}");
    assert_eq!(
        message["payload"], http.body,
        "websocket and HTTP answers differ"
    );
    assert_eq!(
        planned(&app).await - before,
        4,
        "the planner answered over the websocket"
    );

    let sse = app
        .request(
            awc::http::Method::POST,
            "/graphql",
            &[
                ("content-type", "application/json"),
                ("accept", "text/event-stream"),
            ],
            Some(
                json!({ "query": query, "variables": { "a": null } })
                    .to_string()
                    .into_bytes(),
            ),
        )
        .await;
    let data = sse
        .text
        .lines()
        .find_map(|l| l.strip_prefix("data: ").or_else(|| l.strip_prefix("data:")))
        .unwrap_or_else(|| panic!("no event in {}", sse.text));
    let event: Value = serde_json::from_str(data.trim()).unwrap();
    assert_eq!(
        event, http.body,
        "server-sent event and HTTP answers differ"
    );
    assert_eq!(
        planned(&app).await - before,
        6,
        "the planner answered over SSE"
    );
}
