//! Reads for the admin console: the dashboard's figures and the audit log.

use time::{Duration, OffsetDateTime, Time};

use crate::db::audit::{self, AuditEvent, AuditFilter};
use crate::db::sales;
use crate::db::users::{self, User, UserFilter, UserSort};
use crate::error::AppResult;
use crate::state::App;

/// How many days the dashboard's charts cover, today included.
pub const CHART_DAYS: i64 = 30;

/// The figures of the admin dashboard.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub users_total: i64,
    pub users_active: i64,
    pub admins: i64,
    /// Sign-ups per UTC day over the chart's days; days without any are absent.
    pub signups_per_day: Vec<(String, i64)>,
    pub recent_signups: Vec<User>,
    /// Number of sales and revenue in cents, today (UTC).
    pub sales_today: (i64, i64),
    /// The same over the chart's days.
    pub sales_in_chart: (i64, i64),
    /// Revenue per UTC day over the chart's days; days without sales are absent.
    pub revenue_per_day: Vec<(String, i64)>,
}

/// The dashboard as of `now`, read on one connection.
pub async fn dashboard(app: &App<'_>, now: OffsetDateTime) -> AppResult<Dashboard> {
    let mut conn = app.acquire().await?;
    let today = now.replace_time(Time::MIDNIGHT);
    let since = today - Duration::days(CHART_DAYS - 1);
    let (users_total, users_active, admins) = users::counts(&mut conn).await?;
    let newest_first = UserFilter {
        count_at_most: Some(0),
        ..UserFilter::default()
    };
    let (recent_signups, _) =
        users::list(&mut conn, &newest_first, UserSort::CreatedDesc, 8, 0).await?;
    Ok(Dashboard {
        users_total,
        users_active,
        admins,
        signups_per_day: users::signups_per_day(&mut conn, since).await?,
        recent_signups,
        sales_today: sales::totals_since(&mut conn, today).await?,
        sales_in_chart: sales::totals_since(&mut conn, since).await?,
        revenue_per_day: sales::revenue_per_day(&mut conn, since).await?,
    })
}

/// A page of the audit log, newest first, and the total that match.
pub async fn audit_log(
    app: &App<'_>,
    filter: &AuditFilter,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<AuditEvent>, i64)> {
    audit::list(&mut app.acquire().await?, filter, limit, offset).await
}

/// The latest events about a user, as actor or as target.
pub async fn events_about(app: &App<'_>, user_id: i64, limit: i64) -> AppResult<Vec<AuditEvent>> {
    let filter = AuditFilter {
        user_id: Some(user_id),
        ..AuditFilter::default()
    };
    Ok(audit_log(app, &filter, limit, 0).await?.0)
}
