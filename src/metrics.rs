//! Process metrics for `/metrics`, in the Prometheus text format
//! (OpenMetrics): requests and their latency per route and status, the
//! database pool, sessions, logins, purchases and database errors.
//!
//! One registry per process: the counters are process facts, like the
//! pool they sit beside, and services bump them without plumbing.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicI64, Ordering};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::db::AppPool;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    /// The route's pattern (`/api/products/<id>`), never the path itself,
    /// so that the number of series stays bounded.
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ErrorLabels {
    /// `unavailable` (answered 503) or `other` (answered 500).
    pub kind: &'static str,
}

type Histograms = Family<RequestLabels, Histogram, fn() -> Histogram>;

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Histograms,
    pool_connections: Gauge,
    pool_idle: Gauge,
    pool_waiting: Gauge,
    pub sessions_created: Counter,
    pub logins_failed: Counter,
    pub logins_throttled: Counter,
    pub purchases: Counter,
    database_errors: Family<ErrorLabels, Counter>,
}

/// Requests waiting for a pooled connection right now (sqlx does not say).
static WAITING: AtomicI64 = AtomicI64::new(0);

/// Counts a wait for a connection while it lasts.
pub struct Waiting(());

impl Waiting {
    pub fn start() -> Self {
        WAITING.fetch_add(1, Ordering::Relaxed);
        Waiting(())
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        WAITING.fetch_sub(1, Ordering::Relaxed);
    }
}

fn latency_histogram() -> Histogram {
    // 1 ms to about 8 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 14))
}

impl Metrics {
    fn new() -> Self {
        let metrics = Metrics {
            registry: Registry::with_prefix("portero"),
            requests: Family::default(),
            latency: Family::new_with_constructor(latency_histogram),
            pool_connections: Gauge::default(),
            pool_idle: Gauge::default(),
            pool_waiting: Gauge::default(),
            sessions_created: Counter::default(),
            logins_failed: Counter::default(),
            logins_throttled: Counter::default(),
            purchases: Counter::default(),
            database_errors: Family::default(),
        };
        // Each metric is a shared handle: the registry keeps a clone.
        let mut registry = Registry::with_prefix("portero");
        let r = &mut registry;
        let m = &metrics;
        r.register(
            "http_requests",
            "HTTP requests answered",
            m.requests.clone(),
        );
        r.register(
            "http_request_duration_seconds",
            "Time from request to response head, in seconds",
            m.latency.clone(),
        );
        r.register(
            "db_pool_connections",
            "Database connections open (idle or in use)",
            m.pool_connections.clone(),
        );
        r.register(
            "db_pool_idle",
            "Database connections open and idle",
            m.pool_idle.clone(),
        );
        r.register(
            "db_pool_waiting",
            "Requests waiting for a database connection",
            m.pool_waiting.clone(),
        );
        r.register(
            "sessions_created",
            "Sessions opened (logins and sign-ups)",
            m.sessions_created.clone(),
        );
        r.register(
            "logins_failed",
            "Logins refused for a wrong login or password, an inactive or unverified account",
            m.logins_failed.clone(),
        );
        r.register(
            "logins_throttled",
            "Logins refused by the failed-login throttle",
            m.logins_throttled.clone(),
        );
        r.register("purchases", "Sales committed", m.purchases.clone());
        r.register(
            "database_errors",
            "Database errors met by requests",
            m.database_errors.clone(),
        );
        Metrics {
            registry,
            ..metrics
        }
    }

    /// Records one answered request.
    pub fn request(&self, labels: RequestLabels, seconds: f64) {
        self.latency.get_or_create(&labels).observe(seconds);
        self.requests.get_or_create(&labels).inc();
    }

    pub fn database_error(&self, unavailable: bool) {
        let kind = if unavailable { "unavailable" } else { "other" };
        self.database_errors
            .get_or_create(&ErrorLabels { kind })
            .inc();
    }

    /// The text exposition, with the pool read now.
    pub fn render(&self, pool: Option<&AppPool>) -> String {
        if let Some(pool) = pool {
            let (size, idle) = pool.occupancy();
            self.pool_connections.set(i64::from(size));
            self.pool_idle.set(i64::try_from(idle).unwrap_or(i64::MAX));
        }
        self.pool_waiting.set(WAITING.load(Ordering::Relaxed));
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

/// The process's metrics.
pub fn get() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::new)
}
