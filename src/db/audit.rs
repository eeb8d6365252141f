//! The audit log: who did what to whom, from where. Details never carry
//! secrets (passwords, hashes, cookies, session ids).

use sqlx::FromRow;
use time::OffsetDateTime;

use super::{AppPool, Where, on_pool};
use crate::error::AppResult;

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

pub async fn insert(pool: &AppPool, event: &NewEvent, at: OffsetDateTime) -> AppResult<()> {
    let sql = "INSERT INTO audit_events (at, actor_id, actor_name, action, target_user_id, target, ip, detail) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    on_pool!(pool, |p| sqlx::query(sql)
        .bind(at)
        .bind(event.actor_id)
        .bind(&event.actor_name)
        .bind(event.action)
        .bind(event.target_user_id)
        .bind(&event.target)
        .bind(&event.ip)
        .bind(&event.detail)
        .execute(p)
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
    pool: &AppPool,
    filter: &AuditFilter,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<AuditEvent>, i64)> {
    let mut clauses = Where::default();
    if filter.actor.is_some() {
        clauses.add(|p| format!("actor_name = {p}"));
    }
    if filter.action.is_some() {
        clauses.add(|p| format!("action = {p}"));
    }
    if filter.user_id.is_some() {
        clauses.add(|p| format!("(actor_id = {p} OR target_user_id = {p})"));
    }
    if filter.from.is_some() {
        clauses.add(|p| format!("at >= {p}"));
    }
    if filter.to.is_some() {
        clauses.add(|p| format!("at < {p}"));
    }
    let (limit_p, offset_p) = (clauses.param(), clauses.param());
    let filters = clauses.sql();
    let page_sql = format!(
        "SELECT id, at, actor_id, actor_name, action, target_user_id, target, ip, detail \
         FROM audit_events {filters} ORDER BY id DESC LIMIT {limit_p} OFFSET {offset_p}"
    );
    let count_sql = format!("SELECT COUNT(*) FROM audit_events {filters}");
    macro_rules! bind_filters {
        ($query:expr) => {{
            let mut query = $query;
            if let Some(actor) = &filter.actor {
                query = query.bind(actor.clone());
            }
            if let Some(action) = &filter.action {
                query = query.bind(action.clone());
            }
            if let Some(user_id) = filter.user_id {
                query = query.bind(user_id);
            }
            if let Some(from) = filter.from {
                query = query.bind(from);
            }
            if let Some(to) = filter.to {
                query = query.bind(to);
            }
            query
        }};
    }
    let rows = on_pool!(pool, |p| bind_filters!(sqlx::query_as::<_, AuditEvent>(
        &page_sql
    ))
    .bind(limit)
    .bind(offset)
    .fetch_all(p)
    .await)?;
    let total = on_pool!(pool, |p| bind_filters!(sqlx::query_scalar::<_, i64>(
        &count_sql
    ))
    .fetch_one(p)
    .await)?;
    Ok((rows, total))
}
