//! Opening the database at server start. A database that is down (not yet
//! started, restarting, being failed over) is waited for, with backoff and
//! a log line per attempt, up to `databases.portero.start_timeout` seconds
//! (0: for ever); a wrong setting (bad TLS, unknown database, refused
//! password) fails at once.

use std::time::Duration;

use tokio::time::Instant;

use super::{AppPool, DbError, PoolSettings};

/// How long the server waits for its database by default.
pub const DEFAULT_START_TIMEOUT: Duration = Duration::from_secs(60);

/// The first pause between attempts, doubled up to [`MAX_DELAY`].
const FIRST_DELAY: Duration = Duration::from_millis(250);
const MAX_DELAY: Duration = Duration::from_secs(8);

/// Connects and migrates, retrying while the failure is transient and
/// `patience` (zero: unbounded) lasts.
pub async fn open_waiting(settings: &PoolSettings, patience: Duration) -> Result<AppPool, DbError> {
    let deadline = (!patience.is_zero()).then(|| Instant::now() + patience);
    let mut delay = FIRST_DELAY;
    let mut attempt = 1u32;
    loop {
        match open(settings).await {
            Ok(pool) => {
                if attempt > 1 {
                    tracing::info!(attempt, "the database answers; starting");
                }
                return Ok(pool);
            }
            Err(error)
                if error.is_transient()
                    && deadline.is_none_or(|deadline| Instant::now() + delay < deadline) =>
            {
                tracing::warn!(
                    attempt,
                    "the database is unavailable ({error}); trying again in {:.1} s",
                    delay.as_secs_f64()
                );
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(MAX_DELAY);
                attempt += 1;
            }
            Err(error) => return Err(error),
        }
    }
}

async fn open(settings: &PoolSettings) -> Result<AppPool, DbError> {
    let pool = AppPool::connect(settings).await?;
    pool.migrate().await?;
    Ok(pool)
}

impl DbError {
    /// True when trying again later may succeed (the server is down or
    /// busy), false for a setting that must be fixed first.
    pub fn is_transient(&self) -> bool {
        match self {
            DbError::Connect { transient, .. } => *transient,
            DbError::Sqlx(error) => super::is_unavailable(error),
            DbError::Migrate(sqlx::migrate::MigrateError::Execute(error)) => {
                super::is_unavailable(error)
            }
            _ => false,
        }
    }
}
