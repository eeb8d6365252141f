//! Account administration: list, create, change, delete, revoke sessions.
//!
//! The last active administrator can never be demoted, deactivated or
//! deleted, however many requests race: a change that may remove an
//! administrator first locks the active ones ([`users::lock_active_admins`])
//! in its own transaction, and decides from what it locked.

use crate::actor::Actor;
use crate::audit::{Event, action};
use crate::db::api_tokens;
use crate::db::sessions::{self, SessionRecord};
use crate::db::users::{self, User, UserChanges, UserFilter, UserSort};
use crate::domain::{FieldErrors, Role, Username};
use crate::error::{AppError, AppResult};
use crate::services::accounts::{self, NewAccount, ProfileInput};
use crate::state::App;

/// What an administrator may change on an account.
#[derive(Debug, Clone, Default)]
pub struct AdminChanges {
    /// A new username (a rename); 409 when taken.
    pub username: Option<String>,
    pub profile: ProfileInput,
    pub role: Option<Role>,
    pub is_active: Option<bool>,
    pub email_verified: Option<bool>,
}

pub async fn list(
    app: &App<'_>,
    filter: &UserFilter,
    sort: UserSort,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<User>, i64)> {
    users::list(&mut app.acquire().await?, filter, sort, limit, offset).await
}

pub async fn get(app: &App<'_>, id: i64) -> AppResult<User> {
    users::find(&mut app.acquire().await?, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// The account with this username, if any.
pub async fn find_by_username(app: &App<'_>, username: &str) -> AppResult<Option<User>> {
    users::find_by_username(&mut app.acquire().await?, username).await
}

/// A user's live sessions, newest first (for their admin page).
pub async fn sessions_of(
    app: &App<'_>,
    id: i64,
    limit: i64,
) -> AppResult<(Vec<SessionRecord>, i64)> {
    accounts::live_sessions(app, id, limit, 0).await
}

/// Creates an account with its audit event.
pub async fn create(
    app: &App<'_>,
    actor: &Actor,
    input: &NewAccount<'_>,
    role: Role,
) -> AppResult<User> {
    let new_user = accounts::prepare_account(app, input, role, true).await?;
    let now = app.now();
    let mut tx = app.begin().await?;
    let user = users::insert(&mut tx, &new_user, now).await?;
    Event::by(action::USER_CREATE, actor)
        .target(&user)
        .detail(format!("role {role}"))
        .record(&mut tx, now)
        .await?;
    tx.commit().await?;
    Ok(user)
}

/// Refuses a change that would leave no active administrator, judged from
/// the administrators this transaction locked.
pub(crate) fn keep_an_admin(locked_admins: &[i64], target: &User) -> AppResult<()> {
    let target_counts = target.is_admin() && target.is_active;
    if target_counts && locked_admins.iter().all(|&id| id == target.id) {
        return Err(AppError::conflict(
            "role",
            "This is the last active administrator: make another administrator first.",
        ));
    }
    Ok(())
}

/// Applies an administrator's changes. A change of role (either way) or a
/// deactivation ends all the user's sessions in the same transaction, so
/// their next request is anonymous and new privileges come with a new
/// session id.
pub async fn update(
    app: &App<'_>,
    actor: &Actor,
    id: i64,
    input: &AdminChanges,
) -> AppResult<User> {
    // Every invalid field is reported at once, the new username's too.
    let mut errors = FieldErrors::new();
    let username = input
        .username
        .as_deref()
        .and_then(|name| errors.check("username", Username::parse(name)));
    let mut changes = match accounts::validate_profile(&input.profile) {
        Ok(changes) => changes,
        Err(more) => {
            for error in more.into_vec() {
                errors.add(error);
            }
            UserChanges::default()
        }
    };
    errors.into_result()?;
    changes.username = username.map(Username::into_inner);
    changes.role = input.role;
    changes.is_active = input.is_active;
    changes.email_verified = input.email_verified;
    let now = app.now();
    let mut tx = app.begin().await?;
    // The administrators are locked before the target row, in the same
    // order by every caller, so that racing changes queue, never deadlock.
    let may_remove_an_admin = input.role == Some(Role::User) || input.is_active == Some(false);
    let admins = if may_remove_an_admin {
        users::lock_active_admins(&mut tx).await?
    } else {
        Vec::new()
    };
    let target = users::find_for_update(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let role_changed = input.role.is_some_and(|role| role != target.role());
    let deactivated = input.is_active == Some(false) && target.is_active;
    if (role_changed && target.is_admin()) || deactivated {
        keep_an_admin(&admins, &target)?;
    }
    // A new address is unverified until its link is used, unless the
    // administrator marks it verified by hand in the same change.
    let email_changed = changes
        .email
        .as_ref()
        .is_some_and(|email| *email != target.email);
    if email_changed && changes.email_verified != Some(true) {
        changes.email_verified = Some(false);
    }
    let updated = users::update(&mut tx, id, &changes, now)
        .await?
        .ok_or(AppError::NotFound)?;
    if role_changed || deactivated {
        sessions::delete_all_for_user(&mut tx, id, None).await?;
        api_tokens::delete_all_for_user(&mut tx, id).await?;
    }
    let event = |name| Event::by(name, actor).target(&updated);
    if role_changed {
        event(action::ROLE_CHANGE)
            .detail(format!("{} -> {}", target.role(), updated.role()))
            .record(&mut tx, now)
            .await?;
    }
    if target.is_active != updated.is_active {
        let name = if updated.is_active {
            action::USER_ACTIVATE
        } else {
            action::USER_DEACTIVATE
        };
        event(name).record(&mut tx, now).await?;
    }
    // Only a real change of these fields is an "update"; the page form
    // sends every field even when only the active flag moved.
    let profile_changed = [
        target.username != updated.username,
        target.email != updated.email,
        target.first_name != updated.first_name,
        target.last_name != updated.last_name,
        target.address != updated.address,
        target.phone != updated.phone,
        target.email_verified_at.is_some() != updated.email_verified_at.is_some(),
    ];
    if profile_changed.contains(&true) {
        let mut update = event(action::USER_UPDATE);
        if target.username != updated.username {
            update = update.detail(format!(
                "renamed {} -> {}",
                target.username, updated.username
            ));
        }
        update.record(&mut tx, now).await?;
    }
    if email_changed {
        accounts::announce_new_address(app, &mut tx, &target, &updated, now).await?;
    }
    tx.commit().await?;
    if email_changed {
        app.state.mail.wake();
    }
    Ok(updated)
}

/// Deletes an account with its sessions and sales.
pub async fn delete(app: &App<'_>, actor: &Actor, id: i64) -> AppResult<()> {
    let now = app.now();
    let mut tx = app.begin().await?;
    let admins = users::lock_active_admins(&mut tx).await?;
    let target = users::find_for_update(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    keep_an_admin(&admins, &target)?;
    if !users::delete(&mut tx, id).await? {
        return Err(AppError::NotFound);
    }
    Event::by(action::USER_DELETE, actor)
        .target(&target)
        .record(&mut tx, now)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every session of a user (an administrator's "log out everywhere").
pub async fn revoke_sessions(app: &App<'_>, actor: &Actor, id: i64) -> AppResult<u64> {
    let now = app.now();
    let mut tx = app.begin().await?;
    let target = users::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let revoked = sessions::delete_all_for_user(&mut tx, id, None).await?;
    Event::by(action::SESSIONS_REVOKE_ALL, actor)
        .target(&target)
        .detail(format!("revoked: {revoked}"))
        .record(&mut tx, now)
        .await?;
    tx.commit().await?;
    Ok(revoked)
}

/// Ends one session of a user.
pub async fn revoke_session(
    app: &App<'_>,
    actor: &Actor,
    id: i64,
    session_id: i64,
) -> AppResult<()> {
    let now = app.now();
    let mut tx = app.begin().await?;
    let target = users::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if !sessions::delete_for_user(&mut tx, id, session_id).await? {
        return Err(AppError::NotFound);
    }
    Event::by(action::SESSION_REVOKE, actor)
        .target(&target)
        .detail(format!("session {session_id}"))
        .record(&mut tx, now)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A service error as the command line prints it.
pub(crate) fn cli_error(error: AppError) -> String {
    match error {
        AppError::Invalid(errors) | AppError::Conflict(errors) => format!(
            "portero: {}",
            errors
                .as_slice()
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => format!("portero: {other}"),
    }
}
