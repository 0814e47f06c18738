//! Curation: drafts, publishing, archiving, validation, conflicts, history and revert.

use entity::enums::EditorRole;
use harness::{backend_tests, serde_json::json, TestApp};
use serde_json::Value;

backend_tests!(
    drafts_are_private_until_published_with_a_source,
    invalid_input_gets_field_errors_and_writes_nothing,
    a_stale_version_is_a_conflict_and_writes_nothing,
    racing_editors_exactly_one_wins,
    many_concurrent_updates_lose_nothing,
    history_diff_and_revert,
    every_kind_can_be_created_and_updated,
    publishing_needs_a_published_source_and_the_current_version,
    concurrent_identical_citations_all_succeed,
);

/// Editors who cite the same source for the same record at the same moment all succeed: one
/// citation, carrying one of their notes (on PostgreSQL the second insert used to fail on the
/// unique index with INTERNAL).
async fn concurrent_identical_citations_all_succeed(app: TestApp) {
    let token = app.editor("cite@example.org", EditorRole::Editor).await;
    let made = app
        .data_as(
            &token,
            CREATE_ORG,
            json!({ "i": org("cited-at-once", "Cited at once") }),
        )
        .await;
    let id = made["createOrganization"]["id"].clone();
    let source = source_id(&app).await;
    let attach = "mutation($r: ID!, $s: ID!, $n: String) { attachSource(recordId: $r, sourceId: $s, note: $n) { id } }";
    let calls = (0..8).map(|i| {
        let (app, token) = (&app, &token);
        let vars = json!({ "r": id, "s": source, "n": format!("note {i}") });
        async move { app.query_as(token, attach, vars).await }
    });
    for reply in futures_util::future::join_all(calls).await {
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert!(reply.body["errors"].is_null(), "{}", reply.text);
    }
    let read =
        "query($id: ID!) { node(id: $id) { ... on Organization { sources { nodes { note } } } } }";
    let cited = app.data_as(&token, read, json!({ "id": id })).await;
    let sources = cited["node"]["sources"]["nodes"].as_array().unwrap();
    assert_eq!(sources.len(), 1, "{cited}");
    assert!(
        sources[0]["note"].as_str().unwrap().starts_with("note "),
        "{cited}"
    );
}

const CREATE_ORG: &str = "mutation($i: OrganizationInput!) { createOrganization(input: $i) { id slug status version name categories } }";
const UPDATE_ORG: &str = "mutation($id: ID!, $v: Int!, $i: OrganizationInput!) { updateOrganization(id: $id, expectedVersion: $v, input: $i) { id version name } }";

fn org(slug: &str, name: &str) -> Value {
    json!({ "slug": slug, "name": name, "kind": "MULTISTAKEHOLDER", "categories": ["Internet Governance", "cybersecurity"],
            "digitalRelevance": "CORE", "description": "A body used by the tests.", "website": "https://example.org" })
}

async fn source_id(app: &TestApp) -> Value {
    app.data("{ sources(first: 1) { edges { node { id } } } }", json!({}))
        .await["sources"]["edges"][0]["node"]["id"]
        .clone()
}

async fn drafts_are_private_until_published_with_a_source(app: TestApp) {
    let token = app.editor("ed@example.org", EditorRole::Editor).await;
    assert_eq!(
        app.query(CREATE_ORG, json!({ "i": org("test-body", "Test Body") }))
            .await
            .code(),
        "UNAUTHENTICATED"
    );

    let created = app
        .data_as(
            &token,
            CREATE_ORG,
            json!({ "i": org("test-body", "Test Body") }),
        )
        .await;
    let o = &created["createOrganization"];
    assert_eq!(o["status"], "DRAFT");
    assert_eq!(o["version"], 1);
    assert_eq!(
        o["categories"],
        json!(["cybersecurity", "internet-governance"])
    );
    let id = o["id"].clone();
    let visible = "query($id: ID!) { node(id: $id) { id } organizations(filter: { text: \"Test Body\" }) { totalCount } search(query: \"Test Body\") { node { id } } stats { organizations } }";
    let public = app.data(visible, json!({ "id": id })).await;
    assert!(public["node"].is_null());
    assert_eq!(public["organizations"]["totalCount"], 0);
    assert!(public["search"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["node"]["id"] != id));
    assert_eq!(public["stats"]["organizations"], 72);
    let editor_view = app.data_as(&token, visible, json!({ "id": id })).await;
    assert_eq!(editor_view["node"]["id"], id, "editors see drafts");
    assert_eq!(editor_view["organizations"]["totalCount"], 1);

    let publish = "mutation($id: ID!, $v: Int!) { publish(id: $id, expectedVersion: $v) { ... on Organization { status version } } }";
    let reply = app
        .query_as(&token, publish, json!({ "id": id, "v": 1 }))
        .await;
    assert_eq!(
        reply.code(),
        "BAD_USER_INPUT",
        "no source yet: {}",
        reply.text
    );
    assert!(reply.message().contains("source"));

    let src = source_id(&app).await;
    let attach = "mutation($r: ID!, $s: ID!) { attachSource(recordId: $r, sourceId: $s, note: \"test\") { ... on Organization { sources { nodes { note } } version } } }";
    let attached = app
        .data_as(&token, attach, json!({ "r": id, "s": src }))
        .await;
    assert_eq!(
        attached["attachSource"]["sources"]["nodes"][0]["note"],
        "test"
    );
    let published = app
        .data_as(&token, publish, json!({ "id": id, "v": 1 }))
        .await;
    assert_eq!(published["publish"]["status"], "PUBLISHED");
    assert_eq!(published["publish"]["version"], 2);
    assert_eq!(
        app.data(visible, json!({ "id": id })).await["node"]["id"],
        id,
        "now public"
    );

    let archive = "mutation($id: ID!, $v: Int!) { archive(id: $id, expectedVersion: $v) { ... on Organization { status } } }";
    app.data_as(&token, archive, json!({ "id": id, "v": 2 }))
        .await;
    let after = app.data(visible, json!({ "id": id })).await;
    assert!(
        after["node"].is_null(),
        "archived records leave public view"
    );
    let history = app
        .data_as(
            &token,
            "query($id: ID!) { history(id: $id) { edges { node { action version } } } }",
            json!({ "id": id }),
        )
        .await;
    let actions: Vec<&str> = history["history"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["ARCHIVE", "PUBLISH", "UPDATE", "CREATE"],
        "newest first, kept whole"
    );
    let detach = "mutation($r: ID!, $s: ID!) { detachSource(recordId: $r, sourceId: $s) { ... on Organization { sources { nodes { note } } } } }";
    let detached = app
        .data_as(&token, detach, json!({ "r": id, "s": src }))
        .await;
    assert_eq!(detached["detachSource"]["sources"]["nodes"], json!([]));
    assert_eq!(
        app.query_as(&token, detach, json!({ "r": id, "s": src }))
            .await
            .code(),
        "NOT_FOUND"
    );
    assert_eq!(
        app.query(
            "query($id: ID!) { history(id: $id) { edges { cursor } } }",
            json!({ "id": id })
        )
        .await
        .code(),
        "UNAUTHENTICATED"
    );
}

async fn invalid_input_gets_field_errors_and_writes_nothing(app: TestApp) {
    let token = app.editor("ed@example.org", EditorRole::Editor).await;
    let ids = app
        .data("{ o: organization(slug: \"freedom-online-coalition\") { id } i: instrument(slug: \"eo-14199\") { id } }", json!({}))
        .await;
    let create = "mutation($i: WithdrawalInput!) { createWithdrawal(input: $i) { id } }";
    let reply = app
        .query_as(&token, create, json!({ "i": {
            "slug": "Bad Slug", "organizationId": ids["i"]["id"], "instrumentId": ids["i"]["id"],
            "announcedOn": "2026-02-01", "effectiveOn": "2026-01-01", "withdrawalStatus": "EFFECTIVE",
            "rationale": "x".repeat(6000)
        } }))
        .await;
    assert_eq!(reply.code(), "BAD_USER_INPUT");
    let fields: Vec<&str> = reply.body["errors"][0]["extensions"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for f in ["slug", "organizationId", "effectiveOn", "rationale"] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
    let reply = app.query_as(&token, CREATE_ORG, json!({ "i": { "slug": "ok-slug", "name": " ", "kind": "OTHER", "digitalRelevance": "NONE", "description": "d", "website": "ftp://example.org" } })).await;
    let fields: Vec<&str> = reply.body["errors"][0]["extensions"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "website"]);
    let reply = app.query_as(&token, CREATE_ORG, json!({ "i": { "slug": "ok-slug", "name": "n", "kind": "NOT_A_KIND", "digitalRelevance": "NONE", "description": "d" } })).await;
    assert_eq!(
        reply.code(),
        "GRAPHQL_VALIDATION_FAILED",
        "an unknown enum value is refused: {}",
        reply.text
    );
    assert!(reply.message().contains("NOT_A_KIND"), "{}", reply.text);
    let dup = app
        .query_as(
            &token,
            CREATE_ORG,
            json!({ "i": org("freedom-online-coalition", "Dup") }),
        )
        .await;
    assert_eq!(dup.code(), "BAD_USER_INPUT");
    assert_eq!(
        dup.body["errors"][0]["extensions"]["fields"][0]["field"],
        "slug"
    );
    let missing_ref = app
        .query_as(&token, "mutation($i: ReactionInput!) { createReaction(input: $i) { id } }", json!({ "i": {
            "slug": "r", "stakeholderId": ids["o"]["id"], "subjectId": ids["o"]["id"], "stance": "OPPOSE", "summary": "s", "reactedOn": "2026-01-08" } }))
        .await;
    let fields: Vec<&str> = missing_ref.body["errors"][0]["extensions"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["stakeholderId", "subjectId"]);
    let count = app
        .data_as(
            &token,
            "{ withdrawals { totalCount } reactions { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        count["withdrawals"]["totalCount"], 70,
        "nothing was written"
    );
    // The seeded 33, drafts included (an editor's count): the refused reaction is not there.
    assert_eq!(count["reactions"]["totalCount"], 33, "nothing was written");
}

async fn a_stale_version_is_a_conflict_and_writes_nothing(app: TestApp) {
    let token = app.editor("ed@example.org", EditorRole::Editor).await;
    let id = app
        .data_as(
            &token,
            CREATE_ORG,
            json!({ "i": org("conflicted", "First") }),
        )
        .await["createOrganization"]["id"]
        .clone();
    app.data_as(
        &token,
        UPDATE_ORG,
        json!({ "id": id, "v": 1, "i": org("conflicted", "Second") }),
    )
    .await;
    let stale = app
        .query_as(
            &token,
            UPDATE_ORG,
            json!({ "id": id, "v": 1, "i": org("conflicted", "Third") }),
        )
        .await;
    assert_eq!(stale.code(), "CONFLICT");
    assert_eq!(stale.body["errors"][0]["extensions"]["currentVersion"], 2);
    let now = app.data_as(&token, "query($id: ID!) { node(id: $id) { ... on Organization { name version } } history(id: $id) { edges { cursor } } }", json!({ "id": id })).await;
    assert_eq!(now["node"]["name"], "Second");
    assert_eq!(now["node"]["version"], 2);
    assert_eq!(now["history"]["edges"].as_array().unwrap().len(), 2);
    let missing = app
        .query_as(
            &token,
            UPDATE_ORG,
            json!({ "id": "T3JnYW5pemF0aW9uOjk5OTk5", "v": 1, "i": org("x", "y") }),
        )
        .await;
    assert_eq!(missing.code(), "NOT_FOUND");
}

async fn racing_editors_exactly_one_wins(app: TestApp) {
    let ada = app.editor("ada@example.org", EditorRole::Editor).await;
    let bob = app.editor("bob@example.org", EditorRole::Editor).await;
    let id = app
        .data_as(&ada, CREATE_ORG, json!({ "i": org("raced", "Start") }))
        .await["createOrganization"]["id"]
        .clone();
    let a = app.query_as(
        &ada,
        UPDATE_ORG,
        json!({ "id": id, "v": 1, "i": org("raced", "Ada's") }),
    );
    let b = app.query_as(
        &bob,
        UPDATE_ORG,
        json!({ "id": id, "v": 1, "i": org("raced", "Bob's") }),
    );
    let (a, b) = futures_util::join!(a, b);
    let codes: Vec<Option<&str>> = [&a, &b]
        .iter()
        .map(|r| r.body["errors"][0]["extensions"]["code"].as_str())
        .collect();
    assert_eq!(
        codes.iter().filter(|c| c.is_none()).count(),
        1,
        "exactly one wins: {codes:?}"
    );
    assert_eq!(codes.iter().filter(|c| **c == Some("CONFLICT")).count(), 1);
    let winner = if codes[0].is_none() { "Ada's" } else { "Bob's" };
    let now = app
        .data_as(
            &ada,
            "query($id: ID!) { node(id: $id) { ... on Organization { name version } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(now["node"]["name"], winner);
    assert_eq!(now["node"]["version"], 2);
}

async fn many_concurrent_updates_lose_nothing(app: TestApp) {
    let token = app.editor("ed@example.org", EditorRole::Editor).await;
    let id = app
        .data_as(&token, CREATE_ORG, json!({ "i": org("busy", "v1") }))
        .await["createOrganization"]["id"]
        .clone();
    // Rounds of 8 concurrent writers, each sending the version it last saw. Per round exactly
    // one wins; every write either lands whole (with its revision) or is refused.
    let mut version = 1;
    let mut wins = 0;
    for round in 0..4 {
        let attempts = (0..8).map(|i| {
            let name = format!("round {round} writer {i}");
            let vars = json!({ "id": id, "v": version, "i": org("busy", &name) });
            let token = token.clone();
            let app = &app;
            async move { (name, app.query_as(&token, UPDATE_ORG, vars).await) }
        });
        let results = futures_util::future::join_all(attempts).await;
        let winners: Vec<&String> = results
            .iter()
            .filter(|(_, r)| r.body.get("errors").is_none())
            .map(|(n, _)| n)
            .collect();
        for (_, r) in &results {
            if let Some(code) = r.body["errors"][0]["extensions"]["code"].as_str() {
                assert_eq!(code, "CONFLICT", "{}", r.text);
            }
        }
        assert_eq!(winners.len(), 1, "round {round}: {winners:?}");
        version += 1;
        wins += 1;
        let now = app
            .data_as(
                &token,
                "query($id: ID!) { node(id: $id) { ... on Organization { name version } } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(&now["node"]["name"], winners[0].as_str());
        assert_eq!(now["node"]["version"], version);
    }
    let history = app.data_as(&token, "query($id: ID!) { history(id: $id, first: 100) { edges { node { action version snapshot } } } }", json!({ "id": id })).await;
    let edges = history["history"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 1 + wins, "one revision per accepted write");
    let versions: Vec<i64> = edges
        .iter()
        .map(|e| e["node"]["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, (1..=version as i64).rev().collect::<Vec<_>>());
    for e in edges {
        assert_eq!(
            e["node"]["snapshot"]["record"]["version"], e["node"]["version"],
            "snapshots match their versions"
        );
    }
}

async fn history_diff_and_revert(app: TestApp) {
    let token = app.editor("ed@example.org", EditorRole::Editor).await;
    let id = app
        .data_as(
            &token,
            CREATE_ORG,
            json!({ "i": org("reverted", "Original") }),
        )
        .await["createOrganization"]["id"]
        .clone();
    let mut changed = org("reverted", "Renamed");
    changed["categories"] = json!(["climate"]);
    app.data_as(
        &token,
        UPDATE_ORG,
        json!({ "id": id, "v": 1, "i": changed }),
    )
    .await;
    let history = app
        .data_as(&token, "query($id: ID!) { history(id: $id) { edges { node { id action editor { email } diff { field before after } } } } }", json!({ "id": id }))
        .await;
    let edges = history["history"]["edges"].as_array().unwrap();
    let update = &edges[0]["node"];
    assert_eq!(update["action"], "UPDATE");
    assert_eq!(update["editor"]["email"], "ed@example.org");
    let diff = update["diff"].as_array().unwrap();
    let name = diff
        .iter()
        .find(|d| d["field"] == "name")
        .expect("name in the diff");
    assert_eq!(name["before"], "Original");
    assert_eq!(name["after"], "Renamed");
    assert!(diff.iter().any(|d| d["field"] == "categories"));
    assert!(
        diff.iter().all(|d| d["field"] != "version"),
        "bookkeeping is not a change"
    );

    let create_rev = edges[1]["node"]["id"].clone();
    let revision = app
        .data_as(
            &token,
            "query($id: ID!) { revision(id: $id) { action version } }",
            json!({ "id": create_rev }),
        )
        .await;
    assert_eq!(revision["revision"]["action"], "CREATE");
    let reverted = app
        .data_as(&token, "mutation($r: ID!) { revert(revisionId: $r) { ... on Organization { name version categories } } }", json!({ "r": create_rev }))
        .await;
    assert_eq!(reverted["revert"]["name"], "Original");
    assert_eq!(
        reverted["revert"]["version"], 3,
        "a revert is a new version"
    );
    assert_eq!(
        reverted["revert"]["categories"],
        json!(["cybersecurity", "internet-governance"])
    );
    let history = app
        .data_as(
            &token,
            "query($id: ID!) { history(id: $id) { edges { node { action } } } }",
            json!({ "id": id }),
        )
        .await;
    let actions: Vec<&str> = history["history"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["REVERT", "UPDATE", "CREATE"],
        "history is never rewritten"
    );

    // Seeded records have history too, and can be reverted to it.
    let foc = app
        .data(
            "{ organization(slug: \"freedom-online-coalition\") { id } }",
            json!({}),
        )
        .await["organization"]["id"]
        .clone();
    let seeded = app.data_as(&token, "query($id: ID!) { history(id: $id) { edges { node { id action editor { email } } } } }", json!({ "id": foc })).await;
    assert_eq!(seeded["history"]["edges"][0]["node"]["action"], "CREATE");
    assert!(seeded["history"]["edges"][0]["node"]["editor"].is_null());
    assert_eq!(
        app.query_as(
            &token,
            "mutation { revert(revisionId: \"bm9wZQ\") { id } }",
            json!({})
        )
        .await
        .code(),
        "BAD_USER_INPUT"
    );
}

async fn every_kind_can_be_created_and_updated(app: TestApp) {
    let token = app.editor("ed@example.org", EditorRole::Editor).await;
    let ids = app
        .data("{ o: organization(slug: \"freedom-online-coalition\") { id } i: instrument(slug: \"eo-14199\") { id }
                 w: withdrawal(slug: \"freedom-online-coalition-withdrawal\") { id } s: sources(first: 1) { edges { node { id } } }
                 st: stakeholders(first: 1) { edges { node { id } } } }", json!({}))
        .await;
    let cases = [
        (
            "Instrument",
            json!({ "slug": "t-instrument", "kind": "LETTER", "title": "A letter", "signedOn": "2026-03-01", "publishedOn": "2026-03-02", "summary": "s", "url": "https://example.org/letter" }),
        ),
        (
            "Withdrawal",
            json!({ "slug": "t-withdrawal", "organizationId": ids["o"]["id"], "instrumentId": ids["i"]["id"], "announcedOn": "2026-03-01", "effectiveOn": "2026-04-01", "withdrawalStatus": "EFFECTIVE" }),
        ),
        (
            "Stakeholder",
            json!({ "slug": "t-stakeholder", "name": "A group", "kind": "DIGITAL_RIGHTS_GROUP", "country": "de" }),
        ),
        (
            "Reaction",
            json!({ "slug": "t-reaction", "stakeholderId": ids["st"]["edges"][0]["node"]["id"], "subjectId": ids["w"]["id"], "stance": "OPPOSE", "summary": "s", "reactedOn": "2026-03-02" }),
        ),
        (
            "Pact",
            json!({ "slug": "t-pact", "title": "A pact", "kind": "BILATERAL", "pactStatus": "PROPOSED", "statusChangedOn": "2026-03-01", "summary": "s", "topics": ["ai"],
                         "parties": [{ "name": "United States", "code": "US", "role": "LEAD" }, { "name": "France", "code": "FR", "role": "SIGNATORY" }],
                         "replaces": [{ "organizationId": ids["o"]["id"], "note": "claimed by a test" }] }),
        ),
        (
            "Source",
            json!({ "slug": "t-source", "url": "https://example.org/a", "title": "An article", "publishedOn": "2026-03-01", "retrievedOn": "2026-03-02" }),
        ),
        (
            "Correction",
            json!({ "slug": "t-correction", "claim": "c", "claimedIn": "somewhere", "verdict": "FALSE", "finding": "f", "concerns": [ids["o"]["id"]], "claimSourceId": ids["s"]["edges"][0]["node"]["id"] }),
        ),
    ];
    for (kind, input) in cases {
        let create = format!(
            "mutation($i: {kind}Input!) {{ create{kind}(input: $i) {{ id version status }} }}"
        );
        let made = app.data_as(&token, &create, json!({ "i": input })).await;
        let made = &made[format!("create{kind}")];
        assert_eq!(made["status"], "DRAFT", "{kind}");
        let update = format!("mutation($id: ID!, $i: {kind}Input!) {{ update{kind}(id: $id, expectedVersion: 1, input: $i) {{ version }} }}");
        let mut changed = input.clone();
        changed["slug"] = json!(format!("{}-2", input["slug"].as_str().unwrap()));
        if kind == "Pact" {
            changed["pactStatus"] = json!("SIGNED");
            changed["statusChangedOn"] = json!("2026-03-05");
        }
        let updated = app
            .data_as(&token, &update, json!({ "id": made["id"], "i": changed }))
            .await;
        assert_eq!(updated[format!("update{kind}")]["version"], 2, "{kind}");
    }
    let pact = app
        .data_as(&token, "{ pact(slug: \"t-pact-2\") { pactStatus parties { code role } statusHistory { pactStatus on } replaces { organization { slug } } } }", json!({}))
        .await;
    assert_eq!(pact["pact"]["pactStatus"], "SIGNED");
    assert_eq!(
        pact["pact"]["statusHistory"],
        json!([{ "pactStatus": "PROPOSED", "on": "2026-03-01" }, { "pactStatus": "SIGNED", "on": "2026-03-05" }])
    );
    assert_eq!(pact["pact"]["parties"].as_array().unwrap().len(), 2);
    assert_eq!(
        pact["pact"]["replaces"][0]["organization"]["slug"],
        "freedom-online-coalition"
    );
    let stakeholder = app
        .data_as(
            &token,
            "{ stakeholder(slug: \"t-stakeholder-2\") { country } }",
            json!({}),
        )
        .await;
    assert_eq!(stakeholder["stakeholder"]["country"], "DE");
}

async fn publishing_needs_a_published_source_and_the_current_version(app: TestApp) {
    let token = app.editor("ed@example.org", EditorRole::Editor).await;
    let id = app
        .data_as(
            &token,
            CREATE_ORG,
            json!({ "i": org("sourced-by-a-draft", "Draft-sourced") }),
        )
        .await["createOrganization"]["id"]
        .clone();
    let draft_source = app
        .data_as(&token, "mutation($i: SourceInput!) { createSource(input: $i) { id status } }",
            json!({ "i": { "slug": "draft-evidence", "url": "https://example.org/draft-evidence", "title": "Draft evidence" } }))
        .await["createSource"]
        .clone();
    assert_eq!(draft_source["status"], "DRAFT");
    app.data_as(
        &token,
        "mutation($r: ID!, $s: ID!) { attachSource(recordId: $r, sourceId: $s) { id } }",
        json!({ "r": id, "s": draft_source["id"] }),
    )
    .await;
    let publish = "mutation($id: ID!, $v: Int!) { publish(id: $id, expectedVersion: $v) { ... on Organization { status version } ... on Source { status version } } }";
    let archive = "mutation($id: ID!, $v: Int!) { archive(id: $id, expectedVersion: $v) { ... on Organization { status version } } }";
    let refused = app
        .query_as(&token, publish, json!({ "id": id, "v": 1 }))
        .await;
    assert_eq!(
        refused.code(),
        "BAD_USER_INPUT",
        "only a draft source: {}",
        refused.text
    );
    assert!(refused.message().contains("source"), "{}", refused.text);
    let still = app
        .data_as(
            &token,
            "query($id: ID!) { node(id: $id) { ... on Organization { status version } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        still["node"],
        json!({ "status": "DRAFT", "version": 1 }),
        "nothing was written"
    );

    // Once the source is published, so can the record be.
    app.data_as(&token, publish, json!({ "id": draft_source["id"], "v": 1 }))
        .await;
    let published = app
        .data_as(&token, publish, json!({ "id": id, "v": 1 }))
        .await;
    assert_eq!(
        published["publish"],
        json!({ "status": "PUBLISHED", "version": 2 })
    );

    // A stale version is a CONFLICT for publish and archive too, and writes nothing.
    for (mutation, what) in [(publish, "publish"), (archive, "archive")] {
        let stale = app
            .query_as(&token, mutation, json!({ "id": id, "v": 1 }))
            .await;
        assert_eq!(stale.code(), "CONFLICT", "{what}: {}", stale.text);
        assert_eq!(
            stale.body["errors"][0]["extensions"]["currentVersion"], 2,
            "{what}"
        );
    }
    let history = app
        .data_as(
            &token,
            "query($id: ID!) { history(id: $id) { edges { node { action } } } }",
            json!({ "id": id }),
        )
        .await;
    // CREATE, the citation (UPDATE), the source's publication raising the record's confidence
    // (UPDATE), PUBLISH: the two conflicts wrote nothing.
    assert_eq!(
        history["history"]["edges"].as_array().unwrap().len(),
        4,
        "{history}"
    );
    let archived = app
        .data_as(&token, archive, json!({ "id": id, "v": 2 }))
        .await;
    assert_eq!(
        archived["archive"],
        json!({ "status": "ARCHIVED", "version": 3 })
    );
}
