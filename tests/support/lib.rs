//! The test harness: the real app on a random port against a fresh database per test.
//!
//! SQLite always (a temporary file); PostgreSQL when one is reachable at `TEST_DATABASE_URL`
//! (default `postgres://postgres@127.0.0.1:5432/postgres`): each test creates its own
//! database there and drops it afterwards. When `CI` or `EXODUS_REQUIRE_POSTGRES` is set, an
//! unreachable PostgreSQL fails the PostgreSQL variant instead of skipping it.

use exodus::config::Config;
use exodus::db::StatementCounter;
use exodus::http::{self, ServeOptions};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{json, Value};
use std::net::TcpListener;
use std::sync::atomic::{AtomicU32, Ordering};

pub use serde_json;

pub mod proxy;

/// Sends a request that must succeed until it is not refused with the retryable
/// `SERVICE_UNAVAILABLE` (503): what the server answers when no database connection came
/// within its acquire timeout, as happens when CI's two cores are busy. Clients retry it, as
/// its message says; so do the helpers whose callers expect success, for up to a minute (a
/// leaked connection would still fail them). Tests of the 503 itself call `query`.
async fn served<F, Fut>(send: F) -> Reply
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Reply>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let reply = send().await;
        let retryable = reply.status == 503
            && reply.body["errors"][0]["extensions"]["retryable"] == true
            && reply.body["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE";
        if !retryable || std::time::Instant::now() >= deadline {
            return reply;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}

/// How many requests a limit of `per_minute` has given back since `began` (it gives one back
/// every 60/N seconds): how many more a slow run may see answered. CI's cores are shared, so
/// tests of a limit bound what they see by the time that passed instead of by an exact count.
pub fn given_back(began: std::time::Instant, per_minute: u64) -> usize {
    (began.elapsed().as_millis() as u64 * per_minute / 60_000) as usize
}

/// A request sent once a limit of `per_minute` was spent, at `spent` or later: refused with
/// `RATE_LIMITED` (429, retry within the minute), or answered only if the limit has given one
/// back since.
pub fn assert_spent(reply: &Reply, spent: std::time::Instant, per_minute: u64) {
    if reply.status == 200 {
        assert!(
            given_back(spent, per_minute) >= 1,
            "answered {:?} after the allowance was spent",
            spent.elapsed()
        );
    } else {
        assert_eq!(reply.status, 429, "{}", reply.text);
        assert_eq!(reply.code(), "RATE_LIMITED");
        assert!((1..=60).contains(&reply.retry_after()));
    }
}

/// Which database a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running app.
pub struct TestApp {
    pub base: String,
    pub db: DatabaseConnection,
    pub statements: StatementCounter,
    pub backend: Backend,
    /// The database the app serves.
    pub database_url: String,
    server: actix_web::dev::ServerHandle,
    shutdown: exodus::http::shutdown::Shutdown,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

/// A response: status, content type and JSON body (Null when the body is not JSON).
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: Value,
    pub text: String,
    pub headers: awc::http::header::HeaderMap,
}

impl Reply {
    /// The `Retry-After` header, in seconds; it must be there.
    pub fn retry_after(&self) -> u64 {
        self.headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no Retry-After in seconds: {:?}", self.headers))
    }

    /// `data`, after checking there are no errors.
    pub fn data(&self) -> &Value {
        assert!(
            self.body.get("errors").is_none(),
            "unexpected errors: {}",
            self.body
        );
        &self.body["data"]
    }

    /// The `extensions.code` of the first error.
    pub fn code(&self) -> &str {
        self.body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no error code in {:.500}", self.body.to_string()))
    }

    pub fn message(&self) -> &str {
        self.body["errors"][0]["message"].as_str().unwrap_or("")
    }
}

fn postgres_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn postgres_required() -> bool {
    std::env::var_os("CI").is_some() || std::env::var_os("EXODUS_REQUIRE_POSTGRES").is_some()
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The HS256 secret of test apps, so tests can forge tokens.
pub const TEST_SECRET: &str = "test-secret-that-is-long-enough-for-hs256!";

/// The login mutation the harness sends.
pub const LOGIN: &str =
    "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }";

/// The password of editors made by [`TestApp::editor`].
pub const PASSWORD: &str = "correct horse battery staple";

/// Replaces the database name of a PostgreSQL URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = base[scheme_end..]
        .find('/')
        .map(|i| i + scheme_end)
        .unwrap_or(base.len());
    format!("{}/{name}{query}", &base[..host_end])
}

/// Every setting at its default, whatever `EXODUS_*` or `DATABASE_URL` variables the test run's
/// environment holds (`Config::defaults()` reads them, as the binary does): the settings are
/// parsed with each argument's environment variable unset.
pub fn default_config() -> Config {
    use clap::{Args, FromArgMatches};
    let command = Config::augment_args(clap::Command::new("exodus"))
        .mut_args(|arg| arg.env(None::<&'static str>));
    let matches = command
        .try_get_matches_from(["exodus"])
        .expect("the defaults parse");
    Config::from_arg_matches(&matches).expect("the defaults are a configuration")
}

/// Starts the app on a fresh, migrated and seeded database; None when PostgreSQL is wanted
/// but not reachable (and not required).
pub async fn spawn(backend: Backend) -> Option<TestApp> {
    spawn_with(backend, |_| {}).await
}

/// Like [`spawn`], with a chance to change the configuration first.
pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Option<TestApp> {
    let mut config = default_config();
    config.workers = 1;
    config.jwt_secret = Some(TEST_SECRET.to_owned());
    let mut dir = None;
    let mut pg = None;
    match backend {
        Backend::Sqlite => {
            let d = tempfile::tempdir().expect("a temporary directory");
            config.database_url = Some(format!(
                "sqlite://{}/exodus.db?mode=rwc",
                d.path().display()
            ));
            dir = Some(d);
        }
        Backend::Postgres => {
            let admin_url = postgres_admin_url();
            let admin = match Database::connect(admin_url.as_str()).await {
                Ok(c) => c,
                Err(e) if !postgres_required() => {
                    eprintln!("skipped: PostgreSQL is not reachable at {admin_url} ({e})");
                    return None;
                }
                Err(e) => {
                    panic!("PostgreSQL is required (CI) but not reachable at {admin_url}: {e}")
                }
            };
            let name = format!(
                "exodus_test_{}_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .subsec_nanos()
            );
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create a test database");
            admin.close().await.ok();
            config.database_url = Some(with_database(&admin_url, &name));
            pg = Some((admin_url, name));
        }
    }
    tweak(&mut config);
    let database_url = config.database_url();
    let state = exodus::cli::prepare(&config)
        .await
        .expect("the app prepares its database");
    let db = state.db.clone();
    let statements = state.statements.clone();
    let shutdown = state.shutdown.clone();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a random port");
    let port = listener.local_addr().unwrap().port();
    let server = http::serve(
        listener,
        state,
        ServeOptions {
            workers: 1,
            shutdown_timeout: 10,
        },
    )
    .expect("the server starts");
    let handle = server.handle();
    actix_web::rt::spawn(server);
    Some(TestApp {
        base: format!("http://127.0.0.1:{port}"),
        db,
        statements,
        backend,
        database_url,
        server: handle,
        shutdown,
        _dir: dir,
        pg,
    })
}

impl TestApp {
    /// Stops the server as SIGTERM does: websockets are closed with 1012, requests in flight
    /// finish, new connections are refused.
    pub async fn stop(&self) {
        http::stop(
            &self.shutdown,
            &self.server,
            std::time::Duration::from_secs(10),
        )
        .await;
    }

    /// The same stop as a future that owns what it needs, to run beside the test.
    pub fn stopper(&self) -> impl std::future::Future<Output = ()> + 'static {
        let (shutdown, server) = (self.shutdown.clone(), self.server.clone());
        async move { http::stop(&shutdown, &server, std::time::Duration::from_secs(10)).await }
    }

    /// Sends any HTTP request and reads the whole reply.
    pub async fn request(
        &self,
        method: awc::http::Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Reply {
        let client = awc::Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .finish();
        let mut req = client.request(method, format!("{}{}", self.base, path));
        for (k, v) in headers {
            req = req.insert_header((*k, *v));
        }
        let sent = match body {
            Some(b) => req.send_body(b).await,
            None => req.send().await,
        };
        let mut resp = sent.expect("the request reaches the server");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let content_type = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let bytes = resp
            .body()
            .limit(64 * 1024 * 1024)
            .await
            .expect("the body is read");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            content_type,
            body,
            text,
            headers,
        }
    }

    /// POSTs a GraphQL request with application/json.
    pub async fn post(&self, body: Value) -> Reply {
        self.request(
            awc::http::Method::POST,
            "/graphql",
            &[("content-type", "application/json")],
            Some(serde_json::to_vec(&body).unwrap()),
        )
        .await
    }

    /// Runs a query with variables and returns the reply.
    pub async fn query(&self, query: &str, variables: Value) -> Reply {
        self.post(json!({ "query": query, "variables": variables }))
            .await
    }

    /// Runs a query with a bearer token.
    pub async fn query_as(&self, token: &str, query: &str, variables: Value) -> Reply {
        let auth = format!("Bearer {token}");
        self.request(
            awc::http::Method::POST,
            "/graphql",
            &[
                ("content-type", "application/json"),
                ("authorization", &auth),
            ],
            Some(serde_json::to_vec(&json!({ "query": query, "variables": variables })).unwrap()),
        )
        .await
    }

    /// Runs a query with a bearer token; it must succeed.
    pub async fn data_as(&self, token: &str, query: &str, variables: Value) -> Value {
        let reply = served(|| self.query_as(token, query, variables.clone())).await;
        assert_eq!(reply.status, 200, "{query}: {}", reply.text);
        reply.data().clone()
    }

    /// Adds an editor account and signs it in over HTTP; returns its token.
    pub async fn editor(&self, email: &str, role: entity::enums::EditorRole) -> String {
        exodus::service::editors::add(&self.db, email, email, role, PASSWORD)
            .await
            .unwrap_or_else(|e| panic!("adding {email}: {}", e.message()));
        self.login(email).await
    }

    /// Signs an existing editor in over HTTP; returns the token.
    pub async fn login(&self, email: &str) -> String {
        let reply = served(|| self.query(LOGIN, json!({ "e": email, "p": PASSWORD }))).await;
        reply.data()["login"]["token"]
            .as_str()
            .expect("a token")
            .to_owned()
    }

    /// Runs a query that must succeed and returns its `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let reply = served(|| self.query(query, variables.clone())).await;
        assert_eq!(reply.status, 200, "status of {query}: {}", reply.text);
        reply.data().clone()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.trigger();
        let stop = self.server.stop(false);
        actix_web::rt::spawn(stop);
        if let Some((admin_url, name)) = self.pg.take() {
            // Drop the test database from another thread: Drop cannot await, and it must
            // happen even when the test panicked.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    if let Ok(admin) = Database::connect(admin_url.as_str()).await {
                        let _ = admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .await;
                        admin.close().await.ok();
                    }
                });
            })
            .join();
        }
    }
}

/// Declares each listed test twice: once on SQLite and once on PostgreSQL. Each test is an
/// `async fn name(app: TestApp)` in the calling module.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
            #[actix_web::test]
            async fn $name() {
                let app = $crate::spawn($crate::Backend::Sqlite).await.expect("SQLite always runs");
                super::$name(app).await;
            }
            )*
        }
        mod postgres {
            $(
            #[actix_web::test]
            async fn $name() {
                if let Some(app) = $crate::spawn($crate::Backend::Postgres).await {
                    super::$name(app).await;
                }
            }
            )*
        }
    };
}

/// A websocket GraphQL client speaking graphql-transport-ws or the legacy graphql-ws.
pub struct WsClient {
    conn: actix_codec::Framed<awc::BoxedSocket, awc::ws::Codec>,
    pub protocol: &'static str,
}

/// The protocols Exodus speaks.
pub const TRANSPORT_WS: &str = "graphql-transport-ws";
pub const LEGACY_WS: &str = "graphql-ws";

impl TestApp {
    /// Opens a websocket and completes connection_init with `payload`; Err carries what the
    /// server said instead of connection_ack (Null if nothing within 10 s).
    pub async fn ws(&self, protocol: &'static str, payload: Value) -> Result<WsClient, Value> {
        let mut client = self.raw_ws(protocol).await;
        client
            .send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        match client
            .next_message(std::time::Duration::from_secs(10))
            .await
        {
            Some(m) if m["type"] == "connection_ack" => Ok(client),
            other => Err(other.unwrap_or(Value::Null)),
        }
    }
}

impl TestApp {
    /// Opens a websocket and sends nothing yet.
    pub async fn raw_ws(&self, protocol: &'static str) -> WsClient {
        let url = format!("{}/graphql", self.base.replace("http://", "ws://"));
        let (_, conn) = awc::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .finish()
            .ws(url)
            .protocols([protocol])
            .max_frame_size(1 << 20)
            .connect()
            .await
            .expect("the websocket connects");
        WsClient { conn, protocol }
    }
}

impl WsClient {
    /// Sends any frame, well-formed or not.
    pub async fn send_frame(&mut self, message: awc::ws::Message) {
        use futures_util::SinkExt;
        let _ = self.conn.send(message).await;
    }

    pub async fn send(&mut self, message: Value) {
        use futures_util::SinkExt;
        self.conn
            .send(awc::ws::Message::Text(message.to_string().into()))
            .await
            .expect("the websocket accepts the message");
    }

    /// Starts a subscription under `id`.
    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        let kind = if self.protocol == TRANSPORT_WS {
            "subscribe"
        } else {
            "start"
        };
        self.send(json!({ "id": id, "type": kind, "payload": { "query": query, "variables": variables } })).await;
    }

    /// The next protocol message, answering pings on the way; None on timeout or close.
    pub async fn next_message(&mut self, within: std::time::Duration) -> Option<Value> {
        self.next_any(within, true).await
    }

    /// The next protocol message, keep-alives included (`ping`, `pong`, `ka`); a `ping` is
    /// answered as well as returned. None on timeout or close.
    pub async fn next_message_or_keepalive(
        &mut self,
        within: std::time::Duration,
    ) -> Option<Value> {
        self.next_any(within, false).await
    }

    async fn next_any(
        &mut self,
        within: std::time::Duration,
        skip_keepalive: bool,
    ) -> Option<Value> {
        use futures_util::{SinkExt, StreamExt};
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.conn.next())
                .await
                .ok()??
                .ok()?;
            match frame {
                awc::ws::Frame::Text(bytes) => {
                    let message: Value = serde_json::from_slice(&bytes).ok()?;
                    let keepalive =
                        matches!(message["type"].as_str(), Some("ping" | "ka" | "pong"));
                    if message["type"] == "ping" {
                        self.send(json!({ "type": "pong" })).await;
                    }
                    if !keepalive || !skip_keepalive {
                        return Some(message);
                    }
                }
                awc::ws::Frame::Ping(p) => {
                    let _ = self.conn.send(awc::ws::Message::Pong(p)).await;
                }
                awc::ws::Frame::Close(reason) => {
                    return Some(json!({
                        "type": "closed",
                        "reason": format!("{reason:?}"),
                        "code": reason.as_ref().map(|r| u16::from(r.code)),
                    }))
                }
                _ => {}
            }
        }
    }

    /// The data of the next event of any subscription; None on timeout.
    pub async fn next_event(&mut self, within: std::time::Duration) -> Option<Value> {
        let message = self.next_message(within).await?;
        match message["type"].as_str() {
            Some("next") | Some("data") => {
                if message["payload"].get("errors").is_some() {
                    panic!("an event with errors: {message}");
                }
                Some(message["payload"]["data"].clone())
            }
            Some("error") => panic!("subscription error: {message}"),
            _ => Some(message),
        }
    }

    /// Closes the connection.
    pub async fn close(mut self) {
        use futures_util::SinkExt;
        let _ = self.conn.send(awc::ws::Message::Close(None)).await;
    }
}

/// Starts another app on the database of `other` (a second replica).
pub async fn replica_of(other: &TestApp) -> TestApp {
    let url = other.database_url.clone();
    let mut app = spawn_with(other.backend, |c| c.database_url = Some(url.clone()))
        .await
        .unwrap();
    // The first app owns (and drops) the database; a PostgreSQL replica's extra database
    // made by spawn_with is its own and is dropped with it.
    app.database_url = url;
    app
}
