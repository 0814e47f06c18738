//! The snapshot to start from (`/export/exodus.jsonl`, `/export/<kind>.csv`): every public
//! record and nothing else, consistent with the change cursor it names, so that loading it and
//! following `changes(after:)` from that cursor gives the live state.

use crate::canary::{self, assert_absent};
use entity::enums::EditorRole;
use harness::{backend_tests, serde_json::json, TestApp};
use serde_json::Value;
use std::collections::BTreeMap;

backend_tests!(
    the_export_is_every_public_record_at_its_cursor,
    export_then_changes_from_its_cursor_is_the_live_state,
    csv_exports_have_the_documented_columns_and_every_row,
);

/// The lists, by kind, as the API's root fields name them.
const LISTS: [(&str, &str); 8] = [
    ("ORGANIZATION", "organizations"),
    ("INSTRUMENT", "instruments"),
    ("WITHDRAWAL", "withdrawals"),
    ("STAKEHOLDER", "stakeholders"),
    ("REACTION", "reactions"),
    ("PACT", "pacts"),
    ("SOURCE", "sources"),
    ("CORRECTION", "corrections"),
];

/// The export's lines, parsed, after checking the framing: a snapshot line naming the same
/// cursor as the header, the records, an end line counting them.
async fn export(app: &TestApp) -> (String, Vec<Value>, String) {
    let reply = app
        .request(awc::http::Method::GET, "/export/exodus.jsonl", &[], None)
        .await;
    assert_eq!(reply.status, 200, "{:.300}", reply.text);
    assert!(reply.content_type.starts_with("application/jsonl"));
    let header_cursor = reply
        .headers
        .get("exodus-change-cursor")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let etag = reply
        .headers
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let lines: Vec<Value> = reply
        .text
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is JSON"))
        .collect();
    let (first, rest) = lines.split_first().expect("a first line");
    assert_eq!(first["type"], "snapshot");
    assert_eq!(first["cursor"], header_cursor.as_str());
    assert_eq!(first["license"], "CC-BY-4.0");
    assert!(first["attribution"].as_str().unwrap().contains("Exodus"));
    let (last, records) = rest.split_last().expect("an end line");
    assert_eq!(last["type"], "end");
    assert_eq!(last["records"], records.len());
    for r in records {
        assert_eq!(r["type"], "record");
        assert_eq!(r["id"], r["node"]["id"], "{r}");
        assert_eq!(r["node"]["status"], "PUBLISHED", "{r}");
    }
    (header_cursor, records.to_vec(), etag)
}

async fn the_export_is_every_public_record_at_its_cursor(app: TestApp) {
    let token = app.editor("ex@example.org", EditorRole::Editor).await;
    let hidden = canary::hide_every_kind(&app, &token).await;
    let (cursor, records, etag) = export(&app).await;
    assert_absent(
        &serde_json::to_string(&records).unwrap(),
        &hidden,
        "the export",
    );
    // Every public record of every kind, once: the same ids as the public lists.
    for (kind, list) in LISTS {
        let exported: Vec<&str> = records
            .iter()
            .filter(|r| r["kind"] == kind)
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        let mut listed = Vec::new();
        let mut after = Value::Null;
        loop {
            let q = format!(
                "query($a: String) {{ {list}(first: 100, after: $a) {{ totalCount edges {{ node {{ id }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
            );
            let page = &app.data(&q, json!({ "a": after })).await[list];
            listed.extend(
                page["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["node"]["id"].as_str().unwrap().to_owned()),
            );
            if page["pageInfo"]["hasNextPage"] != true {
                assert_eq!(page["totalCount"], listed.len());
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
        assert!(!listed.is_empty(), "{kind}");
        let mut exported_sorted: Vec<&str> = exported.clone();
        exported_sorted.sort_unstable();
        exported_sorted.dedup();
        assert_eq!(exported_sorted.len(), exported.len(), "{kind} twice");
        let mut listed_sorted: Vec<&str> = listed.iter().map(String::as_str).collect();
        listed_sorted.sort_unstable();
        assert_eq!(exported_sorted, listed_sorted, "{kind}");
    }
    // A record reads as the API shows it.
    let fic = records
        .iter()
        .find(|r| r["node"]["slug"] == "freedom-online-coalition-withdrawal")
        .expect("the FOC withdrawal");
    let live = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Withdrawal { version withdrawalStatus announcedOn
               organization { id slug name } sources(first: 100) { edges { node { note source { id } } } } } } }",
            json!({ "id": fic["id"] }),
        )
        .await;
    let node = &fic["node"];
    assert_eq!(node["organization"], live["node"]["organization"]);
    assert_eq!(node["version"], live["node"]["version"]);
    assert_eq!(node["withdrawalStatus"], live["node"]["withdrawalStatus"]);
    assert_eq!(node["announcedOn"], live["node"]["announcedOn"]);
    assert_eq!(node["sources"], live["node"]["sources"]);
    assert!(!node["sources"]["edges"].as_array().unwrap().is_empty());
    // The cursor is where the change feed stands.
    let head = app
        .data(
            "{ changes(first: 0) { pageInfo { endCursor } } }",
            json!({}),
        )
        .await;
    let feed_head = app
        .data(
            "query($a: String) { changes(after: $a, first: 1) { edges { cursor } } }",
            json!({ "a": cursor }),
        )
        .await;
    assert_eq!(feed_head["changes"]["edges"], json!([]), "nothing after it");
    assert!(head["changes"]["pageInfo"]["endCursor"].is_string());
    // Unchanged data: 304 on revalidation; a change: a new ETag.
    let again = app
        .request(
            awc::http::Method::GET,
            "/export/exodus.jsonl",
            &[("if-none-match", &etag)],
            None,
        )
        .await;
    assert_eq!(again.status, 304);
    assert!(again.text.is_empty());
    // A write moves the cursor (even one the public cannot see: the ETag names the cursor).
    let draft = canary::input(
        "Organization",
        "export-etag-draft",
        &canary::refs(&app).await,
    );
    app.data_as(
        &token,
        "mutation($i: OrganizationInput!) { createOrganization(input: $i) { id } }",
        json!({ "i": draft }),
    )
    .await;
    let changed = app
        .request(
            awc::http::Method::GET,
            "/export/exodus.jsonl",
            &[("if-none-match", &etag)],
            None,
        )
        .await;
    assert_eq!(changed.status, 200);
    assert_ne!(changed.headers.get("etag").unwrap().to_str().unwrap(), etag);
    assert_ne!(
        changed
            .headers
            .get("exodus-change-cursor")
            .unwrap()
            .to_str()
            .unwrap(),
        cursor
    );
}

/// Every record's version, by id, in an export.
fn versions(records: &[Value]) -> BTreeMap<String, i64> {
    records
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_owned(),
                r["node"]["version"].as_i64().unwrap(),
            )
        })
        .collect()
}

const VERSIONS: &str = "query($a: String) { changes(after: $a, first: 100) {
    edges { node { recordId visible node { ... on Organization { version } ... on Instrument { version }
      ... on Withdrawal { version } ... on Stakeholder { version } ... on Reaction { version }
      ... on Pact { version } ... on Source { version } ... on Correction { version } } } }
    pageInfo { hasNextPage endCursor } } }";

async fn export_then_changes_from_its_cursor_is_the_live_state(app: TestApp) {
    let token = app.editor("resume@example.org", EditorRole::Editor).await;
    let (cursor, records, _) = export(&app).await;
    let mut state = versions(&records);
    // After the export: an edit, a new record published, a record taken down, a draft.
    let r = canary::refs(&app).await;
    let hidden = canary::hide(&app, &token, "Stakeholder", &r).await;
    let source = |title: &str| {
        json!({ "slug": "after-the-export", "url": "https://example.org/after", "title": title,
            "publisher": "Example", "publishedOn": "2026-03-01", "retrievedOn": "2026-03-02" })
    };
    let created = app
        .data_as(
            &token,
            "mutation($i: SourceInput!) { createSource(input: $i) { id } }",
            json!({ "i": source("After the export") }),
        )
        .await;
    let source_id = created["createSource"]["id"].clone();
    app.data_as(
        &token,
        "mutation($id: ID!) { publish(id: $id, expectedVersion: 1) { id } }",
        json!({ "id": source_id }),
    )
    .await;
    app.data_as(
        &token,
        "mutation($id: ID!, $i: SourceInput!) { updateSource(id: $id, expectedVersion: 2, input: $i) { version } }",
        json!({ "id": source_id, "i": source("After the export, edited") }),
    )
    .await;
    let org = app
        .data(
            "{ organization(slug: \"freedom-online-coalition\") { id version } }",
            json!({}),
        )
        .await;
    app.data_as(
        &token,
        "mutation($id: ID!, $v: Int!) { archive(id: $id, expectedVersion: $v) { id } }",
        json!({ "id": org["organization"]["id"], "v": org["organization"]["version"] }),
    )
    .await;
    // Follow the feed from the export's cursor, as a data team would.
    let mut after = Value::String(cursor);
    let mut events = 0;
    loop {
        let page = &app.data(VERSIONS, json!({ "a": after })).await["changes"];
        for e in page["edges"].as_array().unwrap() {
            let id = e["node"]["recordId"].as_str().unwrap().to_owned();
            events += 1;
            if e["node"]["visible"] == true {
                state.insert(id, e["node"]["node"]["version"].as_i64().unwrap());
            } else {
                state.remove(&id);
            }
        }
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert!(events >= 3, "the edits after the export are in the feed");
    let (_, now, _) = export(&app).await;
    assert_eq!(state, versions(&now), "export + changes = the live state");
    assert!(!state.contains_key(org["organization"]["id"].as_str().unwrap()));
    assert_eq!(state.get(source_id.as_str().unwrap()), Some(&3));
    assert_absent(
        &serde_json::to_string(&now).unwrap(),
        &hidden,
        "the second export",
    );
}

async fn csv_exports_have_the_documented_columns_and_every_row(app: TestApp) {
    let reply = app
        .request(awc::http::Method::GET, "/export/withdrawals.csv", &[], None)
        .await;
    assert_eq!(reply.status, 200, "{:.300}", reply.text);
    assert!(reply.content_type.starts_with("text/csv"));
    assert!(reply.headers.contains_key("exodus-change-cursor"));
    let mut reader = csv::Reader::from_reader(reply.text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    // The README documents this order; columns are only ever appended.
    assert_eq!(
        header,
        [
            "id",
            "slug",
            "status",
            "confidence",
            "version",
            "createdAt",
            "updatedAt",
            "sources",
            "organization",
            "instrument",
            "announcedOn",
            "effectiveOn",
            "withdrawalStatus",
            "fundingEnded",
            "rationale",
            "expectedImpact",
            "replacedBy",
            "confidenceReason",
            "confidenceCeiling",
            "confidenceNote"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let total = app.data("{ withdrawals { totalCount } }", json!({})).await["withdrawals"]
        ["totalCount"]
        .as_u64()
        .unwrap();
    assert_eq!(rows.len() as u64, total);
    let foc = rows
        .iter()
        .find(|r| &r[1] == "freedom-online-coalition-withdrawal")
        .expect("the FOC withdrawal");
    let live = app
        .data(
            "{ withdrawal(slug: \"freedom-online-coalition-withdrawal\") { id organization { id } sources { totalCount } } }",
            json!({}),
        )
        .await;
    assert_eq!(&foc[0], live["withdrawal"]["id"].as_str().unwrap());
    assert_eq!(
        &foc[8],
        live["withdrawal"]["organization"]["id"].as_str().unwrap()
    );
    assert_eq!(
        foc[7].split("; ").count() as u64,
        live["withdrawal"]["sources"]["totalCount"]
            .as_u64()
            .unwrap()
    );
    // Every kind has one; an unknown name is a 404 that lists them.
    for (_, list) in LISTS {
        let r = app
            .request(
                awc::http::Method::GET,
                &format!("/export/{list}.csv"),
                &[],
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{list}");
        assert!(r.text.lines().count() > 1, "{list} has rows");
    }
    let missing = app
        .request(awc::http::Method::GET, "/export/editors.csv", &[], None)
        .await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.code(), "NOT_FOUND");
    assert!(missing.message().contains("withdrawals.csv"));
}
