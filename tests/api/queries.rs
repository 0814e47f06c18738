//! node/nodes, search, stats, timeline and what anonymous readers may see.

use chrono::Utc;
use entity::enums::*;
use harness::{backend_tests, serde_json::json, TestApp};
use sea_orm::{ActiveModelTrait, Set};

backend_tests!(
    node_round_trips_every_kind_and_rejects_bad_ids,
    search_finds_records_across_kinds,
    stats_add_up,
    timeline_is_ordered_and_pages_without_gaps,
    anonymous_readers_never_see_drafts,
);

async fn node_round_trips_every_kind_and_rejects_bad_ids(app: TestApp) {
    let lists = [
        "organizations",
        "instruments",
        "withdrawals",
        "stakeholders",
        "reactions",
        "pacts",
        "sources",
        "corrections",
    ];
    let mut ids = Vec::new();
    for list in lists {
        let data = app
            .data(
                &format!("{{ {list}(first: 1) {{ edges {{ node {{ id slug }} }} }} }}"),
                json!({}),
            )
            .await;
        let node = &data[list]["edges"][0]["node"];
        let again = app
            .data("query($id: ID!) { node(id: $id) { id __typename ... on Organization { slug } ... on Pact { slug } } }", json!({ "id": node["id"] }))
            .await;
        assert_eq!(again["node"]["id"], node["id"], "{list}");
        ids.push(node["id"].clone());
    }
    let data = app
        .data(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": ids }),
        )
        .await;
    let got: Vec<_> = data["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].clone())
        .collect();
    assert_eq!(got, ids, "nodes keeps the order asked");

    // A well-formed id of a record that does not exist is null, not an error.
    let missing = base64_id("Organization:999999");
    assert!(app
        .data(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": missing })
        )
        .await["node"]
        .is_null());
    for bad in [
        "",
        "nope",
        &base64_id("Planet:1"),
        &base64_id("Organization:abc"),
        &base64_id("Organization:-4"),
    ] {
        let reply = app
            .query(
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": bad }),
            )
            .await;
        assert_eq!(reply.code(), "BAD_USER_INPUT", "{bad:?}: {}", reply.text);
    }
    let too_many: Vec<String> = (1..=101)
        .map(|i| base64_id(&format!("Organization:{i}")))
        .collect();
    let reply = app
        .query(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": too_many }),
        )
        .await;
    assert_eq!(reply.code(), "BAD_USER_INPUT");
}

fn base64_id(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

async fn search_finds_records_across_kinds(app: TestApp) {
    let q = "query($q: String!, $kinds: [RecordKind!]) { search(query: $q, kinds: $kinds) { kind rank node { id ... on Organization { slug } ... on Correction { slug } } } }";
    let data = app.data(q, json!({ "q": "cyber expertise" })).await;
    let hits = data["search"].as_array().unwrap();
    assert!(
        hits.iter()
            .any(|h| h["node"]["slug"] == "global-forum-on-cyber-expertise"),
        "the GFCE is found: {hits:?}"
    );
    let kinds: std::collections::HashSet<_> =
        hits.iter().map(|h| h["kind"].as_str().unwrap()).collect();
    assert!(kinds.len() > 1, "search spans kinds: {kinds:?}");
    let ranks: Vec<f64> = hits.iter().map(|h| h["rank"].as_f64().unwrap()).collect();
    assert!(
        ranks.windows(2).all(|w| w[0] >= w[1]),
        "best first: {ranks:?}"
    );

    let data = app
        .data(
            q,
            json!({ "q": "Internet Governance Forum", "kinds": ["CORRECTION"] }),
        )
        .await;
    let hits = data["search"].as_array().unwrap();
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h["kind"] == "CORRECTION"));

    assert!(app.data(q, json!({ "q": "zzzqqqxxx" })).await["search"]
        .as_array()
        .unwrap()
        .is_empty());
    for bad in ["", "   "] {
        assert_eq!(
            app.query(q, json!({ "q": bad })).await.code(),
            "BAD_USER_INPUT"
        );
    }
    assert_eq!(
        app.query(q, json!({ "q": "x".repeat(201) })).await.code(),
        "BAD_USER_INPUT"
    );
    // Quotes, operators and SQL metacharacters are plain text.
    for odd in [
        "\"unclosed",
        "a & b | !c",
        "'; DROP TABLE organization; --",
        "-",
        "%_\\",
    ] {
        let reply = app.query(q, json!({ "q": odd })).await;
        assert!(
            reply.body.get("errors").is_none(),
            "{odd:?}: {}",
            reply.text
        );
    }
}

async fn stats_add_up(app: TestApp) {
    let data = app
        .data(
            "{ stats { organizations withdrawals reactions pacts
                organizationsByCategory { key count } organizationsByKind { key count }
                organizationsByDigitalRelevance { key count } withdrawalsByStatus { key count }
                reactionsByStance { key count } pactsByStatus { key count } correctionsByVerdict { key count }
                stanceByWithdrawal { withdrawal { slug } support oppose mixed neutral total } } }",
            json!({}),
        )
        .await;
    let s = &data["stats"];
    let sum = |k: &str| {
        s[k].as_array()
            .unwrap()
            .iter()
            .map(|c| c["count"].as_u64().unwrap())
            .sum::<u64>()
    };
    assert_eq!(s["organizations"], 72);
    assert_eq!(s["withdrawals"], 70);
    assert_eq!(sum("withdrawalsByStatus"), 70);
    assert_eq!(sum("organizationsByKind"), 72);
    assert_eq!(sum("organizationsByDigitalRelevance"), 72);
    assert_eq!(sum("reactionsByStance"), s["reactions"].as_u64().unwrap());
    assert_eq!(sum("pactsByStatus"), 8);
    assert_eq!(sum("correctionsByVerdict"), 10);
    let core = s["organizationsByDigitalRelevance"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "CORE")
        .unwrap();
    assert_eq!(core["count"], 4, "FOC, GFCE, IGF and ITU");
    let per_withdrawal = s["stanceByWithdrawal"].as_array().unwrap();
    assert!(!per_withdrawal.is_empty());
    for w in per_withdrawal {
        let parts: u64 = ["support", "oppose", "mixed", "neutral"]
            .iter()
            .map(|k| w[*k].as_u64().unwrap())
            .sum();
        assert_eq!(parts, w["total"].as_u64().unwrap());
        assert!(w["withdrawal"]["slug"].is_string());
    }
    let totals: Vec<u64> = per_withdrawal
        .iter()
        .map(|w| w["total"].as_u64().unwrap())
        .collect();
    assert!(
        totals.windows(2).all(|p| p[0] >= p[1]),
        "most reactions first"
    );
}

async fn timeline_is_ordered_and_pages_without_gaps(app: TestApp) {
    let q = "query($first: Int, $after: String, $f: TimelineFilter) { timeline(first: $first, after: $after, filter: $f) {
        edges { cursor node { date kind pactStatus record { id } } } pageInfo { hasNextPage endCursor } } }";
    let all = app
        .data(q, json!({ "first": 100, "f": { "to": "2026-01-06" } }))
        .await;
    let whole: Vec<_> = all["timeline"]["edges"].as_array().unwrap().clone();
    assert!(whole.len() > 5);
    let dates: Vec<&str> = whole
        .iter()
        .map(|e| e["node"]["date"].as_str().unwrap())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "in date order");
    assert!(dates.iter().all(|d| *d <= "2026-01-06"));
    assert_eq!(dates[0], "2025-02-04", "EO 14199 opens the timeline");

    // Small pages give the same events, once each.
    let mut paged = Vec::new();
    let mut after = serde_json::Value::Null;
    loop {
        let data = app
            .data(
                q,
                json!({ "first": 3, "after": after, "f": { "to": "2026-01-06" } }),
            )
            .await;
        paged.extend(
            data["timeline"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["cursor"].clone()),
        );
        if data["timeline"]["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = data["timeline"]["pageInfo"]["endCursor"].clone();
    }
    let cursors: Vec<_> = whole.iter().map(|e| e["cursor"].clone()).collect();
    assert_eq!(paged, cursors);

    // The 66 withdrawals announced on 7 January 2026 all appear, across pages.
    let data = app
        .data(q, json!({ "first": 100, "f": { "kinds": ["WITHDRAWAL_ANNOUNCED"], "from": "2026-01-07", "to": "2026-01-07" } }))
        .await;
    assert_eq!(data["timeline"]["edges"].as_array().unwrap().len(), 66);

    let pact_steps = app
        .data(
            q,
            json!({ "first": 100, "f": { "kinds": ["PACT_STATUS_CHANGED"] } }),
        )
        .await;
    assert!(pact_steps["timeline"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["node"]["pactStatus"] == "PAUSED"));

    let reply = app
        .query(
            q,
            json!({ "f": { "from": "2026-02-01", "to": "2026-01-01" } }),
        )
        .await;
    assert_eq!(reply.code(), "BAD_USER_INPUT");
    let reply = app.query(q, json!({ "after": "garbage" })).await;
    assert_eq!(reply.code(), "BAD_USER_INPUT");
}

async fn anonymous_readers_never_see_drafts(app: TestApp) {
    let now = Utc::now();
    let draft = entity::organization::ActiveModel {
        slug: Set("draft-body".into()),
        status: Set(RecordStatus::Draft),
        confidence: Set(Confidence::Unconfirmed),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        name: Set("Draft Cyber Body".into()),
        kind: Set(OrganizationKind::Other),
        digital_relevance: Set(DigitalRelevance::Core),
        hosted_by_un: Set(false),
        description: Set("Not yet published cyber body.".into()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    let id = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!("Organization:{}", draft.id))
    };
    let data = app
        .data(
            "query($id: ID!) { node(id: $id) { id } organization(slug: \"draft-body\") { id }
               organizations(filter: { text: \"Draft Cyber\" }) { totalCount }
               all: organizations { totalCount }
               search(query: \"Draft Cyber Body\") { node { id } }
               stats { organizations organizationsByDigitalRelevance { key count } } }",
            json!({ "id": id }),
        )
        .await;
    assert!(data["node"].is_null());
    assert!(data["organization"].is_null());
    assert_eq!(data["organizations"]["totalCount"], 0);
    assert_eq!(data["all"]["totalCount"], 72);
    assert!(data["search"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["node"]["id"] != id));
    assert_eq!(data["stats"]["organizations"], 72);
    let core = data["stats"]["organizationsByDigitalRelevance"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "CORE")
        .unwrap()
        .clone();
    assert_eq!(core["count"], 4);
}
