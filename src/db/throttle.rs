//! All SQL touching `login_failures`.

use time::OffsetDateTime;

use super::{AppPool, on_pool};
use crate::error::AppResult;

/// Failures since `since` for a key: how many, and the oldest and newest.
pub async fn failures_for_account(
    pool: &AppPool,
    account_key: &str,
    since: OffsetDateTime,
) -> AppResult<(i64, Option<OffsetDateTime>, Option<OffsetDateTime>)> {
    Ok(on_pool!(pool, |p| sqlx::query_as::<
        _,
        (i64, Option<OffsetDateTime>, Option<OffsetDateTime>),
    >(
        "SELECT COUNT(*), MIN(at), MAX(at) FROM login_failures WHERE account_key = $1 AND at > $2"
    )
    .bind(account_key)
    .bind(since)
    .fetch_one(p)
    .await)?)
}

pub async fn failures_for_ip(
    pool: &AppPool,
    ip: &str,
    since: OffsetDateTime,
) -> AppResult<(i64, Option<OffsetDateTime>)> {
    Ok(on_pool!(pool, |p| sqlx::query_as::<
        _,
        (i64, Option<OffsetDateTime>),
    >(
        "SELECT COUNT(*), MIN(at) FROM login_failures WHERE ip = $1 AND at > $2"
    )
    .bind(ip)
    .bind(since)
    .fetch_one(p)
    .await)?)
}

pub async fn record_failure(
    pool: &AppPool,
    account_key: &str,
    ip: Option<&str>,
    at: OffsetDateTime,
) -> AppResult<()> {
    on_pool!(pool, |p| sqlx::query(
        "INSERT INTO login_failures (at, account_key, ip) VALUES ($1, $2, $3)"
    )
    .bind(at)
    .bind(account_key)
    .bind(ip)
    .execute(p)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Forgets an account's failures (after a successful login).
pub async fn clear_account(pool: &AppPool, account_key: &str) -> AppResult<()> {
    on_pool!(pool, |p| sqlx::query(
        "DELETE FROM login_failures WHERE account_key = $1"
    )
    .bind(account_key)
    .execute(p)
    .await
    .map(|_| ()))?;
    Ok(())
}

pub async fn purge_before(pool: &AppPool, before: OffsetDateTime) -> AppResult<u64> {
    Ok(on_pool!(pool, |p| sqlx::query(
        "DELETE FROM login_failures WHERE at <= $1"
    )
    .bind(before)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?)
}
