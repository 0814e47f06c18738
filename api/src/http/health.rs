//! Liveness: the process is up and answering.

use actix_web::HttpResponse;

/// GET /healthz: 200 while the process serves requests; it does not touch the database.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}
