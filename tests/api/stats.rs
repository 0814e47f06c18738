//! `stats` reads counts the database keeps current in every write's transaction. Each count
//! and breakdown it offers must equal what the lists show the same viewer, after every kind
//! of write: drafts, publication, edits of the counted fields and categories, archiving.

use entity::enums::EditorRole;
use harness::{backend_tests, serde_json::json, TestApp};
use migration::{Migrator, MigratorTrait};
use serde_json::Value;
use std::collections::BTreeMap;

backend_tests!(stats_equal_the_lists_after_every_kind_of_write);

const STATS: &str = "{ stats { organizations withdrawals reactions pacts
    organizationsByCategory { key count } organizationsByKind { key count }
    organizationsByDigitalRelevance { key count } withdrawalsByStatus { key count }
    reactionsByStance { key count } pactsByStatus { key count } correctionsByVerdict { key count }
    stanceByWithdrawal { withdrawal { id } support oppose mixed neutral total } } }";

type Counts = BTreeMap<String, u64>;

/// Every node of one list, page by page, as the viewer sees it.
async fn all(app: &TestApp, token: Option<&str>, list: &str, fields: &str) -> Vec<Value> {
    let query = format!(
        "query($after: String) {{ {list}(first: 100, after: $after) {{
            nodes {{ {fields} }} pageInfo {{ hasNextPage endCursor }} }} }}"
    );
    let mut out = Vec::new();
    let mut after = Value::Null;
    loop {
        let vars = json!({ "after": after });
        let page = match token {
            Some(t) => app.data_as(t, &query, vars).await,
            None => app.data(&query, vars).await,
        }[list]
            .clone();
        out.extend(page["nodes"].as_array().unwrap().iter().cloned());
        if page["pageInfo"]["hasNextPage"] != true {
            return out;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

fn tally(nodes: &[Value], field: &str) -> Counts {
    let mut out = Counts::new();
    for n in nodes {
        match &n[field] {
            Value::Array(keys) => keys
                .iter()
                .for_each(|k| *out.entry(k.as_str().unwrap().to_owned()).or_default() += 1),
            k => *out.entry(k.as_str().unwrap().to_owned()).or_default() += 1,
        }
    }
    out
}

fn pairs(list: &Value) -> Counts {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["key"].as_str().unwrap().to_owned(),
                c["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// What the lists say, in the shape `stats` answers: (totals, breakdowns, stances).
async fn from_lists(app: &TestApp, token: Option<&str>) -> Value {
    let orgs = all(
        app,
        token,
        "organizations",
        "kind digitalRelevance categories",
    )
    .await;
    let withdrawals = all(app, token, "withdrawals", "id withdrawalStatus").await;
    let reactions = all(
        app,
        token,
        "reactions",
        "stance subject { __typename ... on Withdrawal { id } }",
    )
    .await;
    let pacts = all(app, token, "pacts", "pactStatus").await;
    let corrections = all(app, token, "corrections", "verdict").await;
    // Per withdrawal the viewer can see, its reactions by stance.
    let visible: Vec<&Value> = withdrawals.iter().map(|w| &w["id"]).collect();
    let mut stances: BTreeMap<String, Counts> = BTreeMap::new();
    for r in &reactions {
        let id = &r["subject"]["id"];
        if r["subject"]["__typename"] == "Withdrawal" && visible.contains(&id) {
            *stances
                .entry(id.as_str().unwrap().to_owned())
                .or_default()
                .entry(r["stance"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
    }
    json!({
        "totals": [orgs.len(), withdrawals.len(), reactions.len(), pacts.len()],
        "byCategory": tally(&orgs, "categories"),
        "byKind": tally(&orgs, "kind"),
        "byRelevance": tally(&orgs, "digitalRelevance"),
        "byStatus": tally(&withdrawals, "withdrawalStatus"),
        "byStance": tally(&reactions, "stance"),
        "byPactStatus": tally(&pacts, "pactStatus"),
        "byVerdict": tally(&corrections, "verdict"),
        "stances": stances,
    })
}

/// What `stats` says, in the same shape; also checks its lists are largest first.
async fn from_stats(app: &TestApp, token: Option<&str>) -> Value {
    let s = match token {
        Some(t) => app.data_as(t, STATS, json!({})).await,
        None => app.data(STATS, json!({})).await,
    }["stats"]
        .clone();
    for list in [
        "organizationsByCategory",
        "organizationsByKind",
        "withdrawalsByStatus",
        "reactionsByStance",
    ] {
        let counts: Vec<u64> = s[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["count"].as_u64().unwrap())
            .collect();
        assert!(
            counts.windows(2).all(|w| w[0] >= w[1]),
            "{list}: {counts:?}"
        );
    }
    let mut stances: BTreeMap<String, Counts> = BTreeMap::new();
    for w in s["stanceByWithdrawal"].as_array().unwrap() {
        let mut by = Counts::new();
        for (field, key) in [
            ("support", "SUPPORT"),
            ("oppose", "OPPOSE"),
            ("mixed", "MIXED"),
            ("neutral", "NEUTRAL"),
        ] {
            let n = w[field].as_u64().unwrap();
            if n > 0 {
                by.insert(key.to_owned(), n);
            }
        }
        assert_eq!(w["total"].as_u64().unwrap(), by.values().sum::<u64>());
        stances.insert(w["withdrawal"]["id"].as_str().unwrap().to_owned(), by);
    }
    json!({
        "totals": [s["organizations"], s["withdrawals"], s["reactions"], s["pacts"]],
        "byCategory": pairs(&s["organizationsByCategory"]),
        "byKind": pairs(&s["organizationsByKind"]),
        "byRelevance": pairs(&s["organizationsByDigitalRelevance"]),
        "byStatus": pairs(&s["withdrawalsByStatus"]),
        "byStance": pairs(&s["reactionsByStance"]),
        "byPactStatus": pairs(&s["pactsByStatus"]),
        "byVerdict": pairs(&s["correctionsByVerdict"]),
        "stances": stances,
    })
}

async fn agree(app: &TestApp, token: &str, step: &str) -> (Value, Value) {
    let public = from_stats(app, None).await;
    assert_eq!(public, from_lists(app, None).await, "public, after {step}");
    let editors = from_stats(app, Some(token)).await;
    assert_eq!(
        editors,
        from_lists(app, Some(token)).await,
        "editors, after {step}"
    );
    (public, editors)
}

async fn stats_equal_the_lists_after_every_kind_of_write(app: TestApp) {
    let token = app.editor("counts@example.org", EditorRole::Editor).await;
    let (public, _) = agree(&app, &token, "the dataset's load").await;
    assert_eq!(public["totals"], json!([72, 70, 33, 8]));

    // A draft organization and a draft reaction: the editors' counts only.
    let org = app
        .data_as(
            &token,
            "mutation($i: OrganizationInput!) { createOrganization(input: $i) { id version } }",
            json!({ "i": { "slug": "counted-body", "name": "Counted Body", "kind": "OTHER",
                           "categories": ["zq-counted", "climate"], "digitalRelevance": "CORE",
                           "description": "A body whose counts the test follows." } }),
        )
        .await["createOrganization"]
        .clone();
    let ids = app
        .data(
            "{ withdrawal(slug: \"freedom-online-coalition-withdrawal\") { id }
               stakeholders(first: 1) { nodes { id } } }",
            json!({}),
        )
        .await;
    let reaction = app
        .data_as(
            &token,
            "mutation($i: ReactionInput!) { createReaction(input: $i) { id version } }",
            json!({ "i": { "slug": "counted-reaction", "stance": "MIXED", "summary": "Counted.",
                           "stakeholderId": ids["stakeholders"]["nodes"][0]["id"],
                           "subjectId": ids["withdrawal"]["id"], "reactedOn": "2026-02-11" } }),
        )
        .await["createReaction"]
        .clone();
    let (public2, editors) = agree(&app, &token, "two drafts").await;
    assert_eq!(public2, public, "drafts moved the public's counts");
    assert_eq!(editors["byCategory"]["zq-counted"], 1);

    // Published: the public's counts too.
    let publish = "mutation($id: ID!, $v: Int!) { publish(id: $id, expectedVersion: $v) {
        ... on Organization { version } ... on Reaction { version } } }";
    let source = app
        .data("{ sources(first: 1) { nodes { id } } }", json!({}))
        .await["sources"]["nodes"][0]["id"]
        .clone();
    let mut versions = Vec::new();
    for record in [&org, &reaction] {
        app.data_as(
            &token,
            "mutation($r: ID!, $s: ID!) { attachSource(recordId: $r, sourceId: $s) { id } }",
            json!({ "r": record["id"], "s": source }),
        )
        .await;
        let node = app
            .data_as(
                &token,
                "query($id: ID!) { node(id: $id) { ... on Organization { version } ... on Reaction { version } } }",
                json!({ "id": record["id"] }),
            )
            .await;
        versions.push(node["node"]["version"].clone());
    }
    let org_v = app
        .data_as(
            &token,
            publish,
            json!({ "id": org["id"], "v": versions[0] }),
        )
        .await["publish"]["version"]
        .clone();
    let reaction_v = app
        .data_as(
            &token,
            publish,
            json!({ "id": reaction["id"], "v": versions[1] }),
        )
        .await["publish"]["version"]
        .clone();
    let (public, _) = agree(&app, &token, "publication").await;
    assert_eq!(public["byCategory"]["zq-counted"], 1);
    assert_eq!(public["totals"], json!([73, 70, 34, 8]));

    // Edits of the counted fields move a count from one key to another.
    let org_v = app
        .data_as(
            &token,
            "mutation($id: ID!, $v: Int!, $i: OrganizationInput!) {
               updateOrganization(id: $id, expectedVersion: $v, input: $i) { version } }",
            json!({ "id": org["id"], "v": org_v, "i": { "slug": "counted-body",
                    "name": "Counted Body", "kind": "PARTNERSHIP", "categories": ["zq-other"],
                    "digitalRelevance": "ADJACENT", "description": "Recategorized." } }),
        )
        .await["updateOrganization"]["version"]
        .clone();
    app.data_as(
        &token,
        "mutation($id: ID!, $v: Int!, $i: ReactionInput!) {
           updateReaction(id: $id, expectedVersion: $v, input: $i) { version } }",
        json!({ "id": reaction["id"], "v": reaction_v, "i": { "slug": "counted-reaction",
                "stance": "SUPPORT", "summary": "Counted, now in support.",
                "stakeholderId": ids["stakeholders"]["nodes"][0]["id"],
                "subjectId": ids["withdrawal"]["id"], "reactedOn": "2026-02-11" } }),
    )
    .await;
    let (public, _) = agree(&app, &token, "edits").await;
    assert_eq!(public["byCategory"].get("zq-counted"), None);
    assert_eq!(public["byCategory"]["zq-other"], 1);

    // Archived: out of the public's counts, still in the editors'.
    app.data_as(
        &token,
        "mutation($id: ID!, $v: Int!) { archive(id: $id, expectedVersion: $v) { ... on Organization { version } } }",
        json!({ "id": org["id"], "v": org_v }),
    )
    .await;
    let (public, editors) = agree(&app, &token, "archiving").await;
    assert_eq!(public["totals"], json!([72, 70, 34, 8]));
    assert_eq!(editors["byCategory"]["zq-other"], 1);

    // A database from before the counts: the migration counts what is there.
    let last = Migrator::migrations().len() - 1;
    Migrator::down(&app.db, Some(1)).await.unwrap();
    Migrator::up(&app.db, None).await.unwrap();
    assert_eq!(
        Migrator::get_applied_migrations(&app.db)
            .await
            .unwrap()
            .len(),
        last + 1
    );
    let (again, editors_again) = agree(&app, &token, "the counts' migration ran again").await;
    assert_eq!((again, editors_again), (public, editors));
}
