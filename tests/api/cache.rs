//! What the benchmark's fixes must not break: the response cache of anonymous queries serves
//! an answer only while the data is unchanged, and nested `reactions(first:)` (read with a
//! per-key limit in SQL) returns exactly the start of the full list.

use entity::enums::EditorRole;
use harness::{backend_tests, serde_json::json, TestApp};
use std::time::Duration;

backend_tests!(
    anonymous_answers_are_reused_until_the_data_changes,
    a_change_through_another_replica_empties_the_cache,
    nested_first_reactions_are_the_start_of_the_full_list,
);

const COUNT: &str = "query Count { stats { organizations } }";

/// How many answers to `operation` (its type and root field) came from the cache, read from
/// /metrics.
async fn cached(app: &TestApp, operation: &str) -> f64 {
    let reply = app
        .request(awc::http::Method::GET, "/metrics", &[], None)
        .await;
    let series =
        format!(r#"exodus_graphql_requests_total{{operation="{operation}",outcome="cached"}}"#);
    reply
        .text
        .lines()
        .find(|l| l.starts_with(&series))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

/// Creates, sources and publishes an organization; returns its id.
async fn publish_new_organization(app: &TestApp, token: &str, slug: &str) -> String {
    let create = "mutation($i: OrganizationInput!) { createOrganization(input: $i) { id } }";
    let input = json!({ "slug": slug, "name": "Cache Test Body", "kind": "MULTISTAKEHOLDER",
        "categories": ["cybersecurity"], "digitalRelevance": "CORE",
        "description": "A body used by the cache tests." });
    let id = app.data_as(token, create, json!({ "i": input })).await["createOrganization"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let source = app
        .data("{ sources(first: 1) { edges { node { id } } } }", json!({}))
        .await["sources"]["edges"][0]["node"]["id"]
        .clone();
    let attach = "mutation($r: ID!, $s: ID!) { attachSource(recordId: $r, sourceId: $s) { ... on Organization { version } } }";
    app.data_as(token, attach, json!({ "r": id, "s": source }))
        .await;
    let publish = "mutation($id: ID!) { publish(id: $id, expectedVersion: 1) { ... on Organization { status } } }";
    let published = app.data_as(token, publish, json!({ "id": id })).await;
    assert_eq!(published["publish"]["status"], "PUBLISHED");
    id
}

async fn anonymous_answers_are_reused_until_the_data_changes(app: TestApp) {
    let before = app.data(COUNT, json!({})).await["stats"]["organizations"]
        .as_u64()
        .unwrap();
    assert_eq!(cached(&app, "query.stats").await, 0.0);
    let again = app.data(COUNT, json!({})).await;
    assert_eq!(again["stats"]["organizations"], before);
    assert_eq!(
        cached(&app, "query.stats").await,
        1.0,
        "the second answer is reused"
    );

    // Editors see drafts, so their answers are never stored or served from the cache.
    let token = app.editor("cache@example.org", EditorRole::Editor).await;
    app.data_as(&token, COUNT, json!({})).await;
    app.data_as(&token, COUNT, json!({})).await;
    assert_eq!(cached(&app, "query.stats").await, 1.0);

    // A draft changes nothing the public sees, but the cache cannot know that: it is emptied
    // by any change, and the answer is computed again (and is the same).
    publish_new_organization(&app, &token, "cache-test-body").await;
    let after = app.data(COUNT, json!({})).await;
    assert_eq!(
        after["stats"]["organizations"],
        before + 1,
        "the published record is counted at once, not served stale"
    );
    assert_eq!(cached(&app, "query.stats").await, 1.0);
    app.data(COUNT, json!({})).await;
    assert_eq!(cached(&app, "query.stats").await, 2.0);

    // A different variable is a different answer.
    let q = "query Org($slug: String!) { organization(slug: $slug) { name } }";
    let found = app.data(q, json!({ "slug": "cache-test-body" })).await;
    assert_eq!(found["organization"]["name"], "Cache Test Body");
    let other = app.data(q, json!({ "slug": "no-such-body" })).await;
    assert!(other["organization"].is_null());
}

async fn a_change_through_another_replica_empties_the_cache(app: TestApp) {
    let replica = harness::replica_of(&app).await;
    let before = app.data(COUNT, json!({})).await["stats"]["organizations"]
        .as_u64()
        .unwrap();
    app.data(COUNT, json!({})).await;
    assert_eq!(cached(&app, "query.stats").await, 1.0);
    let token = replica
        .editor("replica@example.org", EditorRole::Editor)
        .await;
    publish_new_organization(&replica, &token, "replica-cache-body").await;
    // This replica hears of the change by notification (PostgreSQL) or by its periodic check
    // of the log (SQLite); until then it may answer from before the change, never after.
    // 2 s on SQLite on an idle machine; the deadline is for a loaded one.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let now = app.data(COUNT, json!({})).await["stats"]["organizations"]
            .as_u64()
            .unwrap();
        if now == before + 1 {
            break;
        }
        assert_eq!(now, before);
        assert!(
            tokio::time::Instant::now() < deadline,
            "the change never reached the other replica's cache"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn nested_first_reactions_are_the_start_of_the_full_list(app: TestApp) {
    let q = "{ withdrawals(first: 20) { edges { node { slug
        all: reactions(first: 100) { nodes { id reactedOn } } two: reactions(first: 2) { nodes { id } }
        none: reactions(first: 0) { nodes { id } } some: reactions { nodes { id } } } } } }";
    for token in [
        None,
        Some(app.editor("ed@example.org", EditorRole::Editor).await),
    ] {
        let data = match &token {
            None => app.data(q, json!({})).await,
            Some(t) => app.data_as(t, q, json!({})).await,
        };
        let edges = data["withdrawals"]["edges"].as_array().unwrap();
        let mut with_three = 0;
        for edge in edges {
            let node = &edge["node"];
            let all = node["all"]["nodes"].as_array().unwrap();
            let ids = |v: &harness::serde_json::Value| -> Vec<harness::serde_json::Value> {
                v["nodes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["id"].clone())
                    .collect()
            };
            let all_ids = ids(&node["all"]);
            assert_eq!(
                ids(&node["two"]),
                all_ids[..all.len().min(2)].to_vec(),
                "{}",
                node["slug"]
            );
            assert_eq!(
                ids(&node["some"]),
                all_ids[..all.len().min(20)].to_vec(),
                "the default page"
            );
            assert!(node["none"]["nodes"].as_array().unwrap().is_empty());
            let dates: Vec<&str> = all
                .iter()
                .map(|r| r["reactedOn"].as_str().unwrap())
                .collect();
            assert!(dates.windows(2).all(|w| w[0] <= w[1]), "earliest first");
            if all.len() >= 3 {
                with_three += 1;
            }
        }
        assert!(
            with_three > 0,
            "the dataset has withdrawals with several reactions"
        );
    }
}
