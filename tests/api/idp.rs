//! External identity providers: RS256 with a public key, ES256 with a JWKS, a custom role
//! claim; and the embedded default's generated secret, kept across restarts.

use entity::enums::EditorRole;
use exodus::config::JwtAlgorithm;
use harness::{backend_tests, serde_json::json, TestApp};
use jsonwebtoken::{encode, get_current_timestamp, Algorithm, EncodingKey, Header};
use serde_json::Value;
use std::path::PathBuf;

backend_tests!(
    rs256_with_a_public_key,
    es256_with_a_jwks_and_a_custom_role_claim
);

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")).join(name)
}

fn claims(role_claim: &str, role: &str) -> Value {
    let now = get_current_timestamp();
    let mut c = json!({ "sub": "idp@example.org", "iat": now, "exp": now + 600, "iss": "https://idp.example", "aud": "exodus-api" });
    c[role_claim] = json!(role);
    c
}

const ME: &str = "{ me { email role } }";

async fn rs256_with_a_public_key(app: TestApp) {
    let app = harness::spawn_with(app.backend, |c| {
        c.jwt_algorithm = JwtAlgorithm::Rs256;
        c.jwt_secret = None;
        c.jwt_public_key = Some(fixture("rsa-public.pem"));
        c.jwt_private_key = Some(fixture("rsa-private.pem"));
        c.jwt_issuer = "https://idp.example".into();
        c.jwt_audience = "exodus-api".into();
    })
    .await
    .unwrap();
    // Exodus signs with the private key when it has one, and its own tokens verify.
    let token = app.editor("idp@example.org", EditorRole::Editor).await;
    assert_eq!(
        app.data_as(&token, ME, json!({})).await["me"]["email"],
        "idp@example.org"
    );
    let private = std::fs::read(fixture("rsa-private.pem")).unwrap();
    let from_idp = encode(
        &Header::new(Algorithm::RS256),
        &claims("role", "EDITOR"),
        &EncodingKey::from_rsa_pem(&private).unwrap(),
    )
    .unwrap();
    assert_eq!(
        app.data_as(&from_idp, ME, json!({})).await["me"]["role"],
        "EDITOR"
    );

    // HS/RS confusion: an HS256 token whose "secret" is the public key must not pass.
    let public = std::fs::read(fixture("rsa-public.pem")).unwrap();
    let confused = encode(
        &Header::new(Algorithm::HS256),
        &claims("role", "EDITOR"),
        &EncodingKey::from_secret(&public),
    )
    .unwrap();
    let reply = app.query_as(&confused, ME, json!({})).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.code(), "UNAUTHENTICATED");
    // Signed by a key of another kind.
    let ec = std::fs::read(fixture("ec-private.pem")).unwrap();
    let other = encode(
        &Header::new(Algorithm::ES256),
        &claims("role", "EDITOR"),
        &EncodingKey::from_ec_pem(&ec).unwrap(),
    )
    .unwrap();
    assert_eq!(app.query_as(&other, ME, json!({})).await.status, 401);
}

async fn es256_with_a_jwks_and_a_custom_role_claim(app: TestApp) {
    let app = harness::spawn_with(app.backend, |c| {
        c.jwt_algorithm = JwtAlgorithm::Es256;
        c.jwt_secret = None;
        c.jwt_jwks = Some(fixture("ec-jwks.json"));
        c.jwt_issuer = "https://idp.example".into();
        c.jwt_audience = "exodus-api".into();
        c.jwt_role_claim = "https://exodus.example/role".into();
    })
    .await
    .unwrap();
    exodus::service::editors::add(
        &app.db,
        "idp@example.org",
        "From the IdP",
        EditorRole::Admin,
        harness::PASSWORD,
    )
    .await
    .unwrap();
    let ec = EncodingKey::from_ec_pem(&std::fs::read(fixture("ec-private.pem")).unwrap()).unwrap();
    let sign = |kid: Option<&str>, c: &Value| {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = kid.map(str::to_owned);
        encode(&header, c, &ec).unwrap()
    };
    let token = sign(
        Some("test-ec"),
        &claims("https://exodus.example/role", "admin"),
    );
    let me = app.data_as(&token, ME, json!({})).await;
    assert_eq!(me["me"]["role"], "ADMIN");
    assert_eq!(
        app.query_as(
            &sign(
                Some("unknown-kid"),
                &claims("https://exodus.example/role", "admin")
            ),
            ME,
            json!({})
        )
        .await
        .status,
        401
    );
    assert_eq!(
        app.query_as(
            &sign(None, &claims("https://exodus.example/role", "admin")),
            ME,
            json!({})
        )
        .await
        .status,
        200,
        "one key: no kid needed"
    );
    // The role must be in the configured claim.
    assert_eq!(
        app.query_as(
            &sign(Some("test-ec"), &claims("role", "ADMIN")),
            ME,
            json!({})
        )
        .await
        .status,
        403
    );
    // Without a private key Exodus verifies but does not issue tokens.
    let login = app
        .query("mutation { login(email: \"idp@example.org\", password: \"correct horse battery staple\") { token } }", json!({}))
        .await;
    assert_eq!(login.code(), "FORBIDDEN");
}

/// The embedded default generates its secret once and keeps it, so tokens survive a restart.
#[actix_web::test]
async fn the_generated_secret_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/exodus.db?mode=rwc", dir.path().display());
    let first = harness::spawn_with(harness::Backend::Sqlite, |c| {
        c.jwt_secret = None;
        c.database_url = Some(url.clone());
    })
    .await
    .unwrap();
    let token = first.editor("keep@example.org", EditorRole::Editor).await;
    drop(first);
    let second = harness::spawn_with(harness::Backend::Sqlite, |c| {
        c.jwt_secret = None;
        c.database_url = Some(url.clone());
    })
    .await
    .unwrap();
    assert_eq!(
        second.data_as(&token, ME, json!({})).await["me"]["email"],
        "keep@example.org"
    );
    // And it is not a constant: another database gets another secret.
    let other = harness::spawn_with(harness::Backend::Sqlite, |c| c.jwt_secret = None)
        .await
        .unwrap();
    exodus::service::editors::add(
        &other.db,
        "keep@example.org",
        "Keep",
        EditorRole::Editor,
        harness::PASSWORD,
    )
    .await
    .unwrap();
    assert_eq!(other.query_as(&token, ME, json!({})).await.status, 401);
}
