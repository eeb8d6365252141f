//! Logging: `tracing` to stderr, and one line per request with its id,
//! method, path (never the query string, which may carry tokens), status
//! and duration; the same fairing counts the request for `/metrics`.
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
            let figment = rocket.figment();
            tracing::info!(
                "at most {} client connections open at once; {} s to send a request head",
                figment
                    .extract_inner::<u64>("connection_limit")
                    .unwrap_or(0),
                figment
                    .extract_inner::<u64>("header_read_timeout")
                    .unwrap_or(0),
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
        crate::request_id::of(request);
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        let elapsed = request
            .local_cache(|| Started(None))
            .0
            .map(|start| start.elapsed());
        let seconds = elapsed.map_or(0.0, |e| e.as_secs_f64());
        let ms = seconds * 1000.0;
        crate::metrics::get().request(
            crate::metrics::RequestLabels {
                method: request.method().as_str().to_owned(),
                // Unrouted requests (404s, probes for random paths) share
                // one label.
                route: request
                    .route()
                    .map_or_else(|| "unmatched".to_owned(), |r| r.uri.path().to_owned()),
                status: response.status().code,
            },
            seconds,
        );
        let request_id = crate::request_id::of(request);
        response.set_raw_header(crate::request_id::HEADER, request_id.to_owned());
        tracing::info!(
            target: "portero::request",
            request_id,
            "{} {} {} {:.1}ms",
            request.method(),
            request.uri().path(),
            response.status().code,
            ms
        );
    }
}
