//! One's own account and data (SPEC "One's own account and data"): a copy
//! of everything kept about the account, and deleting it oneself.

use time::OffsetDateTime;

use crate::actor::Actor;
use crate::audit::{Event, action};
use crate::auth::throttle;
use crate::db::api_tokens::{self, TokenRecord};
use crate::db::audit::{self, AuditEvent, AuditFilter};
use crate::db::sales::{self, Sale, SaleFilter};
use crate::db::sessions::{self, SessionRecord};
use crate::db::users::{self, User};
use crate::error::{AppError, AppResult};
use crate::services::accounts::count_attempt;
use crate::services::users::keep_an_admin;
use crate::state::App;

/// Everything kept about one account, read in one transaction so the parts
/// agree with each other.
#[derive(Debug)]
pub struct AccountData {
    pub exported_at: OffsetDateTime,
    pub user: User,
    pub sessions: Vec<SessionRecord>,
    pub tokens: Vec<TokenRecord>,
    pub purchases: Vec<Sale>,
    pub events: Vec<AuditEvent>,
}

/// The caller's data. Lists are read whole: one person's sessions, tokens,
/// purchases and events are small next to a page of an admin list.
pub async fn export(app: &App<'_>, caller: &Actor) -> AppResult<AccountData> {
    let id = caller.account_id()?;
    let now = app.now();
    let idle_cutoff = app.state.sessions.idle_cutoff(now);
    let mut tx = app.begin().await?;
    let user = users::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let (sessions, _) = sessions::list_for_user(&mut tx, id, now, idle_cutoff, i64::MAX, 0).await?;
    let (tokens, _) = api_tokens::list_for_user(&mut tx, id, i64::MAX, 0).await?;
    let own = SaleFilter {
        user_id: Some(id),
        ..SaleFilter::default()
    };
    let (purchases, _) = sales::list(&mut tx, &own, i64::MAX, 0).await?;
    let about = AuditFilter {
        user_id: Some(id),
        ..AuditFilter::default()
    };
    let (events, _) = audit::list(&mut tx, &about, i64::MAX, 0).await?;
    tx.commit().await?;
    Ok(AccountData {
        exported_at: now,
        user,
        sessions,
        tokens,
        purchases,
        events,
    })
}

/// Deletes the caller's account after checking the password: its
/// purchases, basket, sessions and tokens go with it (foreign keys), so a
/// cookie or token of the account fails from the next request on. The
/// password is checked like a login (counted first, throttled). The last
/// active administrator cannot leave (409). The audit event keeps the id
/// and username only.
pub async fn delete_account(app: &App<'_>, caller: &Actor, password: &str) -> AppResult<()> {
    let id = caller.account_id()?;
    let key = throttle::account_key(Some(id), "");
    let now = app.now();

    let mut tx = app.begin().await?;
    let stored = users::credentials(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    count_attempt(app, tx, &key, caller.client.ip.as_deref(), now, |limit| {
        Event::by(action::LOGIN_THROTTLED, caller)
            .target(&stored.user)
            .detail(format!("account deletion; {}", limit.describe()))
    })
    .await?;
    if !app
        .state
        .hasher
        .verify(password, Some(&stored.password_hash))
        .await?
    {
        Event::by(action::ACCOUNT_DELETE_FAILED, caller)
            .target(&stored.user)
            .detail("wrong password")
            .record(&mut app.acquire().await?, now)
            .await?;
        return Err(AppError::invalid(
            "password",
            "The password is not correct.",
        ));
    }

    let mut tx = app.begin().await?;
    let admins = users::lock_active_admins(&mut tx).await?;
    let user = users::find_for_update(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    keep_an_admin(&admins, &user).map_err(|_| {
        AppError::conflict(
            "password",
            "You are the last active administrator: make another administrator before \
             deleting your account.",
        )
    })?;
    if !users::delete(&mut tx, id).await? {
        return Err(AppError::NotFound);
    }
    throttle::forget(&mut tx, &key).await?;
    Event::by(action::ACCOUNT_DELETE, caller)
        .target(&user)
        .record(&mut tx, now)
        .await?;
    tx.commit().await?;
    Ok(())
}
