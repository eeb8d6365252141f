//! All SQL touching `mail_outbox`.
//!
//! A message is claimed by one statement that sets a lease
//! (`locked_until`) on due rows; on PostgreSQL the rows are picked with
//! `FOR UPDATE SKIP LOCKED`, so processes claiming at the same moment take
//! different rows instead of waiting for each other, and a claimed row is
//! skipped by everyone until its lease ends. SQLite runs one writer at a
//! time, so the same statement needs no more there.

use sqlx::FromRow;
use time::OffsetDateTime;

use super::{AppConn, Backend, on_conn, single_row};
use crate::error::AppResult;

/// A message to store.
pub struct NewMessage<'a> {
    pub kind: &'a str,
    pub user_id: Option<i64>,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body_text: &'a str,
    pub body_html: &'a str,
    pub message_id: &'a str,
}

/// A claimed message, ready to send. Its bodies may hold a link token:
/// no `Debug`, never logged.
#[derive(FromRow)]
pub struct Claimed {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub message_id: String,
    pub attempts: i64,
    pub created_at: OffsetDateTime,
}

/// A message as the admin page lists it (no bodies).
#[derive(Debug, Clone, FromRow)]
pub struct MessageSummary {
    pub id: i64,
    pub kind: String,
    pub user_id: Option<i64>,
    pub recipient: String,
    pub subject: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: OffsetDateTime,
    pub last_error: Option<String>,
    pub created_at: OffsetDateTime,
    pub sent_at: Option<OffsetDateTime>,
}

pub async fn insert(
    conn: &mut AppConn,
    message: &NewMessage<'_>,
    now: OffsetDateTime,
) -> AppResult<i64> {
    let sql = "INSERT INTO mail_outbox (kind, user_id, recipient, subject, body_text, body_html, \
               message_id, next_attempt_at, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id";
    Ok(on_conn!(conn, |c| sqlx::query_scalar::<_, i64>(sql)
        .bind(message.kind)
        .bind(message.user_id)
        .bind(message.recipient)
        .bind(message.subject)
        .bind(message.body_text)
        .bind(message.body_html)
        .bind(message.message_id)
        .bind(now)
        .fetch_all(c)
        .await
        .and_then(single_row))?)
}

/// Claims up to `limit` due messages until `lease_until`, counting the
/// attempt, oldest first.
pub async fn claim_due(
    conn: &mut AppConn,
    now: OffsetDateTime,
    lease_until: OffsetDateTime,
    limit: i64,
) -> AppResult<Vec<Claimed>> {
    let skip_locked = match conn.backend() {
        Backend::Sqlite => "",
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
    };
    let sql = format!(
        "UPDATE mail_outbox SET locked_until = $1, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM mail_outbox WHERE status = 'queued' \
         AND next_attempt_at <= $2 AND (locked_until IS NULL OR locked_until <= $2) \
         ORDER BY id LIMIT $3{skip_locked}) \
         RETURNING id, recipient, subject, body_text, body_html, message_id, attempts, created_at"
    );
    let mut claimed = on_conn!(conn, |c| sqlx::query_as::<_, Claimed>(&sql)
        .bind(lease_until)
        .bind(now)
        .bind(limit)
        .fetch_all(c)
        .await)?;
    claimed.sort_by_key(|message| message.id);
    Ok(claimed)
}

/// Marks a message sent and erases its bodies (they may hold a token).
pub async fn mark_sent(conn: &mut AppConn, id: i64, now: OffsetDateTime) -> AppResult<()> {
    let sql = "UPDATE mail_outbox SET status = 'sent', sent_at = $2, locked_until = NULL, \
               last_error = NULL, body_text = '', body_html = '' WHERE id = $1";
    on_conn!(conn, |c| sqlx::query(sql)
        .bind(id)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records a failed attempt: the message waits until `retry_at`, or is
/// given up (`failed`) when `retry_at` is `None`.
pub async fn mark_failed(
    conn: &mut AppConn,
    id: i64,
    retry_at: Option<OffsetDateTime>,
    error: &str,
) -> AppResult<()> {
    let sql = "UPDATE mail_outbox SET status = CASE WHEN $2 THEN 'queued' ELSE 'failed' END, \
               next_attempt_at = COALESCE($3, next_attempt_at), locked_until = NULL, \
               last_error = $4 WHERE id = $1";
    on_conn!(conn, |c| sqlx::query(sql)
        .bind(id)
        .bind(retry_at.is_some())
        .bind(retry_at)
        .bind(error)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Queues a given-up message again with a fresh count of attempts; false
/// when it was not given up.
pub async fn retry(conn: &mut AppConn, id: i64, now: OffsetDateTime) -> AppResult<bool> {
    let sql = "UPDATE mail_outbox SET status = 'queued', attempts = 0, next_attempt_at = $2, \
               locked_until = NULL WHERE id = $1 AND status = 'failed'";
    let done = on_conn!(conn, |c| sqlx::query(sql)
        .bind(id)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// One page of messages, newest first, optionally of one status, and how
/// many there are (one query: the count rides along as a window).
pub async fn list(
    conn: &mut AppConn,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<MessageSummary>, i64)> {
    #[derive(FromRow)]
    struct Row {
        #[sqlx(flatten)]
        message: MessageSummary,
        total: i64,
    }
    let sql = "SELECT id, kind, user_id, recipient, subject, status, attempts, next_attempt_at, \
               last_error, created_at, sent_at, COUNT(*) OVER () AS total FROM mail_outbox \
               WHERE ($1 IS NULL OR status = $1) ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3";
    let rows = on_conn!(conn, |c| sqlx::query_as::<_, Row>(sql)
        .bind(status)
        .bind(limit)
        .bind(offset)
        .fetch_all(c)
        .await)?;
    let total = rows.first().map_or(0, |row| row.total);
    Ok((rows.into_iter().map(|row| row.message).collect(), total))
}

/// How many reset links went to an account since `since` (the silent
/// per-account limit on reset requests).
pub async fn count_for_user(
    conn: &mut AppConn,
    user_id: i64,
    kind: &str,
    since: OffsetDateTime,
) -> AppResult<i64> {
    let sql =
        "SELECT COUNT(*) FROM mail_outbox WHERE user_id = $1 AND kind = $2 AND created_at > $3";
    Ok(on_conn!(conn, |c| sqlx::query_scalar::<_, i64>(sql)
        .bind(user_id)
        .bind(kind)
        .bind(since)
        .fetch_one(c)
        .await)?)
}
