//! Connecting to PostgreSQL or the embedded SQLite file, and migrating.

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The embedded default: a SQLite file in the working directory.
pub const DEFAULT_SQLITE_URL: &str = "sqlite://exodus.db?mode=rwc";

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    Postgres,
    Sqlite,
}

impl DatabaseKind {
    pub fn of(url: &str) -> Result<Self, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else {
            Err(format!(
                "DATABASE_URL must start with postgres://, postgresql:// or sqlite: (got {:?})",
                redact(url)
            ))
        }
    }
}

/// Fills in the default and makes a SQLite file URL create its file when missing.
pub fn normalize_url(url: Option<&str>) -> String {
    match url.map(str::trim).filter(|u| !u.is_empty()) {
        None => DEFAULT_SQLITE_URL.to_owned(),
        Some(u) if u.starts_with("sqlite:") && !u.contains("mode=") && !u.contains(":memory:") => {
            let sep = if u.contains('?') { '&' } else { '?' };
            format!("{u}{sep}mode=rwc")
        }
        Some(u) => u.to_owned(),
    }
}

/// Hides a password in a URL before it is shown or logged.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Counts the SQL statements the app sends; tests use it to show that nested pages do not
/// cost one query per row.
#[derive(Clone, Default)]
pub struct StatementCounter(Arc<AtomicU64>);

impl StatementCounter {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// How a pool is opened: what [`connect`] opens at start-up, and what each HTTP worker
/// opens for itself on PostgreSQL ([`PoolRecipe::open_for_worker`]).
#[derive(Clone, Debug)]
pub struct PoolRecipe {
    url: String,
    max_connections: u32,
    acquire_timeout: Duration,
}

impl PoolRecipe {
    fn options(&self, kind: DatabaseKind, max_connections: u32) -> ConnectOptions {
        let mut options = ConnectOptions::new(self.url.clone());
        options
            .max_connections(match kind {
                // One writer at a time is all SQLite allows; a single connection also keeps
                // transactions from failing with "database is locked".
                DatabaseKind::Sqlite => 1,
                DatabaseKind::Postgres => max_connections,
            })
            // A pooled connection is pinged before use only once it sat idle for a second
            // (when a restart, a proxy or a firewall may have dropped it), not on every
            // checkout: the ping is a round trip to the database, as many as a record read's
            // own statement.
            .test_before_acquire_if_idle_for(Duration::from_secs(1))
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(self.acquire_timeout)
            .sqlx_logging(false);
        options
    }

    /// A pool for the HTTP worker thread that calls this (PostgreSQL only; None on SQLite,
    /// whose one connection every worker shares), with `workers` workers sharing the
    /// configured maximum, and the same statement counter as the start-up pool.
    ///
    /// Why: a socket wakes the thread whose runtime registered it. With one pool for every
    /// worker, a connection opened by one worker and used by another had the first thread
    /// wake up to wake the second, on every statement (`write` to an eventfd for half of the
    /// requests, under strace). Opened lazily from the worker's own thread, the pool's
    /// sockets are that worker's: a statement's reply wakes only the thread waiting for it.
    pub fn open_for_worker(
        &self,
        workers: usize,
        counter: &StatementCounter,
    ) -> Option<DatabaseConnection> {
        if DatabaseKind::of(&self.url).ok()? != DatabaseKind::Postgres {
            return None;
        }
        let share = (self.max_connections as usize / workers.max(1)).max(1) as u32;
        let mut options = self.options(DatabaseKind::Postgres, share);
        options.min_connections(0).connect_lazy(true);
        // A lazy pool opens no connection here: the future is ready at once (it only builds
        // the pool and spawns its upkeep on this thread's runtime). Were it ever not, the
        // worker keeps the shared pool, and says so.
        use futures_util::FutureExt;
        let mut db = match Database::connect(options).now_or_never() {
            Some(Ok(db)) => db,
            outcome => {
                let error = outcome.and_then(Result::err).map(|e| e.to_string());
                tracing::warn!(
                    ?error,
                    "a worker could not open its own pool; it shares the start-up pool"
                );
                return None;
            }
        };
        let count = counter.0.clone();
        db.set_metric_callback(move |_| {
            count.fetch_add(1, Ordering::Relaxed);
        });
        Some(db)
    }
}

/// Opens a pool on the URL (already normalized), with a statement counter attached; the
/// recipe opens the workers' own pools later.
pub async fn connect(
    url: &str,
    max_connections: u32,
    acquire_timeout: Duration,
) -> anyhow::Result<(DatabaseConnection, StatementCounter, PoolRecipe)> {
    let kind = DatabaseKind::of(url).map_err(anyhow::Error::msg)?;
    let recipe = PoolRecipe {
        url: url.to_owned(),
        max_connections,
        acquire_timeout,
    };
    let mut options = recipe.options(kind, max_connections);
    options.min_connections(1);
    let mut db = Database::connect(options)
        .await
        .map_err(|e| anyhow::anyhow!("cannot connect to the database at {}: {e}", redact(url)))?;
    let counter = StatementCounter::default();
    let count = counter.0.clone();
    db.set_metric_callback(move |_| {
        count.fetch_add(1, Ordering::Relaxed);
    });
    Ok((db, counter, recipe))
}

/// Applies pending migrations.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .map_err(|e| anyhow::anyhow!("migrating the database failed: {e}"))
}

/// The data step that needs the server's own rules: every record's confidence, once after
/// the rule changed. Cheap when it is done (one read).
pub async fn recount(db: &DatabaseConnection) -> anyhow::Result<()> {
    let changed = crate::service::confidence::recompute_all(db).await?;
    if changed > 0 {
        tracing::info!(changed, "recomputed confidences under the current rule");
    }
    Ok(())
}

/// A server setting kept in the database.
pub async fn setting<C: sea_orm::ConnectionTrait>(
    db: &C,
    key: &str,
) -> Result<Option<String>, sea_orm::DbErr> {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
    let select = Query::select()
        .column(Alias::new("value"))
        .from(Alias::new("setting"))
        .and_where(Expr::col(Alias::new("key")).eq(key))
        .to_owned();
    let row = db.query_one(&select).await?;
    row.map(|r| r.try_get::<String>("", "value")).transpose()
}

/// Stores a server setting, replacing its value.
pub async fn set_setting<C: sea_orm::ConnectionTrait>(
    db: &C,
    key: &str,
    value: &str,
) -> Result<(), sea_orm::DbErr> {
    use sea_orm::sea_query::{Alias, OnConflict, Query};
    let insert = Query::insert()
        .into_table(Alias::new("setting"))
        .columns([Alias::new("key"), Alias::new("value")])
        .values_panic([key.into(), value.into()])
        .on_conflict(
            OnConflict::column(Alias::new("key"))
                .update_column(Alias::new("value"))
                .to_owned(),
        )
        .to_owned();
    db.execute(&insert).await?;
    Ok(())
}

/// Whether an error means the database cannot be reached right now (down, restarting, the
/// connection cut, the pool exhausted), as opposed to a bad statement. Such a request can be
/// retried as it is once the database is back.
pub fn is_unavailable(err: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr};
    match err {
        // Failing to connect at all, whatever the detail (refused, reset, a broken TLS
        // negotiation with a proxy whose backend is gone).
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            sqlx_unavailable(e)
        }
        _ => false,
    }
}

fn sqlx_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::BeginFailed => true,
        // SQLSTATE class 08 is "connection exception"; 57P01-57P03 are an administrator's
        // shutdown, a crash shutdown, and "cannot connect now" while starting up.
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("08") || matches!(&*c, "57P01" | "57P02" | "57P03")),
        _ => false,
    }
}
