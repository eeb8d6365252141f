//! The sweeper's work: rows that can no longer matter are deleted, so the
//! tables that grow with traffic stay small.

use time::Duration;

use crate::clock::Clock;
use crate::config::AppConfig;
use crate::db::{AppConn, AppPool, audit, idempotency, link_tokens, mfa, sessions, throttle};
use crate::error::AppResult;

/// Audit events deleted per statement: each batch holds the write lock
/// briefly, even when a first sweep meets years of events.
const AUDIT_BATCH: i64 = 5_000;

/// Deletes dead sessions, login failures and throttle notices older than
/// every throttling window, and audit events older than
/// `audit_retention_days` (0 keeps them for ever). Each step is its own
/// statement; a failure is logged and the next sweep tries again.
pub async fn sweep(pool: &AppPool, config: &AppConfig, clock: &Clock) {
    let mut conn = match pool.acquire().await {
        Ok(conn) => conn,
        Err(error) => {
            tracing::warn!(%error, "sweep: no database connection");
            return;
        }
    };
    let now = clock.now();
    let idle_cutoff = now - Duration::seconds(config.session_idle_timeout);
    if let Err(error) = sessions::purge_expired(&mut conn, now, idle_cutoff).await {
        tracing::warn!(?error, "session sweep failed");
    }
    if let Err(error) = link_tokens::purge_expired(&mut conn, now).await {
        tracing::warn!(?error, "link-token sweep failed");
    }
    if let Err(error) = mfa::purge_expired_challenges(&mut conn, now).await {
        tracing::warn!(?error, "pending two-factor login sweep failed");
    }
    let window = now - Duration::seconds(config.login_account_window.max(config.login_ip_window));
    if let Err(error) = throttle::purge_before(&mut conn, window).await {
        tracing::warn!(?error, "login-failure sweep failed");
    }
    if let Err(error) = throttle::purge_notices_before(&mut conn, window).await {
        tracing::warn!(?error, "throttle-notice sweep failed");
    }
    let kept_since = now - crate::services::idempotency::KEEP_FOR;
    if let Err(error) = idempotency::purge_before(&mut conn, kept_since).await {
        tracing::warn!(?error, "idempotency-key sweep failed");
    }
    if config.audit_retention_days > 0 {
        let cutoff = now - Duration::days(config.audit_retention_days);
        if let Err(error) = purge_audit(&mut conn, cutoff).await {
            tracing::warn!(?error, "audit sweep failed");
        }
    }
}

async fn purge_audit(conn: &mut AppConn, before: time::OffsetDateTime) -> AppResult<()> {
    while audit::purge_before(conn, before, AUDIT_BATCH).await? == AUDIT_BATCH as u64 {}
    Ok(())
}
