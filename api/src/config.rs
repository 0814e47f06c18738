//! The one typed configuration: every setting is a flag and an `EXODUS_*` variable.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Exodus: an open data GraphQL API on how the United States left international organizations.
#[derive(Parser, Debug, Clone)]
#[command(name = "exodus", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do; `serve` when none is given.
#[derive(Subcommand, Debug, Clone)]
pub enum Command {
    /// Serve the API (the default): migrate, seed an empty database, listen.
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Load the dataset; records that already exist (by slug) are left as they are.
    Seed {
        /// A seed file to load instead of the dataset built into the binary.
        #[arg(long, env = "EXODUS_SEED_FILE")]
        file: Option<PathBuf>,
        /// The seed file, given without --file.
        #[arg(value_name = "FILE", conflicts_with = "file")]
        path: Option<PathBuf>,
        /// Only check the dataset: load it into a throwaway database, list every problem with
        /// its record's slug, and exit non-zero if there is one. The configured database is
        /// not touched.
        #[arg(long)]
        check: bool,
    },
    /// Print the GraphQL schema (SDL) and exit.
    Schema,
    /// Manage editor accounts.
    Editor {
        #[command(subcommand)]
        action: EditorAction,
    },
    /// Mint a token for an editor, for scripts (needs the signing key).
    Token {
        /// The editor's email.
        #[arg(long)]
        email: String,
    },
}

/// What to do with editor accounts.
#[derive(Subcommand, Debug, Clone)]
pub enum EditorAction {
    /// Add an editor; the password comes from EXODUS_EDITOR_PASSWORD or a prompt.
    Add {
        /// Their email, which they log in with.
        #[arg(long)]
        email: String,
        /// The name shown in the history.
        #[arg(long)]
        name: String,
        /// EDITOR curates records; ADMIN also manages editors.
        #[arg(long, value_enum, default_value = "editor")]
        role: RoleArg,
    },
    /// List editors.
    List,
    /// Disable an editor: their tokens stop working at once; their history stays.
    Disable {
        /// The editor's email.
        #[arg(long)]
        email: String,
    },
}

/// An editor role on the command line.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleArg {
    Editor,
    Admin,
}

/// How tokens are signed.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
#[value(rename_all = "UPPER")]
pub enum JwtAlgorithm {
    /// HMAC with SHA-256 and a shared secret (the default).
    Hs256,
    /// RSA with SHA-256: verify with a public key or a JWKS, for an external identity provider.
    Rs256,
    /// ECDSA P-256 with SHA-256: verify with a public key or a JWKS.
    Es256,
}

/// How log lines are written.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for production log collectors.
    Json,
}

/// Settings shared by every command.
#[derive(Args, Debug, Clone)]
pub struct Config {
    /// Database URL: postgres://user@host/db, or sqlite://path. Default: the embedded SQLite file ./exodus.db.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,

    /// Address to listen on, host:port.
    #[arg(
        long,
        env = "EXODUS_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub listen: SocketAddr,

    /// Do not apply pending migrations at start-up.
    #[arg(long, env = "EXODUS_NO_MIGRATE", global = true)]
    pub no_migrate: bool,

    /// Do not load the shipped dataset at start-up (into a new database, or its corrections
    /// after an upgrade).
    #[arg(long, env = "EXODUS_NO_SEED", global = true)]
    pub no_seed: bool,

    /// Log filter, in tracing's EnvFilter syntax (e.g. "info" or "exodus=debug").
    #[arg(long, env = "EXODUS_LOG", default_value = "info", global = true)]
    pub log: String,

    /// Log format.
    #[arg(
        long,
        env = "EXODUS_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,

    /// Largest page a list returns (`first` or `last`).
    #[arg(
        long,
        env = "EXODUS_MAX_PAGE_SIZE",
        default_value_t = 100,
        global = true
    )]
    pub max_page_size: u32,

    /// Page size when a list is asked for without `first` or `last`.
    #[arg(
        long,
        env = "EXODUS_DEFAULT_PAGE_SIZE",
        default_value_t = 20,
        global = true
    )]
    pub default_page_size: u32,

    /// HTTP worker threads; 0 means one per CPU core.
    #[arg(long, env = "EXODUS_WORKERS", default_value_t = 0, global = true)]
    pub workers: usize,

    /// Token algorithm.
    #[arg(
        long,
        env = "EXODUS_JWT_ALGORITHM",
        value_enum,
        default_value = "HS256",
        global = true
    )]
    pub jwt_algorithm: JwtAlgorithm,

    /// HS256 secret (at least 32 bytes). Without it the embedded SQLite default generates one
    /// and keeps it in the database; PostgreSQL deployments must set it (or a public key).
    #[arg(long, env = "EXODUS_JWT_SECRET", hide_env_values = true, global = true)]
    pub jwt_secret: Option<String>,

    /// RS256/ES256: path to the PEM public key that verifies tokens.
    #[arg(long, env = "EXODUS_JWT_PUBLIC_KEY", global = true)]
    pub jwt_public_key: Option<PathBuf>,

    /// RS256/ES256: path to a JWKS file whose keys (by `kid`) verify tokens.
    #[arg(long, env = "EXODUS_JWT_JWKS", global = true)]
    pub jwt_jwks: Option<PathBuf>,

    /// RS256/ES256: path to the PEM private key, if Exodus itself should issue tokens (login).
    #[arg(long, env = "EXODUS_JWT_PRIVATE_KEY", global = true)]
    pub jwt_private_key: Option<PathBuf>,

    /// The `iss` tokens must carry (and that Exodus writes).
    #[arg(
        long,
        env = "EXODUS_JWT_ISSUER",
        default_value = "exodus",
        global = true
    )]
    pub jwt_issuer: String,

    /// The `aud` tokens must carry (and that Exodus writes).
    #[arg(
        long,
        env = "EXODUS_JWT_AUDIENCE",
        default_value = "exodus",
        global = true
    )]
    pub jwt_audience: String,

    /// The claim that holds the role (EDITOR or ADMIN), for identity providers that name it
    /// differently.
    #[arg(
        long,
        env = "EXODUS_JWT_ROLE_CLAIM",
        default_value = "role",
        global = true
    )]
    pub jwt_role_claim: String,

    /// How long tokens issued by Exodus last, in seconds.
    #[arg(long, env = "EXODUS_JWT_TTL", default_value_t = 28800, global = true)]
    pub jwt_ttl: u64,

    /// Seconds of clock difference allowed when checking a token's expiry and not-before
    /// (for tokens from an identity provider whose clock may differ).
    #[arg(long, env = "EXODUS_JWT_LEEWAY", default_value_t = 30, global = true)]
    pub jwt_leeway: u64,

    /// Login attempts allowed per minute on one account from one address (ten times as many
    /// across all addresses).
    #[arg(
        long,
        env = "EXODUS_LOGIN_PER_ACCOUNT",
        default_value_t = 5,
        global = true
    )]
    pub login_per_account: u32,

    /// Login attempts allowed per client address per minute.
    #[arg(
        long,
        env = "EXODUS_LOGIN_PER_ADDRESS",
        default_value_t = 20,
        global = true
    )]
    pub login_per_address: u32,

    /// Largest number of database connections in the pool.
    #[arg(
        long,
        env = "EXODUS_DB_MAX_CONNECTIONS",
        default_value_t = 10,
        global = true
    )]
    pub db_max_connections: u32,

    /// Requests a minute allowed per client address for anonymous traffic.
    #[arg(
        long,
        env = "EXODUS_RATE_LIMIT_ANONYMOUS",
        default_value_t = 600,
        global = true
    )]
    pub rate_limit_anonymous: u32,

    /// Requests a minute allowed per signed-in editor.
    #[arg(
        long,
        env = "EXODUS_RATE_LIMIT_EDITOR",
        default_value_t = 1200,
        global = true
    )]
    pub rate_limit_editor: u32,

    /// Deepest selection nesting a query may have.
    #[arg(long, env = "EXODUS_MAX_DEPTH", default_value_t = 12, global = true)]
    pub max_depth: usize,

    /// Deepest nesting of an introspection query (below `__schema` or `__type`): the
    /// standard clients' need 15; a deeper one is an introspection bomb.
    #[arg(
        long,
        env = "EXODUS_MAX_INTROSPECTION_DEPTH",
        default_value_t = 20,
        global = true
    )]
    pub max_introspection_depth: usize,

    /// Largest query complexity: fields, with list fields counted once per requested row.
    #[arg(
        long,
        env = "EXODUS_MAX_COMPLEXITY",
        default_value_t = 10_000,
        global = true
    )]
    pub max_complexity: usize,

    /// Largest request body, in bytes.
    #[arg(
        long,
        env = "EXODUS_MAX_BODY_BYTES",
        default_value_t = 262_144,
        global = true
    )]
    pub max_body_bytes: usize,

    /// Longest a query or mutation may run, in seconds.
    #[arg(
        long,
        env = "EXODUS_REQUEST_TIMEOUT",
        default_value_t = 30,
        global = true
    )]
    pub request_timeout: u64,

    /// Allow schema introspection for anonymous clients (editors always may).
    #[arg(long, env = "EXODUS_PUBLIC_INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub public_introspection: bool,

    /// Deliver webhooks from this process (every replica may: they share the work).
    #[arg(long, env = "EXODUS_WEBHOOKS", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub webhooks: bool,

    /// Allow webhook URLs with plain http (tests, private deployments); https only when off.
    #[arg(long, env = "EXODUS_WEBHOOK_ALLOW_HTTP", default_value_t = false, action = clap::ArgAction::Set, global = true)]
    pub webhook_allow_http: bool,

    /// Private, loopback or reserved addresses webhooks may reach anyway: a comma-separated
    /// list of IP addresses and CIDR ranges ("10.0.0.0/8,127.0.0.1"). Empty: public only.
    #[arg(
        long,
        env = "EXODUS_WEBHOOK_ALLOW_NETWORKS",
        default_value = "",
        global = true
    )]
    pub webhook_allow_networks: String,

    /// Seconds a webhook receiver has to answer one delivery.
    #[arg(
        long,
        env = "EXODUS_WEBHOOK_TIMEOUT",
        default_value_t = 10,
        global = true
    )]
    pub webhook_timeout: u64,

    /// Webhook deliveries in flight at once, over all endpoints.
    #[arg(
        long,
        env = "EXODUS_WEBHOOK_CONCURRENCY",
        default_value_t = 16,
        global = true
    )]
    pub webhook_concurrency: usize,

    /// The waits before each retry of a failed delivery (ms, s, m, h, d); after the last
    /// retry fails, the endpoint is paused. The default spans about a day.
    #[arg(
        long,
        env = "EXODUS_WEBHOOK_RETRY_SCHEDULE",
        default_value = "5s,5m,30m,2h,5h,10h,10h",
        global = true
    )]
    pub webhook_retry_schedule: String,

    /// Days delivery attempts stay in the webhook delivery log.
    #[arg(
        long,
        env = "EXODUS_WEBHOOK_LOG_DAYS",
        default_value_t = 30,
        global = true
    )]
    pub webhook_log_days: u64,

    /// Hours a rotated-out webhook secret keeps signing beside the new one, by default.
    #[arg(
        long,
        env = "EXODUS_WEBHOOK_SECRET_GRACE_HOURS",
        default_value_t = 24,
        global = true
    )]
    pub webhook_secret_grace_hours: u64,

    /// The address people reach this server at, such as https://exodus.example.org: the
    /// base of the links in the Atom feeds. Unset, links use the request's scheme and Host.
    #[arg(long, env = "EXODUS_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// Serve GraphiQL to browsers that open /graphql (from files built into the binary; it
    /// needs no internet). On by default, in production too: the data is public and GraphiQL
    /// is how people explore it. Off, browsers get the API's usual answers.
    #[arg(long, env = "EXODUS_GRAPHIQL", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub graphiql: bool,

    /// Origins browsers may call the API from: "*" for any, or a comma-separated list.
    #[arg(long, env = "EXODUS_CORS_ORIGINS", default_value = "*", global = true)]
    pub cors_origins: String,

    /// Request headers browsers may send: "*" for any, or a comma-separated list. The default
    /// covers what common clients send (Apollo's client awareness and CSRF headers, tracing
    /// headers, conditional requests).
    #[arg(
        long,
        env = "EXODUS_CORS_HEADERS",
        default_value = DEFAULT_CORS_HEADERS,
        global = true
    )]
    pub cors_headers: String,

    /// Answer the common selections of lists and records straight from rows (the planner);
    /// off, every field goes through the general executor. The answers are the same; the
    /// switch is there to compare them and as an escape hatch.
    #[arg(long, env = "EXODUS_PLANNER", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub planner: bool,

    /// Most aliases an operation may use (aliases repeat a field; complexity counts them too).
    #[arg(long, env = "EXODUS_MAX_ALIASES", default_value_t = 30, global = true)]
    pub max_aliases: usize,

    /// Most fields an operation may ask for at its root.
    #[arg(
        long,
        env = "EXODUS_MAX_ROOT_FIELDS",
        default_value_t = 20,
        global = true
    )]
    pub max_root_fields: usize,

    /// Most operations in one batched POST (a JSON array of requests).
    #[arg(long, env = "EXODUS_MAX_BATCH", default_value_t = 10, global = true)]
    pub max_batch: usize,

    /// A token `/metrics` asks for (as `Authorization: Bearer …`); unset, it is open to all.
    #[arg(
        long,
        env = "EXODUS_METRICS_TOKEN",
        global = true,
        hide_env_values = true
    )]
    pub metrics_token: Option<String>,

    /// Most websocket connections open at once; more are refused with 503 until some close.
    #[arg(
        long,
        env = "EXODUS_MAX_WEBSOCKETS",
        default_value_t = 20_000,
        global = true
    )]
    pub max_websockets: usize,

    /// Most HTTP connections one client address may have open at once; more are answered
    /// 429 and closed. Addresses are TCP peers: behind a proxy, raise it.
    #[arg(
        long,
        env = "EXODUS_MAX_CONNECTIONS_PER_ADDRESS",
        default_value_t = 256,
        global = true
    )]
    pub max_connections_per_address: usize,

    /// Most websocket connections one client address may have open at once; more are
    /// refused with 429.
    #[arg(
        long,
        env = "EXODUS_MAX_WEBSOCKETS_PER_ADDRESS",
        default_value_t = 100,
        global = true
    )]
    pub max_websockets_per_address: usize,

    /// Most subscriptions one websocket connection may run at once.
    #[arg(
        long,
        env = "EXODUS_MAX_SUBSCRIPTIONS",
        default_value_t = 100,
        global = true
    )]
    pub max_subscriptions: usize,

    /// Seconds a websocket may stay open without a connection_init (then closed with 4408).
    #[arg(
        long,
        env = "EXODUS_WS_INIT_TIMEOUT",
        default_value_t = 10,
        global = true
    )]
    pub ws_init_timeout: u64,

    /// Seconds between checks of a signed-in websocket's account: an expired token, a
    /// disabled account or a changed role closes it (4403) within this time.
    #[arg(
        long,
        env = "EXODUS_SESSION_RECHECK",
        default_value_t = 5,
        global = true
    )]
    pub session_recheck: u64,

    /// Automatic persisted queries kept in memory (least recently used go first).
    #[arg(
        long,
        env = "EXODUS_PERSISTED_QUERIES",
        default_value_t = 1000,
        global = true
    )]
    pub persisted_queries: usize,

    /// A file of registered operations (an Apollo persisted-query manifest, or a JSON object
    /// of sha256 to query). When set, anonymous clients may run only these.
    #[arg(long, env = "EXODUS_SAFELIST", global = true)]
    pub safelist: Option<std::path::PathBuf>,

    /// `Cache-Control: max-age` of anonymous GET query responses, in seconds (0: no-cache).
    #[arg(
        long,
        env = "EXODUS_CACHE_MAX_AGE",
        default_value_t = 30,
        global = true
    )]
    pub cache_max_age: u32,

    /// Megabytes of answers to anonymous queries kept until the data changes (0: off).
    #[arg(
        long,
        env = "EXODUS_RESPONSE_CACHE_MB",
        default_value_t = 64,
        global = true
    )]
    pub response_cache_mb: usize,

    /// Seconds a request waits for a database connection before it is refused as
    /// SERVICE_UNAVAILABLE (also bounds how long requests hang while the database is down).
    #[arg(
        long,
        env = "EXODUS_DB_ACQUIRE_TIMEOUT",
        default_value_t = 5,
        global = true
    )]
    pub db_acquire_timeout: u64,

    /// Seconds in-flight requests get to finish after SIGTERM or SIGINT.
    #[arg(
        long,
        env = "EXODUS_SHUTDOWN_TIMEOUT",
        default_value_t = 30,
        global = true
    )]
    pub shutdown_timeout: u64,
}

/// The request headers browsers may send by default.
pub const DEFAULT_CORS_HEADERS: &str = "accept, authorization, content-type, cache-control, \
    if-none-match, x-requested-with, x-request-id, apollo-require-preflight, \
    apollographql-client-name, apollographql-client-version, x-apollo-operation-name, \
    graphql-client-name, graphql-client-version, sentry-trace, baggage, traceparent, tracestate";

impl Config {
    /// Checks what clap cannot; the message is shown to the operator as it is.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=1000).contains(&self.max_page_size) {
            return Err("--max-page-size (EXODUS_MAX_PAGE_SIZE) must be between 1 and 1000".into());
        }
        if self.default_page_size == 0 || self.default_page_size > self.max_page_size {
            return Err(
                "--default-page-size (EXODUS_DEFAULT_PAGE_SIZE) must be between 1 and --max-page-size"
                    .into(),
            );
        }
        if self.db_max_connections == 0 {
            return Err(
                "--db-max-connections (EXODUS_DB_MAX_CONNECTIONS) must be at least 1".into(),
            );
        }
        crate::db::DatabaseKind::of(&self.database_url())?;
        if let Some(secret) = &self.jwt_secret {
            if secret.len() < 32 {
                return Err("EXODUS_JWT_SECRET must be at least 32 bytes long".into());
            }
        }
        if self.jwt_algorithm != JwtAlgorithm::Hs256
            && self.jwt_public_key.is_none()
            && self.jwt_jwks.is_none()
        {
            return Err(
                "RS256 and ES256 need EXODUS_JWT_PUBLIC_KEY or EXODUS_JWT_JWKS to verify tokens"
                    .into(),
            );
        }
        if self.max_depth == 0
            || self.max_introspection_depth == 0
            || self.max_complexity == 0
            || self.max_body_bytes < 1024
            || self.request_timeout == 0
        {
            return Err(
                "EXODUS_MAX_DEPTH, EXODUS_MAX_COMPLEXITY and EXODUS_REQUEST_TIMEOUT must be at least 1, EXODUS_MAX_BODY_BYTES at least 1024"
                    .into(),
            );
        }
        if self.cors_origins.trim() != "*" {
            for origin in self
                .cors_origins
                .split(',')
                .map(str::trim)
                .filter(|o| !o.is_empty())
            {
                let ok = url::Url::parse(origin)
                    .map(|u| {
                        (u.scheme() == "http" || u.scheme() == "https")
                            && u.path() == "/"
                            && !origin.ends_with('/')
                    })
                    .unwrap_or(false);
                if !ok {
                    return Err(format!(
                        "EXODUS_CORS_ORIGINS: {origin:?} is not an origin like https://tracker.example.org (or use \"*\")"
                    ));
                }
            }
        }
        if self.max_aliases == 0
            || self.max_root_fields == 0
            || self.max_batch == 0
            || self.max_websockets == 0
            || self.max_websockets_per_address == 0
            || self.max_connections_per_address == 0
            || self.max_subscriptions == 0
            || self.ws_init_timeout == 0
            || self.session_recheck == 0
            || self.persisted_queries == 0
            || self.db_acquire_timeout == 0
        {
            return Err(
                "EXODUS_MAX_ALIASES, EXODUS_MAX_ROOT_FIELDS, EXODUS_MAX_BATCH, EXODUS_MAX_WEBSOCKETS, EXODUS_MAX_WEBSOCKETS_PER_ADDRESS, EXODUS_MAX_CONNECTIONS_PER_ADDRESS, EXODUS_MAX_SUBSCRIPTIONS, EXODUS_WS_INIT_TIMEOUT, EXODUS_SESSION_RECHECK, EXODUS_PERSISTED_QUERIES and EXODUS_DB_ACQUIRE_TIMEOUT must be at least 1"
                    .into(),
            );
        }
        if let Some(path) = &self.safelist {
            if !path.is_file() {
                return Err(format!("EXODUS_SAFELIST: {} is not a file", path.display()));
            }
        }
        if self.rate_limit_anonymous == 0 || self.rate_limit_editor == 0 {
            return Err(
                "EXODUS_RATE_LIMIT_ANONYMOUS and EXODUS_RATE_LIMIT_EDITOR must be at least 1"
                    .into(),
            );
        }
        if self.jwt_ttl == 0 || self.login_per_account == 0 || self.login_per_address == 0 {
            return Err("EXODUS_JWT_TTL and the login limits must be at least 1".into());
        }
        Ok(())
    }

    /// The database URL, falling back to the embedded SQLite file.
    pub fn database_url(&self) -> String {
        crate::db::normalize_url(self.database_url.as_deref())
    }

    /// A configuration with every default, for tests and tools.
    pub fn defaults() -> Self {
        Cli::parse_from(["exodus"]).config
    }
}
