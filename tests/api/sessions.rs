//! Websocket sessions follow the account and meet the same limits as HTTP (issue 13): a
//! disabled editor or an expired token loses its open socket, on every replica; a socket
//! without connection_init, too many sockets from one address, too many subscriptions on
//! one socket and too many operations a minute are refused, each with its code.

use entity::enums::EditorRole;
use harness::{backend_tests, serde_json::json, TestApp, TRANSPORT_WS};
use serde_json::Value;
use std::time::Duration;

backend_tests!(
    a_disabled_editor_loses_open_sockets_on_every_replica,
    an_expired_token_ends_the_session,
    websockets_meet_their_limits,
);

const DRAFTS: &str = "subscription { changes(includeDrafts: true) { cursor } }";

/// Waits for the close frame; its code, or None while the connection stays open. A connection
/// that ends without a close frame fails the test: that is a different fault from a slow close.
async fn closed_with(ws: &mut harness::WsClient, within: Duration) -> Option<u64> {
    let deadline = tokio::time::Instant::now() + within;
    while tokio::time::Instant::now() < deadline {
        let asked = tokio::time::Instant::now();
        match ws.next_message(Duration::from_millis(500)).await {
            Some(m) if m["type"] == "closed" => return m["code"].as_u64(),
            Some(_) => continue,
            // A timeout waits its 500 ms; an ended stream answers at once.
            None if asked.elapsed() < Duration::from_millis(400) => {
                panic!("the connection ended without a close frame")
            }
            None => continue,
        }
    }
    None
}

/// Seconds since the Unix epoch, as token expiry counts them.
fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

async fn a_disabled_editor_loses_open_sockets_on_every_replica(app: TestApp) {
    let app = harness::spawn_with(app.backend, |c| c.session_recheck = 1)
        .await
        .unwrap();
    let replica = harness::replica_of(&app).await;
    let admin = app.editor("admin@example.org", EditorRole::Admin).await;
    let token = app.editor("leaver@example.org", EditorRole::Editor).await;
    let me = app.data_as(&token, "{ me { id } }", json!({})).await["me"]["id"].clone();
    let auth = json!({ "authorization": format!("Bearer {token}") });
    let mut here = app.ws(TRANSPORT_WS, auth.clone()).await.unwrap();
    let mut there = replica.ws(TRANSPORT_WS, auth).await.unwrap();
    here.subscribe("1", DRAFTS, json!({})).await;
    there.subscribe("1", DRAFTS, json!({})).await;
    // Open and allowed: nothing closes them while the account holds.
    assert_eq!(closed_with(&mut here, Duration::from_secs(2)).await, None);
    let disable = "mutation($id: ID!) { disableEditor(id: $id) { disabled } }";
    let done = app.data_as(&admin, disable, json!({ "id": me })).await;
    assert_eq!(done["disableEditor"]["disabled"], true, "{done}");
    // Within a second or two on an idle machine (the recheck is 1 s); the waits are upper
    // bounds for a loaded one, and end as soon as the close arrives.
    assert_eq!(
        closed_with(&mut here, Duration::from_secs(30)).await,
        Some(4403)
    );
    assert_eq!(
        closed_with(&mut there, Duration::from_secs(30)).await,
        Some(4403)
    );
    // And it cannot sign in again over a socket.
    let again = json!({ "authorization": format!("Bearer {token}") });
    assert!(app.ws(TRANSPORT_WS, again).await.is_err());
}

async fn an_expired_token_ends_the_session(app: TestApp) {
    let app = harness::spawn_with(app.backend, |c| {
        c.session_recheck = 1;
        c.jwt_ttl = 3;
        c.jwt_leeway = 0;
    })
    .await
    .unwrap();
    app.editor("brief@example.org", EditorRole::Editor).await;
    let login =
        "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token expiresAt } }";
    // The token lives 3 s: on a slow machine it may expire before the socket signs in, and
    // then the test signs in again (a refusal while the token is still good fails it). Four
    // tries, with the login above: the login throttle allows five a minute.
    let mut tries = 0;
    let (mut ws, expires) = loop {
        tries += 1;
        let signed = app
            .data(
                login,
                json!({ "e": "brief@example.org", "p": harness::PASSWORD }),
            )
            .await;
        let token = signed["login"]["token"].as_str().unwrap();
        let expires = signed["login"]["expiresAt"].as_u64().unwrap();
        let auth = json!({ "authorization": format!("Bearer {token}") });
        match app.ws(TRANSPORT_WS, auth).await {
            Ok(ws) => break (ws, expires),
            Err(refusal) => assert!(
                unix_now() >= expires && tries < 4,
                "signing in with a good token was refused (try {tries}): {refusal}"
            ),
        }
    };
    ws.subscribe("1", DRAFTS, json!({})).await;
    // The token holds through its `expiresAt` second; the next check after that closes the
    // session. The wait is generous (a loaded machine is slow to schedule), and the close
    // must not come early: a session that closes for any other reason fails here too.
    let within = (expires + 2).saturating_sub(unix_now()) + 20;
    let code = closed_with(&mut ws, Duration::from_secs(within)).await;
    let closed_at = unix_now();
    assert_eq!(code, Some(4403), "expiresAt {expires}, now {closed_at}");
    assert!(
        closed_at >= expires,
        "closed at {closed_at}, before the token's expiry at {expires}"
    );
    // An anonymous socket opened alongside is not affected by any of this.
    let mut public = app.ws(TRANSPORT_WS, json!({})).await.unwrap();
    public
        .subscribe("1", "subscription { changes { cursor } }", json!({}))
        .await;
    assert_eq!(closed_with(&mut public, Duration::from_secs(2)).await, None);
}

/// The error message the server answers a refused subscribe with.
async fn refused(ws: &mut harness::WsClient, id: &str) -> Value {
    loop {
        let m = ws
            .next_message(Duration::from_secs(10))
            .await
            .expect("an answer");
        if m["id"] == id && m["type"] == "error" {
            return m["payload"][0].clone();
        }
    }
}

async fn websockets_meet_their_limits(app: TestApp) {
    let app = harness::spawn_with(app.backend, |c| {
        c.ws_init_timeout = 1;
        c.max_subscriptions = 2;
        c.max_websockets_per_address = 3;
        c.rate_limit_anonymous = 4;
    })
    .await
    .unwrap();
    // No connection_init: closed with 4408 (graphql-transport-ws).
    let mut silent = app.raw_ws(TRANSPORT_WS).await;
    assert_eq!(
        closed_with(&mut silent, Duration::from_secs(30)).await,
        Some(4408)
    );
    drop(silent);

    // Two subscriptions run; a third waits until one completes.
    let mut ws = app.ws(TRANSPORT_WS, json!({})).await.unwrap();
    let live = "subscription { changes { cursor } }";
    // The limit gives one operation back every 15 s: how long the run took says whether the
    // sixth may have been admitted.
    let started = std::time::Instant::now();
    ws.subscribe("1", live, json!({})).await;
    ws.subscribe("2", live, json!({})).await;
    ws.subscribe("3", live, json!({})).await;
    let error = refused(&mut ws, "3").await;
    assert_eq!(error["extensions"]["code"], "BAD_REQUEST", "{error}");
    ws.send(json!({ "id": "1", "type": "complete" })).await;
    ws.subscribe("4", live, json!({})).await;
    // "4" was the third operation counted this minute (the refused one was not); the
    // fourth is admitted, the fifth is rate limited, as a fifth HTTP request would be.
    ws.send(json!({ "id": "2", "type": "complete" })).await;
    ws.subscribe("5", live, json!({})).await;
    ws.send(json!({ "id": "4", "type": "complete" })).await;
    // The sixth is a query, so that an admitted one answers too (and then completes).
    ws.subscribe("6", "{ __typename }", json!({})).await;
    let answer = loop {
        let m = ws
            .next_message(Duration::from_secs(30))
            .await
            .expect("an answer");
        if m["id"] == "6" {
            break m;
        }
    };
    if answer["type"] == "error" {
        let error = &answer["payload"][0];
        assert_eq!(error["extensions"]["code"], "RATE_LIMITED", "{error}");
    } else {
        // Admitted: only right when the limit had given one back.
        assert!(
            harness::given_back(started, 4) >= 1,
            "admitted within {:?} of the first: {answer}",
            started.elapsed()
        );
    }

    // Three sockets per address: the fourth handshake is refused with 429.
    // Signed in (anonymously), so that the 1 s init timeout does not close them and free a
    // slot before the fourth arrives; connection_init does not count against the rate limit.
    let _two = app.ws(TRANSPORT_WS, json!({})).await.unwrap();
    let _three = app.ws(TRANSPORT_WS, json!({})).await.unwrap();
    let url = format!("{}/graphql", app.base.replace("http://", "ws://"));
    let fourth = awc::Client::new()
        .ws(url)
        .protocols([TRANSPORT_WS])
        .connect()
        .await;
    match fourth {
        Err(awc::error::WsClientError::InvalidResponseStatus(status)) => {
            assert_eq!(status.as_u16(), 429)
        }
        Err(e) => panic!("refused otherwise: {e}"),
        Ok(_) => panic!("a fourth socket from one address was accepted"),
    }
}
