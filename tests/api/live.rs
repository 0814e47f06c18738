//! Live updates over real websockets: order, exactly once, resume, visibility, protocols,
//! replicas on one PostgreSQL database, a killed listener, a slow reader.

use entity::enums::EditorRole;
use harness::{backend_tests, serde_json::json, TestApp, LEGACY_WS, TRANSPORT_WS};
use sea_orm::ConnectionTrait;
use serde_json::Value;
use std::time::Duration;

backend_tests!(
    events_arrive_in_order_exactly_once,
    anonymous_subscribers_see_published_states_only,
    resume_after_a_disconnect_loses_nothing,
    both_protocols_and_connection_init_tokens,
    polling_clients_read_the_same_feed,
    a_slow_reader_loses_nothing,
    typed_streams,
    public_subscribers_share_one_view_of_each_change,
);

const CHANGES: &str = "subscription($after: String, $drafts: Boolean, $kinds: [RecordKind!]) {
  changes(after: $after, includeDrafts: $drafts, kinds: $kinds) { cursor kind action visible id recordId at
    node { id ... on Source { slug status } ... on Organization { slug } }
    revision { sequence action version } } }";

const WAIT: Duration = Duration::from_secs(15);

/// Creates a source as a draft; returns its id.
async fn draft_source(app: &TestApp, token: &str, slug: &str) -> Value {
    let made = app
        .data_as(token, "mutation($i: SourceInput!) { createSource(input: $i) { id } }", json!({ "i": { "slug": slug, "url": format!("https://example.org/{slug}"), "title": slug } }))
        .await;
    made["createSource"]["id"].clone()
}

async fn publish(app: &TestApp, token: &str, id: &Value, version: i64) {
    app.data_as(
        token,
        "mutation($id: ID!, $v: Int!) { publish(id: $id, expectedVersion: $v) { id } }",
        json!({ "id": id, "v": version }),
    )
    .await;
}

async fn published_source(app: &TestApp, token: &str, slug: &str) -> Value {
    let id = draft_source(app, token, slug).await;
    publish(app, token, &id, 1).await;
    id
}

/// The cursor of the newest change this viewer can see, read through the `changes` query (an
/// editor's includes drafts). Subscribing with `after` set to it is how a test starts a
/// subscription "from now" without racing the subscription's own start.
async fn head(app: &TestApp, token: Option<&str>) -> Value {
    let q = "query($a: String, $d: Boolean) { changes(after: $a, first: 100, includeDrafts: $d) { pageInfo { endCursor hasNextPage } } }";
    let mut after = Value::Null;
    loop {
        let vars = json!({ "a": after, "d": token.is_some() });
        let page = match token {
            None => app.data(q, vars).await,
            Some(t) => app.data_as(t, q, vars).await,
        };
        after = page["changes"]["pageInfo"]["endCursor"].clone();
        assert!(after.is_string(), "{page}");
        if page["changes"]["pageInfo"]["hasNextPage"] == false {
            return after;
        }
    }
}

fn event_slug(e: &Value) -> String {
    e["changes"]["node"]["slug"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

async fn events_arrive_in_order_exactly_once(app: TestApp) {
    let token = app.editor("ed@example.org", EditorRole::Editor).await;
    let after = head(&app, None).await;
    let mut ws = app.ws(TRANSPORT_WS, json!({})).await.unwrap();
    ws.subscribe("1", CHANGES, json!({ "after": after })).await;
    let slugs: Vec<String> = (0..6).map(|i| format!("ordered-{i}")).collect();
    for s in &slugs {
        published_source(&app, &token, s).await;
    }
    let mut got = Vec::new();
    let mut cursors = Vec::new();
    for _ in 0..slugs.len() {
        let e = ws.next_event(WAIT).await.expect("an event");
        assert_eq!(
            e["changes"]["action"], "PUBLISH",
            "drafts are not announced: {e}"
        );
        got.push(event_slug(&e));
        cursors.push(e["changes"]["revision"]["sequence"].as_i64().unwrap());
    }
    assert_eq!(got, slugs, "in commit order");
    assert!(cursors.windows(2).all(|w| w[0] < w[1]));
    // Nothing twice: the next event is the next change.
    published_source(&app, &token, "sentinel").await;
    let e = ws.next_event(WAIT).await.unwrap();
    assert_eq!(event_slug(&e), "sentinel");
    ws.close().await;
}

async fn anonymous_subscribers_see_published_states_only(app: TestApp) {
    let token = app.editor("ed@example.org", EditorRole::Editor).await;
    let public_head = head(&app, None).await;
    let editor_head = head(&app, Some(&token)).await;
    let mut public = app.ws(TRANSPORT_WS, json!({})).await.unwrap();
    public
        .subscribe("p", CHANGES, json!({ "after": public_head }))
        .await;
    let mut editor = app
        .ws(
            TRANSPORT_WS,
            json!({ "authorization": format!("Bearer {token}") }),
        )
        .await
        .unwrap();
    editor
        .subscribe(
            "e",
            CHANGES,
            json!({ "drafts": true, "after": editor_head }),
        )
        .await;

    let id = draft_source(&app, &token, "private-draft").await;
    let e = editor.next_event(WAIT).await.unwrap();
    assert_eq!(e["changes"]["action"], "CREATE");
    assert_eq!(e["changes"]["node"]["status"], "DRAFT");
    publish(&app, &token, &id, 1).await;
    let e = public.next_event(WAIT).await.unwrap();
    assert_eq!(
        e["changes"]["action"], "PUBLISH",
        "the draft's creation was not announced to the public: {e}"
    );
    assert_eq!(e["changes"]["node"]["status"], "PUBLISHED");
    assert!(e["changes"]["revision"]["sequence"].is_number());
    app.data_as(
        &token,
        "mutation($id: ID!) { archive(id: $id, expectedVersion: 2) { id } }",
        json!({ "id": id }),
    )
    .await;
    let e = public.next_event(WAIT).await.unwrap();
    assert_eq!(e["changes"]["action"], "ARCHIVE");
    assert_eq!(e["changes"]["visible"], false, "a removal");
    assert!(e["changes"]["node"].is_null(), "without content");
    assert_eq!(e["changes"]["recordId"], id);
    // Anonymous readers cannot ask for drafts.
    public
        .subscribe("d", CHANGES, json!({ "drafts": true }))
        .await;
    let m = public.next_message(WAIT).await.unwrap();
    assert_eq!(
        m["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{m}"
    );
}

async fn resume_after_a_disconnect_loses_nothing(app: TestApp) {
    let token = app.editor("ed@example.org", EditorRole::Editor).await;
    let after = head(&app, None).await;
    let mut ws = app.ws(TRANSPORT_WS, json!({})).await.unwrap();
    ws.subscribe("1", CHANGES, json!({ "after": after })).await;
    published_source(&app, &token, "before-drop").await;
    let e = ws.next_event(WAIT).await.unwrap();
    let cursor = e["changes"]["cursor"].clone();
    ws.close().await;

    // Written while nobody listens.
    for s in ["while-away-1", "while-away-2", "while-away-3"] {
        published_source(&app, &token, s).await;
    }
    let mut ws = app.ws(TRANSPORT_WS, json!({})).await.unwrap();
    ws.subscribe("2", CHANGES, json!({ "after": cursor })).await;
    // And written during the switch from the log to live: once the replay has begun (its
    // first event is in), before the reader has taken the rest.
    let (replaying, replay_started) = tokio::sync::oneshot::channel::<()>();
    let writer = async {
        tokio::time::timeout(WAIT, replay_started)
            .await
            .expect("the replay begins")
            .unwrap();
        for s in ["during-switch-1", "during-switch-2"] {
            published_source(&app, &token, s).await;
        }
    };
    let reader = async {
        let mut got = vec![event_slug(&ws.next_event(WAIT).await.unwrap())];
        replaying.send(()).unwrap();
        for _ in 1..5 {
            got.push(event_slug(&ws.next_event(WAIT).await.unwrap()));
        }
        got
    };
    let ((), got) = futures_util::join!(writer, reader);
    assert_eq!(
        got,
        [
            "while-away-1",
            "while-away-2",
            "while-away-3",
            "during-switch-1",
            "during-switch-2"
        ]
    );
    published_source(&app, &token, "live").await;
    assert_eq!(event_slug(&ws.next_event(WAIT).await.unwrap()), "live");

    let bad = app.ws(TRANSPORT_WS, json!({})).await.unwrap();
    let mut bad = bad;
    bad.subscribe("3", CHANGES, json!({ "after": "garbage" }))
        .await;
    let m = bad.next_message(WAIT).await.unwrap();
    assert_eq!(
        m["payload"]["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{m}"
    );
}

async fn both_protocols_and_connection_init_tokens(app: TestApp) {
    let token = app.editor("ed@example.org", EditorRole::Editor).await;
    let after = head(&app, None).await;
    let mut legacy = app.ws(LEGACY_WS, json!({})).await.unwrap();
    legacy
        .subscribe("1", CHANGES, json!({ "after": after }))
        .await;
    published_source(&app, &token, "legacy-one").await;
    assert_eq!(
        event_slug(&legacy.next_event(WAIT).await.unwrap()),
        "legacy-one"
    );

    // A token in connection_init: bare or as a Bearer header value.
    for payload in [
        json!({ "authorization": format!("Bearer {token}") }),
        json!({ "token": token }),
    ] {
        let after = head(&app, Some(&token)).await;
        let mut ws = app.ws(TRANSPORT_WS, payload).await.unwrap();
        ws.subscribe(
            "me",
            "subscription($a: String) { changes(includeDrafts: true, after: $a) { action } }",
            json!({ "a": after }),
        )
        .await;
        draft_source(&app, &token, &format!("draft-{}", rand_suffix())).await;
        assert_eq!(
            ws.next_event(WAIT).await.unwrap()["changes"]["action"],
            "CREATE"
        );
    }
    let refused = app
        .ws(
            TRANSPORT_WS,
            json!({ "authorization": "Bearer forged.token.here" }),
        )
        .await;
    let refused = refused.err().expect("a bad token refuses the connection");
    assert_eq!(refused["type"], "closed", "{refused}");
    assert_eq!(refused["code"], 4403, "Forbidden: {refused}");
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos()
}

async fn polling_clients_read_the_same_feed(app: TestApp) {
    let token = app.editor("ed@example.org", EditorRole::Editor).await;
    let head = app
        .data(
            "{ changes(first: 100) { pageInfo { endCursor hasNextPage } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        head["changes"]["pageInfo"]["hasNextPage"], true,
        "the seeded log is long"
    );
    // Walk the whole log to its end.
    let mut after = Value::Null;
    let mut seen = 0;
    loop {
        let page = app.data("query($a: String) { changes(after: $a, first: 100) { edges { cursor node { action } } pageInfo { endCursor hasNextPage } } }", json!({ "a": after })).await;
        seen += page["changes"]["edges"].as_array().unwrap().len();
        after = page["changes"]["pageInfo"]["endCursor"].clone();
        if page["changes"]["pageInfo"]["hasNextPage"] == false {
            break;
        }
    }
    assert!(seen >= 332, "every seeded record once: {seen}");
    for s in ["polled-1", "polled-2"] {
        published_source(&app, &token, s).await;
    }
    let page = app
        .data("query($a: String) { changes(after: $a) { edges { node { action node { ... on Source { slug } } } } pageInfo { hasNextPage } } }", json!({ "a": after }))
        .await;
    let slugs: Vec<&str> = page["changes"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["node"]["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["polled-1", "polled-2"]);
    assert_eq!(
        app.query("{ changes(first: 1000) { edges { cursor } } }", json!({}))
            .await
            .code(),
        "BAD_USER_INPUT"
    );
}

async fn a_slow_reader_loses_nothing(app: TestApp) {
    let token = app.editor("ed@example.org", EditorRole::Editor).await;
    let organizations = app
        .data(
            "{ organizations(first: 12) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let organizations = organizations["organizations"]["edges"].as_array().unwrap();
    let after = head(&app, None).await;
    let mut ws = app.ws(TRANSPORT_WS, json!({})).await.unwrap();
    ws.subscribe("1", CHANGES, json!({ "kinds": ["SOURCE"], "after": after }))
        .await;
    // The reader reads nothing while 120 changes of the kind it follows are written, with
    // changes it must not get in between: organizations archived (public removals of another
    // kind) and sources left as drafts (not public).
    let n = 120;
    for i in 0..n {
        if i % 10 == 5 {
            let org = &organizations[i / 10]["node"]["id"];
            app.data_as(
                &token,
                "mutation($id: ID!) { archive(id: $id, expectedVersion: 1) { id } }",
                json!({ "id": org }),
            )
            .await;
            draft_source(&app, &token, &format!("hidden-{i:03}")).await;
        }
        published_source(&app, &token, &format!("burst-{i:03}")).await;
        // A slow reader is still a live client: its websocket layer pings (as browsers answer
        // the server's pings). Without a frame for 30 s the server would rightly drop it, and
        // on a slow machine the writes above can take that long.
        if i % 10 == 9 {
            ws.send_frame(awc::ws::Message::Ping(Default::default()))
                .await;
        }
    }
    let mut got = Vec::new();
    for _ in 0..n {
        got.push(event_slug(
            &ws.next_event(WAIT).await.expect("every event arrives"),
        ));
    }
    let expected: Vec<String> = (0..n).map(|i| format!("burst-{i:03}")).collect();
    assert_eq!(got, expected);
}

async fn typed_streams(app: TestApp) {
    let token = app.editor("ed@example.org", EditorRole::Editor).await;
    let ids = app
        .data("{ w: withdrawal(slug: \"freedom-online-coalition-withdrawal\") { id } ws: withdrawals(first: 2) { edges { node { id } } }
               st: stakeholders(first: 1) { edges { node { id } } } s: sources(first: 1) { edges { node { id } } }
               p: pacts(first: 2) { edges { node { id } } } }", json!({}))
        .await;
    let foc = ids["w"]["id"].clone();
    let other = ids["ws"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].clone())
        .find(|id| *id != foc)
        .unwrap();
    let (pact, other_pact) = (
        ids["p"]["edges"][0]["node"]["id"].clone(),
        ids["p"]["edges"][1]["node"]["id"].clone(),
    );
    let source = ids["s"]["edges"][0]["node"]["id"].clone();
    let stakeholder = ids["st"]["edges"][0]["node"]["id"].clone();

    let after = head(&app, None).await;
    let mut ws = app.ws(TRANSPORT_WS, json!({})).await.unwrap();
    ws.subscribe("r", "subscription($w: ID!, $a: String) { reactionAdded(withdrawalId: $w, after: $a) { action node { ... on Reaction { slug stance } } } }", json!({ "w": foc, "a": after })).await;
    ws.subscribe("w", "subscription($id: ID, $a: String) { withdrawalChanged(id: $id, after: $a) { kind action visible recordId } }", json!({ "id": foc, "a": after })).await;
    ws.subscribe("p", "subscription($id: ID, $a: String) { pactChanged(id: $id, after: $a) { kind action visible recordId } }", json!({ "id": pact, "a": after })).await;

    let reaction = |slug: &str, subject: &Value| {
        json!({ "i": { "slug": slug, "stakeholderId": stakeholder, "subjectId": subject,
            "stance": "OPPOSE", "summary": "A test reaction.", "reactedOn": "2026-03-01" } })
    };
    let create = "mutation($i: ReactionInput!) { createReaction(input: $i) { id } }";
    let archive = "mutation($id: ID!) { archive(id: $id, expectedVersion: 1) { id } }";
    let sourced_and_published = |id: Value| {
        let (app, token, source) = (&app, &token, &source);
        async move {
            app.data_as(
                token,
                "mutation($r: ID!, $s: ID!) { attachSource(recordId: $r, sourceId: $s) { id } }",
                json!({ "r": id, "s": source }),
            )
            .await;
            publish(app, token, &id, 1).await;
        }
    };
    // First what the streams must leave out: a reaction published on another withdrawal, a
    // reaction to this one left a draft, another withdrawal and another pact archived. A
    // leak would arrive before the events below (each stream is in commit order).
    let elsewhere = app
        .data_as(&token, create, reaction("elsewhere-reaction", &other))
        .await["createReaction"]["id"]
        .clone();
    sourced_and_published(elsewhere).await;
    app.data_as(&token, create, reaction("draft-reaction", &foc))
        .await;
    app.data_as(&token, archive, json!({ "id": other })).await;
    app.data_as(&token, archive, json!({ "id": other_pact }))
        .await;
    // Then one change each stream must deliver.
    let live = app
        .data_as(&token, create, reaction("live-reaction", &foc))
        .await["createReaction"]["id"]
        .clone();
    sourced_and_published(live).await;
    app.data_as(&token, archive, json!({ "id": foc })).await;
    app.data_as(&token, archive, json!({ "id": pact })).await;

    let mut first = std::collections::BTreeMap::new();
    while first.len() < 3 {
        let m = ws
            .next_message(WAIT)
            .await
            .expect("an event on each stream");
        assert_eq!(m["type"], "next", "{m}");
        let id = m["id"].as_str().unwrap().to_owned();
        first.entry(id).or_insert(m["payload"]["data"].clone());
    }
    assert_eq!(
        first["r"]["reactionAdded"],
        json!({ "action": "PUBLISH", "node": { "slug": "live-reaction", "stance": "OPPOSE" } })
    );
    assert_eq!(
        first["w"]["withdrawalChanged"],
        json!({ "kind": "WITHDRAWAL", "action": "ARCHIVE", "visible": false, "recordId": foc })
    );
    assert_eq!(
        first["p"]["pactChanged"],
        json!({ "kind": "PACT", "action": "ARCHIVE", "visible": false, "recordId": pact })
    );
}

/// Two replicas on one PostgreSQL database: a change made through A reaches B's subscribers,
/// also after B's database connections were killed.
#[actix_web::test]
async fn replicas_share_changes_and_survive_a_killed_listener() {
    let Some(a) = harness::spawn(harness::Backend::Postgres).await else {
        return;
    };
    let b = harness::replica_of(&a).await;
    let token = a.editor("ed@example.org", EditorRole::Editor).await;
    let after = head(&b, None).await;
    let mut ws = b.ws(TRANSPORT_WS, json!({})).await.unwrap();
    ws.subscribe("1", CHANGES, json!({ "after": after })).await;
    published_source(&a, &token, "via-a").await;
    assert_eq!(event_slug(&ws.next_event(WAIT).await.unwrap()), "via-a");

    // Kill every connection to the database but the test's own: both replicas' listeners and
    // pools. Then wait for both listeners to be back, on new connections.
    let admin = sea_orm::Database::connect(a.database_url.as_str())
        .await
        .expect("the test connects to the database");
    let before = listening(&admin).await;
    assert_eq!(before.len(), 2, "A's and B's listeners: {before:?}");
    let killed = admin
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT pid, pg_terminate_backend(pid) AS done FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        ))
        .await
        .expect("pg_terminate_backend runs");
    let killed: Vec<(i32, bool)> = killed
        .iter()
        .map(|r| {
            (
                r.try_get("", "pid").unwrap(),
                r.try_get("", "done").unwrap(),
            )
        })
        .collect();
    assert!(killed.iter().all(|(_, done)| *done), "{killed:?}");
    for pid in &before {
        assert!(
            killed.iter().any(|(p, _)| p == pid),
            "listener {pid} was killed: {killed:?}"
        );
    }
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let now = listening(&admin).await;
        if now.len() == 2 && now.iter().all(|p| !before.contains(p)) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the listeners did not come back: {now:?} (before {before:?})"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for s in ["after-kill-1", "after-kill-2"] {
        // A's pool may need a retry to notice its connections died.
        let mut done = false;
        for _ in 0..5 {
            let reply = a
                .query_as(
                    &token,
                    "mutation($i: SourceInput!) { createSource(input: $i) { id } }",
                    json!({ "i": { "slug": s, "url": "https://example.org/x", "title": s } }),
                )
                .await;
            if let Some(id) = reply.body["data"]["createSource"]["id"].as_str() {
                publish(&a, &token, &json!(id), 1).await;
                done = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert!(done, "A recovers from the killed connections");
    }
    let got: Vec<String> = [
        ws.next_event(WAIT).await.unwrap(),
        ws.next_event(WAIT).await.unwrap(),
    ]
    .iter()
    .map(event_slug)
    .collect();
    assert_eq!(
        got,
        ["after-kill-1", "after-kill-2"],
        "nothing lost, nothing twice"
    );
}

/// The backends LISTENing for changes on this database.
async fn listening(db: &sea_orm::DatabaseConnection) -> Vec<i32> {
    db.query_all_raw(sea_orm::Statement::from_string(
        sea_orm::DbBackend::Postgres,
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'",
    ))
    .await
    .expect("pg_stat_activity is readable")
    .iter()
    .map(|r| r.try_get("", "pid").unwrap())
    .collect()
}

/// PostgreSQL: writers that commit out of order. A revision's sequence is taken when it is
/// inserted, not when it commits, so without the writers taking turns (the advisory lock in
/// service/revision.rs) a reader can see sequence N+1 before N commits, move its cursor past
/// N and never deliver it. A trigger on the test database sleeps a few random milliseconds
/// after each revision insert, inside the writer's transaction, so the commits would cross
/// often; a subscriber and a polling reader must still see every revision, in order, once.
#[actix_web::test]
async fn concurrent_writers_leave_no_gap_in_the_feed() {
    let Some(app) = harness::spawn_with(harness::Backend::Postgres, |c| {
        c.rate_limit_editor = 1_000_000;
    })
    .await
    else {
        return;
    };
    let admin = sea_orm::Database::connect(app.database_url.as_str())
        .await
        .expect("the test connects to the database");
    admin
        .execute_unprepared(
            "CREATE FUNCTION exodus_test_jitter() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN PERFORM pg_sleep(random() * 0.02); RETURN NULL; END $$;
             CREATE TRIGGER exodus_test_jitter AFTER INSERT ON revision
             FOR EACH ROW EXECUTE FUNCTION exodus_test_jitter();",
        )
        .await
        .expect("the jitter trigger is installed");
    let token = app.editor("ed@example.org", EditorRole::Editor).await;
    let start = head(&app, Some(&token)).await;
    let mut ws = app
        .ws(
            TRANSPORT_WS,
            json!({ "authorization": format!("Bearer {token}") }),
        )
        .await
        .unwrap();
    ws.subscribe(
        "all",
        "subscription($a: String) { changes(after: $a, includeDrafts: true) { cursor } }",
        json!({ "a": start }),
    )
    .await;

    let (writers, per_writer) = (8, 12);
    let done = std::sync::atomic::AtomicBool::new(false);
    let write = futures_util::future::join_all((0..writers).map(|w| {
        let (app, token) = (&app, &token);
        async move {
            for i in 0..per_writer {
                draft_source(app, token, &format!("concurrent-{w}-{i}")).await;
            }
        }
    }));
    let write = async {
        write.await;
        done.store(true, std::sync::atomic::Ordering::SeqCst);
    };
    // A client polling the `changes` query all along, from the same start.
    let poll = async {
        let mut seen: Vec<String> = Vec::new();
        let mut after = start.clone();
        loop {
            let finished = done.load(std::sync::atomic::Ordering::SeqCst);
            let page = app
                .data_as(
                    &token,
                    "query($a: String) { changes(after: $a, first: 100, includeDrafts: true) { edges { cursor } pageInfo { endCursor } } }",
                    json!({ "a": after }),
                )
                .await;
            for e in page["changes"]["edges"].as_array().unwrap() {
                seen.push(e["cursor"].as_str().unwrap().to_owned());
            }
            after = page["changes"]["pageInfo"]["endCursor"].clone();
            if finished && page["changes"]["edges"].as_array().unwrap().is_empty() {
                return seen;
            }
        }
    };
    let ((), polled) = futures_util::join!(write, poll);

    // Every revision written since the start, read once everything has committed.
    let mut all: Vec<String> = Vec::new();
    let mut after = start.clone();
    loop {
        let page = app
            .data_as(
                &token,
                "query($a: String) { changes(after: $a, first: 100, includeDrafts: true) { edges { cursor } pageInfo { endCursor hasNextPage } } }",
                json!({ "a": after }),
            )
            .await;
        for e in page["changes"]["edges"].as_array().unwrap() {
            all.push(e["cursor"].as_str().unwrap().to_owned());
        }
        after = page["changes"]["pageInfo"]["endCursor"].clone();
        if page["changes"]["pageInfo"]["hasNextPage"] == false {
            break;
        }
    }
    assert_eq!(all.len(), writers * per_writer, "one revision per write");
    // What the subscriber delivered; a skipped revision shows as a missing event (it waits
    // WAIT for it, then stops).
    let mut streamed = Vec::new();
    while streamed.len() < all.len() {
        let Some(e) = ws.next_event(WAIT).await else {
            break;
        };
        streamed.push(e["changes"]["cursor"].as_str().unwrap().to_owned());
    }
    let missing = |got: &[String]| -> Vec<String> {
        all.iter().filter(|c| !got.contains(c)).cloned().collect()
    };
    assert_eq!(
        polled,
        all,
        "the polling reader missed or repeated revisions; missing {:?}",
        missing(&polled)
    );
    assert_eq!(
        streamed,
        all,
        "the subscriber missed or repeated revisions; missing {:?}",
        missing(&streamed)
    );
}

/// The public's view of a change is decided once and shared by every subscriber with that
/// view (anonymous readers, editors who did not ask for drafts); a decision made before a later
/// change is never reused after it.
async fn public_subscribers_share_one_view_of_each_change(app: TestApp) {
    let token = app.editor("ed@example.org", EditorRole::Editor).await;
    let start = head(&app, None).await;
    let mut live = Vec::new();
    for i in 0..4 {
        let mut ws = app.ws(TRANSPORT_WS, json!({})).await.unwrap();
        ws.subscribe(&format!("p{i}"), CHANGES, json!({ "after": start }))
            .await;
        live.push(ws);
    }
    let mut editor = app
        .ws(
            TRANSPORT_WS,
            json!({ "authorization": format!("Bearer {token}") }),
        )
        .await
        .unwrap();
    editor
        .subscribe("e", CHANGES, json!({ "after": start }))
        .await;
    live.push(editor);
    let mut other_kind = app.ws(TRANSPORT_WS, json!({})).await.unwrap();
    other_kind
        .subscribe(
            "o",
            CHANGES,
            json!({ "after": start, "kinds": ["ORGANIZATION"] }),
        )
        .await;

    let id = draft_source(&app, &token, "shared-view").await;
    publish(&app, &token, &id, 1).await;
    for ws in live.iter_mut() {
        let e = ws.next_event(WAIT).await.unwrap();
        assert_eq!(e["changes"]["action"], "PUBLISH", "{e}");
        assert_eq!(e["changes"]["visible"], true);
        assert_eq!(e["changes"]["node"]["status"], "PUBLISHED");
    }
    app.data_as(
        &token,
        "mutation($id: ID!) { archive(id: $id, expectedVersion: 2) { id } }",
        json!({ "id": id }),
    )
    .await;
    for ws in live.iter_mut() {
        let e = ws.next_event(WAIT).await.unwrap();
        assert_eq!(e["changes"]["action"], "ARCHIVE", "{e}");
        assert_eq!(e["changes"]["visible"], false);
        assert!(e["changes"]["node"].is_null(), "{e}");
    }
    // Replaying the same revisions after the archive: the publication's content is no longer
    // shown (the record is not published now), only the removal.
    let mut late = app.ws(TRANSPORT_WS, json!({})).await.unwrap();
    late.subscribe("l", CHANGES, json!({ "after": start }))
        .await;
    let e = late.next_event(WAIT).await.unwrap();
    assert_eq!(e["changes"]["action"], "ARCHIVE", "{e}");
    assert!(e["changes"]["node"].is_null(), "{e}");
    assert_eq!(e["changes"]["recordId"], id);
    // Nothing of another kind reached the filtered subscriber.
    assert_eq!(other_kind.next_event(Duration::from_secs(2)).await, None);
}
