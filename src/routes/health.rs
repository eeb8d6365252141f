//! Liveness and readiness probes.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Waker};

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{Route, Shutdown, get, routes};
use serde_json::{Value, json};

use crate::db::Db;
use crate::request_id::Current;

pub fn routes() -> Vec<Route> {
    routes![healthz, readyz]
}

/// 200 while the process serves requests; touches nothing else.
#[get("/healthz")]
fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// 200 when the database takes a write, 503 otherwise and from the moment
/// shutdown starts (so a proxy stops sending while in-flight requests end).
///
/// The check opens and rolls back a write transaction (`BEGIN IMMEDIATE`
/// on SQLite): a plain `SELECT 1` succeeds on a full disk or while another
/// connection holds the write lock for ever, when no write can succeed.
#[get("/readyz")]
async fn readyz(db: &Db, shutdown: Shutdown, id: Current<'_>) -> (Status, Json<Value>) {
    if is_shutting_down(shutdown) {
        return (
            Status::ServiceUnavailable,
            Json(json!({ "status": "shutting down" })),
        );
    }
    let check = async { db.begin().await?.rollback().await };
    match check.await {
        Ok(()) => (
            Status::Ok,
            Json(json!({ "status": "ok", "database": "ok" })),
        ),
        Err(error) => {
            tracing::warn!(request_id = id.0, %error, "readiness check failed");
            (
                Status::ServiceUnavailable,
                Json(json!({ "status": "unavailable", "database": "unreachable" })),
            )
        }
    }
}

/// Whether shutdown has been requested: Rocket's `Shutdown` completes
/// once it has, so one poll tells without waiting.
fn is_shutting_down(mut shutdown: Shutdown) -> bool {
    let mut context = Context::from_waker(Waker::noop());
    Pin::new(&mut shutdown).poll(&mut context).is_ready()
}
