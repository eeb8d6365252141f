//! All SQL touching two-factor sign-in: `mfa_secrets`, `mfa_recovery_codes`,
//! `mfa_challenges` and `users.mfa_enabled_at`.

use time::OffsetDateTime;

use super::{AppConn, first_row, on_conn};
use crate::error::AppResult;

/// An account's TOTP secret as stored (sealed; see `auth::vault`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SecretRow {
    pub sealed: Vec<u8>,
    pub confirmed_at: Option<OffsetDateTime>,
    pub last_step: Option<i64>,
}

/// The account's secret, confirmed or pending.
pub async fn secret(conn: &mut AppConn, user_id: i64) -> AppResult<Option<SecretRow>> {
    let sql = "SELECT sealed, confirmed_at, last_step FROM mfa_secrets WHERE user_id = $1";
    Ok(on_conn!(conn, |c| sqlx::query_as::<_, SecretRow>(sql)
        .bind(user_id)
        .fetch_optional(c)
        .await)?)
}

/// Stores a new pending secret, replacing a pending one. Returns false
/// (and changes nothing) when the account already has a confirmed one.
pub async fn put_pending(
    conn: &mut AppConn,
    user_id: i64,
    sealed: &[u8],
    now: OffsetDateTime,
) -> AppResult<bool> {
    let sql = "INSERT INTO mfa_secrets (user_id, sealed, created_at) VALUES ($1, $2, $3) \
               ON CONFLICT (user_id) DO UPDATE SET sealed = excluded.sealed, \
                 created_at = excluded.created_at, last_step = NULL \
               WHERE mfa_secrets.confirmed_at IS NULL";
    let done = on_conn!(conn, |c| sqlx::query(sql)
        .bind(user_id)
        .bind(sealed)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

/// Records `step` as used, only if it is later than the last one used: of
/// two requests with the same code, one wins. Confirms a pending secret
/// when `confirm` is set.
pub async fn use_step(
    conn: &mut AppConn,
    user_id: i64,
    step: i64,
    confirm_at: Option<OffsetDateTime>,
) -> AppResult<bool> {
    let sql = "UPDATE mfa_secrets SET last_step = $2, confirmed_at = COALESCE(confirmed_at, $3) \
               WHERE user_id = $1 AND (last_step IS NULL OR last_step < $2)";
    let done = on_conn!(conn, |c| sqlx::query(sql)
        .bind(user_id)
        .bind(step)
        .bind(confirm_at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

/// Marks the account as having (or not) a second factor.
pub async fn set_enabled(
    conn: &mut AppConn,
    user_id: i64,
    at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> AppResult<()> {
    let sql = "UPDATE users SET mfa_enabled_at = $2, updated_at = $3 WHERE id = $1";
    on_conn!(conn, |c| sqlx::query(sql)
        .bind(user_id)
        .bind(at)
        .bind(now)
        .execute(c)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Removes the account's second factor: secret, recovery codes, pending
/// logins, and the flag. Returns whether there was a confirmed one.
pub async fn remove(conn: &mut AppConn, user_id: i64, now: OffsetDateTime) -> AppResult<bool> {
    let had = on_conn!(conn, |c| sqlx::query(
        "DELETE FROM mfa_secrets WHERE user_id = $1 AND confirmed_at IS NOT NULL"
    )
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    for sql in [
        "DELETE FROM mfa_secrets WHERE user_id = $1",
        "DELETE FROM mfa_recovery_codes WHERE user_id = $1",
        "DELETE FROM mfa_challenges WHERE user_id = $1",
    ] {
        on_conn!(conn, |c| sqlx::query(sql)
            .bind(user_id)
            .execute(c)
            .await
            .map(|_| ()))?;
    }
    set_enabled(conn, user_id, None, now).await?;
    Ok(had > 0)
}

/// Replaces the account's recovery codes with these hashes.
pub async fn replace_recovery_codes(
    conn: &mut AppConn,
    user_id: i64,
    hashes: &[Vec<u8>],
) -> AppResult<()> {
    on_conn!(conn, |c| sqlx::query(
        "DELETE FROM mfa_recovery_codes WHERE user_id = $1"
    )
    .bind(user_id)
    .execute(c)
    .await
    .map(|_| ()))?;
    for hash in hashes {
        on_conn!(conn, |c| sqlx::query(
            "INSERT INTO mfa_recovery_codes (user_id, code_hash) VALUES ($1, $2)"
        )
        .bind(user_id)
        .bind(hash.as_slice())
        .execute(c)
        .await
        .map(|_| ()))?;
    }
    Ok(())
}

/// Uses up an unused recovery code; false when there is none with this
/// hash (wrong, or used already). Of two concurrent uses, one wins.
pub async fn use_recovery_code(
    conn: &mut AppConn,
    user_id: i64,
    hash: &[u8],
    now: OffsetDateTime,
) -> AppResult<bool> {
    let sql = "UPDATE mfa_recovery_codes SET used_at = $3 \
               WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL";
    let done = on_conn!(conn, |c| sqlx::query(sql)
        .bind(user_id)
        .bind(hash)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

/// Recovery codes the account has left.
pub async fn recovery_codes_left(conn: &mut AppConn, user_id: i64) -> AppResult<i64> {
    let sql = "SELECT COUNT(*) FROM mfa_recovery_codes WHERE user_id = $1 AND used_at IS NULL";
    Ok(on_conn!(conn, |c| sqlx::query_scalar::<_, i64>(sql)
        .bind(user_id)
        .fetch_one(c)
        .await)?)
}

/// Stores a pending login's token hash for `user_id`.
pub async fn insert_challenge(
    conn: &mut AppConn,
    token_hash: &[u8],
    user_id: i64,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> AppResult<()> {
    let sql = "INSERT INTO mfa_challenges (token_hash, user_id, created_at, expires_at) \
               VALUES ($1, $2, $3, $4)";
    on_conn!(conn, |c| sqlx::query(sql)
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .bind(expires_at)
        .execute(c)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// The account of a live pending login, without using it up.
pub async fn challenge_owner(
    conn: &mut AppConn,
    token_hash: &[u8],
    now: OffsetDateTime,
) -> AppResult<Option<i64>> {
    let sql = "SELECT user_id FROM mfa_challenges WHERE token_hash = $1 AND expires_at > $2";
    Ok(on_conn!(conn, |c| sqlx::query_scalar::<_, i64>(sql)
        .bind(token_hash)
        .bind(now)
        .fetch_optional(c)
        .await)?)
}

/// Uses up a live pending login of `user_id`; false when another request
/// used it first, or it expired.
pub async fn consume_challenge(
    conn: &mut AppConn,
    token_hash: &[u8],
    user_id: i64,
    now: OffsetDateTime,
) -> AppResult<bool> {
    let sql = "DELETE FROM mfa_challenges WHERE token_hash = $1 AND user_id = $2 AND expires_at > $3 \
               RETURNING user_id";
    let owner = on_conn!(conn, |c| sqlx::query_scalar::<_, i64>(sql)
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .fetch_all(c)
        .await
        .map(first_row))?;
    Ok(owner.is_some())
}

/// Deletes expired pending logins (the sweeper).
pub async fn purge_expired_challenges(conn: &mut AppConn, now: OffsetDateTime) -> AppResult<u64> {
    let sql = "DELETE FROM mfa_challenges WHERE expires_at <= $1";
    Ok(on_conn!(conn, |c| sqlx::query(sql)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?)
}
