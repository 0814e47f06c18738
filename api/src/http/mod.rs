//! The actix-web app: `/graphql` (POST, GET, GraphiQL) and `/healthz`.

mod graphql;
mod health;

use crate::db::StatementCounter;
use crate::graphql::ExodusSchema;
use actix_web::{dev::Server, web, App, HttpResponse, HttpServer};
use sea_orm::DatabaseConnection;
use std::net::TcpListener;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub schema: ExodusSchema,
    pub statements: StatementCounter,
    pub auth: std::sync::Arc<crate::auth::Auth>,
    pub throttle: std::sync::Arc<crate::auth::throttle::LoginThrottle>,
    pub bus: crate::events::ChangeBus,
    pub request_limits: crate::service::RequestLimits,
    pub rate_limiter: std::sync::Arc<crate::auth::throttle::RequestLimiter>,
    /// "*" or a comma-separated list of allowed browser origins.
    pub cors_origins: String,
}

/// Registers the routes; shared by the server and the tests.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            // The websocket upgrade first, so the plain GET (queries, GraphiQL) sees the rest.
            .route(
                web::get()
                    .guard(actix_web::guard::fn_guard(|ctx| {
                        ctx.head()
                            .headers()
                            .get("upgrade")
                            .and_then(|v| v.to_str().ok())
                            .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
                    }))
                    .to(graphql::websocket),
            )
            .route(web::post().to(graphql::post))
            .route(web::get().to(graphql::get))
            .route(web::route().to(graphql::method_not_allowed)),
    )
    .route("/healthz", web::get().to(health::healthz))
    .route("/readyz", web::get().to(health::readyz))
    .default_service(web::to(not_found));
}

async fn not_found() -> HttpResponse {
    graphql::error_response(
        actix_web::http::StatusCode::NOT_FOUND,
        "NOT_FOUND",
        "no such path; the API is at /graphql",
    )
}

/// How the HTTP server runs.
#[derive(Debug, Clone, Copy)]
pub struct ServeOptions {
    /// Worker threads; 0 means one per CPU core.
    pub workers: usize,
    /// Stop gracefully on SIGINT and SIGTERM (off in tests, which stop the server themselves).
    pub handle_signals: bool,
}

/// Starts serving on an already bound listener.
pub fn serve(
    listener: TcpListener,
    state: AppState,
    options: ServeOptions,
) -> std::io::Result<Server> {
    let data = web::Data::new(state);
    let origins = data.cors_origins.clone();
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .wrap(security_headers())
            .wrap(cors(&origins))
            .configure(configure)
    });
    if options.workers > 0 {
        server = server.workers(options.workers);
    }
    if !options.handle_signals {
        server = server.disable_signals();
    }
    Ok(server.listen(listener)?.run())
}

/// Headers every response carries: no sniffing, no framing, no referrer leaks.
fn security_headers() -> actix_web::middleware::DefaultHeaders {
    actix_web::middleware::DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
}

/// CORS for browsers: any origin (the data is public; no cookies are used) or an allow-list.
fn cors(origins: &str) -> actix_cors::Cors {
    let cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "POST"])
        .allowed_headers(["content-type", "authorization", "accept"])
        .max_age(3600);
    if origins.trim() == "*" {
        cors.allow_any_origin()
    } else {
        origins
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .fold(cors, |c, origin| c.allowed_origin(origin))
    }
}
