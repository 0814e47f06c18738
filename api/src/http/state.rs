//! What every handler shares, in a leaf module so that handlers need not import `http`'s root
//! (which imports them to route requests).

use super::{metrics, persisted, response_cache, shutdown};
use crate::db::StatementCounter;
use crate::graphql::CheckedSchema;
use sea_orm::DatabaseConnection;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub schema: CheckedSchema,
    pub statements: StatementCounter,
    pub auth: std::sync::Arc<crate::auth::Auth>,
    pub throttle: std::sync::Arc<crate::auth::throttle::LoginThrottle>,
    pub bus: crate::events::ChangeBus,
    pub request_limits: crate::service::RequestLimits,
    pub rate_limiter: std::sync::Arc<crate::auth::throttle::RequestLimiter>,
    /// "*" or a comma-separated list of allowed browser origins.
    pub cors_origins: String,
    /// "*" or a comma-separated list of request headers browsers may send.
    pub cors_headers: String,
    /// Serve GraphiQL to browsers that open `/graphql` (`EXODUS_GRAPHIQL`).
    pub graphiql: bool,
    pub persisted: std::sync::Arc<persisted::PersistedQueries>,
    /// Answers to anonymous queries, until the data changes.
    pub responses: std::sync::Arc<response_cache::ResponseCache>,
    pub metrics: std::sync::Arc<metrics::Metrics>,
    /// Raised when the server stops; open websockets close on it.
    pub shutdown: shutdown::Shutdown,
    /// One permit per open websocket (`EXODUS_MAX_WEBSOCKETS`): upgraded connections leave
    /// actix-server's own connection limit, so they have this one.
    pub websocket_slots: std::sync::Arc<tokio::sync::Semaphore>,
    /// The token `/metrics` asks for, if any (`EXODUS_METRICS_TOKEN`).
    pub metrics_token: Option<String>,
    /// Open HTTP connections per client address (`EXODUS_MAX_CONNECTIONS_PER_ADDRESS`).
    pub connections: super::per_address::PerAddress,
    /// Per-address caps, timeouts and re-checks of websocket connections.
    pub ws: super::ws::WsPolicy,
    /// Records and events in the API's shape, for the export, the feeds and webhooks.
    pub renderer: crate::graphql::render::Renderer,
    /// The base of absolute links (`EXODUS_PUBLIC_URL`), without a trailing slash.
    pub public_url: Option<String>,
    /// Every pool the process opened: the start-up one (`db` until a worker has its own) and
    /// the HTTP workers' own ([`crate::db::PoolRecipe::open_for_worker`]).
    pub pools: Pools,
}

/// The pools of the process: how a worker opens its own, and the ones open (for /metrics).
#[derive(Clone)]
pub struct Pools {
    recipe: crate::db::PoolRecipe,
    open: std::sync::Arc<std::sync::Mutex<Vec<DatabaseConnection>>>,
}

impl Pools {
    /// The start-up pool, and the recipe for the workers' own.
    pub fn new(recipe: crate::db::PoolRecipe, shared: DatabaseConnection) -> Self {
        Self {
            recipe,
            open: std::sync::Arc::new(std::sync::Mutex::new(vec![shared])),
        }
    }

    /// The state one HTTP worker serves with: on PostgreSQL its `db` is a pool of its own,
    /// opened now from the worker's thread; on SQLite (or if it cannot be opened), `shared`.
    pub fn for_worker(shared: &AppState, workers: usize) -> Option<AppState> {
        let pools = &shared.pools;
        let db = pools.recipe.open_for_worker(workers, &shared.statements)?;
        pools
            .open
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(db.clone());
        Some(AppState {
            db,
            ..shared.clone()
        })
    }

    /// Every open pool.
    pub fn all(&self) -> Vec<DatabaseConnection> {
        self.open.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}
