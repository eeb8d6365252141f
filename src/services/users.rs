//! Account administration: list, create, change, delete, revoke sessions.

use crate::audit::{Event, action};
use crate::auth::ClientMeta;
use crate::auth::guards::CurrentUser;
use crate::db::sessions;
use crate::db::users::{self, User, UserFilter, UserSort};
use crate::domain::Role;
use crate::error::{AppError, AppResult};
use crate::services::accounts::{self, NewAccount, ProfileInput};
use crate::state::App;

/// What an administrator may change on an account.
#[derive(Debug, Clone, Default)]
pub struct AdminChanges {
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
    users::list(app.db, filter, sort, limit, offset).await
}

pub async fn get(app: &App<'_>, id: i64) -> AppResult<User> {
    users::find(app.db, id).await?.ok_or(AppError::NotFound)
}

pub async fn create(
    app: &App<'_>,
    client: &ClientMeta,
    admin: &CurrentUser,
    input: &NewAccount<'_>,
    role: Role,
) -> AppResult<User> {
    let user = accounts::create_account(app, input, role, true).await?;
    Event::new(action::USER_CREATE, client)
        .actor(&admin.user)
        .target(&user)
        .detail(format!("role {role}"))
        .record(app)
        .await?;
    Ok(user)
}

/// Refuses a change that would leave no active administrator.
async fn keep_an_admin(app: &App<'_>, target: &User, loses_admin: bool) -> AppResult<()> {
    if loses_admin
        && target.is_admin()
        && target.is_active
        && users::count_other_active_admins(app.db, target.id).await? == 0
    {
        return Err(AppError::conflict(
            "role",
            "This is the last active administrator: make another administrator first.",
        ));
    }
    Ok(())
}

/// Applies an administrator's changes. Demoting or deactivating a user ends
/// all their sessions at once, so their next request is anonymous.
pub async fn update(
    app: &App<'_>,
    client: &ClientMeta,
    admin: &CurrentUser,
    id: i64,
    input: &AdminChanges,
) -> AppResult<User> {
    let target = get(app, id).await?;
    let mut changes = accounts::validate_profile(&input.profile)?;
    changes.role = input.role;
    changes.is_active = input.is_active;
    changes.email_verified = input.email_verified;
    // Any change of role (up or down) ends the user's sessions, so new
    // privileges always come with a new session id.
    let role_changed = input.role.is_some_and(|role| role != target.role());
    let deactivated = input.is_active == Some(false) && target.is_active;
    keep_an_admin(
        app,
        &target,
        (role_changed && target.is_admin()) || deactivated,
    )
    .await?;

    let updated = users::update(app.db, id, &changes, app.now())
        .await?
        .ok_or(AppError::NotFound)?;
    if role_changed || deactivated {
        sessions::delete_all_for_user(app.db, id, None).await?;
    }
    let event = |name| Event::new(name, client).actor(&admin.user).target(&updated);
    if role_changed {
        event(action::ROLE_CHANGE)
            .detail(format!("{} -> {}", target.role(), updated.role()))
            .record(app)
            .await?;
    }
    if target.is_active != updated.is_active {
        let name = if updated.is_active {
            action::USER_ACTIVATE
        } else {
            action::USER_DEACTIVATE
        };
        event(name).record(app).await?;
    }
    // Only a real change of these fields is an "update"; the page form
    // sends every field even when only the active flag moved.
    let profile_changed = [
        target.email != updated.email,
        target.first_name != updated.first_name,
        target.last_name != updated.last_name,
        target.address != updated.address,
        target.phone != updated.phone,
        target.email_verified_at.is_some() != updated.email_verified_at.is_some(),
    ];
    if profile_changed.contains(&true) {
        event(action::USER_UPDATE).record(app).await?;
    }
    Ok(updated)
}

/// Deletes an account with its sessions and sales.
pub async fn delete(
    app: &App<'_>,
    client: &ClientMeta,
    admin: &CurrentUser,
    id: i64,
) -> AppResult<()> {
    let target = get(app, id).await?;
    keep_an_admin(app, &target, true).await?;
    if !users::delete(app.db, id).await? {
        return Err(AppError::NotFound);
    }
    Event::new(action::USER_DELETE, client)
        .actor(&admin.user)
        .target(&target)
        .record(app)
        .await
}

/// Ends every session of a user (an administrator's "log out everywhere").
pub async fn revoke_sessions(
    app: &App<'_>,
    client: &ClientMeta,
    admin: &CurrentUser,
    id: i64,
) -> AppResult<u64> {
    let target = get(app, id).await?;
    let revoked = sessions::delete_all_for_user(app.db, id, None).await?;
    Event::new(action::SESSIONS_REVOKE_ALL, client)
        .actor(&admin.user)
        .target(&target)
        .detail(format!("revoked: {revoked}"))
        .record(app)
        .await?;
    Ok(revoked)
}

/// Ends one session of a user.
pub async fn revoke_session(
    app: &App<'_>,
    client: &ClientMeta,
    admin: &CurrentUser,
    id: i64,
    session_id: i64,
) -> AppResult<()> {
    let target = get(app, id).await?;
    if !sessions::delete_for_user(app.db, id, session_id).await? {
        return Err(AppError::NotFound);
    }
    Event::new(action::SESSION_REVOKE, client)
        .actor(&admin.user)
        .target(&target)
        .detail(format!("session {session_id}"))
        .record(app)
        .await
}

/// `portero create-admin`: promotes the named user when the account exists,
/// otherwise creates an administrator with the password from `password()`.
pub async fn create_admin_from_cli(
    app: &App<'_>,
    username: &str,
    email: &str,
    password: impl FnOnce() -> Result<String, String>,
) -> Result<String, String> {
    let name =
        crate::domain::Username::parse(username).map_err(|e| format!("portero: username: {e}"))?;
    let cli = ClientMeta::default();
    let fail = |error: AppError| match error {
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
    };
    if let Some(existing) = users::find_by_username(app.db, name.as_str())
        .await
        .map_err(fail)?
    {
        let changes = users::UserChanges {
            role: Some(Role::Admin),
            is_active: Some(true),
            ..Default::default()
        };
        let user = users::update(app.db, existing.id, &changes, app.now())
            .await
            .map_err(fail)?
            .ok_or_else(|| "portero: the user disappeared".to_owned())?;
        // A new role comes with new sessions, as when an administrator changes it.
        sessions::delete_all_for_user(app.db, user.id, None)
            .await
            .map_err(fail)?;
        Event::new(action::ROLE_CHANGE, &cli)
            .target(&user)
            .detail(format!("{} -> admin (command line)", existing.role()))
            .record(app)
            .await
            .map_err(fail)?;
        return Ok(format!(
            "Promoted existing user {} to administrator.",
            user.username
        ));
    }
    let password = password()?;
    let input = NewAccount {
        username,
        email,
        password: &password,
        first_name: "Admin",
        last_name: "Portero",
        address: None,
        phone: None,
    };
    let user = accounts::create_account(app, &input, Role::Admin, true)
        .await
        .map_err(fail)?;
    Event::new(action::USER_CREATE, &cli)
        .target(&user)
        .detail("role admin (command line)")
        .record(app)
        .await
        .map_err(fail)?;
    Ok(format!(
        "Created administrator {} (id {}).",
        user.username, user.id
    ))
}
