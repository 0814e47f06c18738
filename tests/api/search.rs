//! One-word search reads the best matches from a rank-ordered index on PostgreSQL
//! (`search_term`, kept by triggers). It must answer exactly what ranking every match would,
//! and follow every write: a draft, its publication, an edit of its text, its archiving.

use entity::enums::EditorRole;
use harness::{backend_tests, serde_json::json, Backend, TestApp};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::Value;

backend_tests!(
    one_word_search_follows_every_write,
    one_word_search_equals_ranking_every_match,
);

const SEARCH: &str = "query($q: String!, $kinds: [RecordKind!], $first: Int) {
  search(query: $q, kinds: $kinds, first: $first) { kind rank node {
    ... on Organization { slug } ... on Instrument { slug } ... on Withdrawal { slug }
    ... on Stakeholder { slug } ... on Reaction { slug } ... on Pact { slug }
    ... on Source { slug } ... on Correction { slug } } } }";

async fn slugs(app: &TestApp, token: Option<&str>, q: &str) -> Vec<String> {
    let vars = json!({ "q": q, "first": 20 });
    let data = match token {
        Some(t) => app.data_as(t, SEARCH, vars).await,
        None => app.data(SEARCH, vars).await,
    };
    data["search"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["node"]["slug"].as_str().unwrap().to_owned())
        .collect()
}

async fn one_word_search_follows_every_write(app: TestApp) {
    let token = app.editor("searcher@example.org", EditorRole::Editor).await;
    let created = app
        .data_as(
            &token,
            "mutation($i: OrganizationInput!) { createOrganization(input: $i) { id version } }",
            json!({ "i": { "slug": "zq-searched", "name": "Quixotically Searched Body",
                           "kind": "OTHER", "categories": ["research"], "digitalRelevance": "NONE",
                           "description": "Its quixotically rare word is searched for." } }),
        )
        .await["createOrganization"]
        .clone();
    let me = Some(token.as_str());
    assert_eq!(slugs(&app, me, "quixotically").await, ["zq-searched"]);
    assert!(
        slugs(&app, None, "quixotically").await.is_empty(),
        "a draft"
    );

    let source = app
        .data("{ sources(first: 1) { nodes { id } } }", json!({}))
        .await["sources"]["nodes"][0]["id"]
        .clone();
    app.data_as(
        &token,
        "mutation($r: ID!, $s: ID!) { attachSource(recordId: $r, sourceId: $s) { id } }",
        json!({ "r": created["id"], "s": source }),
    )
    .await;
    let version = |data: Value, field: &str| data[field]["version"].clone();
    let read = "query($id: ID!) { node(id: $id) { ... on Organization { version } } }";
    let v = version(
        app.data_as(&token, read, json!({ "id": created["id"] }))
            .await,
        "node",
    );
    let v = version(
        app.data_as(
            &token,
            "mutation($id: ID!, $v: Int!) { publish(id: $id, expectedVersion: $v) { ... on Organization { version } } }",
            json!({ "id": created["id"], "v": v }),
        )
        .await,
        "publish",
    );
    assert_eq!(slugs(&app, None, "quixotically").await, ["zq-searched"]);

    // Another text: found by its new word, no longer by the old one.
    let v = version(
        app.data_as(
            &token,
            "mutation($id: ID!, $v: Int!, $i: OrganizationInput!) {
               updateOrganization(id: $id, expectedVersion: $v, input: $i) { version } }",
            json!({ "id": created["id"], "v": v, "i": { "slug": "zq-searched",
                    "name": "Searched Body", "kind": "OTHER", "categories": ["research"],
                    "digitalRelevance": "NONE", "description": "Now about zymurgical things." } }),
        )
        .await,
        "updateOrganization",
    );
    assert!(slugs(&app, None, "quixotically").await.is_empty());
    assert_eq!(slugs(&app, None, "zymurgical").await, ["zq-searched"]);

    app.data_as(
        &token,
        "mutation($id: ID!, $v: Int!) { archive(id: $id, expectedVersion: $v) { ... on Organization { version } } }",
        json!({ "id": created["id"], "v": v }),
    )
    .await;
    assert!(slugs(&app, None, "zymurgical").await.is_empty(), "archived");
    assert_eq!(slugs(&app, me, "zymurgical").await, ["zq-searched"]);
}

/// Ranks every published match of a query, as the search did before the index.
const EVERY_MATCH: &str = "SELECT kind, slug, rank FROM (
  SELECT 'ORGANIZATION' AS kind, id, slug, ts_rank(search_vector, q)::float8 AS rank FROM organization, websearch_to_tsquery('english', $1) q WHERE status = 'PUBLISHED' AND search_vector @@ q
  UNION ALL SELECT 'INSTRUMENT', id, slug, ts_rank(search_vector, q)::float8 FROM instrument, websearch_to_tsquery('english', $1) q WHERE status = 'PUBLISHED' AND search_vector @@ q
  UNION ALL SELECT 'WITHDRAWAL', id, slug, ts_rank(search_vector, q)::float8 FROM withdrawal, websearch_to_tsquery('english', $1) q WHERE status = 'PUBLISHED' AND search_vector @@ q
  UNION ALL SELECT 'STAKEHOLDER', id, slug, ts_rank(search_vector, q)::float8 FROM stakeholder, websearch_to_tsquery('english', $1) q WHERE status = 'PUBLISHED' AND search_vector @@ q
  UNION ALL SELECT 'REACTION', id, slug, ts_rank(search_vector, q)::float8 FROM reaction, websearch_to_tsquery('english', $1) q WHERE status = 'PUBLISHED' AND search_vector @@ q
  UNION ALL SELECT 'PACT', id, slug, ts_rank(search_vector, q)::float8 FROM pact, websearch_to_tsquery('english', $1) q WHERE status = 'PUBLISHED' AND search_vector @@ q
  UNION ALL SELECT 'SOURCE', id, slug, ts_rank(search_vector, q)::float8 FROM source, websearch_to_tsquery('english', $1) q WHERE status = 'PUBLISHED' AND search_vector @@ q
  UNION ALL SELECT 'CORRECTION', id, slug, ts_rank(search_vector, q)::float8 FROM correction, websearch_to_tsquery('english', $1) q WHERE status = 'PUBLISHED' AND search_vector @@ q
) hits ORDER BY rank DESC, kind, id LIMIT 20";

async fn one_word_search_equals_ranking_every_match(app: TestApp) {
    // Words common in the dataset (many matches, ties in rank) and rarer ones; "Internet's"
    // and "UNESCO" stem or fold to one lexeme; two words take the general way.
    let words = [
        "internet",
        "withdrawal",
        "united",
        "organization",
        "health",
        "Internet's",
        "UNESCO",
        "climate",
        "cyber",
        "freedom online",
    ];
    for q in words {
        let data = app.data(SEARCH, json!({ "q": q, "first": 20 })).await;
        let got: Vec<(String, String, f64)> = data["search"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h["kind"].as_str().unwrap().to_owned(),
                    h["node"]["slug"].as_str().unwrap().to_owned(),
                    h["rank"].as_f64().unwrap(),
                )
            })
            .collect();
        if app.backend != Backend::Postgres {
            // SQLite searches substrings, without ranks to compare (queries.rs tests it).
            continue;
        }
        let rows = app
            .db
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                EVERY_MATCH,
                [q.into()],
            ))
            .await
            .unwrap();
        let want: Vec<(String, String, f64)> = rows
            .iter()
            .map(|r| {
                (
                    r.try_get("", "kind").unwrap(),
                    r.try_get("", "slug").unwrap(),
                    r.try_get("", "rank").unwrap(),
                )
            })
            .collect();
        assert!(!want.is_empty(), "{q} finds something");
        assert_eq!(got, want, "{q}");
    }
    if app.backend == Backend::Postgres {
        // The one-word answers above came from the index: without its entries for a word,
        // that word finds nothing (a word not asked before: no cached answer).
        app.db
            .execute_unprepared("DELETE FROM search_term WHERE lexeme = 'forum'")
            .await
            .unwrap();
        let data = app.data(SEARCH, json!({ "q": "forum", "first": 20 })).await;
        assert_eq!(data["search"], json!([]));
    }
    // A kind filter reads the same index.
    let data = app
        .data(
            SEARCH,
            json!({ "q": "internet", "kinds": ["REACTION"], "first": 5 }),
        )
        .await;
    let hits = data["search"].as_array().unwrap();
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h["kind"] == "REACTION"), "{hits:?}");
}
