//! The audit log: who did what to whom, from where. Details never carry
//! secrets (passwords, hashes, cookies, session ids).

use sqlx::FromRow;
use time::OffsetDateTime;

use super::{AppConn, Filter, ListSql, on_conn};
use crate::error::AppResult;

/// A recorded event.
#[derive(Debug, Clone, FromRow)]
pub struct AuditEvent {
    pub id: i64,
    pub at: OffsetDateTime,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub action: String,
    pub target_user_id: Option<i64>,
    pub target: Option<String>,
    pub ip: Option<String>,
    pub detail: Option<String>,
}

/// An event to record.
#[derive(Debug, Clone, Default)]
pub struct NewEvent {
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub action: &'static str,
    pub target_user_id: Option<i64>,
    pub target: Option<String>,
    pub ip: Option<String>,
    pub detail: Option<String>,
}

/// Writes one event, usually inside the transaction of the change it records.
pub async fn insert(conn: &mut AppConn, event: &NewEvent, at: OffsetDateTime) -> AppResult<()> {
    let sql = "INSERT INTO audit_events (at, actor_id, actor_name, action, target_user_id, target, ip, detail) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    on_conn!(conn, |c| sqlx::query(sql)
        .bind(at)
        .bind(event.actor_id)
        .bind(&event.actor_name)
        .bind(event.action)
        .bind(event.target_user_id)
        .bind(&event.target)
        .bind(&event.ip)
        .bind(&event.detail)
        .execute(c)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Filters for the audit list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    /// Events about this user, as actor or as target.
    pub user_id: Option<i64>,
    pub from: Option<OffsetDateTime>,
    pub to: Option<OffsetDateTime>,
}

/// A page of events, newest first, and the total that match.
pub async fn list(
    conn: &mut AppConn,
    filter: &AuditFilter,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<AuditEvent>, i64)> {
    let list = ListSql {
        rows: EVENT_SELECT,
        count_from: "FROM audit_events",
        order_by: "id DESC",
        count_at_most: None,
    };
    Ok(conditions(filter).page(conn, &list, limit, offset).await?)
}

const EVENT_SELECT: &str = "SELECT id, at, actor_id, actor_name, action, target_user_id, target, ip, detail \
     FROM audit_events";

/// Every event the filter matches, newest first, handed to `each` one at a
/// time as the database sends them (for exports of any size).
pub async fn each<F, Fut>(conn: &mut AppConn, filter: &AuditFilter, each: F) -> AppResult<()>
where
    F: FnMut(AuditEvent) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    Ok(conditions(filter)
        .each(conn, EVENT_SELECT, "id DESC", each)
        .await?)
}

fn conditions(filter: &AuditFilter) -> Filter {
    let mut conditions = Filter::new();
    if let Some(actor) = &filter.actor {
        conditions.and(actor.as_str(), |p| format!("actor_name = {p}"));
    }
    if let Some(action) = &filter.action {
        conditions.and(action.as_str(), |p| format!("action = {p}"));
    }
    if let Some(user_id) = filter.user_id {
        conditions.and(user_id, |p| {
            format!("(actor_id = {p} OR target_user_id = {p})")
        });
    }
    if let Some(from) = filter.from {
        conditions.and(from, |p| format!("at >= {p}"));
    }
    if let Some(to) = filter.to {
        conditions.and(to, |p| format!("at < {p}"));
    }
    conditions
}

/// Deletes up to `batch` events older than `before`, oldest first; returns
/// how many. Small batches keep each write lock short on a large log.
pub async fn purge_before(
    conn: &mut AppConn,
    before: OffsetDateTime,
    batch: i64,
) -> AppResult<u64> {
    Ok(on_conn!(conn, |c| sqlx::query(
        "DELETE FROM audit_events WHERE id IN \
         (SELECT id FROM audit_events WHERE at < $1 ORDER BY at, id LIMIT $2)"
    )
    .bind(before)
    .bind(batch)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}
