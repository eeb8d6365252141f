//! What answers on Portero's address while `portero serve` waits for its
//! database at start: `/healthz` 200 (the process is alive; an orchestrator
//! must not restart it for a database that is still coming up), `/readyz`
//! 503 (send no traffic yet), anything else 503 with `Retry-After`.
//!
//! A small Rocket of its own, on the same address and port, stopped the
//! moment the database answers and before the application binds there.

use rocket::figment::Figment;
use rocket::figment::providers::Serialized;
use rocket::http::{Header, Status};
use rocket::response::{self, Responder, Response};
use rocket::serde::json::Json;
use rocket::{Request, Shutdown, catch, catchers, get, routes};
use serde_json::{Value, json};

use crate::outage::RETRY_AFTER_SECS;

/// A JSON answer with `Retry-After`.
struct Unavailable(Value);

impl<'r> Responder<'r, 'static> for Unavailable {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        Response::build_from(Json(self.0).respond_to(request)?)
            .status(Status::ServiceUnavailable)
            .header(Header::new("Retry-After", RETRY_AFTER_SECS.to_string()))
            .ok()
    }
}

#[get("/healthz")]
fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

#[get("/readyz")]
fn readyz() -> Unavailable {
    Unavailable(json!({ "status": "starting", "database": "unreachable" }))
}

#[catch(default)]
fn waiting() -> Unavailable {
    Unavailable(json!({
        "status": 503,
        "title": "Service Unavailable",
        "detail": "Portero is starting and waits for its database; retry after the Retry-After seconds."
    }))
}

/// The standby server, running.
pub struct Standby {
    shutdown: Shutdown,
    task: rocket::tokio::task::JoinHandle<()>,
}

impl Standby {
    /// Starts answering on the address and port `figment` names.
    pub async fn start(figment: &Figment) -> Result<Standby, String> {
        let figment = figment
            .clone()
            // Stops at once: nothing it serves needs a grace period.
            .merge(Serialized::default("shutdown.grace", 0))
            .merge(Serialized::default("shutdown.mercy", 0))
            // Signals are the application's: see `stopped`.
            .merge(Serialized::default("shutdown.ctrlc", false))
            .merge(Serialized::default(
                "shutdown.signals",
                Vec::<String>::new(),
            ))
            .merge(Serialized::default("log_level", "off"));
        let rocket = rocket::custom(figment)
            .mount("/", routes![healthz, readyz])
            .register("/", catchers![waiting])
            .ignite()
            .await
            .map_err(|error| format!("portero: standby server: {error}"))?;
        let shutdown = rocket.shutdown();
        let task = rocket::tokio::spawn(async move {
            if let Err(error) = rocket.launch().await {
                tracing::warn!("the standby server stopped: {error}");
            }
        });
        tracing::info!("answering /healthz (200) and /readyz (503) while the database is awaited");
        Ok(Standby { shutdown, task })
    }

    /// Stops it and waits until its port is free.
    pub async fn stop(self) {
        self.shutdown.notify();
        let _ = self.task.await;
    }
}
