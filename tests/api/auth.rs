//! Editors' accounts and tokens: sign-in, `me`, and every way a token is refused.

use entity::enums::EditorRole;
use harness::{backend_tests, serde_json::json, TestApp, TEST_SECRET};
use jsonwebtoken::{encode, get_current_timestamp, Algorithm, EncodingKey, Header};
use serde_json::Value;

backend_tests!(
    login_gives_a_token_and_me_names_the_editor,
    forged_and_broken_tokens_are_refused_without_detail,
    login_is_throttled_per_account,
    admins_manage_editors_and_disabled_editors_are_locked_out,
);

const ME: &str = "{ me { email role displayName } }";

fn forge(claims: Value, alg: Algorithm, key: &EncodingKey) -> String {
    encode(&Header::new(alg), &claims, key).unwrap()
}

fn claims(sub: &str, role: &str) -> Value {
    let now = get_current_timestamp();
    json!({ "sub": sub, "role": role, "iat": now, "exp": now + 600, "iss": "exodus", "aud": "exodus" })
}

async fn login_gives_a_token_and_me_names_the_editor(app: TestApp) {
    let token = app.editor("ada@example.org", EditorRole::Editor).await;
    let me = app.data_as(&token, ME, json!({})).await;
    assert_eq!(me["me"]["email"], "ada@example.org");
    assert_eq!(me["me"]["role"], "EDITOR");
    assert!(
        app.data(ME, json!({})).await["me"].is_null(),
        "anonymous has no me"
    );

    // The token carries the claims the contract names.
    let payload = token.split('.').nth(1).unwrap();
    use base64::Engine;
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    for key in ["sub", "role", "iat", "exp", "iss", "aud"] {
        assert!(claims.get(key).is_some(), "no {key} in {claims}");
    }

    let q = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }";
    let wrong = app
        .query(
            q,
            json!({ "e": "ada@example.org", "p": "not the password" }),
        )
        .await;
    let unknown = app
        .query(
            q,
            json!({ "e": "nobody@example.org", "p": "not the password" }),
        )
        .await;
    assert_eq!(wrong.code(), "UNAUTHENTICATED");
    assert_eq!(unknown.code(), "UNAUTHENTICATED");
    assert_eq!(
        wrong.message(),
        unknown.message(),
        "no hint whether the account exists"
    );
}

async fn forged_and_broken_tokens_are_refused_without_detail(app: TestApp) {
    let good = app.editor("ed@example.org", EditorRole::Editor).await;
    assert_eq!(app.query_as(&good, ME, json!({})).await.status, 200);
    let key = EncodingKey::from_secret(TEST_SECRET.as_bytes());
    let now = get_current_timestamp();
    let with = |changes: Value| {
        let mut c = claims("ed@example.org", "EDITOR");
        for (k, v) in changes.as_object().unwrap() {
            if v.is_null() {
                c.as_object_mut().unwrap().remove(k);
            } else {
                c[k] = v.clone();
            }
        }
        forge(c, Algorithm::HS256, &key)
    };
    let header_none = {
        use base64::Engine;
        let e = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        format!(
            "{}.{}.",
            e(&json!({ "alg": "none", "typ": "JWT" })),
            e(&claims("ed@example.org", "EDITOR"))
        )
    };
    let mut tampered = good.clone();
    tampered.pop();
    tampered.push(if good.ends_with('A') { 'B' } else { 'A' });
    let unauthenticated = [
        ("garbled", "not.a.token".to_owned()),
        ("empty", String::new()),
        ("tampered signature", tampered),
        (
            "other secret",
            forge(
                claims("ed@example.org", "EDITOR"),
                Algorithm::HS256,
                &EncodingKey::from_secret(b"another-secret-of-the-same-length-or-so!!"),
            ),
        ),
        ("alg none", header_none),
        (
            "HS512 instead of HS256",
            forge(claims("ed@example.org", "EDITOR"), Algorithm::HS512, &key),
        ),
        ("expired", with(json!({ "exp": now - 3600 }))),
        ("not yet valid", with(json!({ "nbf": now + 3600 }))),
        ("no exp", with(json!({ "exp": null }))),
        ("wrong issuer", with(json!({ "iss": "someone-else" }))),
        ("wrong audience", with(json!({ "aud": "another-api" }))),
        (
            "unknown editor",
            with(json!({ "sub": "ghost@example.org" })),
        ),
    ];
    for (what, token) in unauthenticated {
        let reply = app.query_as(&token, ME, json!({})).await;
        assert_eq!(reply.status, 401, "{what}: {}", reply.text);
        assert_eq!(reply.code(), "UNAUTHENTICATED", "{what}");
        assert_eq!(
            reply.message(),
            "invalid token",
            "{what}: no detail for an attacker"
        );
        assert_eq!(reply.headers.get("www-authenticate").unwrap(), "Bearer");
    }
    let reply = app
        .request(
            awc::http::Method::POST,
            "/graphql",
            &[
                ("content-type", "application/json"),
                ("authorization", "Basic abc"),
            ],
            Some(br#"{"query":"{ me { email } }"}"#.to_vec()),
        )
        .await;
    assert_eq!(reply.status, 401);

    let forbidden = with(json!({ "role": "VIEWER" }));
    let reply = app.query_as(&forbidden, ME, json!({})).await;
    assert_eq!(reply.status, 403);
    assert_eq!(reply.code(), "FORBIDDEN");

    // A token that claims ADMIN for an EDITOR account gets editor rights only.
    let inflated = with(json!({ "role": "ADMIN" }));
    let reply = app
        .query_as(&inflated, "{ editors { email } }", json!({}))
        .await;
    assert_eq!(reply.code(), "FORBIDDEN");
}

async fn login_is_throttled_per_account(app: TestApp) {
    exodus::service::editors::add(
        &app.db,
        "tom@example.org",
        "Tom",
        EditorRole::Editor,
        harness::PASSWORD,
    )
    .await
    .unwrap();
    let q = "mutation($p: String!) { login(email: \"tom@example.org\", password: $p) { token } }";
    // Five attempts a minute per account, twenty per address: a slow run earns some back,
    // and the bounds below allow for that.
    let started = std::time::Instant::now();
    let mut answered = 0;
    let since = loop {
        let sent = std::time::Instant::now();
        let reply = app.query(q, json!({ "p": "wrong password!" })).await;
        if reply.status == 429 {
            break sent;
        }
        assert_eq!(reply.code(), "UNAUTHENTICATED");
        answered += 1;
        let most = 5 + harness::given_back(started, 5);
        assert!(answered <= most, "{answered} attempts answered");
    };
    assert!(answered >= 5, "refused after {answered} attempts");
    // The next attempt in that minute is refused even with the right password.
    let reply = app.query(q, json!({ "p": harness::PASSWORD })).await;
    harness::assert_spent(&reply, since, 5);
    // Other accounts are not affected.
    let other = app.editor("una@example.org", EditorRole::Editor).await;
    assert!(!other.is_empty());

    // One address trying many accounts is limited too (20 attempts a minute by default).
    let mut i = 0;
    loop {
        let reply = app
            .query(
                "mutation($e: String!) { login(email: $e, password: \"guess guess guess\") { token } }",
                json!({ "e": format!("victim{i}@example.org") }),
            )
            .await;
        if reply.status == 429 {
            assert_eq!(reply.code(), "RATE_LIMITED");
            break;
        }
        i += 1;
        assert!(
            i <= 20 + harness::given_back(started, 20),
            "per-address throttling never kicked in ({i} attempts)"
        );
    }
}

async fn admins_manage_editors_and_disabled_editors_are_locked_out(app: TestApp) {
    let admin = app.editor("root@example.org", EditorRole::Admin).await;
    let editor = app.editor("eve@example.org", EditorRole::Editor).await;
    let create = "mutation($i: CreateEditorInput!) { createEditor(input: $i) { id email role } }";
    let input = json!({ "i": { "email": "new@example.org", "displayName": "New", "role": "EDITOR", "password": "long enough password" } });
    assert_eq!(
        app.query_as(&editor, create, input.clone()).await.code(),
        "FORBIDDEN"
    );
    assert_eq!(
        app.query(create, input.clone()).await.code(),
        "UNAUTHENTICATED"
    );
    let made = app.data_as(&admin, create, input.clone()).await;
    assert_eq!(made["createEditor"]["email"], "new@example.org");
    let again = app.query_as(&admin, create, input).await;
    assert_eq!(again.code(), "BAD_USER_INPUT");
    let weak = app
        .query_as(&admin, create, json!({ "i": { "email": "x@example.org", "displayName": "X", "role": "EDITOR", "password": "short" } }))
        .await;
    assert_eq!(
        weak.body["errors"][0]["extensions"]["fields"][0]["field"],
        "password"
    );

    let list = app
        .data_as(&admin, "{ editors { email } }", json!({}))
        .await;
    assert_eq!(list["editors"].as_array().unwrap().len(), 3);
    let eve_id = app.data_as(&editor, "{ me { email } }", json!({})).await;
    assert_eq!(eve_id["me"]["email"], "eve@example.org");
    let ids = app
        .data_as(&admin, "{ editors { id email } }", json!({}))
        .await;
    let eve = ids["editors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["email"] == "eve@example.org")
        .unwrap()["id"]
        .clone();
    app.data_as(
        &admin,
        "mutation($id: ID!) { disableEditor(id: $id) { disabled } }",
        json!({ "id": eve }),
    )
    .await;
    let reply = app.query_as(&editor, ME, json!({})).await;
    assert_eq!(
        reply.status, 403,
        "a disabled editor's token stops working at once"
    );
    assert_eq!(reply.code(), "FORBIDDEN");
    let relogin = app
        .query("mutation { login(email: \"eve@example.org\", password: \"correct horse battery staple\") { token } }", json!({}))
        .await;
    assert_eq!(relogin.code(), "UNAUTHENTICATED");

    // Only an admin can enable an account again; then the same token works at once.
    let enable = "mutation($id: ID!) { enableEditor(id: $id) { email disabled } }";
    let by_editor = app.query_as(&editor, enable, json!({ "id": eve })).await;
    assert_eq!(by_editor.code(), "FORBIDDEN", "{}", by_editor.text);
    let enabled = app.data_as(&admin, enable, json!({ "id": eve })).await;
    assert_eq!(
        enabled["enableEditor"],
        json!({ "email": "eve@example.org", "disabled": false })
    );
    assert_eq!(
        app.data_as(&editor, "{ me { email } }", json!({})).await["me"]["email"],
        "eve@example.org"
    );
}
