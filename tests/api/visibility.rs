//! The visibility rule's regressions (issue 13): each a way hidden content once reached the
//! public, tested as an anonymous reader would meet it, next to what an editor sees.

use crate::canary::refs;
use entity::enums::EditorRole;
use harness::{backend_tests, serde_json::json, TestApp};
use serde_json::Value;

backend_tests!(
    replacement_claims_show_only_while_both_ends_are_visible,
    filters_do_not_look_through_hidden_records,
    a_nul_in_any_string_is_bad_user_input,
    the_feed_answers_alike_for_a_draft_and_an_unknown_record,
    revert_meets_the_publishing_rule,
    the_feed_serves_no_hidden_content,
    publishing_needs_what_a_record_cannot_do_without,
    hidden_revisions_cost_the_public_feed_a_bounded_number_of_statements,
);

/// Statements an anonymous `changes(after:, first: 1)` costs: the least of three runs (the
/// change bus's periodic check of the log shares the counter).
async fn feed_cost(app: &TestApp, after: &Value) -> u64 {
    let mut least = u64::MAX;
    for _ in 0..3 {
        let before = app.statements.get();
        let page = app
            .data(
                "query($a: String) { changes(after: $a, first: 1) { edges { cursor } } }",
                json!({ "a": after }),
            )
            .await;
        assert_eq!(page["changes"]["edges"], json!([]), "{page}");
        least = least.min(app.statements.get() - before);
    }
    least
}

/// The review measured 4,021 statements for an anonymous `changes(first: 1)` over 2,010
/// draft revisions (two per hidden revision). Now a batch of revisions costs a few
/// statements per kind, whatever is hidden in it: 301 hidden revisions cost about as much
/// as one.
async fn hidden_revisions_cost_the_public_feed_a_bounded_number_of_statements(app: TestApp) {
    let token = app.editor("cost@example.org", EditorRole::Editor).await;
    // The head of the log now (an editor following drafts sees every revision): every
    // revision after it is one of the draft's below.
    let mut after = Value::Null;
    loop {
        let page = app
            .data_as(&token, "query($a: String) { changes(after: $a, first: 100, includeDrafts: true) { pageInfo { endCursor hasNextPage } } }", json!({ "a": after }))
            .await;
        after = page["changes"]["pageInfo"]["endCursor"].clone();
        if page["changes"]["pageInfo"]["hasNextPage"] != true {
            break;
        }
    }
    let org = json!({ "slug": "zq-often-edited", "name": "Draft", "kind": "OTHER",
                      "digitalRelevance": "NONE", "description": "Edit 0." });
    let draft = create(&app, &token, "Organization", org).await;
    let one = feed_cost(&app, &after).await;
    let update = "mutation($id: ID!, $v: Int!, $i: OrganizationInput!) { updateOrganization(id: $id, expectedVersion: $v, input: $i) { version } }";
    for v in 1..=300 {
        let edit = json!({ "slug": "zq-often-edited", "name": "Draft", "kind": "OTHER",
                           "digitalRelevance": "NONE", "description": format!("Edit {v}.") });
        app.data_as(&token, update, json!({ "id": draft, "v": v, "i": edit }))
            .await;
    }
    let many = feed_cost(&app, &after).await;
    // Four batches of 100 instead of one, each a read and two lookups for one kind.
    assert!(
        many <= one + 12,
        "1 hidden revision: {one} statements; 301: {many}"
    );
}

/// What the public may read of one change, as the feed serves it: everything.
const EVENT: &str = "cursor id recordId kind action visible node { id ... on Organization { description } ... on Pact { replaces { note } } }
    revision { snapshot editor { id } diff { field before after } }";

/// Every change the public's `changes` query returns from the start, page by page.
async fn public_feed(app: &TestApp, token: Option<&str>, drafts: bool) -> Vec<Value> {
    let query = format!(
        "query($a: String, $d: Boolean) {{ changes(after: $a, first: 7, includeDrafts: $d) {{ edges {{ node {{ {EVENT} }} }} pageInfo {{ endCursor hasNextPage }} }} }}"
    );
    let mut after = Value::Null;
    let mut events = Vec::new();
    loop {
        let vars = json!({ "a": after, "d": drafts });
        let page = match token {
            Some(t) => app.data_as(t, &query, vars).await,
            None => app.data(&query, vars).await,
        };
        let page = &page["changes"];
        events.extend(
            page["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"].clone()),
        );
        if page["pageInfo"]["hasNextPage"] != true {
            return events;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

/// The numeric id inside a global id.
fn number(global: &Value) -> i64 {
    let raw = base64::Engine::decode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        global.as_str().unwrap(),
    )
    .unwrap();
    let raw = String::from_utf8(raw).unwrap();
    raw.rsplit(':').next().unwrap().parse().unwrap()
}

/// The change feed (item 2): no content of a record that is not published now, no reference
/// to a hidden record, no editor id, and diffs between states the public could see; read by
/// polling and by replaying a subscription from the start.
async fn the_feed_serves_no_hidden_content(app: TestApp) {
    let token = app.editor("feedleak@example.org", EditorRole::Editor).await;
    let r = refs(&app).await;
    let source = json!({ "slug": "zq-draft-source", "url": "https://example.org/zq", "title": "zqhidden draft source" });
    let draft_source = create(&app, &token, "Source", source).await;
    let set = |action: &str| {
        format!("mutation($id: ID!, $v: Int!) {{ {action}(id: $id, expectedVersion: $v) {{ ... on Node {{ id }} }} }}")
    };
    let attach = "mutation($r: ID!, $s: ID!, $n: String) { attachSource(recordId: $r, sourceId: $s, note: $n) { ... on Node { id } } }";
    let org = |slug: &str, text: &str| json!({ "slug": slug, "name": slug, "kind": "OTHER", "digitalRelevance": "NONE", "description": text });
    // A published organization citing a draft source; then archived, edited while archived,
    // and reverted to its published state.
    let a = create(&app, &token, "Organization", org("zq-a", "Public text.")).await;
    app.data_as(&token, attach, json!({ "r": a, "s": r.source, "n": null }))
        .await;
    app.data_as(
        &token,
        attach,
        json!({ "r": a, "s": draft_source, "n": "zqhidden-note" }),
    )
    .await;
    // (Citing does not change a record's version.)
    app.data_as(&token, &set("publish"), json!({ "id": a, "v": 1 }))
        .await;
    app.data_as(&token, &set("archive"), json!({ "id": a, "v": 2 }))
        .await;
    let update = "mutation($id: ID!, $v: Int!, $i: OrganizationInput!) { updateOrganization(id: $id, expectedVersion: $v, input: $i) { version } }";
    let edit = org("zq-a", "zqhidden-archived-edit");
    app.data_as(&token, update, json!({ "id": a, "v": 3, "i": edit }))
        .await;
    let published = crate::canary::publish_revision(&app, &token, &a).await;
    let revert = "mutation($r: ID!) { revert(revisionId: $r) { ... on Organization { status } } }";
    let reverted = app.data_as(&token, revert, json!({ "r": published })).await;
    assert_eq!(reverted["revert"]["status"], "PUBLISHED");
    // Published, then taken down.
    let b = create(
        &app,
        &token,
        "Organization",
        org("zq-b", "zqhidden-taken-down"),
    )
    .await;
    app.data_as(&token, attach, json!({ "r": b, "s": r.source, "n": null }))
        .await;
    app.data_as(&token, &set("publish"), json!({ "id": b, "v": 1 }))
        .await;
    app.data_as(&token, &set("archive"), json!({ "id": b, "v": 2 }))
        .await;
    // A published pact whose claim names a draft organization.
    let c = create(
        &app,
        &token,
        "Organization",
        org("zq-c", "zqhidden draft org"),
    )
    .await;
    let pact = json!({ "slug": "zq-pact", "title": "Pact", "kind": "BILATERAL", "pactStatus": "PROPOSED",
                       "summary": "A pact.", "replaces": [{ "organizationId": c, "note": "zqhidden-claim" }] });
    let p = create(&app, &token, "Pact", pact).await;
    app.data_as(&token, attach, json!({ "r": p, "s": r.source, "n": null }))
        .await;
    app.data_as(&token, &set("publish"), json!({ "id": p, "v": 1 }))
        .await;

    // Editors following drafts see every hidden thing above (the check below is not empty
    // by accident).
    let editors = serde_json::to_string(&public_feed(&app, Some(&token), true).await).unwrap();
    for marker in [
        "zqhidden-note",
        "zqhidden-archived-edit",
        "zqhidden-taken-down",
        "zqhidden-claim",
    ] {
        assert!(editors.contains(marker), "{marker} in {editors:.300}");
    }
    let public = public_feed(&app, None, false).await;
    let text = serde_json::to_string(&public).unwrap();
    assert!(!text.contains("zqhidden"), "{text}");
    for event in &public {
        let record = &event["revision"]["snapshot"]["record"];
        assert!(event["revision"]["editor"].is_null(), "{event}");
        if event["visible"] == true {
            assert!(
                record["created_by"].is_null() && record["updated_by"].is_null(),
                "{event}"
            );
            let sources = event["revision"]["snapshot"]["sources"].as_array().unwrap();
            assert!(
                sources
                    .iter()
                    .all(|s| s["sourceId"] != number(&draft_source)),
                "{event}"
            );
        }
    }
    // A's revert and the pact are there, with their content; B only as its removal.
    let of = |id: &Value| {
        public
            .iter()
            .filter(|e| &e["recordId"] == id)
            .collect::<Vec<_>>()
    };
    let a_events = of(&a);
    // Each event has its own id (a normalized cache keeps them apart); the record's is
    // `recordId`.
    assert!(a_events.len() >= 3, "{a_events:?}");
    let ids: std::collections::HashSet<&Value> = public.iter().map(|e| &e["id"]).collect();
    assert_eq!(ids.len(), public.len(), "event ids repeat");
    assert!(a_events.iter().all(|e| e["id"] != a));
    let revert_event = a_events
        .iter()
        .find(|e| e["action"] == "REVERT")
        .expect("the revert");
    assert_eq!(revert_event["node"]["description"], "Public text.");
    // Its diff is against the last published state: the edit made while archived is not
    // the "before" of anything, and the text did not change.
    let diff = revert_event["revision"]["diff"].as_array().unwrap();
    assert!(
        diff.iter().all(|c| c["field"] != "description"),
        "{revert_event}"
    );
    let b_events = of(&b);
    assert!(
        !b_events.is_empty()
            && b_events
                .iter()
                .all(|e| e["visible"] == false && e["node"].is_null()),
        "{b_events:?}"
    );
    let pact_events = of(&p);
    assert_eq!(pact_events.last().unwrap()["node"]["replaces"], json!([]));

    // A subscription replaying from the start delivers the same events.
    let start = crate::canary::feed_start(&app).await;
    let last = public.last().unwrap()["cursor"].clone();
    let mut ws = app.ws("graphql-transport-ws", json!({})).await.unwrap();
    let subscription = format!("subscription($a: String) {{ changes(after: $a) {{ {EVENT} }} }}");
    ws.subscribe("1", &subscription, json!({ "a": start }))
        .await;
    let mut replayed = Vec::new();
    while replayed.last().map(|e: &Value| &e["cursor"]) != Some(&last) {
        let event = ws
            .next_event(std::time::Duration::from_secs(10))
            .await
            .expect("the replay");
        replayed.push(event["changes"].clone());
    }
    assert_eq!(replayed, public);
}

/// Publishing needs the references a record cannot do without to be published (a
/// withdrawal's organization); optional ones (a correction's subjects) may stay drafts.
async fn publishing_needs_what_a_record_cannot_do_without(app: TestApp) {
    let token = app.editor("required@example.org", EditorRole::Editor).await;
    let r = refs(&app).await;
    let org = json!({ "slug": "zq-unpublished-parent", "name": "Parent", "kind": "OTHER",
                      "digitalRelevance": "NONE", "description": "Not yet." });
    let org = create(&app, &token, "Organization", org).await;
    let withdrawal = json!({ "slug": "zq-early-child", "organizationId": org, "instrumentId": r.instrument,
                             "announcedOn": "2026-03-01", "withdrawalStatus": "ANNOUNCED" });
    let withdrawal = create(&app, &token, "Withdrawal", withdrawal).await;
    let attach = "mutation($r: ID!, $s: ID!) { attachSource(recordId: $r, sourceId: $s) { ... on Node { id } } }";
    app.data_as(&token, attach, json!({ "r": withdrawal, "s": r.source }))
        .await;
    let publish = "mutation($id: ID!, $v: Int!) { publish(id: $id, expectedVersion: $v) { ... on Node { id } } }";
    let refused = app
        .query_as(&token, publish, json!({ "id": withdrawal, "v": 1 }))
        .await;
    assert_eq!(refused.code(), "BAD_USER_INPUT", "{}", refused.text);
    assert!(
        refused.message().contains(org.as_str().unwrap()),
        "{}",
        refused.text
    );
    // Once its organization is published, it can be.
    app.data_as(&token, attach, json!({ "r": org, "s": r.source }))
        .await;
    app.data_as(&token, publish, json!({ "id": org, "v": 1 }))
        .await;
    app.data_as(&token, publish, json!({ "id": withdrawal, "v": 1 }))
        .await;
    // A correction about a draft publishes; the draft stays out of its public subjects.
    let draft = json!({ "slug": "zq-still-draft", "name": "Draft", "kind": "OTHER",
                        "digitalRelevance": "NONE", "description": "Draft." });
    let draft = create(&app, &token, "Organization", draft).await;
    let correction = json!({ "slug": "zq-about-both", "claim": "A claim.", "claimedIn": "Somewhere",
                             "verdict": "FALSE", "finding": "A finding.", "concerns": [org, draft] });
    let correction = create(&app, &token, "Correction", correction).await;
    app.data_as(&token, attach, json!({ "r": correction, "s": r.source }))
        .await;
    app.data_as(&token, publish, json!({ "id": correction, "v": 1 }))
        .await;
    let read = "query($id: ID!) { node(id: $id) { ... on Correction { concerns { ... on Node { id } } } } }";
    let public = app.data(read, json!({ "id": correction })).await;
    assert_eq!(
        public["node"]["concerns"],
        json!([{ "id": org }]),
        "{public}"
    );
}

/// Reverting to a PUBLISH revision publishes again, so it needs a published source now: a
/// record whose only source was archived since stays archived (item 5).
async fn revert_meets_the_publishing_rule(app: TestApp) {
    let token = app.editor("revert@example.org", EditorRole::Editor).await;
    let source =
        json!({ "slug": "zq-only-source", "url": "https://example.org/only", "title": "Only" });
    let source = create(&app, &token, "Source", source).await;
    let set = |action: &str| {
        format!("mutation($id: ID!, $v: Int!) {{ {action}(id: $id, expectedVersion: $v) {{ ... on Node {{ id }} }} }}")
    };
    app.data_as(&token, &set("publish"), json!({ "id": source, "v": 1 }))
        .await;
    let org = json!({ "slug": "zq-reverted", "name": "Reverted", "kind": "OTHER",
                      "digitalRelevance": "NONE", "description": "Once published." });
    let org = create(&app, &token, "Organization", org).await;
    let attach = "mutation($r: ID!, $s: ID!) { attachSource(recordId: $r, sourceId: $s) { ... on Node { id } } }";
    app.data_as(&token, attach, json!({ "r": org, "s": source }))
        .await;
    app.data_as(&token, &set("publish"), json!({ "id": org, "v": 1 }))
        .await;
    let published = crate::canary::publish_revision(&app, &token, &org).await;
    app.data_as(&token, &set("archive"), json!({ "id": org, "v": 2 }))
        .await;
    app.data_as(&token, &set("archive"), json!({ "id": source, "v": 2 }))
        .await;

    let revert =
        "mutation($r: ID!) { revert(revisionId: $r) { ... on Organization { status version } } }";
    let refused = app
        .query_as(&token, revert, json!({ "r": published }))
        .await;
    assert_eq!(refused.code(), "BAD_USER_INPUT", "{}", refused.text);
    let state = "query($id: ID!) { node(id: $id) { ... on Organization { status version } } }";
    let now = app.data_as(&token, state, json!({ "id": org })).await;
    assert_eq!(
        now["node"],
        json!({ "status": "ARCHIVED", "version": 3 }),
        "{now}"
    );
    assert_eq!(
        app.data(state, json!({ "id": org })).await["node"],
        json!(null)
    );
    // With its source published again, the same revert goes through.
    app.data_as(&token, &set("publish"), json!({ "id": source, "v": 3 }))
        .await;
    let reverted = app.data_as(&token, revert, json!({ "r": published })).await;
    assert_eq!(reverted["revert"]["status"], "PUBLISHED", "{reverted}");
}

/// `changes(ids: [<a draft>])` used to end its page at the draft's last revision, so its
/// `endCursor` told a draft exists and how often it was edited. Now an anonymous reader gets
/// the same page for a draft's id as for an id that never existed.
async fn the_feed_answers_alike_for_a_draft_and_an_unknown_record(app: TestApp) {
    let token = app.editor("feed@example.org", EditorRole::Editor).await;
    let org = json!({ "slug": "zq-feed-draft", "name": "Draft", "kind": "OTHER",
                      "digitalRelevance": "NONE", "description": "Hidden." });
    let draft = create(&app, &token, "Organization", org).await;
    let update = "mutation($id: ID!, $v: Int!, $i: OrganizationInput!) { updateOrganization(id: $id, expectedVersion: $v, input: $i) { version } }";
    let again = json!({ "slug": "zq-feed-draft", "name": "Draft, edited", "kind": "OTHER",
                        "digitalRelevance": "NONE", "description": "Hidden." });
    app.data_as(&token, update, json!({ "id": draft, "v": 1, "i": again }))
        .await;
    // A published change after the draft's, so that the head is past the draft's revisions.
    let source =
        json!({ "slug": "zq-feed-later", "url": "https://example.org/later", "title": "Later" });
    let later = create(&app, &token, "Source", source).await;
    let publish =
        "mutation($id: ID!) { publish(id: $id, expectedVersion: 1) { ... on Node { id } } }";
    app.data_as(&token, publish, json!({ "id": later })).await;
    let ghost = harness::serde_json::Value::String(base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        "Organization:999999",
    ));
    let read = "query($ids: [ID!]) { changes(ids: $ids, first: 5) { edges { cursor } pageInfo { endCursor hasNextPage hasPreviousPage } } }";
    let editors = app.data_as(&token, read, json!({ "ids": [draft] })).await;
    assert_eq!(
        editors["changes"]["edges"].as_array().unwrap().len(),
        0,
        "{editors}"
    );
    let for_draft = app.data(read, json!({ "ids": [draft] })).await;
    let for_ghost = app.data(read, json!({ "ids": [ghost] })).await;
    assert_eq!(for_draft, for_ghost);
    assert_eq!(
        for_draft["changes"]["pageInfo"]["hasNextPage"], false,
        "{for_draft}"
    );
    // The page ends where it began: nothing hidden moved its cursor.
    let start = app
        .data(
            "{ changes(first: 0) { pageInfo { endCursor } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        for_draft["changes"]["pageInfo"]["endCursor"],
        start["changes"]["pageInfo"]["endCursor"]
    );
}

/// A NUL in a string argument (a variable or a literal, in a mutation, a filter or a search)
/// is BAD_USER_INPUT on both backends, and writes nothing; PostgreSQL used to answer INTERNAL.
async fn a_nul_in_any_string_is_bad_user_input(app: TestApp) {
    let token = app.editor("nul@example.org", EditorRole::Editor).await;
    let create = "mutation($i: SourceInput!) { createSource(input: $i) { id } }";
    let source = json!({ "i": { "slug": "nul-source", "url": "https://example.org/n", "title": "a\u{0}b" } });
    let cases = [
        (create, source),
        (
            "query($t: String!) { search(query: $t) { rank } }",
            json!({ "t": "x\u{0}" }),
        ),
        (
            "query($t: String) { corrections(filter: { text: $t }) { totalCount } }",
            json!({ "t": "\u{0}" }),
        ),
        (r#"{ search(query: "a\u0000") { rank } }"#, json!({})),
        (r#"{ organization(slug: "x\u0000y") { id } }"#, json!({})),
    ];
    for (query, variables) in cases {
        let reply = app.query_as(&token, query, variables).await;
        assert_eq!(reply.code(), "BAD_USER_INPUT", "{query}: {}", reply.text);
        assert!(reply.message().contains("NUL"), "{}", reply.text);
    }
    let found = app
        .data_as(
            &token,
            r#"{ source(slug: "nul-source") { id } }"#,
            json!({}),
        )
        .await;
    assert!(found["source"].is_null(), "{found}");
}

/// Creates a record through the API as `token`; its global id.
async fn create(
    app: &TestApp,
    token: &str,
    kind: &str,
    input: serde_json::Value,
) -> serde_json::Value {
    let query =
        format!("mutation($input: {kind}Input!) {{ create{kind}(input: $input) {{ id }} }}");
    let made = app.data_as(token, &query, json!({ "input": input })).await;
    made[format!("create{kind}")]["id"].clone()
}

/// Cites a published source for a record and publishes it.
async fn publish(app: &TestApp, token: &str, id: &serde_json::Value, source: &serde_json::Value) {
    let attach = "mutation($r: ID!, $s: ID!) { attachSource(recordId: $r, sourceId: $s) { ... on Node { id } } }";
    app.data_as(token, attach, json!({ "r": id, "s": source }))
        .await;
    let version = app
        .data_as(token, "query($id: ID!) { node(id: $id) { ... on Withdrawal { version } ... on Correction { version } ... on Organization { version } } }", json!({ "id": id }))
        .await["node"]["version"]
        .clone();
    let publish = "mutation($id: ID!, $v: Int!) { publish(id: $id, expectedVersion: $v) { ... on Node { id } } }";
    app.data_as(token, publish, json!({ "id": id, "v": version }))
        .await;
}

/// A published withdrawal and a published correction that refer to a draft organization:
/// filtering by that organization, its id or its attributes must answer as if it did not
/// exist, for anonymous readers; editors still find them.
async fn filters_do_not_look_through_hidden_records(app: TestApp) {
    let token = app.editor("filters@example.org", EditorRole::Editor).await;
    let r = refs(&app).await;
    let org = json!({ "slug": "zq-draft-parent", "name": "Draft parent", "kind": "PARTNERSHIP",
                      "categories": ["zqcategory"], "digitalRelevance": "CORE", "description": "Hidden." });
    let org = create(&app, &token, "Organization", org).await;
    // Published first (a withdrawal needs its organization published), hidden after.
    publish(&app, &token, &org, &r.source).await;
    let withdrawal = json!({ "slug": "zq-child-withdrawal", "organizationId": org, "instrumentId": r.instrument,
                             "announcedOn": "2026-03-01", "withdrawalStatus": "ANNOUNCED" });
    let withdrawal = create(&app, &token, "Withdrawal", withdrawal).await;
    publish(&app, &token, &withdrawal, &r.source).await;
    let archive =
        "mutation($id: ID!) { archive(id: $id, expectedVersion: 2) { ... on Node { id } } }";
    app.data_as(&token, archive, json!({ "id": org })).await;
    let correction = json!({ "slug": "zq-about-draft", "claim": "A claim.", "claimedIn": "Somewhere",
                             "verdict": "FALSE", "finding": "A finding.", "concerns": [org] });
    let correction = create(&app, &token, "Correction", correction).await;
    publish(&app, &token, &correction, &r.source).await;

    // An organization id that never existed, for the "as if it did not exist" comparison.
    let ghost = harness::serde_json::Value::String(base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        "Organization:999999",
    ));
    let read = r#"query($org: [ID!]) {
        byCategory: withdrawals(filter: { organizationCategory: ["zqcategory"] }) { totalCount }
        byKind: withdrawals(filter: { organizationKind: [PARTNERSHIP], withdrawalStatus: [ANNOUNCED] }) { totalCount edges { node { slug } } }
        byId: withdrawals(filter: { organization: $org }) { totalCount pageInfo { endCursor } }
        concerning: corrections(filter: { concerns: $org }) { totalCount pageInfo { endCursor } }
    }"#;
    let editors = app.data_as(&token, read, json!({ "org": [org] })).await;
    assert_eq!(editors["byCategory"]["totalCount"], 1, "{editors}");
    assert_eq!(editors["byId"]["totalCount"], 1, "{editors}");
    assert_eq!(editors["concerning"]["totalCount"], 1, "{editors}");
    assert!(
        editors["byKind"]
            .to_string()
            .contains("zq-child-withdrawal"),
        "{editors}"
    );
    let public = app.data(read, json!({ "org": [org] })).await;
    assert_eq!(public["byCategory"]["totalCount"], 0, "{public}");
    assert!(
        !public["byKind"].to_string().contains("zq-child-withdrawal"),
        "{public}"
    );
    // The same answer as for an id that never existed.
    let unknown = app.data(read, json!({ "org": [ghost] })).await;
    assert_eq!(public["byId"], unknown["byId"], "{public} / {unknown}");
    assert_eq!(
        public["concerning"], unknown["concerning"],
        "{public} / {unknown}"
    );
    assert_eq!(public["byId"]["totalCount"], 0, "{public}");
}

async fn replacement_claims_show_only_while_both_ends_are_visible(app: TestApp) {
    let token = app.editor("vis@example.org", EditorRole::Editor).await;
    let r = refs(&app).await;
    let pact = |slug: &str, claims: serde_json::Value| {
        json!({ "slug": slug, "title": slug, "kind": "BILATERAL", "pactStatus": "PROPOSED",
                "summary": "A pact.", "replaces": claims })
    };
    let create = "mutation($input: PactInput!) { createPact(input: $input) { id version } }";
    // A draft pact claiming to replace a published organization and withdrawal.
    let claims = json!([
        { "organizationId": r.organization, "note": "zqclaim of a draft pact" },
        { "withdrawalId": r.withdrawal, "note": "zqclaim of a draft pact" },
    ]);
    let input = pact("zq-draft-pact", claims);
    app.data_as(&token, create, json!({ "input": input })).await;
    // A published pact claiming to replace a draft organization.
    let org = json!({ "slug": "zq-hidden-org", "name": "Hidden", "kind": "MULTISTAKEHOLDER",
                      "digitalRelevance": "NONE", "description": "Hidden." });
    let hidden = app
        .data_as(
            &token,
            "mutation($input: OrganizationInput!) { createOrganization(input: $input) { id } }",
            json!({ "input": org }),
        )
        .await;
    let claims = json!([{ "organizationId": hidden["createOrganization"]["id"], "note": "zqclaim about a draft" }]);
    let input = pact("zq-public-pact", claims);
    let made = app.data_as(&token, create, json!({ "input": input })).await;
    let id = made["createPact"]["id"].clone();
    let attach = "mutation($r: ID!, $s: ID!) { attachSource(recordId: $r, sourceId: $s) { ... on Pact { version } } }";
    let attached = app
        .data_as(&token, attach, json!({ "r": id, "s": r.source }))
        .await;
    let version = attached["attachSource"]["version"].clone();
    let publish = "mutation($id: ID!, $v: Int!) { publish(id: $id, expectedVersion: $v) { ... on Pact { status } } }";
    let published = app
        .data_as(&token, publish, json!({ "id": id, "v": version }))
        .await;
    assert_eq!(published["publish"]["status"], "PUBLISHED");

    let read = r#"{
        o: organization(slug: "freedom-online-coalition") { replacedBy { note } }
        w: withdrawal(slug: "freedom-online-coalition-withdrawal") { replacedBy { note } }
        p: pact(slug: "zq-public-pact") { replaces { note organization { id } } }
    }"#;
    // Editors see every claim (so the public's answer below is not empty by accident).
    let seen = app.data_as(&token, read, json!({})).await.to_string();
    assert_eq!(seen.matches("zqclaim of a draft pact").count(), 2, "{seen}");
    assert!(seen.contains("zqclaim about a draft"), "{seen}");
    // The public sees the published pact, and no claim with a hidden end.
    let public = app.data(read, json!({})).await;
    assert_eq!(public["p"]["replaces"], json!([]), "{public}");
    assert!(!public.to_string().contains("zqclaim"), "{public}");
}
