//! All SQL touching `login_failures` and `throttle_notices`.

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::{AppConn, AppTx, on_conn};
use crate::error::AppResult;

/// Serialises attempts on the same throttle keys until the transaction
/// ends, so that counting the failures and recording one more cannot
/// interleave with another attempt on those keys.
///
/// PostgreSQL takes a transaction-level advisory lock per key; callers pass
/// the keys in one fixed order (account, then address), so two attempts
/// never wait for each other in a cycle. SQLite needs nothing more: the
/// transaction's `BEGIN IMMEDIATE` already holds the database's write lock.
pub async fn lock_keys(tx: &mut AppTx, keys: &[&str]) -> AppResult<()> {
    if let AppConn::Postgres(conn) = &mut **tx {
        for key in keys {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(lock_id(key))
                .execute(&mut **conn)
                .await?;
        }
    }
    Ok(())
}

/// The advisory-lock number of a key: 64 bits of its SHA-256, in a
/// namespace of its own so other locks of the application cannot collide.
fn lock_id(key: &str) -> i64 {
    let digest = Sha256::digest(format!("portero:throttle:{key}").as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// Failures since `since` for a key: how many, and the newest.
pub async fn failures_for_account(
    conn: &mut AppConn,
    account_key: &str,
    since: OffsetDateTime,
) -> AppResult<(i64, Option<OffsetDateTime>)> {
    Ok(on_conn!(conn, |c| sqlx::query_as::<
        _,
        (i64, Option<OffsetDateTime>),
    >(
        "SELECT COUNT(*), MAX(at) FROM login_failures WHERE account_key = $1 AND at > $2"
    )
    .bind(account_key)
    .bind(since)
    .fetch_one(c)
    .await)?)
}

/// Failures since `since` from an address: how many, and the oldest.
pub async fn failures_for_ip(
    conn: &mut AppConn,
    ip: &str,
    since: OffsetDateTime,
) -> AppResult<(i64, Option<OffsetDateTime>)> {
    Ok(on_conn!(conn, |c| sqlx::query_as::<
        _,
        (i64, Option<OffsetDateTime>),
    >(
        "SELECT COUNT(*), MIN(at) FROM login_failures WHERE ip = $1 AND at > $2"
    )
    .bind(ip)
    .bind(since)
    .fetch_one(c)
    .await)?)
}

/// Records one failed (or not yet decided) attempt.
pub async fn record_failure(
    conn: &mut AppConn,
    account_key: &str,
    ip: Option<&str>,
    at: OffsetDateTime,
) -> AppResult<()> {
    on_conn!(conn, |c| sqlx::query(
        "INSERT INTO login_failures (at, account_key, ip) VALUES ($1, $2, $3)"
    )
    .bind(at)
    .bind(account_key)
    .bind(ip)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Forgets an account's failures (after a successful login).
pub async fn clear_account(conn: &mut AppConn, account_key: &str) -> AppResult<()> {
    on_conn!(conn, |c| sqlx::query(
        "DELETE FROM login_failures WHERE account_key = $1"
    )
    .bind(account_key)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Deletes failures at or before `before`; returns how many.
pub async fn purge_before(conn: &mut AppConn, before: OffsetDateTime) -> AppResult<u64> {
    Ok(on_conn!(conn, |c| sqlx::query(
        "DELETE FROM login_failures WHERE at <= $1"
    )
    .bind(before)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}

/// Notes that `key` was refused at `now`; true when it had not been noted
/// since `window_start`, i.e. when this refusal is the first of its window
/// and deserves an audit event. One guarded upsert, so concurrent refusals
/// cannot both be first.
pub async fn note_refusal(
    conn: &mut AppConn,
    key: &str,
    now: OffsetDateTime,
    window_start: OffsetDateTime,
) -> AppResult<bool> {
    let noted = on_conn!(conn, |c| sqlx::query_scalar::<_, String>(
        "INSERT INTO throttle_notices (throttle_key, noticed_at) VALUES ($1, $2) \
         ON CONFLICT (throttle_key) DO UPDATE SET noticed_at = excluded.noticed_at \
         WHERE throttle_notices.noticed_at <= $3 RETURNING throttle_key"
    )
    .bind(key)
    .bind(now)
    .bind(window_start)
    .fetch_all(c)
    .await)?;
    Ok(!noted.is_empty())
}

/// Deletes notices at or before `before`; returns how many.
pub async fn purge_notices_before(conn: &mut AppConn, before: OffsetDateTime) -> AppResult<u64> {
    Ok(on_conn!(conn, |c| sqlx::query(
        "DELETE FROM throttle_notices WHERE noticed_at <= $1"
    )
    .bind(before)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}

#[cfg(test)]
mod tests {
    use super::lock_id;

    #[test]
    fn lock_ids_are_stable_and_distinct() {
        assert_eq!(lock_id("user:1"), lock_id("user:1"));
        assert_ne!(lock_id("user:1"), lock_id("user:2"));
        assert_ne!(lock_id("user:1"), lock_id("ip:user:1"));
    }
}
