//! All SQL touching `secret_key`: the one stored cookie key.

use time::OffsetDateTime;

use super::{AppConn, on_conn, single_row};

/// The stored key, storing `candidate` first when there is none yet.
/// Returns the key and whether `candidate` became it.
///
/// Insert-if-absent, then read: when several processes start at once, one
/// insert wins (the others wait for it on PostgreSQL, or for the write lock
/// on SQLite) and every process reads the winner's key.
pub async fn get_or_insert(
    conn: &mut AppConn,
    candidate: &str,
    now: OffsetDateTime,
) -> Result<(String, bool), sqlx::Error> {
    let inserted: Vec<(String,)> = on_conn!(conn, |c| sqlx::query_as(
        "INSERT INTO secret_key (id, value, created_at) VALUES (1, $1, $2) \
         ON CONFLICT (id) DO NOTHING RETURNING value"
    )
    .bind(candidate)
    .bind(now)
    .fetch_all(c)
    .await)?;
    if let Some((value,)) = inserted.into_iter().next() {
        return Ok((value, true));
    }
    let stored: Vec<(String,)> = on_conn!(conn, |c| sqlx::query_as(
        "SELECT value FROM secret_key WHERE id = 1"
    )
    .fetch_all(c)
    .await)?;
    single_row(stored).map(|(value,)| (value, false))
}
