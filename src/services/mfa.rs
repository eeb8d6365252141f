//! Two-factor sign-in: enrolment (a pending secret, confirmed by its first
//! code), recovery codes, turning it off, an administrator's reset, and the
//! second step of a login.
//!
//! Every change is one transaction with its audit event and its notice to
//! the account's address, and ends the account's other sessions. Codes are
//! checked like passwords where an attacker could guess them: the attempt
//! is counted against the account's login limit first, in a transaction of
//! its own, and forgotten only when the code was right.

use rocket::http::CookieJar;
use time::{Duration, OffsetDateTime};

use crate::actor::Actor;
use crate::audit::{Event, action};
use crate::auth::ClientMeta;
use crate::auth::session::{random_token, token_hash};
use crate::auth::throttle;
use crate::auth::totp;
use crate::db::mfa::{self, SecretRow};
use crate::db::users::{self, User};
use crate::db::{AppConn, AppTx, sessions};
use crate::error::{AppError, AppResult};
use crate::mail::Kind;
use crate::services::accounts::{count_attempt, open_session};
use crate::services::recovery;
use crate::state::App;

/// The answer to a code that is wrong, too old, or already used.
pub const WRONG_CODE: &str =
    "That code is not right, or was used already: enter the current code from your app.";
const NOT_ON: &str = "Two-factor sign-in is not turned on for this account.";
const ALREADY_ON: &str = "Two-factor sign-in is already turned on for this account.";
const NOTHING_PENDING: &str = "Start the set-up first: there is no secret waiting for its code.";
/// A pending login that is unknown, expired or used.
pub const LOGIN_EXPIRED: &str =
    "This sign-in has expired or was already used: log in again with your password.";

/// Where an account stands.
#[derive(Debug, Clone)]
pub struct Status {
    pub enabled_at: Option<OffsetDateTime>,
    /// A secret waits for its first code.
    pub pending: bool,
    pub recovery_codes_left: i64,
}

/// What an authenticator app needs to add the account.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// The secret in base32, to type in.
    pub secret: String,
    /// The `otpauth://` URI, the QR code's content.
    pub otpauth_uri: String,
}

/// Which kind of code was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Accepted {
    Totp,
    Recovery,
}

pub async fn status(app: &App<'_>, user: &User) -> AppResult<Status> {
    let mut conn = app.acquire().await?;
    let row = mfa::secret(&mut conn, user.id).await?;
    let recovery_codes_left = match user.mfa_enabled_at {
        Some(_) => mfa::recovery_codes_left(&mut conn, user.id).await?,
        None => 0,
    };
    Ok(Status {
        enabled_at: user.mfa_enabled_at,
        pending: row.is_some_and(|row| row.confirmed_at.is_none()),
        recovery_codes_left,
    })
}

fn enrolment(secret: &[u8], user: &User) -> AppResult<Enrolment> {
    let (secret, otpauth_uri) = totp::provisioning(secret, &user.username)?;
    Ok(Enrolment {
        secret,
        otpauth_uri,
    })
}

/// Starts (or starts over) the enrolment: a new secret, pending until a
/// code made with it is confirmed. Nothing changes for the login until then.
pub async fn start(app: &App<'_>, user: &User) -> AppResult<Enrolment> {
    if user.mfa_enabled_at.is_some() {
        return Err(AppError::conflict("code", ALREADY_ON));
    }
    let keys = app.state.vault.keys()?;
    let secret = totp::new_secret();
    let sealed = keys.seal(user.id, &secret)?;
    let mut conn = app.acquire().await?;
    if !mfa::put_pending(&mut conn, user.id, &sealed, app.now()).await? {
        return Err(AppError::conflict("code", ALREADY_ON));
    }
    enrolment(&secret, user)
}

/// The pending enrolment, to show again (a reloaded page).
pub async fn pending(app: &App<'_>, user: &User) -> AppResult<Option<Enrolment>> {
    let mut conn = app.acquire().await?;
    match mfa::secret(&mut conn, user.id).await? {
        Some(row) if row.confirmed_at.is_none() => {
            let secret = app.state.vault.keys()?.open(user.id, &row.sealed)?;
            enrolment(&secret, user).map(Some)
        }
        _ => Ok(None),
    }
}

/// New recovery codes for `user_id`, replacing the old ones, in `tx`.
async fn issue_recovery_codes(
    app: &App<'_>,
    tx: &mut AppConn,
    user_id: i64,
) -> AppResult<Vec<String>> {
    let keys = app.state.vault.keys()?;
    let codes = totp::new_recovery_codes();
    let hashes: Vec<Vec<u8>> = codes
        .iter()
        .filter_map(|code| totp::normal_recovery_code(code))
        .map(|normal| keys.recovery_hash(user_id, &normal))
        .collect();
    mfa::replace_recovery_codes(tx, user_id, &hashes).await?;
    Ok(codes)
}

/// Checks `code` (a TOTP code, or a recovery code where `recovery` allows
/// one) against the account's confirmed or pending secret and uses it up
/// in `tx`: a TOTP step is recorded so it is never accepted again, a
/// recovery code is marked used. `None` when it is not right.
async fn use_code(
    app: &App<'_>,
    tx: &mut AppConn,
    user_id: i64,
    row: &SecretRow,
    code: &str,
    recovery: bool,
    now: OffsetDateTime,
) -> AppResult<Option<Accepted>> {
    let keys = app.state.vault.keys()?;
    if totp::looks_like_code(code) {
        let secret = keys.open(user_id, &row.sealed)?;
        let step = totp::matching_step(&secret, code, now.unix_timestamp(), row.last_step)?;
        let confirm = row.confirmed_at.is_none().then_some(now);
        return Ok(match step {
            Some(step) if mfa::use_step(tx, user_id, step, confirm).await? => Some(Accepted::Totp),
            _ => None,
        });
    }
    match totp::normal_recovery_code(code) {
        Some(normal) if recovery => {
            let hash = keys.recovery_hash(user_id, &normal);
            Ok(mfa::use_recovery_code(tx, user_id, &hash, now)
                .await?
                .then_some(Accepted::Recovery))
        }
        _ => Ok(None),
    }
}

/// Confirms the pending enrolment with a first code: two-factor sign-in is
/// on, ten recovery codes are made (returned to be shown once), the other
/// sessions end, and the owner is told.
pub async fn confirm(app: &App<'_>, actor: &Actor, code: &str) -> AppResult<Vec<String>> {
    let id = actor.account_id()?;
    let now = app.now();
    let mut tx = app.begin().await?;
    let user = users::find_for_update(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let row = match mfa::secret(&mut tx, id).await? {
        Some(row) if row.confirmed_at.is_none() => row,
        Some(_) => return Err(AppError::conflict("code", ALREADY_ON)),
        None => return Err(AppError::conflict("code", NOTHING_PENDING)),
    };
    if use_code(app, &mut tx, id, &row, code, false, now)
        .await?
        .is_none()
    {
        tx.rollback().await?;
        return Err(AppError::invalid("code", WRONG_CODE));
    }
    mfa::set_enabled(&mut tx, id, Some(now), now).await?;
    let codes = issue_recovery_codes(app, &mut tx, id).await?;
    let ended = sessions::delete_all_for_user(&mut tx, id, actor.session_id()).await?;
    Event::by(action::MFA_ENABLE, actor)
        .target(&user)
        .detail(format!("other sessions ended: {ended}"))
        .record(&mut tx, now)
        .await?;
    notify(app, &mut tx, &user, "enabled", None, now).await?;
    tx.commit().await?;
    app.state.mail.wake();
    Ok(codes)
}

/// Checks the password and a code (TOTP or recovery) of the acting
/// account before a change to its second factor. The attempt counts
/// against the login limit first; a wrong password or code is audited.
/// Returns the open transaction in which the code was used up, for the
/// change itself.
async fn authorise_change(
    app: &App<'_>,
    actor: &Actor,
    password: &str,
    code: &str,
) -> AppResult<(AppTx, User)> {
    let id = actor.account_id()?;
    let key = throttle::account_key(Some(id), "");
    let now = app.now();
    let mut tx = app.begin().await?;
    let stored = users::credentials(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if stored.user.mfa_enabled_at.is_none() {
        tx.rollback().await?;
        return Err(AppError::conflict("code", NOT_ON));
    }
    count_attempt(app, tx, &key, actor.client.ip.as_deref(), now, |limit| {
        Event::by(action::LOGIN_THROTTLED, actor)
            .target(&stored.user)
            .detail(format!("two-factor change; {}", limit.describe()))
    })
    .await?;
    let user = stored.user;
    let failed = |why: &'static str| {
        Event::by(action::MFA_CHANGE_FAILED, actor)
            .target(&user)
            .detail(why)
    };
    if !app
        .state
        .hasher
        .verify(password, Some(&stored.password_hash))
        .await?
    {
        failed("wrong password")
            .record(&mut app.acquire().await?, now)
            .await?;
        return Err(AppError::invalid(
            "password",
            "The password is not correct.",
        ));
    }
    let mut tx = app.begin().await?;
    let accepted = match mfa::secret(&mut tx, id).await? {
        Some(row) if row.confirmed_at.is_some() => {
            use_code(app, &mut tx, id, &row, code, true, now).await?
        }
        _ => None,
    };
    if accepted.is_none() {
        tx.rollback().await?;
        failed("wrong code")
            .record(&mut app.acquire().await?, now)
            .await?;
        return Err(AppError::invalid("code", WRONG_CODE));
    }
    throttle::forget(&mut tx, &key).await?;
    Ok((tx, user))
}

/// Turns two-factor sign-in off (password and a code needed).
pub async fn disable(app: &App<'_>, actor: &Actor, password: &str, code: &str) -> AppResult<()> {
    let (mut tx, user) = authorise_change(app, actor, password, code).await?;
    let now = app.now();
    mfa::remove(&mut tx, user.id, now).await?;
    let ended = sessions::delete_all_for_user(&mut tx, user.id, actor.session_id()).await?;
    Event::by(action::MFA_DISABLE, actor)
        .target(&user)
        .detail(format!("other sessions ended: {ended}"))
        .record(&mut tx, now)
        .await?;
    notify(app, &mut tx, &user, "disabled", None, now).await?;
    tx.commit().await?;
    app.state.mail.wake();
    Ok(())
}

/// Replaces the recovery codes (password and a code needed); the new ones
/// are returned to be shown once.
pub async fn regenerate(
    app: &App<'_>,
    actor: &Actor,
    password: &str,
    code: &str,
) -> AppResult<Vec<String>> {
    let (mut tx, user) = authorise_change(app, actor, password, code).await?;
    let now = app.now();
    let codes = issue_recovery_codes(app, &mut tx, user.id).await?;
    let ended = sessions::delete_all_for_user(&mut tx, user.id, actor.session_id()).await?;
    Event::by(action::MFA_RECOVERY_CODES, actor)
        .target(&user)
        .detail(format!("other sessions ended: {ended}"))
        .record(&mut tx, now)
        .await?;
    notify(app, &mut tx, &user, "codes_regenerated", None, now).await?;
    tx.commit().await?;
    app.state.mail.wake();
    Ok(codes)
}

/// An administrator removes another account's second factor (a lost
/// phone, no recovery code left): its sessions end and its owner is told.
/// 404 for an unknown account, 409 when it has none.
pub async fn admin_reset(app: &App<'_>, actor: &Actor, user_id: i64) -> AppResult<()> {
    if !actor.is_admin() {
        return Err(AppError::Forbidden("Only administrators may do this."));
    }
    let now = app.now();
    let mut tx = app.begin().await?;
    let user = users::find_for_update(&mut tx, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !mfa::remove(&mut tx, user_id, now).await? {
        tx.rollback().await?;
        return Err(AppError::conflict("mfa", NOT_ON));
    }
    let keep = (actor.user_id() == Some(user_id))
        .then(|| actor.session_id())
        .flatten();
    let ended = sessions::delete_all_for_user(&mut tx, user_id, keep).await?;
    Event::by(action::MFA_RESET, actor)
        .target(&user)
        .detail(format!("sessions ended: {ended}"))
        .record(&mut tx, now)
        .await?;
    notify(app, &mut tx, &user, "reset", None, now).await?;
    tx.commit().await?;
    app.state.mail.wake();
    Ok(())
}

async fn notify(
    app: &App<'_>,
    tx: &mut AppConn,
    user: &User,
    change: &str,
    codes_left: Option<i64>,
    now: OffsetDateTime,
) -> AppResult<()> {
    let left = codes_left.map(|n| n.to_string()).unwrap_or_default();
    recovery::queue_notice(
        app,
        tx,
        Kind::MfaChanged,
        user,
        &user.email,
        &[("change", change), ("codes_left", &left)],
        now,
    )
    .await
}

/// After a right password: a pending login for `user`, waiting for its
/// code. Returns the token that names it (only its hash is stored).
pub async fn challenge(app: &App<'_>, user: &User) -> AppResult<String> {
    let token = random_token();
    let now = app.now();
    let ttl = Duration::seconds(app.state.config.mfa_login_ttl.max(30));
    let mut conn = app.acquire().await?;
    mfa::insert_challenge(&mut conn, &token_hash(&token), user.id, now, now + ttl).await?;
    Ok(token)
}

/// The second step of a login: the pending login named by `mfa_token` and
/// a code (TOTP, or a recovery code, which then ends the other sessions).
/// On success the pending login is used up and a session is opened as by
/// a password login. Unknown, expired or used tokens answer
/// [`AppError::Unauthenticated`]; wrong codes 422 on `code`, counted
/// against the account's login limit.
pub async fn finish_login(
    app: &App<'_>,
    cookies: &CookieJar<'_>,
    client: &ClientMeta,
    mfa_token: &str,
    code: &str,
) -> AppResult<User> {
    let now = app.now();
    let hash = token_hash(mfa_token);
    let user_id = {
        let mut conn = app.acquire().await?;
        mfa::challenge_owner(&mut conn, &hash, now).await?
    }
    .ok_or(AppError::Unauthenticated)?;
    let key = throttle::account_key(Some(user_id), "");
    let mut tx = app.begin().await?;
    let user = users::find(&mut tx, user_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    count_attempt(app, tx, &key, client.ip.as_deref(), now, |limit| {
        Event::new(action::LOGIN_THROTTLED, client)
            .target(&user)
            .detail(format!("two-factor code; {}", limit.describe()))
    })
    .await?;

    let mut tx = app.begin().await?;
    let row = mfa::secret(&mut tx, user_id).await?;
    let accepted = match (&row, users::find_for_update(&mut tx, user_id).await?) {
        (Some(row), Some(found)) if found.is_active && row.confirmed_at.is_some() => {
            use_code(app, &mut tx, user_id, row, code, true, now).await?
        }
        _ => {
            tx.rollback().await?;
            return Err(AppError::Unauthenticated);
        }
    };
    let Some(accepted) = accepted else {
        tx.rollback().await?;
        Event::new(action::LOGIN_FAILED, client)
            .target(&user)
            .detail("wrong two-factor code")
            .record(&mut app.acquire().await?, now)
            .await?;
        return Err(AppError::invalid("code", WRONG_CODE));
    };
    if !mfa::consume_challenge(&mut tx, &hash, user_id, now).await? {
        tx.rollback().await?;
        return Err(AppError::Unauthenticated);
    }
    throttle::forget(&mut tx, &key).await?;
    if accepted == Accepted::Recovery {
        let ended = sessions::delete_all_for_user(&mut tx, user_id, None).await?;
        let left = mfa::recovery_codes_left(&mut tx, user_id).await?;
        Event::new(action::MFA_RECOVERY_USED, client)
            .actor(&user)
            .target(&user)
            .detail(format!(
                "recovery codes left: {left}; other sessions ended: {ended}"
            ))
            .record(&mut tx, now)
            .await?;
        notify(app, &mut tx, &user, "recovery_used", Some(left), now).await?;
    }
    let user = open_session(app, tx, cookies, client, user, action::LOGIN, now).await?;
    if accepted == Accepted::Recovery {
        app.state.mail.wake();
    }
    Ok(user)
}
