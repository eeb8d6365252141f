//! Self-service: sign-up, login, logout, profile, password, own sessions.
//!
//! Each operation that changes data is one transaction holding the reads
//! that decide it, its writes and its audit event. argon2 never runs while a
//! transaction is open: passwords are hashed or checked first, and a login
//! (or a password change) is counted against its throttle in a short
//! transaction of its own before the check.

use rocket::http::CookieJar;
use time::OffsetDateTime;

use crate::actor::Actor;
use crate::audit::{Event, action};
use crate::auth::throttle::{self, Attempt, Limit};
use crate::auth::{ClientMeta, Credential};
use crate::db::api_tokens;
use crate::db::sessions::{self, SessionRecord};
use crate::db::users::{self, NewUser, User, UserChanges};
use crate::db::{AppTx, bindable};
use crate::domain::email::login_key;
use crate::domain::{
    Email, FieldErrors, OptionalText, Password, PasswordContext, PersonName, Phone, Role,
    TimeZoneName, Username,
};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::mail::Kind;
use crate::services::idempotency::{self, Claim, IdempotencyKey, Once};
use crate::services::{mfa, recovery};
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
    /// An IANA time zone name from the profile's list.
    pub time_zone: Option<String>,
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

/// Validates a new account and hashes its password (off the async
/// workers), ready to insert in a transaction; nothing is written.
pub(crate) async fn prepare_account(
    app: &App<'_>,
    input: &NewAccount<'_>,
    role: Role,
    is_active: bool,
) -> AppResult<NewUser> {
    let (mut new_user, password) = validate_new_account(input, role, is_active)?;
    new_user.password_hash = app.state.hasher.hash(&password).await?;
    Ok(new_user)
}

/// Sign-up: creates a `user` account and its first session, in one
/// transaction with the audit event; the cookie is set once it commits.
pub async fn sign_up(
    app: &App<'_>,
    cookies: &CookieJar<'_>,
    client: &ClientMeta,
    input: &NewAccount<'_>,
) -> AppResult<User> {
    Ok(sign_up_once(app, cookies, client, input, None).await?.value)
}

/// Where sign-up keys are claimed: there is no caller yet to scope them to.
const SIGN_UP_SCOPE: &str = "signup";

/// [`sign_up`] under an `Idempotency-Key`: a retry with the same key and
/// details gets the account the first request made instead of a 409. The
/// retry opens no session: a session id is a secret that is never stored
/// for replaying, and a session granted on the key alone would skip the
/// password, so the client logs in. The fingerprint (see
/// [`sign_up_fingerprint`]) leaves the password out for the same reason.
pub async fn sign_up_once(
    app: &App<'_>,
    cookies: &CookieJar<'_>,
    client: &ClientMeta,
    input: &NewAccount<'_>,
    key: Option<&IdempotencyKey>,
) -> AppResult<Once<User>> {
    let new_user = prepare_account(app, input, Role::User, true).await?;
    let now = app.now();
    let mut tx = app.begin().await?;
    if let Claim::Done(user_id) = idempotency::claim(&mut tx, SIGN_UP_SCOPE, key, now).await? {
        let user = users::find(&mut tx, user_id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.rollback().await?;
        return Ok(Once {
            value: user,
            replayed: true,
        });
    }
    let user = users::insert(&mut tx, &new_user, now).await?;
    idempotency::complete(&mut tx, SIGN_UP_SCOPE, key, user.id).await?;
    recovery::queue_verification(app, &mut tx, &user, now).await?;
    let user = if app.state.config.require_verified_email {
        // Inactive until verified: no session before the link is used.
        Event::new(action::SIGNUP, client)
            .actor(&user)
            .target(&user)
            .detail("no session until the address is verified")
            .record(&mut tx, now)
            .await?;
        tx.commit().await?;
        user
    } else {
        open_session(app, tx, cookies, client, user, action::SIGNUP, now).await?
    };
    app.state.mail.wake();
    Ok(Once {
        value: user,
        replayed: false,
    })
}

/// What an `Idempotency-Key` on sign-up is compared by: every detail but
/// the password, which is kept nowhere but in its argon2 hash.
pub fn sign_up_fingerprint(input: &NewAccount<'_>) -> String {
    format!(
        "{:?}",
        (
            input.username,
            input.email,
            input.first_name,
            input.last_name,
            input.address,
            input.phone,
        )
    )
}

/// The answer to a right password for an unverified address when
/// `require_verified_email` is set.
pub const UNVERIFIED: &str = "Confirm your e-mail address first, with the link we sent to it.";

/// Where a right password leads.
#[derive(Debug)]
pub enum LoginStep {
    /// Logged in: the session cookie is set.
    LoggedIn(Box<User>),
    /// The account has a second factor: no session yet. The token names
    /// the pending login for its code step ([`mfa::finish_login`]).
    CodeNeeded { mfa_token: String },
}

/// Login: checks the name and password (throttled), then, in one
/// transaction, forgets the account's failures, replaces whatever session
/// the browser had with a new one, records the login time and the event.
///
/// An account with a second factor gets no session here: its attempt stays
/// counted (so guessing codes costs attempts too) and a pending login waits
/// for the code.
pub async fn log_in(
    app: &App<'_>,
    cookies: &CookieJar<'_>,
    client: &ClientMeta,
    login: &str,
    password: &str,
) -> AppResult<LoginStep> {
    let (user, key) = authenticate(app, client, login, password).await?;
    if user.mfa_enabled_at.is_some() {
        let mfa_token = mfa::challenge(app, &user).await?;
        return Ok(LoginStep::CodeNeeded { mfa_token });
    }
    let now = app.now();
    let mut tx = app.begin().await?;
    throttle::forget(&mut tx, &key).await?;
    open_session(app, tx, cookies, client, user, action::LOGIN, now)
        .await
        .map(|user| LoginStep::LoggedIn(Box::new(user)))
}

/// The answer to a password grant for an account with a second factor: it
/// cannot pass a code, so it gets no token (personal access tokens work).
pub const GRANT_NEEDS_CODE: &str = "This account uses two-factor sign-in, so the password grant \
     cannot log it in: log in with POST /api/auth/login and POST /api/auth/login/code, or use a \
     personal access token.";

/// The OAuth2 password grant (`POST /api/auth/token`): checks the name
/// and password exactly as a login does (same throttle, same audit), then,
/// in one transaction, opens an API session and records the login. Returns
/// the session's secret, the client's bearer token.
pub async fn issue_bearer(
    app: &App<'_>,
    client: &ClientMeta,
    login: &str,
    password: &str,
) -> AppResult<String> {
    let (user, key) = authenticate(app, client, login, password).await?;
    let now = app.now();
    if user.mfa_enabled_at.is_some() {
        // The attempt stays counted: a right password here must not wipe
        // the failures of codes guessed on the login's second step.
        Event::new(action::LOGIN_FAILED, client)
            .target(&user)
            .detail("password grant refused: two-factor sign-in is on")
            .record(&mut app.acquire().await?, now)
            .await?;
        return Err(AppError::SecondFactorRequired { mfa_token: None });
    }
    let mut tx = app.begin().await?;
    throttle::forget(&mut tx, &key).await?;
    let issued = app
        .state
        .sessions
        .issue_api(&mut tx, user.id, client, now)
        .await?;
    users::record_login(&mut tx, user.id, now).await?;
    Event::new(action::LOGIN, client)
        .actor(&user)
        .target(&user)
        .detail("API session (bearer token)")
        .record(&mut tx, now)
        .await?;
    tx.commit().await?;
    crate::metrics::get().sessions_created.inc();
    Ok(issued.into_secret())
}

/// Checks a login name and password; returns the user and the throttle key
/// to forget once the login is recorded. Unknown name, wrong password and
/// inactive account all cost one argon2 verification and give
/// [`AppError::BadCredentials`], so neither answer nor timing tells them
/// apart.
///
/// The attempt is counted first (see [`throttle::reserve`]), in a short
/// transaction that also reads the account; a refusal is answered before
/// any password is checked, and reported in the audit log once per key and
/// window. A failure's event is a single statement of its own: the
/// failure itself was recorded by the reservation.
async fn authenticate(
    app: &App<'_>,
    client: &ClientMeta,
    login: &str,
    password: &str,
) -> AppResult<(User, String)> {
    // E-mail logins are normalised exactly as stored addresses are (NFKC,
    // punycode domain), so a look-alike spelling finds the same account.
    let login = bindable(&login_key(login.trim())).to_lowercase();
    let shown = format!("login:{}", truncate(&login, 64));
    let now = app.now();
    let mut tx = app.begin().await?;
    let found = if login.is_empty() || login.len() > MAX_LOGIN_LEN {
        None
    } else {
        users::credentials_by_login(&mut tx, &login).await?
    };
    let key = throttle::account_key(found.as_ref().map(|c| c.user.id), &truncate(&login, 64));
    count_attempt(app, tx, &key, client.ip.as_deref(), now, |limit| {
        Event::new(action::LOGIN_THROTTLED, client)
            .target_text(shown.clone())
            .detail(format!(
                "{}; further refusals in this window are not logged",
                limit.describe()
            ))
    })
    .await
    .inspect_err(|error| {
        if matches!(error, AppError::Throttled { .. }) {
            crate::metrics::get().logins_throttled.inc();
        }
    })?;

    let verified = app
        .state
        .hasher
        .verify(password, found.as_ref().map(|c| c.password_hash.as_str()))
        .await?;
    match found {
        Some(credentials)
            if verified
                && credentials.user.is_active
                && app.state.config.require_verified_email
                && credentials.user.email_verified_at.is_none() =>
        {
            Event::new(action::LOGIN_FAILED, client)
                .target(&credentials.user)
                .detail("address not verified")
                .record(&mut app.acquire().await?, now)
                .await?;
            crate::metrics::get().logins_failed.inc();
            Err(AppError::Forbidden(UNVERIFIED))
        }
        Some(credentials) if verified && credentials.user.is_active => Ok((credentials.user, key)),
        found => {
            let mut event = Event::new(action::LOGIN_FAILED, client).target_text(shown);
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
            event.record(&mut app.acquire().await?, now).await?;
            crate::metrics::get().logins_failed.inc();
            Err(AppError::BadCredentials)
        }
    }
}

/// Counts an attempt on `key` before its password is checked (see
/// [`throttle::reserve`]), in `tx`, and commits it. Over a limit the answer
/// is [`AppError::Throttled`], and the first refusal of the window is
/// audited with the event `refused` builds.
pub(crate) async fn count_attempt(
    app: &App<'_>,
    mut tx: AppTx,
    key: &str,
    ip: Option<&str>,
    now: OffsetDateTime,
    refused: impl FnOnce(Limit) -> Event,
) -> AppResult<()> {
    let attempt = throttle::reserve(&mut tx, &app.state.config, key, ip, now).await?;
    let outcome = match attempt {
        Attempt::Counted => Ok(()),
        Attempt::Refused {
            retry_after,
            limit,
            first,
        } => {
            if first {
                refused(limit).record(&mut tx, now).await?;
            }
            Err(AppError::Throttled { retry_after })
        }
    };
    tx.commit().await?;
    outcome
}

/// Ends a sign-up or login: in `tx`, a new session for `user` (replacing
/// the browser's old one), the login time and the `event`; then commits and
/// hands the browser the session's cookie.
pub(crate) async fn open_session(
    app: &App<'_>,
    mut tx: AppTx,
    cookies: &CookieJar<'_>,
    client: &ClientMeta,
    mut user: User,
    event: &'static str,
    now: OffsetDateTime,
) -> AppResult<User> {
    let sessions = &app.state.sessions;
    let issued = sessions
        .issue(&mut tx, cookies, user.id, client, now)
        .await?;
    users::record_login(&mut tx, user.id, now).await?;
    user.last_login_at = Some(now);
    Event::new(event, client)
        .actor(&user)
        .target(&user)
        .record(&mut tx, now)
        .await?;
    tx.commit().await?;
    crate::metrics::get().sessions_created.inc();
    sessions.set_cookie(cookies, issued);
    Ok(user)
}

/// Logout: deletes the credential the request came with (the session
/// row, or the personal access token) with the event, so copies of it die
/// with it; then drops the cookie of a cookie session.
pub async fn log_out(
    app: &App<'_>,
    cookies: &CookieJar<'_>,
    actor: &Actor,
    credential: Credential,
) -> AppResult<()> {
    let user_id = actor.account_id()?;
    let now = app.now();
    let mut tx = app.begin().await?;
    let detail = match credential {
        Credential::Cookie => {
            app.state
                .sessions
                .delete_presented(&mut tx, cookies)
                .await?;
            None
        }
        Credential::ApiSession => {
            if let Some(id) = actor.session_id() {
                sessions::delete_for_user(&mut tx, user_id, id).await?;
            }
            Some("API session (bearer token)".to_owned())
        }
        Credential::Token { id, .. } => {
            api_tokens::delete_for_user(&mut tx, user_id, id).await?;
            Some(format!("personal access token {id} revoked"))
        }
    };
    let mut event = Event::by(action::LOGOUT, actor).target_self();
    if let Some(detail) = detail {
        event = event.detail(detail);
    }
    event.record(&mut tx, now).await?;
    tx.commit().await?;
    if credential == Credential::Cookie {
        app.state.sessions.clear_cookie(cookies);
    }
    Ok(())
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
    if let Some(zone) = &input.time_zone {
        changes.time_zone = errors
            .check("time_zone", TimeZoneName::parse(zone))
            .map(TimeZoneName::into_inner);
    }
    errors.into_result().map(|()| changes)
}

/// Updates the caller's own profile.
///
/// A new e-mail address is unverified until the link sent to it is used,
/// and the old address is told of the change.
pub async fn update_profile(app: &App<'_>, actor: &Actor, input: &ProfileInput) -> AppResult<User> {
    let mut changes = validate_profile(input)?;
    let id = actor.account_id()?;
    let now = app.now();
    let mut tx = app.begin().await?;
    let before = users::find_for_update(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let email_changed = changes
        .email
        .as_ref()
        .is_some_and(|email| *email != before.email);
    if email_changed {
        changes.email_verified = Some(false);
    }
    let user = users::update(&mut tx, id, &changes, now)
        .await?
        .ok_or(AppError::NotFound)?;
    Event::by(action::PROFILE_UPDATE, actor)
        .target(&user)
        .record(&mut tx, now)
        .await?;
    if email_changed {
        announce_new_address(app, &mut tx, &before, &user, now).await?;
    }
    tx.commit().await?;
    if email_changed {
        app.state.mail.wake();
    }
    Ok(user)
}

/// After a change of address, in its transaction: a verification link to
/// the new address (unless already marked verified) and a notice to the
/// old one.
pub(crate) async fn announce_new_address(
    app: &App<'_>,
    tx: &mut AppTx,
    before: &User,
    after: &User,
    now: OffsetDateTime,
) -> AppResult<()> {
    if after.email_verified_at.is_none() {
        recovery::queue_verification(app, tx, after, now).await?;
    }
    recovery::queue_notice(
        app,
        tx,
        Kind::EmailChanged,
        after,
        &before.email,
        &[("new_email", after.email.as_str())],
        now,
    )
    .await
}

/// Changes the caller's password after checking the current one, and ends
/// every other session of the account.
///
/// The current password is checked like a login: the attempt is counted
/// with the account's login failures first (429 past the limit, even with
/// the right password), a wrong one stays counted and is audited. The new
/// password is stored only if the hash is still the one just checked, so a
/// concurrent change is never overwritten.
pub async fn change_password(
    app: &App<'_>,
    actor: &Actor,
    current_password: &str,
    new_password: &str,
) -> AppResult<()> {
    if new_password == current_password {
        return Err(AppError::invalid(
            "new_password",
            Msg::new("password-unchanged"),
        ));
    }
    let id = actor.account_id()?;
    let key = throttle::account_key(Some(id), "");
    let now = app.now();

    let mut tx = app.begin().await?;
    let stored = users::credentials(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let context = PasswordContext {
        username: Some(&stored.user.username),
        email: Some(&stored.user.email),
    };
    let password = Password::parse(new_password, context)
        .map_err(|message| AppError::invalid("new_password", message))?;
    count_attempt(app, tx, &key, actor.client.ip.as_deref(), now, |limit| {
        Event::by(action::LOGIN_THROTTLED, actor)
            .target(&stored.user)
            .detail(format!("password change; {}", limit.describe()))
    })
    .await?;

    let hasher = &app.state.hasher;
    if !hasher
        .verify(current_password, Some(&stored.password_hash))
        .await?
    {
        Event::by(action::PASSWORD_CHANGE_FAILED, actor)
            .target(&stored.user)
            .detail("wrong current password")
            .record(&mut app.acquire().await?, now)
            .await?;
        return Err(wrong_current_password());
    }
    let hash = hasher.hash(&password).await?;

    let mut tx = app.begin().await?;
    if !users::replace_password_hash(&mut tx, id, &stored.password_hash, &hash, now).await? {
        return Err(wrong_current_password());
    }
    throttle::forget(&mut tx, &key).await?;
    let revoked = sessions::delete_all_for_user(&mut tx, id, actor.session_id()).await?;
    let tokens = api_tokens::delete_all_for_user(&mut tx, id).await?;
    Event::by(action::PASSWORD_CHANGE, actor)
        .target(&stored.user)
        .detail(format!(
            "other sessions revoked: {revoked}; personal access tokens revoked: {tokens}"
        ))
        .record(&mut tx, now)
        .await?;
    let user = &stored.user;
    recovery::queue_notice(
        app,
        &mut tx,
        Kind::PasswordChanged,
        user,
        &user.email,
        &[],
        now,
    )
    .await?;
    tx.commit().await?;
    app.state.mail.wake();
    Ok(())
}

fn wrong_current_password() -> AppError {
    AppError::invalid("current_password", Msg::new("current-password-wrong"))
}

/// The caller's live sessions, newest first.
pub async fn list_sessions(
    app: &App<'_>,
    actor: &Actor,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<SessionRecord>, i64)> {
    live_sessions(app, actor.account_id()?, limit, offset).await
}

/// A user's live sessions, newest first, and how many there are.
pub(crate) async fn live_sessions(
    app: &App<'_>,
    user_id: i64,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<SessionRecord>, i64)> {
    let now = app.now();
    let idle_cutoff = app.state.sessions.idle_cutoff(now);
    let mut conn = app.acquire().await?;
    sessions::list_for_user(&mut conn, user_id, now, idle_cutoff, limit, offset).await
}

/// Revokes one of the caller's sessions by its public id; 404 when it is not theirs.
pub async fn revoke_session(app: &App<'_>, actor: &Actor, session_id: i64) -> AppResult<()> {
    let id = actor.account_id()?;
    let now = app.now();
    let mut tx = app.begin().await?;
    if !sessions::delete_for_user(&mut tx, id, session_id).await? {
        return Err(AppError::NotFound);
    }
    Event::by(action::SESSION_REVOKE, actor)
        .target_self()
        .detail(format!("session {session_id}"))
        .record(&mut tx, now)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Revokes every session of the caller except the current one.
pub async fn revoke_other_sessions(app: &App<'_>, actor: &Actor) -> AppResult<u64> {
    let id = actor.account_id()?;
    let now = app.now();
    let mut tx = app.begin().await?;
    let revoked = sessions::delete_all_for_user(&mut tx, id, actor.session_id()).await?;
    Event::by(action::SESSIONS_REVOKE_ALL, actor)
        .target_self()
        .detail(format!("revoked: {revoked}"))
        .record(&mut tx, now)
        .await?;
    tx.commit().await?;
    Ok(revoked)
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}
