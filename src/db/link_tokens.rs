//! All SQL touching `link_tokens`: the single-use tokens in e-mailed links,
//! stored only as their SHA-256. A token is deleted when used or voided.

use time::OffsetDateTime;

use super::{AppConn, first_row, on_conn};
use crate::error::AppResult;

/// What a token was issued for; a token of one purpose never serves another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    PasswordReset,
    VerifyEmail,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::PasswordReset => "password_reset",
            Purpose::VerifyEmail => "verify_email",
        }
    }
}

/// The account a live token belongs to, and the address it confirms.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenOwner {
    pub user_id: i64,
    pub email: Option<String>,
}

pub async fn insert(
    conn: &mut AppConn,
    hash: &[u8],
    purpose: Purpose,
    user_id: i64,
    email: Option<&str>,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> AppResult<()> {
    let sql = "INSERT INTO link_tokens (token_hash, purpose, user_id, email, created_at, expires_at) \
               VALUES ($1, $2, $3, $4, $5, $6)";
    on_conn!(conn, |c| sqlx::query(sql)
        .bind(hash)
        .bind(purpose.as_str())
        .bind(user_id)
        .bind(email)
        .bind(now)
        .bind(expires_at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The owner of a live token of `purpose`, without using it up.
pub async fn find_live(
    conn: &mut AppConn,
    hash: &[u8],
    purpose: Purpose,
    now: OffsetDateTime,
) -> AppResult<Option<TokenOwner>> {
    let sql = "SELECT user_id, email FROM link_tokens \
               WHERE token_hash = $1 AND purpose = $2 AND expires_at > $3";
    Ok(on_conn!(conn, |c| sqlx::query_as::<_, TokenOwner>(sql)
        .bind(hash)
        .bind(purpose.as_str())
        .bind(now)
        .fetch_optional(c)
        .await)?)
}

/// Uses a live token up: deletes it and returns its owner, or `None` when
/// it is unknown, of another purpose, expired or already used. Only one of
/// two concurrent uses gets the row.
pub async fn consume(
    conn: &mut AppConn,
    hash: &[u8],
    purpose: Purpose,
    now: OffsetDateTime,
) -> AppResult<Option<TokenOwner>> {
    let sql = "DELETE FROM link_tokens WHERE token_hash = $1 AND purpose = $2 AND expires_at > $3 \
               RETURNING user_id, email";
    Ok(on_conn!(conn, |c| sqlx::query_as::<_, TokenOwner>(sql)
        .bind(hash)
        .bind(purpose.as_str())
        .bind(now)
        .fetch_all(c)
        .await
        .map(first_row))?)
}

/// Voids every token of `purpose` held by an account.
pub async fn void_for_user(conn: &mut AppConn, user_id: i64, purpose: Purpose) -> AppResult<u64> {
    let sql = "DELETE FROM link_tokens WHERE user_id = $1 AND purpose = $2";
    let done = on_conn!(conn, |c| sqlx::query(sql)
        .bind(user_id)
        .bind(purpose.as_str())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done)
}

/// Deletes expired tokens (the sweeper).
pub async fn purge_expired(conn: &mut AppConn, now: OffsetDateTime) -> AppResult<u64> {
    let sql = "DELETE FROM link_tokens WHERE expires_at <= $1";
    let done = on_conn!(conn, |c| sqlx::query(sql)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done)
}
