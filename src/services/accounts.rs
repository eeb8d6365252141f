//! Self-service: sign-up, login, logout, profile, password, own sessions.

use rocket::http::CookieJar;

use crate::audit::{Event, action};
use crate::auth::guards::CurrentUser;
use crate::auth::{ClientMeta, throttle};
use crate::db::sessions::{self, SessionRecord};
use crate::db::users::{self, NewUser, User, UserChanges};
use crate::domain::{
    Email, FieldErrors, OptionalText, Password, PasswordContext, PersonName, Phone, Role, Username,
};
use crate::error::{AppError, AppResult};
use crate::state::App;

/// Longest postal address kept.
pub const MAX_ADDRESS_LEN: usize = 200;
/// Longest login name looked up; longer input cannot name an account.
const MAX_LOGIN_LEN: usize = 254;

/// A new account as typed in (sign-up page, API, admin, CLI).
#[derive(Debug, Clone, Copy, Default)]
pub struct NewAccount<'a> {
    pub username: &'a str,
    pub email: &'a str,
    pub password: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub address: Option<&'a str>,
    pub phone: Option<&'a str>,
}

/// Profile fields to change; `None` keeps a field, `Some(None)` clears an
/// optional one.
#[derive(Debug, Clone, Default)]
pub struct ProfileInput {
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub address: Option<Option<String>>,
    pub phone: Option<Option<String>>,
}

/// Checks every field of a new account and reports all problems at once.
pub fn validate_new_account(
    input: &NewAccount<'_>,
    role: Role,
    is_active: bool,
) -> Result<(NewUser, Password), FieldErrors> {
    let mut errors = FieldErrors::new();
    let username = errors.check("username", Username::parse(input.username));
    let email = errors.check("email", Email::parse(input.email));
    let context = PasswordContext {
        username: Some(input.username),
        email: Some(input.email),
    };
    let password = errors.check("password", Password::parse(input.password, context));
    let first_name = errors.check("first_name", PersonName::parse(input.first_name));
    let last_name = errors.check("last_name", PersonName::parse(input.last_name));
    let address = errors.check(
        "address",
        OptionalText::parse(input.address, MAX_ADDRESS_LEN),
    );
    let phone = errors.check("phone", Phone::parse(input.phone));
    match (
        username, email, password, first_name, last_name, address, phone,
    ) {
        (
            Some(username),
            Some(email),
            Some(password),
            Some(first),
            Some(last),
            Some(address),
            Some(phone),
        ) => Ok((
            NewUser {
                username: username.into_inner(),
                email: email.into_inner(),
                password_hash: String::new(),
                first_name: first.into_inner(),
                last_name: last.into_inner(),
                address: address.into_inner(),
                phone: phone.into_inner(),
                role,
                is_active,
            },
            password,
        )),
        _ => Err(errors),
    }
}

/// Creates an account (hashing off the async workers); 409 on a taken name.
pub async fn create_account(
    app: &App<'_>,
    input: &NewAccount<'_>,
    role: Role,
    is_active: bool,
) -> AppResult<User> {
    let (mut new_user, password) = validate_new_account(input, role, is_active)?;
    new_user.password_hash = app.state.hasher.hash(&password).await?;
    users::insert(app.db, &new_user, app.now()).await
}

/// Sign-up: creates a `user` account, starts its session and logs the event.
pub async fn sign_up(
    app: &App<'_>,
    cookies: &CookieJar<'_>,
    client: &ClientMeta,
    input: &NewAccount<'_>,
) -> AppResult<User> {
    let user = create_account(app, input, Role::User, true).await?;
    begin_session(app, cookies, client, user, action::SIGNUP).await
}

/// Checks a login name and password. Unknown name, wrong password and
/// inactive account all cost one argon2 verification and give
/// [`AppError::BadCredentials`], so neither answer nor timing tells them apart.
/// Failed attempts are throttled per account and per client address.
pub async fn authenticate(
    app: &App<'_>,
    client: &ClientMeta,
    login: &str,
    password: &str,
) -> AppResult<User> {
    let login = crate::db::bindable(login.trim()).to_lowercase();
    let found = if login.is_empty() || login.len() > MAX_LOGIN_LEN {
        None
    } else {
        users::credentials_by_login(app.db, &login).await?
    };
    let key = throttle::account_key(found.as_ref().map(|c| c.user.id), &truncate(&login, 64));
    let now = app.now();
    if let Err(throttled) =
        throttle::check(app.db, &app.state.config, &key, client.ip.as_deref(), now).await
    {
        Event::new(action::LOGIN_THROTTLED, client)
            .target_text(format!("login:{}", truncate(&login, 64)))
            .record(app)
            .await?;
        return Err(throttled);
    }
    let verified = app
        .state
        .hasher
        .verify(password, found.as_ref().map(|c| c.password_hash.as_str()))
        .await?;
    match found {
        Some(credentials) if verified && credentials.user.is_active => {
            throttle::record_success(app.db, &key).await?;
            Ok(credentials.user)
        }
        found => {
            throttle::record_failure(app.db, &key, client.ip.as_deref(), now).await?;
            let mut event = Event::new(action::LOGIN_FAILED, client)
                .target_text(format!("login:{}", truncate(&login, 64)));
            if let Some(credentials) = &found {
                event = event
                    .target(&credentials.user)
                    .detail(if credentials.user.is_active {
                        "wrong password"
                    } else {
                        "inactive account"
                    });
            } else {
                event = event.detail("unknown login");
            }
            event.record(app).await?;
            Err(AppError::BadCredentials)
        }
    }
}

/// Login: verifies, then replaces whatever session the browser had with a new one.
pub async fn log_in(
    app: &App<'_>,
    cookies: &CookieJar<'_>,
    client: &ClientMeta,
    login: &str,
    password: &str,
) -> AppResult<User> {
    let user = authenticate(app, client, login, password).await?;
    begin_session(app, cookies, client, user, action::LOGIN).await
}

/// Starts a fresh session for `user` (replacing the browser's old one),
/// records the login time and the audit event.
async fn begin_session(
    app: &App<'_>,
    cookies: &CookieJar<'_>,
    client: &ClientMeta,
    mut user: User,
    event: &'static str,
) -> AppResult<User> {
    app.state
        .sessions
        .start(app.db, cookies, user.id, client)
        .await?;
    let now = app.now();
    users::record_login(app.db, user.id, now).await?;
    user.last_login_at = Some(now);
    Event::new(event, client)
        .actor(&user)
        .target(&user)
        .record(app)
        .await?;
    Ok(user)
}

/// Logout: deletes this session's row, so copies of the cookie die with it.
pub async fn log_out(
    app: &App<'_>,
    cookies: &CookieJar<'_>,
    client: &ClientMeta,
    current: &CurrentUser,
) -> AppResult<()> {
    app.state.sessions.end(app.db, cookies).await?;
    Event::new(action::LOGOUT, client)
        .actor(&current.user)
        .target(&current.user)
        .record(app)
        .await
}

/// Validates profile changes; only the given fields are checked.
pub fn validate_profile(input: &ProfileInput) -> Result<UserChanges, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut changes = UserChanges::default();
    if let Some(email) = &input.email {
        changes.email = errors
            .check("email", Email::parse(email))
            .map(Email::into_inner);
    }
    if let Some(first) = &input.first_name {
        changes.first_name = errors
            .check("first_name", PersonName::parse(first))
            .map(PersonName::into_inner);
    }
    if let Some(last) = &input.last_name {
        changes.last_name = errors
            .check("last_name", PersonName::parse(last))
            .map(PersonName::into_inner);
    }
    if let Some(address) = &input.address {
        changes.address = errors
            .check(
                "address",
                OptionalText::parse(address.as_deref(), MAX_ADDRESS_LEN),
            )
            .map(OptionalText::into_inner);
    }
    if let Some(phone) = &input.phone {
        changes.phone = errors
            .check("phone", Phone::parse(phone.as_deref()))
            .map(Phone::into_inner);
    }
    errors.into_result().map(|()| changes)
}

/// Updates the caller's own profile.
pub async fn update_profile(
    app: &App<'_>,
    client: &ClientMeta,
    current: &CurrentUser,
    input: &ProfileInput,
) -> AppResult<User> {
    let changes = validate_profile(input)?;
    let user = users::update(app.db, current.user.id, &changes, app.now())
        .await?
        .ok_or(AppError::NotFound)?;
    Event::new(action::PROFILE_UPDATE, client)
        .actor(&current.user)
        .target(&user)
        .record(app)
        .await?;
    Ok(user)
}

/// Changes the caller's password after checking the current one, then ends
/// every other session of the account.
pub async fn change_password(
    app: &App<'_>,
    client: &ClientMeta,
    current: &CurrentUser,
    current_password: &str,
    new_password: &str,
) -> AppResult<()> {
    let stored = users::password_hash(app.db, current.user.id).await?;
    if !app
        .state
        .hasher
        .verify(current_password, stored.as_deref())
        .await?
    {
        return Err(AppError::invalid(
            "current_password",
            "The current password is not correct.",
        ));
    }
    let context = PasswordContext {
        username: Some(&current.user.username),
        email: Some(&current.user.email),
    };
    let password = Password::parse(new_password, context)
        .map_err(|message| AppError::invalid("new_password", message))?;
    if app
        .state
        .hasher
        .verify(new_password, stored.as_deref())
        .await?
    {
        return Err(AppError::invalid(
            "new_password",
            "Choose a password different from the current one.",
        ));
    }
    let hash = app.state.hasher.hash(&password).await?;
    users::set_password_hash(app.db, current.user.id, &hash, app.now()).await?;
    let revoked =
        sessions::delete_all_for_user(app.db, current.user.id, Some(current.session_id)).await?;
    Event::new(action::PASSWORD_CHANGE, client)
        .actor(&current.user)
        .target(&current.user)
        .detail(format!("other sessions revoked: {revoked}"))
        .record(app)
        .await
}

/// The caller's live sessions, newest first.
pub async fn list_sessions(
    app: &App<'_>,
    user_id: i64,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<SessionRecord>, i64)> {
    let now = app.now();
    sessions::list_for_user(
        app.db,
        user_id,
        now,
        app.state.sessions.idle_cutoff(now),
        limit,
        offset,
    )
    .await
}

/// Revokes one of the caller's sessions by its public id; 404 when it is not theirs.
pub async fn revoke_session(
    app: &App<'_>,
    client: &ClientMeta,
    current: &CurrentUser,
    session_id: i64,
) -> AppResult<()> {
    if !sessions::delete_for_user(app.db, current.user.id, session_id).await? {
        return Err(AppError::NotFound);
    }
    Event::new(action::SESSION_REVOKE, client)
        .actor(&current.user)
        .target(&current.user)
        .detail(format!("session {session_id}"))
        .record(app)
        .await
}

/// Revokes every session of the caller except the current one.
pub async fn revoke_other_sessions(
    app: &App<'_>,
    client: &ClientMeta,
    current: &CurrentUser,
) -> AppResult<u64> {
    let revoked =
        sessions::delete_all_for_user(app.db, current.user.id, Some(current.session_id)).await?;
    Event::new(action::SESSIONS_REVOKE_ALL, client)
        .actor(&current.user)
        .target(&current.user)
        .detail(format!("revoked: {revoked}"))
        .record(app)
        .await?;
    Ok(revoked)
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}
