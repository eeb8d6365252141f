//! Logging: `tracing` to stderr, and one line per request with method, path
//! (never the query string, which may carry tokens), status and duration.
//! Cookies, bodies and headers are never logged.

use std::time::Instant;

use rocket::fairing::{Fairing, Info, Kind};
use rocket::{Data, Request, Response};
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; `RUST_LOG` overrides the level.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

pub struct RequestLog;

struct Started(Option<Instant>);

#[rocket::async_trait]
impl Fairing for RequestLog {
    fn info(&self) -> Info {
        Info {
            name: "request log",
            kind: Kind::Request | Kind::Response,
        }
    }

    async fn on_request(&self, request: &mut Request<'_>, _: &mut Data<'_>) {
        request.local_cache(|| Started(Some(Instant::now())));
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        let elapsed = request
            .local_cache(|| Started(None))
            .0
            .map(|start| start.elapsed());
        let ms = elapsed.map_or(0.0, |e| e.as_secs_f64() * 1000.0);
        tracing::info!(
            target: "portero::request",
            "{} {} {} {:.1}ms",
            request.method(),
            request.uri().path(),
            response.status().code,
            ms
        );
    }
}
