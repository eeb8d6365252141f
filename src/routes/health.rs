//! Liveness and readiness probes.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{Route, get, routes};
use serde_json::{Value, json};

use crate::db::Db;

pub fn routes() -> Vec<Route> {
    routes![healthz, readyz]
}

/// 200 while the process serves requests; touches nothing else.
#[get("/healthz")]
fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// 200 when the database answers, 503 otherwise.
#[get("/readyz")]
async fn readyz(db: &Db) -> (Status, Json<Value>) {
    match db.ping().await {
        Ok(()) => (
            Status::Ok,
            Json(json!({ "status": "ok", "database": "ok" })),
        ),
        Err(error) => {
            tracing::warn!(%error, "readiness check failed");
            (
                Status::ServiceUnavailable,
                Json(json!({ "status": "unavailable", "database": "unreachable" })),
            )
        }
    }
}
