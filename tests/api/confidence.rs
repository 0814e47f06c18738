//! Confidence that follows from the evidence, through the API: the rule, its recomputation
//! when sources change (with a revision the change feed carries), an editor's ceiling, the
//! new source fields' validation, unknown funding, and the one-time recount on upgrade.

use entity::enums::EditorRole;
use harness::{backend_tests, serde_json::json, TestApp};
use serde_json::Value;

backend_tests!(
    confidence_follows_the_published_sources_by_the_rule,
    a_source_change_recomputes_the_records_citing_it_with_a_revision,
    an_editor_may_lower_with_a_reason_but_never_raise,
    mirrors_name_their_original_and_unknown_funding_is_null,
    a_database_from_before_the_rule_is_recounted_once,
    reverting_to_a_revision_from_before_the_ceiling_keeps_it,
);

const CREATE_ORG: &str = "mutation($i: OrganizationInput!) { createOrganization(input: $i) { id version confidence confidenceReason } }";
const CREATE_SOURCE: &str =
    "mutation($i: SourceInput!) { createSource(input: $i) { id version confidence confidenceReason } }";
const UPDATE_SOURCE: &str = "mutation($id: ID!, $v: Int!, $i: SourceInput!) { updateSource(id: $id, expectedVersion: $v, input: $i) { version } }";
const PUBLISH: &str = "mutation($id: ID!, $v: Int!) { publish(id: $id, expectedVersion: $v) { ... on Source { version } ... on Organization { version } } }";
const ARCHIVE: &str = "mutation($id: ID!, $v: Int!) { archive(id: $id, expectedVersion: $v) { ... on Source { version } } }";
const ATTACH: &str =
    "mutation($r: ID!, $s: ID!) { attachSource(recordId: $r, sourceId: $s) { id } }";
const DETACH: &str =
    "mutation($r: ID!, $s: ID!) { detachSource(recordId: $r, sourceId: $s) { id } }";
const READ: &str = "query($id: ID!) { node(id: $id) { ... on Organization { confidence confidenceReason confidenceCeiling confidenceNote version } } }";

fn org(slug: &str) -> Value {
    json!({ "slug": slug, "name": format!("Body {slug}"), "kind": "MULTISTAKEHOLDER",
            "categories": ["cybersecurity"], "digitalRelevance": "CORE",
            "description": "A body the confidence tests cite sources for." })
}

fn source(slug: &str, kind: &str, publisher: &str) -> Value {
    json!({ "slug": slug, "url": format!("https://{slug}.example.org/2026/a-report-on-the-exit"),
            "title": format!("Report {slug}"), "publisher": publisher, "publisherKind": kind })
}

/// Creates a source and, unless `draft`, publishes it; returns its id and version.
async fn make_source(app: &TestApp, token: &str, input: Value, draft: bool) -> (Value, i64) {
    let made = app
        .data_as(token, CREATE_SOURCE, json!({ "i": input }))
        .await;
    let id = made["createSource"]["id"].clone();
    if draft {
        return (id, 1);
    }
    let published = app
        .data_as(token, PUBLISH, json!({ "id": id, "v": 1 }))
        .await;
    (id, published["publish"]["version"].as_i64().unwrap())
}

async fn read(app: &TestApp, token: &str, id: &Value) -> Value {
    app.data_as(token, READ, json!({ "id": id })).await["node"].clone()
}

async fn cite(app: &TestApp, token: &str, record: &Value, source: &Value) {
    app.data_as(token, ATTACH, json!({ "r": record, "s": source }))
        .await;
}

async fn confidence_follows_the_published_sources_by_the_rule(app: TestApp) {
    let token = app.editor("rule@example.org", EditorRole::Editor).await;
    let made = app
        .data_as(&token, CREATE_ORG, json!({ "i": org("ruled") }))
        .await["createOrganization"]
        .clone();
    assert_eq!(made["confidence"], "UNCONFIRMED");
    assert_eq!(made["confidenceReason"], "No published source is cited.");
    let id = made["id"].clone();

    // One outlet: a single source, however many of its pages are cited.
    let (a, _) = make_source(&app, &token, source("outlet-a", "NEWS", "Outlet A"), false).await;
    cite(&app, &token, &id, &a).await;
    let now = read(&app, &token, &id).await;
    assert_eq!(now["confidence"], "SINGLE_SOURCE", "{now}");
    assert_eq!(now["confidenceReason"], "One publisher only: Outlet A.");

    // A reprint of Outlet A on another host is still Outlet A.
    let mut copy = source("scraper-copy", "NEWS", "Scraper");
    copy["isMirror"] = true.into();
    copy["originalPublisher"] = "outlet a".into();
    let (mirror, _) = make_source(&app, &token, copy, false).await;
    cite(&app, &token, &id, &mirror).await;
    assert_eq!(read(&app, &token, &id).await["confidence"], "SINGLE_SOURCE");

    // A copy of an official text on another host is one publisher, not a confirmation.
    let mut official_copy = source("official-copy", "OFFICIAL", "Copy host");
    official_copy["isMirror"] = true.into();
    official_copy["originalPublisher"] = "Outlet A".into();
    let (copy_id, _) = make_source(&app, &token, official_copy, false).await;
    cite(&app, &token, &id, &copy_id).await;
    assert_eq!(read(&app, &token, &id).await["confidence"], "SINGLE_SOURCE");

    // A second, independent publisher counts once it is published, not while a draft.
    let (c, c_version) =
        make_source(&app, &token, source("outlet-c", "NEWS", "Outlet C"), true).await;
    cite(&app, &token, &id, &c).await;
    let now = read(&app, &token, &id).await;
    assert_eq!(now["confidence"], "SINGLE_SOURCE", "{now}");
    assert!(
        now["confidenceReason"]
            .as_str()
            .unwrap()
            .contains("One cited source does not count"),
        "{now}"
    );
    app.data_as(&token, PUBLISH, json!({ "id": c, "v": c_version }))
        .await;
    let now = read(&app, &token, &id).await;
    assert_eq!(now["confidence"], "CONFIRMED", "{now}");
    assert_eq!(
        now["confidenceReason"],
        "Independent publishers: Outlet A, Outlet C."
    );

    // Detaching one leaves a single source again.
    app.data_as(&token, DETACH, json!({ "r": id, "s": c }))
        .await;
    assert_eq!(read(&app, &token, &id).await["confidence"], "SINGLE_SOURCE");

    // An official text confirms on its own; archiving it takes that back.
    let (official, official_version) = make_source(
        &app,
        &token,
        source("gazette", "OFFICIAL", "Official Gazette"),
        false,
    )
    .await;
    cite(&app, &token, &id, &official).await;
    let now = read(&app, &token, &id).await;
    assert_eq!(now["confidence"], "CONFIRMED");
    assert_eq!(
        now["confidenceReason"],
        "An official or primary text: Official Gazette."
    );
    // A client that knows nothing of publisher kinds retitles the source: it stays OFFICIAL.
    let retitled = json!({ "slug": "gazette", "url": "https://gazette.example.org/2026/a-report-on-the-exit",
                           "title": "Report gazette (corrected title)", "publisher": "Official Gazette" });
    let official_version = app
        .data_as(
            &token,
            UPDATE_SOURCE,
            json!({ "id": official, "v": official_version, "i": retitled }),
        )
        .await["updateSource"]["version"]
        .as_i64()
        .unwrap();
    assert_eq!(read(&app, &token, &id).await["confidence"], "CONFIRMED");
    app.data_as(
        &token,
        ARCHIVE,
        json!({ "id": official, "v": official_version }),
    )
    .await;
    assert_eq!(read(&app, &token, &id).await["confidence"], "SINGLE_SOURCE");

    // Filters read the computed value.
    let q = "{ organizations(filter: { confidence: [CONFIRMED] }, first: 100) { nodes { slug } } }";
    let listed = app.data_as(&token, q, json!({})).await.to_string();
    assert!(!listed.contains("\"ruled\""), "{listed}");
}

async fn a_source_change_recomputes_the_records_citing_it_with_a_revision(app: TestApp) {
    let token = app.editor("recount@example.org", EditorRole::Editor).await;
    let id = app
        .data_as(&token, CREATE_ORG, json!({ "i": org("recounted") }))
        .await["createOrganization"]["id"]
        .clone();
    let (a, _) = make_source(&app, &token, source("paper-a", "NEWS", "Paper A"), false).await;
    let input_b = source("paper-b", "NEWS", "Paper B");
    let (b, b_version) = make_source(&app, &token, input_b.clone(), false).await;
    cite(&app, &token, &id, &a).await;
    cite(&app, &token, &id, &b).await;
    assert_eq!(read(&app, &token, &id).await["confidence"], "CONFIRMED");

    let history = "query($id: ID!) { history(id: $id, first: 100) { edges { node { action editor { email } } } } }";
    let count = |v: &Value| v["history"]["edges"].as_array().unwrap().len();
    let before = count(&app.data_as(&token, history, json!({ "id": id })).await);
    // Paper B's address turns out to be its home page: it no longer supports anything.
    let mut home = input_b.clone();
    home["pointsToDocument"] = false.into();
    app.data_as(
        &token,
        UPDATE_SOURCE,
        json!({ "id": b, "v": b_version, "i": home }),
    )
    .await;
    let now = read(&app, &token, &id).await;
    assert_eq!(now["confidence"], "SINGLE_SOURCE", "{now}");
    assert!(now["confidenceReason"]
        .as_str()
        .unwrap()
        .starts_with("One publisher only: Paper A."));
    let after = app.data_as(&token, history, json!({ "id": id })).await;
    assert_eq!(
        count(&after),
        before + 1,
        "the recount is a revision of the citing record: {after}"
    );
    let newest = &after["history"]["edges"][0]["node"];
    assert_eq!(newest["action"], "UPDATE");
    assert!(
        newest["editor"].is_null(),
        "the rule made it, not a curator: {newest}"
    );

    // The change feed carries it: the newest change to the record shows the new confidence.
    let changes = "query($id: ID!) { changes(ids: [$id], includeDrafts: true, first: 100) { edges { node { action node { ... on Organization { confidence } } } } } }";
    let feed = app.data_as(&token, changes, json!({ "id": id })).await;
    let edges = feed["changes"]["edges"].as_array().unwrap();
    assert_eq!(
        edges.last().unwrap()["node"]["node"]["confidence"],
        "SINGLE_SOURCE",
        "{feed}"
    );
    // The source's own confidence says its URL is no document.
    let own = app
        .data_as(
            &token,
            "query($id: ID!) { node(id: $id) { ... on Source { confidence pointsToDocument } } }",
            json!({ "id": b }),
        )
        .await;
    assert_eq!(own["node"]["confidence"], "UNCONFIRMED");
    assert_eq!(own["node"]["pointsToDocument"], false);
}

async fn an_editor_may_lower_with_a_reason_but_never_raise(app: TestApp) {
    let token = app.editor("ceiling@example.org", EditorRole::Editor).await;
    // A ceiling needs its reason, and a reason needs its ceiling: field errors, nothing written.
    let mut no_reason = org("lowered");
    no_reason["confidence"] = "SINGLE_SOURCE".into();
    let reply = app
        .query_as(&token, CREATE_ORG, json!({ "i": no_reason }))
        .await;
    assert_eq!(reply.code(), "BAD_USER_INPUT", "{}", reply.text);
    assert!(reply.text.contains("confidenceNote"), "{}", reply.text);
    let mut no_ceiling = org("lowered");
    no_ceiling["confidenceNote"] = "Disputed.".into();
    let reply = app
        .query_as(&token, CREATE_ORG, json!({ "i": no_ceiling }))
        .await;
    assert_eq!(reply.code(), "BAD_USER_INPUT", "{}", reply.text);

    let mut lowered = org("lowered");
    lowered["confidence"] = "SINGLE_SOURCE".into();
    lowered["confidenceNote"] = "The two reports may share one unnamed source.".into();
    let id = app
        .data_as(&token, CREATE_ORG, json!({ "i": lowered.clone() }))
        .await["createOrganization"]["id"]
        .clone();
    let (a, _) = make_source(&app, &token, source("wire-a", "NEWS", "Wire A"), false).await;
    let (b, _) = make_source(&app, &token, source("wire-b", "NEWS", "Wire B"), false).await;
    cite(&app, &token, &id, &a).await;
    cite(&app, &token, &id, &b).await;
    let now = read(&app, &token, &id).await;
    assert_eq!(now["confidence"], "SINGLE_SOURCE", "{now}");
    assert_eq!(now["confidenceCeiling"], "SINGLE_SOURCE");
    assert!(now["confidenceReason"].as_str().unwrap().starts_with(
        "Lowered by an editor from CONFIRMED: The two reports may share one unnamed source."
    ));

    // An update that leaves the ceiling out (a client that knows nothing of ceilings) keeps
    // it; an explicit null lifts it.
    let update = "mutation($id: ID!, $v: Int!, $i: OrganizationInput!) { updateOrganization(id: $id, expectedVersion: $v, input: $i) { confidence confidenceCeiling version } }";
    let version = now["version"].clone();
    let kept = app
        .data_as(
            &token,
            update,
            json!({ "id": id, "v": version, "i": org("lowered") }),
        )
        .await["updateOrganization"]
        .clone();
    assert_eq!(kept["confidence"], "SINGLE_SOURCE", "{kept}");
    assert_eq!(kept["confidenceCeiling"], "SINGLE_SOURCE");
    let mut lift = org("lowered");
    lift["confidence"] = Value::Null;
    let freed = app
        .data_as(
            &token,
            update,
            json!({ "id": id, "v": kept["version"], "i": lift }),
        )
        .await;
    assert_eq!(freed["updateOrganization"]["confidence"], "CONFIRMED");
    assert!(freed["updateOrganization"]["confidenceCeiling"].is_null());

    // A "ceiling" above what the sources support raises nothing.
    let mut raised = org("raised");
    raised["confidence"] = "CONFIRMED".into();
    raised["confidenceNote"] = "Trust us.".into();
    let id = app
        .data_as(&token, CREATE_ORG, json!({ "i": raised }))
        .await["createOrganization"]["id"]
        .clone();
    cite(&app, &token, &id, &a).await;
    assert_eq!(read(&app, &token, &id).await["confidence"], "SINGLE_SOURCE");
}

async fn mirrors_name_their_original_and_unknown_funding_is_null(app: TestApp) {
    let token = app.editor("mirror@example.org", EditorRole::Editor).await;
    let mut anonymous = source("anonymous-copy", "NEWS", "Copier");
    anonymous["isMirror"] = true.into();
    let reply = app
        .query_as(&token, CREATE_SOURCE, json!({ "i": anonymous }))
        .await;
    assert_eq!(reply.code(), "BAD_USER_INPUT", "{}", reply.text);
    assert!(reply.text.contains("originalPublisher"), "{}", reply.text);
    let mut stray = source("not-a-copy", "NEWS", "Paper");
    stray["originalPublisher"] = "Someone else".into();
    let reply = app
        .query_as(&token, CREATE_SOURCE, json!({ "i": stray }))
        .await;
    assert_eq!(reply.code(), "BAD_USER_INPUT", "{}", reply.text);

    // The shipped dataset: funding is asserted only where the order's own text ends it.
    let q = "query($f: WithdrawalFilter) { withdrawals(filter: $f, first: 100) { totalCount nodes { slug fundingEnded } } }";
    let ended = app.data(q, json!({ "f": { "fundingEnded": true } })).await;
    let mut slugs: Vec<&str> = ended["withdrawals"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["slug"].as_str().unwrap())
        .collect();
    slugs.sort();
    assert_eq!(
        slugs,
        ["un-human-rights-council-withdrawal", "unrwa-withdrawal"]
    );
    let not_ended = app.data(q, json!({ "f": { "fundingEnded": false } })).await;
    assert_eq!(not_ended["withdrawals"]["totalCount"], 0, "{not_ended}");
    let all = app.data(q, json!({})).await;
    let unknown = all["withdrawals"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["fundingEnded"].is_null())
        .count();
    assert!(unknown >= 60, "{unknown} withdrawals with unknown funding");

    // An editor's withdrawal without the field says unknown, not false.
    let ids = app
        .data(
            "{ o: organization(slug: \"freedom-online-coalition\") { id } i: instrument(slug: \"eo-14199\") { id } }",
            json!({}),
        )
        .await;
    let create = "mutation($i: WithdrawalInput!) { createWithdrawal(input: $i) { fundingEnded } }";
    let made = app
        .data_as(
            &token,
            create,
            json!({ "i": { "slug": "funding-unknown", "organizationId": ids["o"]["id"],
                           "instrumentId": ids["i"]["id"], "announcedOn": "2026-01-07",
                           "withdrawalStatus": "ANNOUNCED" } }),
        )
        .await;
    assert!(made["createWithdrawal"]["fundingEnded"].is_null(), "{made}");
}

/// A database whose confidences were typed by hand (as before the rule) is recounted when a
/// server of this release starts on it: once, with a revision for each record that moved.
async fn a_database_from_before_the_rule_is_recounted_once(app: TestApp) {
    use sea_orm::ConnectionTrait;
    let token = app.editor("upgrade@example.org", EditorRole::Editor).await;
    let slug = "single-source-body";
    let record = app
        .data(
            "{ organization(slug: \"un-alliance-of-civilizations\") { id confidence } }",
            json!({}),
        )
        .await["organization"]
        .clone();
    assert_eq!(record["confidence"], "SINGLE_SOURCE", "{slug}");
    // As an earlier release left it: hand-typed CONFIRMED, no reason, no rule version.
    for sql in [
        "UPDATE organization SET confidence = 'CONFIRMED', confidence_reason = '' WHERE slug = 'un-alliance-of-civilizations'",
        "DELETE FROM setting WHERE key = 'confidence_rule'",
    ] {
        app.db.execute_unprepared(sql).await.unwrap();
    }
    let history = "query($id: ID!) { history(id: $id, first: 100) { edges { cursor } } }";
    let count = |v: Value| v["history"]["edges"].as_array().unwrap().len();
    let before = count(
        app.data_as(&token, history, json!({ "id": record["id"] }))
            .await,
    );

    let restarted = harness::replica_of(&app).await;
    let again = restarted
        .data(
            "{ organization(slug: \"un-alliance-of-civilizations\") { confidence confidenceReason } }",
            json!({}),
        )
        .await;
    assert_eq!(again["organization"]["confidence"], "SINGLE_SOURCE");
    assert_eq!(
        again["organization"]["confidenceReason"],
        "One publisher only: Al Jazeera."
    );
    let after = count(
        restarted
            .data_as(&token, history, json!({ "id": record["id"] }))
            .await,
    );
    assert_eq!(after, before + 1, "one revision for the recount");
    // A second start finds the rule's version stored and writes nothing.
    let third = harness::replica_of(&app).await;
    let last = count(
        third
            .data_as(&token, history, json!({ "id": record["id"] }))
            .await,
    );
    assert_eq!(last, after);
    third.stop().await;
    restarted.stop().await;
}

/// A revision written before ceilings existed (0.10 stored no such keys) does not lift one
/// when an editor reverts to it: the revert restores what the revision recorded and keeps
/// what it could not know.
async fn reverting_to_a_revision_from_before_the_ceiling_keeps_it(app: TestApp) {
    use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
    let token = app.editor("revert@example.org", EditorRole::Editor).await;
    let mut input = org("reverted");
    input["confidence"] = "SINGLE_SOURCE".into();
    input["confidenceNote"] = "The reports may share one source.".into();
    let id = app.data_as(&token, CREATE_ORG, json!({ "i": input })).await["createOrganization"]
        ["id"]
        .clone();
    let (a, _) = make_source(&app, &token, source("pub-a", "NEWS", "Pub A"), false).await;
    let (b, _) = make_source(&app, &token, source("pub-b", "NEWS", "Pub B"), false).await;
    cite(&app, &token, &id, &a).await;
    cite(&app, &token, &id, &b).await;
    let history =
        "query($id: ID!) { history(id: $id, first: 100) { edges { node { id action version } } } }";
    let revisions = app.data_as(&token, history, json!({ "id": id })).await;
    let edges = revisions["history"]["edges"].as_array().unwrap();
    let oldest = edges.last().unwrap()["node"].clone();
    assert_eq!(oldest["action"], "CREATE");
    // Make the CREATE revision look as 0.10 wrote it: no ceiling, note or reason keys.
    let (_, rev_id) =
        exodus::service::codec::decode_any_tagged(oldest["id"].as_str().unwrap()).unwrap();
    let row = entity::revision::Entity::find_by_id(rev_id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("the revision");
    let mut snapshot = row.snapshot.clone();
    let record = snapshot["record"].as_object_mut().unwrap();
    for key in ["confidence_ceiling", "confidence_note", "confidence_reason"] {
        assert!(record.remove(key).is_some(), "{key} was stored");
    }
    let mut am = row.into_active_model();
    am.snapshot = Set(snapshot);
    am.update(&app.db).await.unwrap();

    let revert = "mutation($r: ID!) { revert(revisionId: $r) { ... on Organization { confidence confidenceCeiling confidenceNote } } }";
    let reverted = app
        .data_as(&token, revert, json!({ "r": oldest["id"] }))
        .await;
    // The CREATE revision cited nothing, so the citations go back to none (UNCONFIRMED), but
    // the ceiling it could not record stays.
    assert_eq!(
        reverted["revert"],
        json!({ "confidence": "UNCONFIRMED", "confidenceCeiling": "SINGLE_SOURCE",
                "confidenceNote": "The reports may share one source." })
    );
}
