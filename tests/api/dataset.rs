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
    every_record_says_why_it_is_as_confident_as_it_is,
    the_audits_corrections_are_in_the_record,
    a_new_release_corrects_what_no_editor_touched,
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
        "EFFECTIVE"
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
    // Nor does bringing existing records up to it: they already match.
    let report = exodus::seed::sync(&app.db, &dataset).await.unwrap();
    assert_eq!(
        (
            report.total(),
            report.total_updated(),
            report.total_archived()
        ),
        (0, 0, 0),
        "{report}"
    );
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

/// Every published record carries a computed confidence with its reason; nothing the dataset
/// publishes is UNCONFIRMED; and the totals by confidence agree with the filter.
async fn every_record_says_why_it_is_as_confident_as_it_is(app: TestApp) {
    for (list, filter) in [
        ("organizations", "OrganizationFilter"),
        ("instruments", "InstrumentFilter"),
        ("withdrawals", "WithdrawalFilter"),
        ("stakeholders", "StakeholderFilter"),
        ("reactions", "ReactionFilter"),
        ("pacts", "PactFilter"),
        ("corrections", "CorrectionFilter"),
        ("sources", "SourceFilter"),
    ] {
        let mut seen = std::collections::HashMap::new();
        let mut after: Option<String> = None;
        loop {
            let q = format!(
                "query($a: String) {{ {list}(first: 100, after: $a) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ slug confidence confidenceReason }} }} }}"
            );
            let page = app.data(&q, json!({ "a": after })).await;
            for node in page[list]["nodes"].as_array().unwrap() {
                let reason = node["confidenceReason"].as_str().unwrap();
                assert!(!reason.is_empty(), "{list} {}", node["slug"]);
                if list != "sources" {
                    assert_ne!(node["confidence"], "UNCONFIRMED", "{list} {node}");
                }
                *seen
                    .entry(node["confidence"].as_str().unwrap().to_owned())
                    .or_insert(0u64) += 1;
            }
            let info = &page[list]["pageInfo"];
            if info["hasNextPage"] != true {
                break;
            }
            after = info["endCursor"].as_str().map(str::to_owned);
        }
        for (level, count) in &seen {
            let q = format!("query($f: {filter}) {{ {list}(filter: $f) {{ totalCount }} }}");
            let counted = app
                .data(&q, json!({ "f": { "confidence": [level] } }))
                .await;
            assert_eq!(counted[list]["totalCount"], *count, "{list} {level}");
        }
    }
    // Records the audit found resting on one outlet are no longer called confirmed.
    let single = app
        .data(
            "{ a: organization(slug: \"escwa\") { confidence confidenceReason }
               b: instrument(slug: \"foc-letter-2026-02-10\") { confidence confidenceReason }
               c: pact(slug: \"india-us-ai-opportunity-partnership\") { confidence } }",
            json!({}),
        )
        .await;
    assert_eq!(single["a"]["confidence"], "SINGLE_SOURCE", "{single}");
    assert_eq!(
        single["b"]["confidenceReason"],
        "One publisher only: Media Rights Agenda."
    );
    assert_eq!(single["c"]["confidence"], "SINGLE_SOURCE");
}

/// The audit's findings, as the public reads them now.
async fn the_audits_corrections_are_in_the_record(app: TestApp) {
    let d = app
        .data(
            "{ nuclear: pact(slug: \"us-uk-atlantic-partnership-advanced-nuclear-energy\") { pactStatus statusHistory { pactStatus on } confidence }
               pax: pact(slug: \"pax-silica-declaration\") { parties { code role joinedOn } }
               gcf: correction(slug: \"alo360-green-climate-fund\") { verdict concerns { ... on Withdrawal { slug effectiveOn withdrawalStatus } } }
               foc: withdrawal(slug: \"freedom-online-coalition-withdrawal\") { withdrawalStatus effectiveOn fundingEnded confidence confidenceNote }
               camera: reaction(slug: \"la-camera-2026-01-10\") { reactedOn dateApproximate }
               tpd: pact(slug: \"us-uk-technology-prosperity-deal\") { replaces { note } }
               sources(first: 100) { nodes { url isMirror originalPublisher pointsToDocument } } }",
            json!({}),
        )
        .await;
    assert_eq!(d["nuclear"]["pactStatus"], "PROPOSED");
    assert_eq!(d["nuclear"]["statusHistory"][0]["on"], "2025-09-15");
    assert_eq!(d["nuclear"]["confidence"], "CONFIRMED");
    let parties = d["pax"]["parties"].as_array().unwrap();
    let uae = parties.iter().find(|p| p["code"] == "AE").unwrap();
    assert_eq!(uae["joinedOn"], "2026-01-14");
    assert!(
        parties.iter().all(|p| p["code"] != "NL"),
        "the Netherlands did not sign"
    );
    assert_eq!(d["gcf"]["verdict"], "MISLEADING");
    assert!(
        d["gcf"]["concerns"].as_array().unwrap().iter().any(|c| {
            c["slug"] == "green-climate-fund-withdrawal" && c["effectiveOn"] == "2026-01-08"
        }),
        "{}",
        d["gcf"]
    );
    assert_eq!(d["foc"]["withdrawalStatus"], "EFFECTIVE");
    assert_eq!(d["foc"]["effectiveOn"], "2026-02-10");
    assert!(d["foc"]["fundingEnded"].is_null());
    assert_eq!(d["foc"]["confidence"], "SINGLE_SOURCE");
    assert_eq!(d["camera"]["reactedOn"], "2026-01-11");
    assert_eq!(d["tpd"]["replaces"], json!([]));
    for s in d["sources"]["nodes"].as_array().unwrap() {
        assert_eq!(s["pointsToDocument"], true, "{s}");
        assert_eq!(s["isMirror"], s["originalPublisher"].is_string(), "{s}");
    }
}

/// A release whose dataset corrects records reaches a database seeded by an earlier one: the
/// records only the dataset wrote are updated (an UPDATE revision by no editor, which the
/// change feed carries), the ones an editor touched keep the editor's state, a record the
/// dataset dropped is archived, and loading the same dataset again changes nothing. A server
/// starting on a database last loaded with another dataset does the same by itself.
async fn a_new_release_corrects_what_no_editor_touched(app: TestApp) {
    use sea_orm::ConnectionTrait;
    let builtin: Value = harness::serde_json::from_str(exodus::seed::BUILTIN).unwrap();
    // The "earlier release": the Freedom Online Coalition exit only noticed, IRENA's head
    // reacting a day earlier, and a stakeholder the later release drops.
    let mut older = builtin.clone();
    for w in older["withdrawals"].as_array_mut().unwrap() {
        if w["slug"] == "freedom-online-coalition-withdrawal" {
            w["withdrawalStatus"] = "NOTICE_GIVEN".into();
            w["effectiveOn"] = Value::Null;
            w.as_object_mut().unwrap().remove("confidence");
            w.as_object_mut().unwrap().remove("confidenceNote");
        }
    }
    for r in older["reactions"].as_array_mut().unwrap() {
        if r["slug"] == "la-camera-2026-01-10" {
            r["reactedOn"] = "2026-01-10".into();
        }
    }
    let source = older["sources"][0]["slug"].clone();
    older["stakeholders"].as_array_mut().unwrap().push(json!({
        "slug": "dropped-later", "name": "Dropped Later", "kind": "INDIVIDUAL",
        "sources": [{ "source": source, "note": "cited by the earlier release" }] }));
    let load = |data: &Value| {
        let text = data.to_string();
        let db = app.db.clone();
        async move {
            let parsed = exodus::seed::parse(&text).unwrap();
            exodus::seed::sync(&db, &parsed).await.unwrap()
        }
    };
    let report = load(&older).await;
    assert_eq!(report.total(), 1, "{report}");
    assert_eq!(report.total_updated(), 2, "{report}");

    // An editor curates IRENA's reaction: from now on the dataset leaves it alone.
    let token = app.editor("curator@example.org", EditorRole::Editor).await;
    let ids = app
        .data(
            "{ r: reaction(slug: \"la-camera-2026-01-10\") { id } s: sources(first: 1) { nodes { id } } }",
            json!({}),
        )
        .await;
    app.data_as(
        &token,
        "mutation($r: ID!, $s: ID!) { attachSource(recordId: $r, sourceId: $s, note: \"curated\") { id } }",
        json!({ "r": ids["r"]["id"], "s": ids["s"]["nodes"][0]["id"] }),
    )
    .await;
    let cursor = head(&app, &token).await;

    // The "new release": the shipped dataset, which also withdraws the stakeholder.
    let mut newer = builtin.clone();
    newer["withdrawn"].as_array_mut().unwrap().push(json!({
        "kind": "STAKEHOLDER", "slug": "dropped-later", "reason": "not found again" }));
    let report = load(&newer).await;
    assert_eq!(report.total(), 0, "{report}");
    assert_eq!(
        report.updated,
        vec![(entity::enums::RecordKind::Withdrawal, 1)],
        "{report}"
    );
    assert_eq!(
        report.archived,
        vec![(entity::enums::RecordKind::Stakeholder, 1)],
        "{report}"
    );
    let now = app
        .data(
            "{ w: withdrawal(slug: \"freedom-online-coalition-withdrawal\") { id withdrawalStatus effectiveOn confidence }
               r: reaction(slug: \"la-camera-2026-01-10\") { reactedOn }
               s: stakeholder(slug: \"dropped-later\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(now["w"]["withdrawalStatus"], "EFFECTIVE");
    assert_eq!(now["w"]["effectiveOn"], "2026-02-10");
    assert_eq!(
        now["w"]["confidence"], "SINGLE_SOURCE",
        "the ceiling came back too"
    );
    assert_eq!(
        now["r"]["reactedOn"], "2026-01-10",
        "the editor's record is kept"
    );
    assert!(now["s"].is_null(), "the dropped stakeholder is archived");
    let history = app
        .data_as(
            &token,
            "query($id: ID!) { history(id: $id, first: 1) { edges { node { action editor { email } } } } }",
            json!({ "id": now["w"]["id"] }),
        )
        .await;
    let newest = &history["history"]["edges"][0]["node"];
    assert_eq!(newest["action"], "UPDATE");
    assert!(newest["editor"].is_null(), "{history}");
    let feed = app
        .data(
            "query($a: String) { changes(after: $a, first: 100) { edges { node { kind action visible } } } }",
            json!({ "a": cursor }),
        )
        .await;
    let events: Vec<(String, String, bool)> = feed["changes"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let n = &e["node"];
            (
                n["kind"].as_str().unwrap().into(),
                n["action"].as_str().unwrap().into(),
                n["visible"] == true,
            )
        })
        .collect();
    assert!(
        events.contains(&("WITHDRAWAL".into(), "UPDATE".into(), true)),
        "{events:?}"
    );
    assert!(
        events.contains(&("STAKEHOLDER".into(), "ARCHIVE".into(), false)),
        "{events:?}"
    );

    let again = load(&newer).await;
    assert_eq!(
        (again.total(), again.total_updated(), again.total_archived()),
        (0, 0, 0),
        "{again}"
    );

    // A server starting on a database last loaded with another dataset loads its own.
    for sql in [
        "UPDATE withdrawal SET withdrawal_status = 'NOTICE_GIVEN', effective_on = NULL WHERE slug = 'freedom-online-coalition-withdrawal'",
        "UPDATE setting SET value = 'an earlier release' WHERE key = 'builtin_dataset'",
    ] {
        app.db.execute_unprepared(sql).await.unwrap();
    }
    let restarted = harness::replica_of(&app).await;
    let fixed = restarted
        .data(
            "{ withdrawal(slug: \"freedom-online-coalition-withdrawal\") { withdrawalStatus } }",
            json!({}),
        )
        .await;
    assert_eq!(fixed["withdrawal"]["withdrawalStatus"], "EFFECTIVE");
    restarted.stop().await;
}
