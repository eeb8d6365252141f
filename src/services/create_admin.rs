//! `portero create-admin`: makes a new administrator, or brings an existing
//! account to what the operator asked for (an active administrator, with
//! the e-mail and password given). Only real changes are written and
//! audited: running it twice changes nothing the second time and ends
//! nobody's sessions.

use crate::actor::Actor;
use crate::audit::{Event, action};
use crate::db::api_tokens;
use crate::db::sessions;
use crate::db::users::{self, User, UserChanges};
use crate::domain::{Email, Password, PasswordContext, Role, Username};
use crate::error::{AppError, AppResult};
use crate::services::accounts::{self, NewAccount};
use crate::services::users::cli_error;
use crate::state::App;

/// What the operator typed.
#[derive(Debug)]
pub struct AdminRequest<'a> {
    pub username: &'a str,
    pub email: Option<&'a str>,
    /// A password given without asking (`--password` or
    /// `PORTERO_ADMIN_PASSWORD`); a new administrator without one is
    /// prompted for it.
    pub password: Option<String>,
}

/// Runs the command; the answer is the line to print, or the error to show.
/// `prompt` is called only for a new administrator without a password, and
/// never while a transaction is open.
pub async fn create_admin_from_cli(
    app: &App<'_>,
    request: AdminRequest<'_>,
    prompt: impl FnOnce() -> Result<String, String>,
) -> Result<String, String> {
    let name = Username::parse(request.username).map_err(|e| format!("portero: username: {e}"))?;
    let email = request
        .email
        .map(Email::parse)
        .transpose()
        .map_err(|e| format!("portero: email: {e}"))?;
    let existing =
        users::find_by_username(&mut app.acquire().await.map_err(cli_error)?, name.as_str())
            .await
            .map_err(cli_error)?;
    if let Some(existing) = existing {
        return update_existing(app, existing, email, request.password)
            .await
            .map_err(cli_error);
    }
    let Some(email) = email else {
        return Err(format!(
            "portero: there is no user named {name}; give --email to create one",
            name = name.as_str()
        ));
    };
    let password = match request.password {
        Some(password) => password,
        None => prompt()?,
    };
    create_new(app, name.as_str(), email.as_str(), &password)
        .await
        .map_err(cli_error)
}

async fn create_new(
    app: &App<'_>,
    username: &str,
    email: &str,
    password: &str,
) -> AppResult<String> {
    let input = NewAccount {
        username,
        email,
        password,
        first_name: "Admin",
        last_name: "Portero",
        address: None,
        phone: None,
    };
    let new_user = accounts::prepare_account(app, &input, Role::Admin, true).await?;
    let now = app.now();
    let mut tx = app.begin().await?;
    let user = users::insert(&mut tx, &new_user, now).await?;
    Event::by(action::USER_CREATE, &Actor::command_line())
        .target(&user)
        .detail("role admin (command line)")
        .record(&mut tx, now)
        .await?;
    tx.commit().await?;
    Ok(format!(
        "Created administrator {} (id {}).",
        user.username, user.id
    ))
}

/// A new password for an existing account: `None` when none was given or
/// it is the one already stored (checked like a login, so a repeated run
/// is a no-op); else the hash it replaces and the new hash.
async fn new_password_hash(
    app: &App<'_>,
    user: &User,
    email: Option<&Email>,
    password: Option<String>,
) -> AppResult<Option<(String, String)>> {
    let Some(password) = password else {
        return Ok(None);
    };
    let context = PasswordContext {
        username: Some(&user.username),
        email: Some(email.map_or(user.email.as_str(), Email::as_str)),
    };
    let parsed = Password::parse(&password, context)
        .map_err(|message| AppError::invalid("password", message))?;
    let stored = users::credentials(&mut app.acquire().await?, user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let hasher = &app.state.hasher;
    if hasher
        .verify(&password, Some(&stored.password_hash))
        .await?
    {
        return Ok(None);
    }
    Ok(Some((stored.password_hash, hasher.hash(&parsed).await?)))
}

/// Makes `found` an active administrator with the e-mail and password
/// given, in one transaction with one event per real change. A new role or
/// password ends the account's sessions, as it does from the admin pages.
async fn update_existing(
    app: &App<'_>,
    found: User,
    email: Option<Email>,
    password: Option<String>,
) -> AppResult<String> {
    let password_given = password.is_some();
    let new_hash = new_password_hash(app, &found, email.as_ref(), password).await?;
    let actor = Actor::command_line();
    let now = app.now();
    let mut tx = app.begin().await?;
    let before = users::find_for_update(&mut tx, found.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let changes = UserChanges {
        role: (!before.is_admin()).then_some(Role::Admin),
        is_active: (!before.is_active).then_some(true),
        email: email
            .map(Email::into_inner)
            .filter(|email| *email != before.email),
        ..UserChanges::default()
    };
    let mut done = Vec::new();
    if changes.role.is_none()
        && changes.is_active.is_none()
        && changes.email.is_none()
        && new_hash.is_none()
    {
        return Ok(format!(
            "{} is already an active administrator with the e-mail {}{}; nothing changed.",
            before.username,
            before.email,
            if password_given {
                " and that password"
            } else {
                ""
            },
        ));
    }
    let user = users::update(&mut tx, before.id, &changes, now)
        .await?
        .ok_or(AppError::NotFound)?;
    let event = |name| Event::by(name, &actor).target(&user);
    if changes.role.is_some() {
        event(action::ROLE_CHANGE)
            .detail(format!("{} -> admin (command line)", before.role()))
            .record(&mut tx, now)
            .await?;
        done.push("made an administrator".to_owned());
    }
    if changes.is_active.is_some() {
        event(action::USER_ACTIVATE)
            .detail("command line")
            .record(&mut tx, now)
            .await?;
        done.push("activated".to_owned());
    }
    if changes.email.is_some() {
        event(action::USER_UPDATE)
            .detail(format!(
                "e-mail {} -> {} (command line)",
                before.email, user.email
            ))
            .record(&mut tx, now)
            .await?;
        done.push(format!("e-mail set to {}", user.email));
    }
    if let Some((old, new)) = &new_hash {
        if !users::replace_password_hash(&mut tx, user.id, old, new, now).await? {
            return Err(AppError::conflict(
                "password",
                "The password was changed meanwhile; run the command again.",
            ));
        }
        event(action::PASSWORD_CHANGE)
            .detail("set from the command line")
            .record(&mut tx, now)
            .await?;
        done.push("password replaced".to_owned());
    }
    if changes.role.is_some() || new_hash.is_some() {
        let ended = sessions::delete_all_for_user(&mut tx, user.id, None).await?;
        if ended > 0 {
            done.push(format!("{ended} session(s) ended"));
        }
        let revoked = api_tokens::delete_all_for_user(&mut tx, user.id).await?;
        if revoked > 0 {
            done.push(format!("{revoked} personal access token(s) revoked"));
        }
    }
    tx.commit().await?;
    Ok(format!(
        "Updated user {}: {}.",
        user.username,
        done.join(", ")
    ))
}
