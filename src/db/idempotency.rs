//! All SQL touching `idempotency_keys`.

use time::OffsetDateTime;

use super::{AppConn, first_row, on_conn};
use crate::error::AppResult;

/// A key already recorded by an earlier request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub request_hash: String,
    pub resource_id: Option<i64>,
}

/// Claims `(scope, key)` for the caller's transaction. `None`: claimed (a
/// record from before `expired_before` is replaced). `Some`: an earlier
/// request holds it. On PostgreSQL a concurrent claim of the same key waits
/// here until the other transaction ends, then sees its record (or, if it
/// rolled back, claims the key); on SQLite `BEGIN IMMEDIATE` already
/// serialises writers.
pub async fn claim(
    conn: &mut AppConn,
    scope: &str,
    key: &str,
    request_hash: &str,
    now: OffsetDateTime,
    expired_before: OffsetDateTime,
) -> AppResult<Option<Recorded>> {
    on_conn!(conn, |c| sqlx::query(
        "DELETE FROM idempotency_keys \
         WHERE scope = $1 AND idem_key = $2 AND created_at < $3"
    )
    .bind(scope)
    .bind(key)
    .bind(expired_before)
    .execute(&mut *c)
    .await
    .map(|_| ()))?;
    let inserted: Vec<(String,)> = on_conn!(conn, |c| sqlx::query_as(
        "INSERT INTO idempotency_keys (scope, idem_key, request_hash, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (scope, idem_key) DO NOTHING RETURNING scope"
    )
    .bind(scope)
    .bind(key)
    .bind(request_hash)
    .bind(now)
    .fetch_all(&mut *c)
    .await)?;
    if !inserted.is_empty() {
        return Ok(None);
    }
    let rows: Vec<(String, Option<i64>)> = on_conn!(conn, |c| {
        sqlx::query_as(
            "SELECT request_hash, resource_id FROM idempotency_keys \
         WHERE scope = $1 AND idem_key = $2",
        )
        .bind(scope)
        .bind(key)
        .fetch_all(&mut *c)
        .await
    })?;
    Ok(first_row(rows).map(|(request_hash, resource_id)| Recorded {
        request_hash,
        resource_id,
    }))
}

/// Notes what the claimed key's request created.
pub async fn complete(
    conn: &mut AppConn,
    scope: &str,
    key: &str,
    resource_id: i64,
) -> AppResult<()> {
    on_conn!(conn, |c| sqlx::query(
        "UPDATE idempotency_keys SET resource_id = $1 \
         WHERE scope = $2 AND idem_key = $3"
    )
    .bind(resource_id)
    .bind(scope)
    .bind(key)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Deletes records older than `before`; returns how many.
pub async fn purge_before(conn: &mut AppConn, before: OffsetDateTime) -> AppResult<u64> {
    let done = on_conn!(conn, |c| sqlx::query(
        "DELETE FROM idempotency_keys WHERE created_at < $1"
    )
    .bind(before)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done)
}
