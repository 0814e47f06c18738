//! `/feeds/changes.atom`: read by a real feed parser (feed-rs), checked element by element
//! against RFC 4287's required elements, paged by RFC 5005's archive links back to the start
//! of the log with nothing missing, conditional GET, and never a draft.

use crate::canary;
use entity::enums::EditorRole;
use harness::{backend_tests, serde_json::json, TestApp};
use serde_json::Value;
use std::collections::BTreeSet;

backend_tests!(
    a_feed_reader_reads_what_changed_in_plain_words,
    archives_lead_back_to_every_public_change,
    conditional_get_and_bad_parameters,
);

const ATOM: &str = "http://www.w3.org/2005/Atom";
const HISTORY: &str = "http://purl.org/syndication/history/1.0";

/// Fetches a feed document (a path, or an absolute link the feed gave), checks it against
/// RFC 4287, and parses it with feed-rs.
async fn fetch(app: &TestApp, target: &str) -> (String, feed_rs::model::Feed) {
    let path = target.strip_prefix(&app.base).unwrap_or(target);
    let reply = app.request(awc::http::Method::GET, path, &[], None).await;
    assert_eq!(reply.status, 200, "{path}: {:.300}", reply.text);
    assert!(
        reply.content_type.starts_with("application/atom+xml"),
        "{}",
        reply.content_type
    );
    check_rfc4287(&reply.text);
    let feed = feed_rs::parser::parse(reply.text.as_bytes()).expect("feed-rs parses it");
    (reply.text, feed)
}

/// RFC 4287's required elements, read from the XML itself (feed-rs fills in what is
/// missing): one feed id, title and updated; an author for the feed (so for every entry);
/// each entry one id, title and updated; ids are absolute IRIs; dates are RFC 3339.
fn check_rfc4287(xml: &str) {
    let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
    let feed = doc.root_element();
    assert_eq!(feed.tag_name().namespace(), Some(ATOM));
    assert_eq!(feed.tag_name().name(), "feed");
    let children = |node: roxmltree::Node<'_, '_>, name: &str| -> Vec<String> {
        node.children()
            .filter(|c| c.tag_name().namespace() == Some(ATOM) && c.tag_name().name() == name)
            .map(|c| c.text().unwrap_or("").to_owned())
            .collect()
    };
    let once = |node: roxmltree::Node<'_, '_>, name: &str| -> String {
        let found = children(node, name);
        assert_eq!(found.len(), 1, "exactly one atom:{name}");
        assert!(
            !found[0].trim().is_empty() || name == "title",
            "atom:{name} is empty"
        );
        found[0].clone()
    };
    for element in [feed]
        .into_iter()
        .chain(feed.children().filter(|c| c.tag_name().name() == "entry"))
    {
        let id = once(element, "id");
        assert!(url::Url::parse(&id).is_ok(), "{id} is an absolute IRI");
        assert!(!once(element, "title").is_empty());
        let updated = once(element, "updated");
        chrono::DateTime::parse_from_rfc3339(&updated).expect("updated is RFC 3339");
        for link in element.children().filter(|c| c.tag_name().name() == "link") {
            assert!(url::Url::parse(link.attribute("href").expect("href")).is_ok());
        }
    }
    let authors = feed
        .children()
        .filter(|c| c.tag_name().name() == "author")
        .count();
    assert!(authors >= 1, "the feed names an author");
}

fn link<'a>(feed: &'a feed_rs::model::Feed, rel: &str) -> Option<&'a str> {
    feed.links
        .iter()
        .find(|l| l.rel.as_deref() == Some(rel))
        .map(|l| l.href.as_str())
}

async fn a_feed_reader_reads_what_changed_in_plain_words(app: TestApp) {
    let token = app.editor("atom@example.org", EditorRole::Editor).await;
    let hidden = canary::hide_every_kind(&app, &token).await;
    // A withdrawal of the Freedom Online Coalition, published, then its status changed.
    let r = canary::refs(&app).await;
    let mut input = canary::input("Withdrawal", "foc-atom-test", &r);
    input["rationale"] = json!("Made by the Atom test.");
    input["withdrawalStatus"] = json!("NOTICE_GIVEN");
    let id = canary::publish_new(&app, &token, "Withdrawal", &input, &r.source).await;
    input["withdrawalStatus"] = json!("EFFECTIVE");
    app.data_as(
        &token,
        "mutation($id: ID!, $i: WithdrawalInput!) { updateWithdrawal(id: $id, expectedVersion: 2, input: $i) { version } }",
        json!({ "id": id, "i": input }),
    )
    .await;
    let (text, feed) = fetch(&app, "/feeds/changes.atom?kind=WITHDRAWAL").await;
    let titles: Vec<String> = feed
        .entries
        .iter()
        .map(|e| e.title.as_ref().unwrap().content.clone())
        .collect();
    // Newest first: the status change, then the publication.
    assert_eq!(
        titles[0],
        "United States — withdrawal from Freedom Online Coalition — withdrawal status changed to EFFECTIVE"
    );
    assert_eq!(
        titles[1],
        "United States — withdrawal from Freedom Online Coalition — published"
    );
    let newest = &feed.entries[0];
    assert!(newest
        .summary
        .as_ref()
        .unwrap()
        .content
        .contains("EFFECTIVE"));
    assert!(newest.categories.iter().any(|c| c.term == "WITHDRAWAL"));
    assert!(newest.id.starts_with("tag:exodus,2026:change:"));
    // Stable ids: the same entry has the same id in the unfiltered feed.
    let (_, all) = fetch(&app, "/feeds/changes.atom").await;
    assert!(all.entries.iter().any(|e| e.id == newest.id));
    // Only withdrawals in the filtered feed.
    assert!(feed
        .entries
        .iter()
        .all(|e| e.categories.iter().all(|c| c.term == "WITHDRAWAL")));
    // The entry links to the record's data.
    let href = &newest.links[0].href;
    let record = app
        .request(
            awc::http::Method::GET,
            href.strip_prefix(&app.base)
                .expect("an absolute link to this server"),
            &[("accept", "application/json")],
            None,
        )
        .await;
    assert_eq!(record.status, 200);
    assert_eq!(record.body["data"]["node"]["id"], id);
    assert_eq!(record.body["data"]["node"]["status"], "PUBLISHED");
    // No draft, no content of a record taken down.
    assert!(!text.contains(canary::CANARY));
    let (all_text, _) = fetch(&app, "/feeds/changes.atom").await;
    assert!(!all_text.contains(canary::CANARY));
    for h in hidden.iter().filter(|h| h.status == "DRAFT") {
        assert!(!all_text.contains(h.id.as_str().unwrap()), "{}", h.slug);
    }
}

const PUBLIC_CHANGES: &str =
    "query($a: String, $k: [RecordKind!]) { changes(after: $a, first: 100, kinds: $k) {
    edges { node { id revision { sequence } } } pageInfo { hasNextPage endCursor } } }";

/// The sequences of every public change, through the `changes` query.
async fn public_changes(app: &TestApp, kinds: Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut after = Value::Null;
    loop {
        let page = &app
            .data(PUBLIC_CHANGES, json!({ "a": after, "k": kinds }))
            .await["changes"];
        for e in page["edges"].as_array().unwrap() {
            out.insert(format!(
                "tag:exodus,2026:change:{}",
                e["node"]["revision"]["sequence"]
            ));
        }
        if page["pageInfo"]["hasNextPage"] != true {
            return out;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

/// Every entry id reachable from the subscription document through `prev-archive`.
async fn walk(app: &TestApp, start: &str) -> (BTreeSet<String>, usize) {
    let (_, mut feed) = fetch(app, start).await;
    let mut ids: BTreeSet<String> = feed.entries.iter().map(|e| e.id.clone()).collect();
    let mut archives = 0;
    while let Some(prev) = link(&feed, "prev-archive").map(str::to_owned) {
        let (text, archive) = fetch(app, &prev).await;
        archives += 1;
        // RFC 5005: an archive says so, and links to the subscription document.
        let doc = roxmltree::Document::parse(&text).unwrap();
        assert!(
            doc.root_element()
                .children()
                .any(|c| c.tag_name().namespace() == Some(HISTORY)
                    && c.tag_name().name() == "archive"),
            "{prev} carries fh:archive"
        );
        assert!(link(&archive, "current").is_some());
        assert_eq!(link(&archive, "self"), Some(prev.as_str()));
        ids.extend(archive.entries.iter().map(|e| e.id.clone()));
        assert!(archives < 100, "the walk ends");
        feed = archive;
    }
    (ids, archives)
}

async fn archives_lead_back_to_every_public_change(app: TestApp) {
    // The shipped dataset alone is several pages of the log.
    let (ids, archives) = walk(&app, "/feeds/changes.atom").await;
    assert!(archives >= 3, "{archives} archives");
    assert_eq!(ids, public_changes(&app, Value::Null).await);
    // Filtered: the same, for one kind, skipping pages without one.
    let (pacts, _) = walk(&app, "/feeds/changes.atom?kind=PACT").await;
    let expected = public_changes(&app, json!(["PACT"])).await;
    assert!(!expected.is_empty());
    assert_eq!(pacts, expected);
    // An archive's next-archive link leads forward again.
    let (_, current) = fetch(&app, "/feeds/changes.atom").await;
    let prev = link(&current, "prev-archive").unwrap().to_owned();
    let (_, archive) = fetch(&app, &prev).await;
    let older = link(&archive, "prev-archive").unwrap().to_owned();
    let (_, oldest) = fetch(&app, &older).await;
    assert_eq!(link(&oldest, "next-archive"), Some(prev.as_str()));
}

async fn conditional_get_and_bad_parameters(app: TestApp) {
    let path = "/feeds/changes.atom?kind=PACT";
    let mut first = app.request(awc::http::Method::GET, path, &[], None).await;
    assert_eq!(first.status, 200);
    // HTTP dates have whole seconds: a document made in the second of its newest change has
    // no Last-Modified (another change could follow in that second). Wait that second out.
    if !first.headers.contains_key("last-modified") {
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        first = app.request(awc::http::Method::GET, path, &[], None).await;
    }
    let etag = first
        .headers
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let modified = first
        .headers
        .get("last-modified")
        .expect("a Last-Modified once the second has passed")
        .to_str()
        .unwrap()
        .to_owned();
    let same = app
        .request(
            awc::http::Method::GET,
            path,
            &[("if-none-match", &etag)],
            None,
        )
        .await;
    assert_eq!(same.status, 304);
    let since = app
        .request(
            awc::http::Method::GET,
            path,
            &[("if-modified-since", &modified)],
            None,
        )
        .await;
    assert_eq!(since.status, 304);
    // A new pact changes both.
    let token = app.editor("feeds@example.org", EditorRole::Editor).await;
    let r = canary::refs(&app).await;
    let mut input = canary::input("Pact", "atom-conditional-pact", &r);
    input["title"] = json!("A pact for the conditional GET test");
    input["summary"] = json!("Published by the Atom test.");
    canary::publish_new(&app, &token, "Pact", &input, &r.source).await;
    let changed = app
        .request(
            awc::http::Method::GET,
            path,
            &[("if-none-match", &etag)],
            None,
        )
        .await;
    assert_eq!(changed.status, 200);
    assert!(changed
        .text
        .contains("A pact for the conditional GET test — published"));
    let later = app
        .request(
            awc::http::Method::GET,
            path,
            &[("if-modified-since", &modified)],
            None,
        )
        .await;
    assert_eq!(later.status, 200);
    // Bad parameters are the client's error, with a code.
    for (bad, status, code) in [
        ("/feeds/changes.atom?kind=NOPE", 400, "BAD_USER_INPUT"),
        ("/feeds/changes.atom?id=nonsense", 400, "BAD_USER_INPUT"),
        ("/feeds/changes.atom?page=-1", 400, "BAD_USER_INPUT"),
        ("/feeds/changes.atom?page=99999", 404, "NOT_FOUND"),
        (
            "/feeds/changes.atom?page=9223372036854775807",
            404,
            "NOT_FOUND",
        ),
    ] {
        let reply = app.request(awc::http::Method::GET, bad, &[], None).await;
        assert_eq!(reply.status, status, "{bad}: {}", reply.text);
        assert_eq!(reply.code(), code, "{bad}");
    }
    // Parameters a reader adds change nothing.
    let tracked = app
        .request(
            awc::http::Method::GET,
            "/feeds/changes.atom?kind=PACT&utm_source=reader",
            &[],
            None,
        )
        .await;
    assert_eq!(tracked.status, 200);
}
