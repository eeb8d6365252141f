//! All SQL touching `api_tokens` (personal access tokens). Rows are looked
//! up by the SHA-256 of the secret; the public `id` is only a handle for
//! listing and revoking.

use sqlx::FromRow;
use time::OffsetDateTime;

use super::users::{USER_COLUMNS, User};
use super::{AppConn, Filter, ListSql, on_conn, single_row};
use crate::error::AppResult;

/// A token as its owner (or an administrator) may see it: no secret, no hash.
#[derive(Debug, Clone, FromRow)]
pub struct TokenRecord {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub hint: String,
    pub scopes: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub expires_at: Option<OffsetDateTime>,
}

/// A live token joined with its owner, loaded once per request.
#[derive(Debug, Clone, FromRow)]
pub struct TokenWithUser {
    pub token_id: i64,
    pub scopes: String,
    pub last_used_at: Option<OffsetDateTime>,
    #[sqlx(flatten)]
    pub user: User,
}

/// A token row to insert.
pub struct NewToken<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub token_hash: &'a [u8],
    pub hint: &'a str,
    pub scopes: &'a str,
    pub now: OffsetDateTime,
    pub expires_at: Option<OffsetDateTime>,
}

const TOKEN_COLUMNS: &str = "id, user_id, name, hint, scopes, created_at, last_used_at, expires_at";

pub async fn insert(conn: &mut AppConn, token: &NewToken<'_>) -> AppResult<TokenRecord> {
    let sql = format!(
        "INSERT INTO api_tokens (user_id, name, token_hash, hint, scopes, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {TOKEN_COLUMNS}"
    );
    Ok(on_conn!(conn, |c| sqlx::query_as::<_, TokenRecord>(&sql)
        .bind(token.user_id)
        .bind(token.name)
        .bind(token.token_hash)
        .bind(token.hint)
        .bind(token.scopes)
        .bind(token.now)
        .bind(token.expires_at)
        .fetch_all(c)
        .await
        .and_then(single_row))?)
}

/// The token with this hash, unexpired and owned by an active user; one query.
pub async fn find_live(
    conn: &mut AppConn,
    token_hash: &[u8],
    now: OffsetDateTime,
) -> AppResult<Option<TokenWithUser>> {
    let user_columns = USER_COLUMNS
        .split(", ")
        .map(|column| format!("u.{column}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT t.id AS token_id, t.scopes, t.last_used_at, {user_columns} \
         FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND (t.expires_at IS NULL OR t.expires_at > $2) \
           AND u.is_active = $3"
    );
    Ok(on_conn!(conn, |c| sqlx::query_as::<_, TokenWithUser>(
        &sql
    )
    .bind(token_hash)
    .bind(now)
    .bind(true)
    .fetch_optional(c)
    .await)?)
}

pub async fn touch(conn: &mut AppConn, id: i64, now: OffsetDateTime) -> AppResult<()> {
    on_conn!(conn, |c| sqlx::query(
        "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// A user's tokens, newest first, with the total (expired ones included,
/// marked by their `expires_at`, so the owner sees why one stopped working).
pub async fn list_for_user(
    conn: &mut AppConn,
    user_id: i64,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<TokenRecord>, i64)> {
    let mut mine = Filter::new();
    mine.and(user_id, |p| format!("user_id = {p}"));
    let rows = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens");
    let list = ListSql {
        rows: &rows,
        count_from: "FROM api_tokens",
        order_by: "id DESC",
        count_at_most: None,
    };
    Ok(mine.page(conn, &list, limit, offset).await?)
}

/// Deletes one of a user's tokens; false when the user has no such token.
pub async fn delete_for_user(conn: &mut AppConn, user_id: i64, id: i64) -> AppResult<bool> {
    let affected = on_conn!(conn, |c| sqlx::query(
        "DELETE FROM api_tokens WHERE id = $1 AND user_id = $2"
    )
    .bind(id)
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(affected > 0)
}

/// Deletes every token of a user; returns how many.
pub async fn delete_all_for_user(conn: &mut AppConn, user_id: i64) -> AppResult<u64> {
    Ok(on_conn!(conn, |c| sqlx::query(
        "DELETE FROM api_tokens WHERE user_id = $1"
    )
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}
