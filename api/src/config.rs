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
    },
    /// Print the GraphQL schema (SDL) and exit.
    Schema,
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

    /// Do not load the dataset into an empty database at start-up.
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

    /// Largest number of database connections in the pool.
    #[arg(
        long,
        env = "EXODUS_DB_MAX_CONNECTIONS",
        default_value_t = 10,
        global = true
    )]
    pub db_max_connections: u32,
}

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
