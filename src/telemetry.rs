//! Logging: `tracing` to stderr, and one line per request with method, path
//! (never the query string, which may carry tokens), status and duration.
//! Cookies, bodies and headers are never logged.

use std::io::IsTerminal;
use std::time::Instant;

use rocket::fairing::{Fairing, Info, Kind};
use rocket::{Data, Request, Response};
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; `RUST_LOG` overrides the level.
pub fn init() {
    // Rocket's own request lines include the query string; ours do not, so
    // Rocket is kept to errors.
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,rocket=error,_=error,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}

/// Logs where the server listens once it does.
pub fn liftoff_banner() -> rocket::fairing::AdHoc {
    rocket::fairing::AdHoc::on_liftoff("banner", |rocket| {
        Box::pin(async move {
            let config = rocket.config();
            tracing::info!(
                "Portero {} listening on http://{}:{} ({} profile)",
                env!("CARGO_PKG_VERSION"),
                config.address,
                config.port,
                rocket.figment().profile()
            );
        })
    })
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
