//! The commands of the `exodus` binary.

use crate::auth::throttle::LoginThrottle;
use crate::auth::Auth;
use crate::config::{Cli, Command, Config, EditorAction, LogFormat, RoleArg};
use crate::http::AppState;
use crate::service::editors;
use crate::service::Limits;
use crate::{db, graphql, http, seed};
use clap::Parser;
use entity::enums::EditorRole;
use std::net::TcpListener;
use std::process::ExitCode;
use std::sync::Arc;

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

/// Opens the configured database.
async fn connect(
    config: &Config,
) -> anyhow::Result<(
    sea_orm::DatabaseConnection,
    db::StatementCounter,
    db::PoolRecipe,
)> {
    db::connect(
        &config.database_url(),
        config.db_max_connections,
        std::time::Duration::from_secs(config.db_acquire_timeout),
    )
    .await
}

fn init_tracing(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colors only for a person at a terminal, never in files or log collectors.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    // A line when each request's span closes: method, route, status, request id, GraphQL
    // operation and outcome, and how long it took.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE);
    let _ = match config.log_format {
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
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
            let (conn, _, _) = connect(&config).await?;
            db::migrate(&conn).await?;
            db::recount(&conn).await?;
            eprintln!("migrations applied");
            Ok(())
        }
        Command::Seed { file, path, check } => {
            let file_given = file.is_some() || path.is_some();
            let text = match file.or(path) {
                Some(path) => std::fs::read_to_string(&path)
                    .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?,
                None => seed::BUILTIN.to_owned(),
            };
            let data = seed::parse(&text)?;
            if check {
                return check_dataset(&data).await;
            }
            let (conn, _, _) = connect(&config).await?;
            if !config.no_migrate {
                db::migrate(&conn).await?;
            }
            // The built-in dataset brings its corrections in; another file only adds.
            let report = if file_given {
                seed::load(&conn, &data).await?
            } else {
                seed::sync(&conn, &data).await?
            };
            db::recount(&conn).await?;
            eprintln!("{report}");
            Ok(())
        }
        Command::Serve => serve(config).await,
        Command::Editor { action } => editor_command(&config, action).await,
        Command::Token { email } => {
            let (conn, _, _) = connect(&config).await?;
            if !config.no_migrate {
                db::migrate(&conn).await?;
            }
            let auth = Auth::from_config(&config, &conn).await?;
            let account = editors::by_email(&conn, &email).await.map_err(app_error)?;
            if account.disabled {
                anyhow::bail!("the editor {} is disabled", account.email);
            }
            let (token, _) = auth.issue(&account).map_err(app_error)?;
            println!("{token}");
            Ok(())
        }
    }
}

fn app_error(e: crate::error::AppError) -> anyhow::Error {
    match e {
        crate::error::AppError::Internal(cause) | crate::error::AppError::Unavailable(cause) => {
            cause
        }
        other => anyhow::anyhow!(other.message()),
    }
}

async fn editor_command(config: &Config, action: EditorAction) -> anyhow::Result<()> {
    let (conn, _, _) = connect(config).await?;
    if !config.no_migrate {
        db::migrate(&conn).await?;
    }
    match action {
        EditorAction::Add { email, name, role } => {
            let password = match std::env::var("EXODUS_EDITOR_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let first = rpassword::prompt_password("Password (12 characters or more): ")?;
                    let again = rpassword::prompt_password("Password again: ")?;
                    if first != again {
                        anyhow::bail!("the passwords differ");
                    }
                    first
                }
            };
            let role = match role {
                RoleArg::Editor => EditorRole::Editor,
                RoleArg::Admin => EditorRole::Admin,
            };
            let account = editors::add(&conn, &email, &name, role, &password)
                .await
                .map_err(app_error)?;
            eprintln!(
                "added {} ({}) as {}",
                account.email,
                account.display_name,
                account.role.as_str()
            );
        }
        EditorAction::List => {
            for e in editors::list(&conn).await.map_err(app_error)? {
                println!(
                    "{}\t{}\t{}\t{}",
                    e.email,
                    e.role.as_str(),
                    if e.disabled { "disabled" } else { "active" },
                    e.display_name
                );
            }
        }
        EditorAction::Disable { email } => {
            let account = editors::by_email(&conn, &email).await.map_err(app_error)?;
            let account = editors::set_disabled(&conn, account, true)
                .await
                .map_err(app_error)?;
            eprintln!("disabled {}", account.email);
        }
    }
    Ok(())
}

/// `exodus seed --check`: every problem of a dataset, one a line, and a failure if any.
async fn check_dataset(data: &seed::Dataset) -> anyhow::Result<()> {
    let today = chrono::Utc::now().date_naive();
    let seed::CheckReport {
        report,
        problems,
        notices,
    } = seed::check(data, today).await?;
    for notice in &notices {
        eprintln!("notice: {notice}");
    }
    for problem in &problems {
        println!("{problem}");
    }
    if !problems.is_empty() {
        anyhow::bail!("the dataset has {} problem(s)", problems.len());
    }
    eprintln!(
        "the dataset is valid: it {report}",
        report = report.to_string().replacen("inserted", "loads", 1)
    );
    Ok(())
}

/// Prepares the database (migrations, seed), binds the address, serves until stopped.
pub async fn prepare(config: &Config) -> anyhow::Result<AppState> {
    let (conn, statements, pools) = connect(config).await?;
    if !config.no_migrate {
        db::migrate(&conn).await?;
    }
    if !config.no_seed {
        if let Some(report) = seed::load_builtin_if_changed(&conn).await? {
            tracing::info!(%report, "loaded the shipped dataset");
        }
    }
    // After the dataset, whose sources say what the rule weighs. (With --no-migrate,
    // `exodus migrate` has done it.)
    if !config.no_migrate {
        db::recount(&conn).await?;
    }
    let limits = Limits {
        default_page_size: config.default_page_size,
        max_page_size: config.max_page_size,
    };
    let auth = Arc::new(Auth::from_config(config, &conn).await?);
    let throttle = Arc::new(LoginThrottle::new(
        config.login_per_account,
        config.login_per_address,
    ));
    let bus = crate::events::ChangeBus::start(conn.clone());
    // Know the log's head before the first request: the response cache is keyed by it.
    bus.poke().await;
    let request_limits = crate::service::RequestLimits {
        max_depth: config.max_depth,
        max_introspection_depth: config.max_introspection_depth,
        max_complexity: config.max_complexity,
        max_body_bytes: config.max_body_bytes,
        timeout: std::time::Duration::from_secs(config.request_timeout),
        public_introspection: config.public_introspection,
        max_aliases: config.max_aliases,
        max_root_fields: config.max_root_fields,
        max_batch: config.max_batch,
        cache_max_age: config.cache_max_age,
        planner: config.planner,
    };
    let safelist = match &config.safelist {
        Some(path) => Some(http::persisted::load_safelist(path)?),
        None => None,
    };
    let persisted = Arc::new(http::persisted::PersistedQueries::new(
        config.persisted_queries,
        safelist,
    ));
    // A lease lasts a minute and each acknowledged event renews it: an attempt must end well
    // within it, or a second process could take the endpoint over mid-attempt.
    anyhow::ensure!(
        (1..=20).contains(&config.webhook_timeout),
        "EXODUS_WEBHOOK_TIMEOUT must be between 1 and 20 seconds (got {})",
        config.webhook_timeout
    );
    let webhook_settings = Arc::new(crate::webhooks::Settings {
        guard: crate::webhooks::guard::Guard::new(
            config.webhook_allow_http,
            &config.webhook_allow_networks,
        )
        .map_err(|e| anyhow::anyhow!("EXODUS_WEBHOOK_ALLOW_NETWORKS: {e}"))?,
        timeout: std::time::Duration::from_secs(config.webhook_timeout),
        concurrency: config.webhook_concurrency.max(1),
        schedule: crate::webhooks::parse_schedule(&config.webhook_retry_schedule)
            .map_err(|e| anyhow::anyhow!("EXODUS_WEBHOOK_RETRY_SCHEDULE: {e}"))?,
        retention: std::time::Duration::from_secs(config.webhook_log_days * 86_400),
        secret_grace: std::time::Duration::from_secs(config.webhook_secret_grace_hours * 3600),
        poke: Arc::default(),
    });
    let schema = graphql::build_schema(
        limits,
        Some(request_limits),
        Some(bus.clone()),
        Some(webhook_settings.clone()),
    );
    let cors_origins = config.cors_origins.clone();
    let rate_limiter = Arc::new(crate::auth::throttle::RequestLimiter::new(
        config.rate_limit_anonymous,
        config.rate_limit_editor,
    ));
    if let Some(public) = config.public_url.as_deref().filter(|u| !u.is_empty()) {
        let parsed = url::Url::parse(public)
            .map_err(|e| anyhow::anyhow!("EXODUS_PUBLIC_URL {public:?} is not a URL: {e}"))?;
        anyhow::ensure!(
            matches!(parsed.scheme(), "http" | "https"),
            "EXODUS_PUBLIC_URL {public:?} must be an http(s) address"
        );
    }
    let renderer =
        graphql::render::Renderer::new(limits, conn.clone(), auth.clone(), throttle.clone());
    let metrics = Arc::new(http::metrics::Metrics::new());
    let shutdown = http::shutdown::Shutdown::default();
    if config.webhooks {
        let deliverer = crate::webhooks::Webhooks::new(
            conn.clone(),
            bus.clone(),
            renderer.clone(),
            metrics.clone(),
            (*webhook_settings).clone(),
        )?;
        let stopped = shutdown.clone();
        deliverer.start(async move { stopped.wait().await });
    }
    Ok(AppState {
        renderer,
        public_url: config
            .public_url
            .as_deref()
            .map(|u| u.trim_end_matches('/').to_owned())
            .filter(|u| !u.is_empty()),
        pools: http::Pools::new(pools, conn.clone()),
        db: conn,
        schema,
        statements,
        auth,
        throttle,
        bus,
        request_limits,
        cors_origins,
        cors_headers: config.cors_headers.clone(),
        graphiql: config.graphiql,
        rate_limiter,
        persisted,
        responses: Arc::new(http::response_cache::ResponseCache::new(
            config.response_cache_mb.saturating_mul(1 << 20),
        )),
        metrics,
        shutdown,
        websocket_slots: Arc::new(tokio::sync::Semaphore::new(config.max_websockets)),
        metrics_token: config.metrics_token.clone().filter(|t| !t.is_empty()),
        connections: http::per_address::PerAddress::new(config.max_connections_per_address),
        ws: http::ws::WsPolicy::new(
            config.max_websockets_per_address,
            config.max_subscriptions,
            std::time::Duration::from_secs(config.ws_init_timeout),
            std::time::Duration::from_secs(config.session_recheck),
        ),
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
        shutdown_timeout: config.shutdown_timeout,
    };
    let shutdown = state.shutdown.clone();
    let grace = std::time::Duration::from_secs(config.shutdown_timeout);
    let server = http::serve(listener, state, options)?;
    let handle = server.handle();
    tokio::spawn(async move {
        stop_signal().await;
        tracing::info!("stopping: closing websockets, finishing requests in flight");
        http::stop(&shutdown, &handle, grace).await;
    });
    server.await?;
    tracing::info!("stopped");
    Ok(())
}

/// SIGTERM (how orchestrators stop a container) or SIGINT (Ctrl-C).
async fn stop_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
