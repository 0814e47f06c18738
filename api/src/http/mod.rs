//! The actix-web app: `/graphql` (POST, GET, GraphiQL, websockets), `/healthz`, `/readyz`
//! and `/metrics`.
//!
//! Modules here import one another one way only: this one wires the handlers (`graphql`,
//! `health`, `ws`), handlers use the helpers (`execute`, `caching`, `persisted`…), and
//! everything may use the leaves `state` (what handlers share) and `body` (media types and
//! error bodies).

mod atom;
mod body;
mod caching;
mod execute;
pub mod export;
mod graphiql;
mod graphql;
mod health;
pub mod landing;
pub mod metrics;
pub mod per_address;
pub mod persisted;
mod request_id;
pub mod response_cache;
pub mod shutdown;
pub mod sse;
mod state;
pub mod ws;

pub use state::{AppState, Pools};

use crate::error::ErrorCode;
use actix_service::IntoServiceFactory;
use actix_web::{dev::Server, web, App, HttpResponse};
use std::net::TcpListener;
use std::time::Duration;

/// Registers the routes; shared by the server and the tests.
pub fn configure(cfg: &mut web::ServiceConfig) {
    // Websocket upgrades never get here: actix-http hands them to `ws::upgrade_service`.
    cfg.service(
        web::resource("/graphql")
            .route(web::post().to(graphql::post))
            .route(web::get().to(graphql::get))
            .route(web::route().to(graphql::method_not_allowed)),
    )
    .route("/", web::get().to(landing::landing))
    .route("/schema.graphql", web::get().to(landing::schema))
    .route("/graphiql/{version}/{file}", web::get().to(graphiql::asset))
    .route("/healthz", web::get().to(health::healthz))
    .route("/readyz", web::get().to(health::readyz))
    .route("/metrics", web::get().to(health::metrics))
    .route("/feeds/changes.atom", web::get().to(atom::changes))
    .route("/export/exodus.jsonl", web::get().to(export::jsonl))
    .route("/export/{kind}.csv", web::get().to(export::csv))
    .default_service(web::to(not_found));
}

async fn not_found() -> HttpResponse {
    body::error_response(
        actix_web::http::StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "no such path; the API is at /graphql",
    )
}

/// How the HTTP server runs.
#[derive(Debug, Clone, Copy)]
pub struct ServeOptions {
    /// Worker threads; 0 means one per CPU core.
    pub workers: usize,
    /// Seconds requests in flight get to finish once the server is stopping.
    pub shutdown_timeout: u64,
}

/// Starts serving on an already bound listener.
///
/// The server is put together from actix-server and actix-http rather than actix-web's
/// `HttpServer`, which has no place for an upgrade service; the settings are HttpServer's.
pub fn serve(
    listener: TcpListener,
    state: AppState,
    options: ServeOptions,
) -> std::io::Result<Server> {
    let workers = match options.workers {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let shared = web::Data::new(state);
    let local_addr = listener.local_addr()?;
    let mut builder = actix_server::Server::build()
        // Signals are the caller's: `stop` closes websockets before the graceful stop.
        .disable_signals()
        .shutdown_timeout(options.shutdown_timeout);
    if options.workers > 0 {
        builder = builder.workers(options.workers);
    }
    let shutdown_signal = builder.graceful_shutdown_signal();
    let builder = builder.listen("exodus", listener, move || {
        // Called on each worker's own thread, as it starts.
        let data = match Pools::for_worker(&shared, workers) {
            Some(state) => web::Data::new(state),
            None => shared.clone(),
        };
        let signal = shutdown_signal.clone();
        let app = app(data.clone()).into_factory();
        let connections = data.connections.clone();
        let http = actix_http::HttpService::build()
            .graceful_shutdown_signal(move || {
                let signal = signal.clone();
                async move { signal.notified().await }
            })
            .keep_alive(actix_http::KeepAlive::default())
            .client_request_timeout(Duration::from_secs(5))
            .client_disconnect_timeout(Duration::from_secs(1))
            .local_addr(local_addr)
            .upgrade(ws::upgrade_service(data.clone()))
            // The app's config supplies the scheme (plain HTTP: TLS ends at the proxy) and a
            // host for requests that name none (HTTP/1.0 without Host), which actix-web's
            // public API only offers as its default, "localhost:8080".
            .finish(actix_service::map_config(app, |_| {
                actix_web::dev::AppConfig::default()
            }))
            .tcp();
        // Each accepted connection takes a slot of its address first.
        actix_service::apply_fn_factory(http, move |io, service| connections.serve(io, service))
    })?;
    Ok(builder.run())
}

/// The app for every request but websocket upgrades.
fn app(
    data: web::Data<AppState>,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let origins = data.cors_origins.clone();
    let headers = data.cors_headers.clone();
    // The last `wrap` is the outermost: the request id and its span come first.
    App::new()
        .app_data(data)
        .wrap(actix_web::middleware::Compress::default())
        .wrap(security_headers())
        .wrap(cors(&origins, &headers))
        .wrap(actix_web::middleware::from_fn(track_in_flight))
        .wrap(actix_web::middleware::from_fn(request_id::echo))
        .wrap(actix_web::middleware::from_fn(head_as_get))
        .wrap(tracing_actix_web::TracingLogger::<request_id::RootSpan>::new())
        .configure(configure)
}

/// Stops gracefully: websockets are told to reconnect (close code 1012), the listener stops
/// accepting, requests in flight finish (within `limit`), then the server shuts down.
pub async fn stop(
    shutdown: &shutdown::Shutdown,
    server: &actix_web::dev::ServerHandle,
    limit: std::time::Duration,
) {
    shutdown.trigger();
    server.pause().await;
    if !shutdown.drained(limit).await {
        tracing::warn!("requests still in flight after the shutdown timeout; stopping anyway");
    }
    server.stop(true).await;
}

/// HEAD is answered wherever GET is: the request is routed as a GET, and actix-http, which
/// saw HEAD on the wire, sends the answer's headers without its body.
async fn head_as_get(
    mut req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    if req.method() == actix_web::http::Method::HEAD {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    next.call(req).await
}

/// Counts the request as in flight while its handler runs (reading the body included).
async fn track_in_flight(
    request: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let guard = request
        .app_data::<web::Data<AppState>>()
        .map(|state| state.shutdown.enter());
    let response = next.call(request).await;
    drop(guard);
    response
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
/// Response headers browser code may read (the request id to quote in a report, when to
/// retry, the ETag to revalidate with).
const EXPOSED: [&str; 4] = ["x-request-id", "retry-after", "etag", export::CURSOR_HEADER];

/// CORS for browser apps: the configured origins and request headers (`*` for any), the
/// headers above exposed, preflights cached for an hour.
fn cors(origins: &str, headers: &str) -> actix_cors::Cors {
    let cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "HEAD", "POST"])
        .expose_headers(EXPOSED)
        .max_age(3600);
    let cors = if headers.trim() == "*" {
        cors.allow_any_header()
    } else {
        cors.allowed_headers(
            headers
                .split(',')
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .filter_map(|h| actix_web::http::header::HeaderName::try_from(h).ok()),
        )
    };
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
