//! Records the public must never see: drafts and archived records made through the API, whose
//! text carries a canary string. Tests that claim "the public sees no drafts" make these first,
//! check that an editor does see them (so the claim is not true merely because none exist),
//! and then check that public reads leave them out.

use harness::{serde_json::json, TestApp};
use serde_json::Value;

/// The string every hidden record's text carries.
pub const CANARY: &str = "zqcanary";

/// One hidden record.
pub struct Hidden {
    pub kind: &'static str,
    pub id: Value,
    pub slug: String,
    /// DRAFT or ARCHIVED.
    pub status: &'static str,
}

/// Ids the inputs below refer to (all published seeded records).
pub struct Refs {
    pub organization: Value,
    pub instrument: Value,
    pub withdrawal: Value,
    pub stakeholder: Value,
    pub source: Value,
}

pub async fn refs(app: &TestApp) -> Refs {
    let d = app
        .data(
            "{ o: organization(slug: \"freedom-online-coalition\") { id } i: instrument(slug: \"eo-14199\") { id }
               w: withdrawal(slug: \"freedom-online-coalition-withdrawal\") { id }
               st: stakeholders(first: 1) { edges { node { id } } } s: sources(first: 1) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    Refs {
        organization: d["o"]["id"].clone(),
        instrument: d["i"]["id"].clone(),
        withdrawal: d["w"]["id"].clone(),
        stakeholder: d["st"]["edges"][0]["node"]["id"].clone(),
        source: d["s"]["edges"][0]["node"]["id"].clone(),
    }
}

/// A valid input of `kind` whose text carries the canary, built so that it would match the
/// filters the list tests count with (NON_UN section, "cyber", the UK as a party, quantum,
/// binding, a reaction to the Freedom Online Coalition's withdrawal).
pub fn input(kind: &str, slug: &str, r: &Refs) -> Value {
    let text = format!("{CANARY} {slug} cyber");
    match kind {
        "Organization" => {
            json!({ "slug": slug, "name": text, "acronym": CANARY, "kind": "MULTISTAKEHOLDER",
            "categories": ["cybersecurity"], "digitalRelevance": "CORE", "listSection": "NON_UN", "listPosition": 99,
            "description": text, "website": "https://example.org" })
        }
        "Instrument" => {
            json!({ "slug": slug, "kind": "LETTER", "title": text, "number": CANARY, "signedOn": "2026-03-01",
            "publishedOn": "2026-03-02", "summary": text, "url": "https://example.org/letter" })
        }
        "Withdrawal" => {
            json!({ "slug": slug, "organizationId": r.organization, "instrumentId": r.instrument,
            "announcedOn": "2026-03-01", "effectiveOn": "2026-04-01", "withdrawalStatus": "EFFECTIVE", "rationale": text })
        }
        "Stakeholder" => {
            json!({ "slug": slug, "name": text, "kind": "LEGISLATOR", "country": "us", "affiliation": CANARY })
        }
        "Reaction" => {
            json!({ "slug": slug, "stakeholderId": r.stakeholder, "subjectId": r.withdrawal, "stance": "OPPOSE",
            "summary": text, "reactedOn": "2026-03-02" })
        }
        "Pact" => {
            json!({ "slug": slug, "title": text, "kind": "BILATERAL", "pactStatus": "PROPOSED", "statusChangedOn": "2026-03-01",
            "summary": text, "topics": ["quantum"], "binding": true,
            "parties": [{ "name": "United States", "code": "US", "role": "LEAD" }, { "name": "United Kingdom", "code": "GB", "role": "SIGNATORY" }] })
        }
        "Source" => {
            json!({ "slug": slug, "url": format!("https://example.org/{slug}"), "title": text, "publisher": CANARY,
            "publishedOn": "2026-03-01", "retrievedOn": "2026-03-02" })
        }
        "Correction" => {
            json!({ "slug": slug, "claim": text, "claimedIn": CANARY, "verdict": "FALSE", "finding": text,
            "concerns": [r.organization], "claimSourceId": r.source })
        }
        _ => unreachable!("{kind}"),
    }
}

/// Creates a record of `kind` from `input`, cites `source`, and publishes it; returns its id.
pub async fn publish_new(
    app: &TestApp,
    token: &str,
    kind: &str,
    input: &Value,
    source: &Value,
) -> Value {
    let create = format!("mutation($i: {kind}Input!) {{ create{kind}(input: $i) {{ id }} }}");
    let created = app.data_as(token, &create, json!({ "i": input })).await;
    let id = created[format!("create{kind}")]["id"].clone();
    app.data_as(
        token,
        "mutation($r: ID!, $s: ID!) { attachSource(recordId: $r, sourceId: $s) { id } }",
        json!({ "r": id, "s": source }),
    )
    .await;
    app.data_as(
        token,
        "mutation($id: ID!) { publish(id: $id, expectedVersion: 1) { id } }",
        json!({ "id": id }),
    )
    .await;
    id
}

/// Makes a draft of `kind` and an archived one (created, sourced, published, archived).
pub async fn hide(app: &TestApp, token: &str, kind: &'static str, r: &Refs) -> [Hidden; 2] {
    let lower = kind.to_ascii_lowercase();
    let create =
        format!("mutation($i: {kind}Input!) {{ create{kind}(input: $i) {{ id status }} }}");
    let mut made = Vec::new();
    for status in ["DRAFT", "ARCHIVED"] {
        let slug = format!("{CANARY}-{}-{lower}", status.to_ascii_lowercase());
        let created = app
            .data_as(token, &create, json!({ "i": input(kind, &slug, r) }))
            .await;
        let record = &created[format!("create{kind}")];
        assert_eq!(record["status"], "DRAFT", "{kind}");
        let id = record["id"].clone();
        if status == "ARCHIVED" {
            // Publishing needs a published source (a source is its own evidence).
            if kind != "Source" {
                app.data_as(
                token,
                "mutation($r: ID!, $s: ID!) { attachSource(recordId: $r, sourceId: $s) { id } }",
                json!({ "r": id, "s": r.source }),
            )
            .await;
            }
            app.data_as(
                token,
                "mutation($id: ID!) { publish(id: $id, expectedVersion: 1) { id } }",
                json!({ "id": id }),
            )
            .await;
            app.data_as(
                token,
                "mutation($id: ID!) { archive(id: $id, expectedVersion: 2) { id } }",
                json!({ "id": id }),
            )
            .await;
        }
        // The editor sees it, in the state this test relies on.
        let seen = app
            .data_as(
                token,
                "query($id: ID!) { node(id: $id) { id ... on Organization { status } ... on Instrument { status }
                   ... on Withdrawal { status } ... on Stakeholder { status } ... on Reaction { status }
                   ... on Pact { status } ... on Source { status } ... on Correction { status } } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(seen["node"]["status"], status, "{kind} {slug}");
        made.push(Hidden {
            kind,
            id,
            slug,
            status,
        });
    }
    let [a, b]: [Hidden; 2] = made.try_into().ok().unwrap();
    [a, b]
}

/// A draft and an archived record of every kind that has a public list.
pub async fn hide_every_kind(app: &TestApp, token: &str) -> Vec<Hidden> {
    let r = refs(app).await;
    let mut all = Vec::new();
    for kind in [
        "Organization",
        "Instrument",
        "Withdrawal",
        "Stakeholder",
        "Reaction",
        "Pact",
        "Source",
        "Correction",
    ] {
        all.extend(hide(app, token, kind, &r).await);
    }
    all
}

/// Panics if `text` (a public answer) mentions any hidden record.
pub fn assert_absent(text: &str, hidden: &[Hidden], what: &str) {
    assert!(
        !text.contains(CANARY),
        "{what} shows a hidden record: {text:.600}"
    );
    for h in hidden {
        let id = h.id.as_str().unwrap();
        assert!(
            !text.contains(id),
            "{what} shows the {} {} {} ({id})",
            h.status,
            h.kind,
            h.slug
        );
    }
}

/// The cursor of the feed's beginning: `after` it, a subscription replays everything.
pub async fn feed_start(app: &TestApp) -> Value {
    app.data(
        "{ changes(first: 0) { pageInfo { endCursor } } }",
        json!({}),
    )
    .await["changes"]["pageInfo"]["endCursor"]
        .clone()
}

/// The global id of a record's PUBLISH revision (as its editor reads its history).
pub async fn publish_revision(app: &TestApp, token: &str, record: &Value) -> Value {
    let history = "query($id: ID!) { history(id: $id) { edges { node { id action } } } }";
    let revisions = app.data_as(token, history, json!({ "id": record })).await;
    revisions["history"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["action"] == "PUBLISH")
        .map(|e| e["node"]["id"].clone())
        .expect("a PUBLISH revision")
}
