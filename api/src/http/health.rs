//! What operators poll: liveness, readiness and the Prometheus metrics.

use super::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use migration::{Migrator, MigratorTrait};
use sea_orm::ConnectionTrait;

/// GET /healthz: 200 while the process serves requests; it does not touch the database.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// GET /readyz: 200 when the database answers and no migration is pending, else 503 with
/// the reason, so a load balancer sends traffic only to replicas that can serve it.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    if let Err(e) = state.db.execute_unprepared("SELECT 1").await {
        tracing::warn!(error = %e, "readiness: the database does not answer");
        return HttpResponse::ServiceUnavailable()
            .json(serde_json::json!({ "status": "unavailable", "database": "unreachable" }));
    }
    match Migrator::get_pending_migrations(&state.db).await {
        Ok(pending) if pending.is_empty() => HttpResponse::Ok().json(
            serde_json::json!({ "status": "ready", "database": "ok", "pendingMigrations": 0 }),
        ),
        Ok(pending) => HttpResponse::ServiceUnavailable().json(serde_json::json!({
            "status": "unavailable", "database": "ok", "pendingMigrations": pending.len()
        })),
        Err(e) => {
            tracing::warn!(error = %e, "readiness: cannot read the migration table");
            HttpResponse::ServiceUnavailable()
                .json(serde_json::json!({ "status": "unavailable", "database": "ok", "pendingMigrations": null }))
        }
    }
}

/// GET /metrics, in the Prometheus text format (see `metrics`). With `EXODUS_METRICS_TOKEN`
/// set, only for a scraper that sends it as a bearer token.
pub async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if let Some(expected) = &state.metrics_token {
        use subtle::ConstantTimeEq;
        let sent = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !bool::from(sent.as_bytes().ct_eq(expected.as_bytes())) {
            let body = super::body::error_body(
                crate::error::ErrorCode::Unauthenticated,
                "send the metrics token as Authorization: Bearer <token>",
            );
            return HttpResponse::Unauthorized()
                .insert_header(("WWW-Authenticate", "Bearer"))
                .json(body);
        }
    }
    // Webhook lag, read now (a handful of rows): head - cursor per endpoint.
    if let Ok(endpoints) = crate::webhooks::store::list(&state.db).await {
        let head = state.bus.head();
        let lags: Vec<(i64, i64)> = endpoints
            .iter()
            .map(|e| (e.id, (head - e.cursor).max(0)))
            .collect();
        state.metrics.webhook_lags(&lags);
    }
    state
        .metrics
        .planner_answers(state.schema.planning().answers());
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(state.metrics.render(
            state.bus.subscribers(),
            &state.pools.all(),
            &state.statements,
        ))
}
