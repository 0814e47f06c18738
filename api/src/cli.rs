//! The commands of the `exodus` binary.

use crate::config::{Cli, Command, Config, LogFormat};
use crate::http::AppState;
use crate::service::Limits;
use crate::{db, graphql, http, seed};
use clap::Parser;
use std::net::TcpListener;
use std::process::ExitCode;

/// Parses the command line, runs the command and maps failure to one message and exit code 1.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(message) = cli.config.validate() {
        eprintln!("error: {message}");
        return ExitCode::from(2);
    }
    init_tracing(&cli.config);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match config.log_format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.config;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Schema => {
            print!("{}", graphql::sdl());
            Ok(())
        }
        Command::Migrate => {
            let (conn, _) = db::connect(&config.database_url(), config.db_max_connections).await?;
            db::migrate(&conn).await?;
            eprintln!("migrations applied");
            Ok(())
        }
        Command::Seed { file } => {
            let (conn, _) = db::connect(&config.database_url(), config.db_max_connections).await?;
            if !config.no_migrate {
                db::migrate(&conn).await?;
            }
            let text = match &file {
                Some(path) => std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?,
                None => seed::BUILTIN.to_owned(),
            };
            let report = seed::load(&conn, &seed::parse(&text)?).await?;
            eprintln!("{report}");
            Ok(())
        }
        Command::Serve => serve(config).await,
    }
}

/// Prepares the database (migrations, seed), binds the address, serves until stopped.
pub async fn prepare(config: &Config) -> anyhow::Result<AppState> {
    let url = config.database_url();
    let (conn, statements) = db::connect(&url, config.db_max_connections).await?;
    if !config.no_migrate {
        db::migrate(&conn).await?;
    }
    if !config.no_seed && seed::is_empty(&conn).await? {
        let report = seed::load(&conn, &seed::parse(seed::BUILTIN)?).await?;
        tracing::info!(%report, "seeded an empty database with the shipped dataset");
    }
    let limits = Limits {
        default_page_size: config.default_page_size,
        max_page_size: config.max_page_size,
    };
    Ok(AppState {
        db: conn,
        schema: graphql::build_schema(limits),
        statements,
    })
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let state = prepare(&config).await?;
    let listener = TcpListener::bind(config.listen)
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    tracing::info!(
        address = %config.listen,
        database = %db::redact(&config.database_url()),
        "Exodus is serving GraphQL at http://{}/graphql",
        config.listen
    );
    let options = http::ServeOptions {
        workers: config.workers,
        handle_signals: true,
    };
    http::serve(listener, state, options)?.await?;
    Ok(())
}
