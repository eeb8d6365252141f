//! Storage: one pool type over SQLite and PostgreSQL, chosen by the URL scheme.
//!
//! sqlx's `Any` driver mishandles booleans, timestamps and NULLs, so each query
//! matches on the backend instead ([`on_conn!`]); `$n` placeholders and
//! `RETURNING` read the same on both backends, which keeps most SQL strings
//! shared. Every function of the table modules takes `&mut AppConn`: a plain
//! connection or, through [`AppTx`], one step of a transaction.

pub mod api_tokens;
pub mod audit;
pub mod backup;
pub mod cart;
mod conn;
mod filter;
pub mod idempotency;
pub mod link_tokens;
pub mod mfa;
pub mod migrations;
mod outage;
pub mod outbox;
mod postgres;
pub mod products;
pub mod sales;
pub mod search;
pub mod secret_key;
pub mod sessions;
mod start;
pub mod throttle;
pub mod users;

pub(crate) use conn::on_conn;
pub use conn::{AppConn, AppTx};
pub use filter::{Filter, FromAppRow, ListSql, Param};
pub use outage::is_unavailable;
pub use start::{DEFAULT_START_TIMEOUT, open_waiting};

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use rocket::figment::Figment;
use rocket_db_pools::Database;
use sqlx::postgres::PgPool;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// The default database: an embedded SQLite file beside the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/portero.db";

/// Runs one expression against whichever backend the pool holds (for
/// pool-wide calls; queries go through [`AppConn`] and [`on_conn!`]).
macro_rules! on_pool {
    ($pool:expr, |$p:ident| $body:expr) => {
        match $pool {
            $crate::db::AppPool::Sqlite($p) => $body,
            $crate::db::AppPool::Postgres($p) => $body,
        }
    };
}
pub(crate) use on_pool;

/// The rocket_db_pools database: `&Db` in a handler is the shared pool.
#[derive(Database)]
#[database("portero")]
pub struct Db(pub AppPool);

/// A connection pool for one of the supported backends.
#[derive(Clone, Debug)]
pub enum AppPool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Which backend a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Picks the backend from the URL scheme, or says which schemes work.
    pub fn from_url(url: &str) -> Result<Self, DbError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(DbError::UnsupportedUrl)
        }
    }
}

/// Errors from opening or migrating the database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database URL must start with sqlite:// or postgres://")]
    UnsupportedUrl,
    #[error("cannot create the folder for the SQLite file {path}: {source}")]
    CreateDir {
        path: String,
        source: std::io::Error,
    },
    #[error("invalid database configuration: {0}")]
    Config(#[from] Box<rocket::figment::Error>),
    #[error("cannot connect to PostgreSQL at {target}: {cause}")]
    Connect {
        target: String,
        cause: String,
        /// The server was unreachable or busy, rather than refusing the settings.
        transient: bool,
    },
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// How long a request waits for a pooled connection (or a new one) before
/// it is answered 503: short, so an outage answers fast.
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

/// Pool settings read from `databases.portero` (rocket_db_pools' own keys).
#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub url: String,
    pub max_connections: u32,
    pub min_connections: u32,
    pub connect_timeout: Duration,
    pub idle_timeout: Option<Duration>,
}

impl PoolSettings {
    pub fn for_url(url: &str) -> Self {
        PoolSettings {
            url: url.to_owned(),
            max_connections: 16,
            min_connections: 0,
            connect_timeout: DEFAULT_ACQUIRE_TIMEOUT,
            idle_timeout: None,
        }
    }
}

impl From<rocket_db_pools::Config> for PoolSettings {
    fn from(config: rocket_db_pools::Config) -> Self {
        PoolSettings {
            url: config.url,
            max_connections: u32::try_from(config.max_connections).unwrap_or(u32::MAX),
            min_connections: config.min_connections.unwrap_or(0),
            connect_timeout: Duration::from_secs(config.connect_timeout),
            idle_timeout: config.idle_timeout.map(Duration::from_secs),
        }
    }
}

impl AppPool {
    /// Opens a pool; for SQLite, creates the file and its folder first.
    pub async fn connect(settings: &PoolSettings) -> Result<Self, DbError> {
        match Backend::from_url(&settings.url)? {
            Backend::Sqlite => {
                let options = sqlite_options(&settings.url)?;
                let pool = SqlitePoolOptions::new()
                    // A pooled connection is pinged before each use by
                    // default: a second round trip per query for a check
                    // that a failed query reports anyway.
                    .test_before_acquire(false)
                    .max_connections(settings.max_connections.max(1))
                    .min_connections(settings.min_connections)
                    .acquire_timeout(settings.connect_timeout)
                    .idle_timeout(settings.idle_timeout)
                    .connect_with(options)
                    .await?;
                Ok(AppPool::Sqlite(pool))
            }
            Backend::Postgres => Ok(AppPool::Postgres(postgres::connect(settings).await?)),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            AppPool::Sqlite(_) => Backend::Sqlite,
            AppPool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the embedded migrations of this backend.
    pub async fn migrate(&self) -> Result<(), DbError> {
        match self {
            AppPool::Sqlite(pool) => sqlx::migrate!("migrations/sqlite").run(pool).await?,
            AppPool::Postgres(pool) => sqlx::migrate!("migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// A connection of its own, for reads and single statements.
    pub async fn acquire(&self) -> Result<AppConn, sqlx::Error> {
        let _waiting = crate::metrics::Waiting::start();
        Ok(match self {
            AppPool::Sqlite(pool) => AppConn::Sqlite(pool.acquire().await?),
            AppPool::Postgres(pool) => AppConn::Postgres(pool.acquire().await?),
        })
    }

    /// A transaction on a connection of its own (see [`AppConn::begin`]).
    pub async fn begin(&self) -> Result<AppTx, sqlx::Error> {
        self.acquire().await?.begin().await
    }

    /// Connections open, and of those idle.
    pub fn occupancy(&self) -> (u32, usize) {
        on_pool!(self, |pool| (pool.size(), pool.num_idle()))
    }

    /// A round trip to the database, for `/readyz`.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        on_pool!(self, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(|_| ()))
    }

    pub async fn shutdown(&self) {
        on_pool!(self, |pool| pool.close().await)
    }
}

fn sqlite_options(url: &str) -> Result<SqliteConnectOptions, DbError> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        // WAL lets readers proceed while one writer commits; the busy timeout
        // makes concurrent writers wait for the lock instead of failing.
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true);
    let file = options.clone().get_filename().into_owned();
    if let Some(dir) = file.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        create_dir(dir)?;
    }
    Ok(options)
}

fn create_dir(dir: &Path) -> Result<(), DbError> {
    std::fs::create_dir_all(dir).map_err(|source| DbError::CreateDir {
        path: dir.display().to_string(),
        source,
    })
}

#[rocket::async_trait]
impl rocket_db_pools::Pool for AppPool {
    // Handlers get the pool itself (`&Db`, inside the `App` guard) and the
    // services check connections out of it, so that a transaction spans
    // exactly one service operation.
    type Connection = AppPool;
    type Error = DbError;

    async fn init(figment: &Figment) -> Result<Self, Self::Error> {
        let config = figment
            .extract::<rocket_db_pools::Config>()
            .map_err(Box::new)?;
        // Not a rocket_db_pools key: read beside them.
        let patience = figment
            .extract_inner::<u64>("start_timeout")
            .map_or(DEFAULT_START_TIMEOUT, Duration::from_secs);
        open_waiting(&PoolSettings::from(config), patience).await
    }

    async fn get(&self) -> Result<Self::Connection, Self::Error> {
        Ok(self.clone())
    }

    /// Called by rocket_db_pools when the server's grace period *starts*,
    /// while requests are still in flight: closing here would fail them.
    /// `portero serve` closes the pool after the server has stopped.
    async fn close(&self) {}
}

// Statements with RETURNING are read with `fetch_all`, never `fetch_one` or
// `fetch_optional`: sqlx 0.7's SQLite driver stops stepping after the first
// row, which leaves the autocommit transaction open, so another connection
// may not see the write yet when the call returns (sqlx issue #2099).

/// The only row of a `fetch_all` that must return exactly one.
pub(crate) fn single_row<T>(rows: Vec<T>) -> Result<T, sqlx::Error> {
    rows.into_iter().next().ok_or(sqlx::Error::RowNotFound)
}

/// The first row of a `fetch_all`, if any.
pub(crate) fn first_row<T>(rows: Vec<T>) -> Option<T> {
    rows.into_iter().next()
}

/// True when the error is a unique-constraint violation (a 409 for clients).
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// The name of the violated constraint or index, when the backend reports it.
pub fn violated_constraint(error: &sqlx::Error) -> Option<String> {
    match error {
        sqlx::Error::Database(db) => match db.constraint() {
            Some(name) => Some(name.to_owned()),
            // SQLite names the columns in the message instead of the index.
            None => Some(db.message().to_owned()),
        },
        _ => None,
    }
}

/// ` FOR UPDATE` on PostgreSQL, where a transaction locks the rows it reads
/// to decide a write; nothing on SQLite, whose `BEGIN IMMEDIATE` already
/// holds the database's write lock for the whole transaction.
pub(crate) fn for_update(conn: &AppConn) -> &'static str {
    match conn.backend() {
        Backend::Sqlite => "",
        Backend::Postgres => " FOR UPDATE",
    }
}

/// User text made safe to bind: PostgreSQL refuses NUL in text values, so
/// it becomes U+FFFD. No stored value contains NUL (validation refuses
/// control characters), so lookups and searches keep their literal meaning.
pub fn bindable(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\0') {
        std::borrow::Cow::Owned(text.replace('\0', "\u{FFFD}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Escapes `%`, `_` and `\` so user text in a LIKE prefix matches literally.
pub fn like_prefix(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 1);
    for ch in bindable(text).chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_follows_the_scheme() {
        assert_eq!(
            Backend::from_url("sqlite://data/x.db").ok(),
            Some(Backend::Sqlite)
        );
        assert_eq!(
            Backend::from_url("postgres://u@h/db").ok(),
            Some(Backend::Postgres)
        );
        assert_eq!(
            Backend::from_url("postgresql://u@h/db").ok(),
            Some(Backend::Postgres)
        );
        assert!(Backend::from_url("mysql://u@h/db").is_err());
    }

    #[test]
    fn like_prefix_escapes_wildcards() {
        assert_eq!(like_prefix("a_b%c\\"), "a\\_b\\%c\\\\%");
        assert_eq!(like_prefix("user0001"), "user0001%");
    }
}
