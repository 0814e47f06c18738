//! The shipped dataset: what it holds, that every record is sourced, and that loading it
//! twice changes nothing.

use crate::canary;
use entity::enums::EditorRole;
use harness::{backend_tests, serde_json::json, TestApp};
use serde_json::Value;

backend_tests!(
    the_dataset_holds_the_memorandum_and_its_context,
    corrections_are_queryable_with_their_evidence,
    every_published_record_cites_a_source,
    seeding_twice_changes_nothing,
);

async fn the_dataset_holds_the_memorandum_and_its_context(app: TestApp) {
    let data = app
        .data(
            "{ memo: instrument(slug: \"memo-2026-01-07\") { kind signedOn federalRegisterCitation withdrawals(first: 100) { totalCount nodes { slug } } }
               eo: instrument(slug: \"eo-14199\") { kind number signedOn publishedOn federalRegisterCitation withdrawals { nodes { organization { slug } } } }
               foc: organization(slug: \"freedom-online-coalition\") { digitalRelevance listSection listPosition
                 withdrawals { nodes { withdrawalStatus instrument { slug } } } }
               pacts(first: 20) { edges { node { slug parties { code role } statusHistory { pactStatus on } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["memo"]["kind"], "PRESIDENTIAL_MEMORANDUM");
    assert_eq!(data["memo"]["signedOn"], "2026-01-07");
    assert!(
        data["memo"]["federalRegisterCitation"].is_null(),
        "not found, so not invented"
    );
    assert_eq!(data["memo"]["withdrawals"]["totalCount"], 66);
    assert_eq!(
        data["memo"]["withdrawals"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        66
    );
    assert_eq!(data["eo"]["number"], "14199");
    assert_eq!(data["eo"]["signedOn"], "2025-02-04");
    assert_eq!(data["eo"]["publishedOn"], "2025-02-10");
    let eo_orgs: Vec<&str> = data["eo"]["withdrawals"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["organization"]["slug"].as_str().unwrap())
        .collect();
    assert_eq!(eo_orgs.len(), 2, "{eo_orgs:?}");
    assert_eq!(data["foc"]["digitalRelevance"], "CORE");
    assert_eq!(data["foc"]["listSection"], "NON_UN");
    assert_eq!(data["foc"]["listPosition"], 7);
    assert_eq!(
        data["foc"]["withdrawals"]["nodes"][0]["withdrawalStatus"],
        "NOTICE_GIVEN"
    );
    for pact in data["pacts"]["edges"].as_array().unwrap() {
        let parties = pact["node"]["parties"].as_array().unwrap();
        assert!(
            parties.iter().any(|p| p["code"] == "US"),
            "{}",
            pact["node"]["slug"]
        );
        assert!(!pact["node"]["statusHistory"].as_array().unwrap().is_empty());
    }
}

async fn corrections_are_queryable_with_their_evidence(app: TestApp) {
    let data = app
        .data(
            "{ igf: organization(slug: \"internet-governance-forum\") { id listSection withdrawals { nodes { slug } }
                 corrections { nodes { verdict claim finding sources { nodes { source { url } } } concerns { id } } } }
               corrections(filter: { verdict: [FALSE] }) { totalCount edges { node { claimSource { publisher } } } } }",
            json!({}),
        )
        .await;
    let igf = &data["igf"];
    assert!(igf["listSection"].is_null(), "the IGF is not on the list");
    assert!(igf["withdrawals"]["nodes"].as_array().unwrap().is_empty());
    let corrections = igf["corrections"]["nodes"].as_array().unwrap();
    assert!(!corrections.is_empty(), "the IGF claim is corrected");
    let c = &corrections[0];
    assert_eq!(c["verdict"], "FALSE");
    assert!(
        !c["sources"]["nodes"].as_array().unwrap().is_empty(),
        "with evidence"
    );
    assert!(c["concerns"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["id"] == igf["id"]));
    assert!(data["corrections"]["totalCount"].as_u64().unwrap() >= 2);

    let eo = app
        .data(
            "{ instrument(slug: \"eo-14199\") { corrections { nodes { verdict claim } } } }",
            json!({}),
        )
        .await;
    assert!(eo["instrument"]["corrections"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["verdict"] == "FALSE"));
}

/// Every node of a list, page by page, as the public or as an editor.
async fn walk(app: &TestApp, token: Option<&str>, list: &str) -> Vec<Value> {
    let mut nodes = Vec::new();
    let mut after = Value::Null;
    loop {
        let q = format!(
            "query($after: String) {{ {list}(first: 100, after: $after) {{ edges {{ node {{ id slug status sources {{ nodes {{ source {{ url }} }} }} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
        );
        let vars = json!({ "after": after });
        let data = match token {
            None => app.data(&q, vars).await,
            Some(t) => app.data_as(t, &q, vars).await,
        };
        for e in data[list]["edges"].as_array().unwrap() {
            nodes.push(e["node"].clone());
        }
        if data[list]["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = data[list]["pageInfo"]["endCursor"].clone();
    }
    nodes
}

async fn every_published_record_cites_a_source(app: TestApp) {
    // A draft and an archived record of every kind (the drafts cite no source): the public
    // lists must show neither, while an editor's lists show both.
    let token = app.editor("ed@example.org", EditorRole::Editor).await;
    let hidden = canary::hide_every_kind(&app, &token).await;
    for list in [
        "organizations",
        "instruments",
        "withdrawals",
        "stakeholders",
        "reactions",
        "pacts",
        "corrections",
        "sources",
    ] {
        let editors = walk(&app, Some(&token), list).await;
        let hidden_here = editors
            .iter()
            .filter(|n| n["slug"].as_str().unwrap().starts_with(canary::CANARY))
            .count();
        assert_eq!(
            hidden_here, 2,
            "an editor's {list} show the draft and the archived one"
        );
        let public = walk(&app, None, list).await;
        assert_eq!(public.len() + 2, editors.len(), "{list}");
        for node in &public {
            assert_eq!(node["status"], "PUBLISHED", "{list}: {node}");
            if list != "sources" {
                assert!(
                    !node["sources"]["nodes"].as_array().unwrap().is_empty(),
                    "{list} {} has no source",
                    node["slug"]
                );
            }
        }
        canary::assert_absent(
            &Value::Array(public).to_string(),
            &hidden,
            &format!("the public {list}"),
        );
    }
}

async fn seeding_twice_changes_nothing(app: TestApp) {
    // A seed run writes beside the app, not through it, so it does not move the response
    // cache's head: the same anonymous query before and after could be one stored answer.
    // The "after" query is therefore another text (its own cache entry), and editors' answers
    // (never cached; drafts included) and the change log's head are compared too.
    let state = |name: &str| {
        format!(
            "query {name} {{ stats {{ organizations withdrawals reactions pacts reactionsByStance {{ key count }} }}
               organizations {{ totalCount }} instruments {{ totalCount }} withdrawals {{ totalCount }}
               stakeholders {{ totalCount }} reactions {{ totalCount }} pacts {{ totalCount }}
               sources {{ totalCount }} corrections {{ totalCount }} }}"
        )
    };
    let token = app.editor("ed@example.org", EditorRole::Editor).await;
    let public_before = app.data(&state("Before"), json!({})).await;
    let editor_before = app.data_as(&token, &state("Before"), json!({})).await;
    let head_before = head(&app, &token).await;
    let dataset = exodus::seed::parse(exodus::seed::BUILTIN).unwrap();
    let report = exodus::seed::load(&app.db, &dataset).await.unwrap();
    assert_eq!(report.total(), 0, "{report}");
    assert_eq!(app.data(&state("After"), json!({})).await, public_before);
    assert_eq!(
        app.data_as(&token, &state("After"), json!({})).await,
        editor_before
    );
    assert_eq!(
        head(&app, &token).await,
        head_before,
        "no revision was written"
    );
}

/// The cursor of the newest revision, drafts included.
async fn head(app: &TestApp, token: &str) -> Value {
    let mut after = Value::Null;
    loop {
        let page = app
            .data_as(
                token,
                "query($a: String) { changes(after: $a, first: 100, includeDrafts: true) { pageInfo { endCursor hasNextPage } } }",
                json!({ "a": after }),
            )
            .await;
        after = page["changes"]["pageInfo"]["endCursor"].clone();
        if page["changes"]["pageInfo"]["hasNextPage"] == false {
            return after;
        }
    }
}
