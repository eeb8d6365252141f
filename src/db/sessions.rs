//! All SQL touching `sessions`. Rows are looked up by the SHA-256 of the
//! browser's secret id; the public `id` column is only a handle for listing
//! and revoking.

use sqlx::FromRow;
use time::OffsetDateTime;

use super::users::{USER_COLUMNS, User};
use super::{AppConn, Filter, ListSql, on_conn, single_row};
use crate::error::AppResult;

/// How a session's secret travels: in the browser's private cookie, or as
/// the bearer token an API client got from `POST /api/auth/token`. Each is
/// accepted only the way it was issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Browser,
    Api,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Browser => "browser",
            SessionKind::Api => "api",
        }
    }
}

/// A session row as its owner may see it (no token hash).
#[derive(Debug, Clone, FromRow)]
pub struct SessionRecord {
    pub id: i64,
    pub user_id: i64,
    /// `browser` or `api` ([`SessionKind`]).
    pub kind: String,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// A live session joined with its user, loaded once per request.
#[derive(Debug, Clone, FromRow)]
pub struct SessionWithUser {
    pub session_id: i64,
    pub csrf_token: String,
    pub session_created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    #[sqlx(flatten)]
    pub user: User,
}

/// A session row to insert.
pub struct NewSession<'a> {
    pub kind: SessionKind,
    pub token_hash: &'a [u8],
    pub user_id: i64,
    pub csrf_token: &'a str,
    pub now: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

pub async fn insert(conn: &mut AppConn, session: &NewSession<'_>) -> AppResult<i64> {
    let sql = "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, \
               expires_at, ip, user_agent, kind) VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8) \
               RETURNING id";
    Ok(on_conn!(conn, |c| sqlx::query_scalar::<_, i64>(sql)
        .bind(session.token_hash)
        .bind(session.user_id)
        .bind(session.csrf_token)
        .bind(session.now)
        .bind(session.expires_at)
        .bind(session.ip)
        .bind(session.user_agent)
        .bind(session.kind.as_str())
        .fetch_all(c)
        .await
        .and_then(single_row))?)
}

/// The live session of `kind` for a token hash: not past its absolute
/// expiry, used since `idle_cutoff`, and owned by an active user; one query.
pub async fn find_live(
    conn: &mut AppConn,
    kind: SessionKind,
    token_hash: &[u8],
    now: OffsetDateTime,
    idle_cutoff: OffsetDateTime,
) -> AppResult<Option<SessionWithUser>> {
    let user_columns = USER_COLUMNS
        .split(", ")
        .map(|column| format!("u.{column}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT s.id AS session_id, s.csrf_token, s.created_at AS session_created_at, \
                s.last_seen_at, {user_columns} \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND u.is_active = $4 \
           AND s.kind = $5"
    );
    Ok(on_conn!(conn, |c| sqlx::query_as::<_, SessionWithUser>(
        &sql
    )
    .bind(token_hash)
    .bind(now)
    .bind(idle_cutoff)
    .bind(true)
    .bind(kind.as_str())
    .fetch_optional(c)
    .await)?)
}

pub async fn touch(conn: &mut AppConn, id: i64, now: OffsetDateTime) -> AppResult<()> {
    on_conn!(conn, |c| sqlx::query(
        "UPDATE sessions SET last_seen_at = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Deletes the session with this token hash; false when there was none.
pub async fn delete_by_hash(conn: &mut AppConn, token_hash: &[u8]) -> AppResult<bool> {
    let affected = on_conn!(conn, |c| sqlx::query(
        "DELETE FROM sessions WHERE token_hash = $1"
    )
    .bind(token_hash)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(affected > 0)
}

/// Deletes one of a user's sessions; false when the user has no such session.
pub async fn delete_for_user(conn: &mut AppConn, user_id: i64, id: i64) -> AppResult<bool> {
    let affected = on_conn!(conn, |c| sqlx::query(
        "DELETE FROM sessions WHERE id = $1 AND user_id = $2"
    )
    .bind(id)
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(affected > 0)
}

/// Deletes every session of a user except `keep` (when given); returns how many.
pub async fn delete_all_for_user(
    conn: &mut AppConn,
    user_id: i64,
    keep: Option<i64>,
) -> AppResult<u64> {
    Ok(on_conn!(conn, |c| sqlx::query(
        "DELETE FROM sessions WHERE user_id = $1 AND id <> $2"
    )
    .bind(user_id)
    .bind(keep.unwrap_or(-1))
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}

/// A user's live sessions, newest first, with the total.
pub async fn list_for_user(
    conn: &mut AppConn,
    user_id: i64,
    now: OffsetDateTime,
    idle_cutoff: OffsetDateTime,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<SessionRecord>, i64)> {
    let mut live = Filter::new();
    live.and(user_id, |p| format!("user_id = {p}"))
        .and(now, |p| format!("expires_at > {p}"))
        .and(idle_cutoff, |p| format!("last_seen_at > {p}"));
    let list = ListSql {
        rows: "SELECT id, user_id, kind, created_at, last_seen_at, expires_at, ip, user_agent FROM sessions",
        count_from: "FROM sessions",
        order_by: "id DESC",
        count_at_most: None,
    };
    Ok(live.page(conn, &list, limit, offset).await?)
}

/// Removes sessions that can no longer be used, so the table stays small.
pub async fn purge_expired(
    conn: &mut AppConn,
    now: OffsetDateTime,
    idle_cutoff: OffsetDateTime,
) -> AppResult<u64> {
    Ok(on_conn!(conn, |c| sqlx::query(
        "DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2"
    )
    .bind(now)
    .bind(idle_cutoff)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}
