//! Password reset and e-mail verification by e-mailed single-use links,
//! and the notices that tell an account's owner about changes.
//!
//! A link carries 256 random bits; the database keeps only their SHA-256
//! ([`link_tokens`]). A token is deleted when used, so a second use finds
//! nothing; expired tokens never match and the sweeper deletes them.

use rocket_dyn_templates::tera::Context;
use time::{Duration, OffsetDateTime};

use crate::actor::Actor;
use crate::audit::{Event, action};
use crate::auth::ClientMeta;
use crate::auth::session::{random_token, token_hash};
use crate::auth::throttle;
use crate::db::link_tokens::{self, Purpose};
use crate::db::users::{self, User, UserChanges};
use crate::db::{AppConn, bindable, outbox, throttle as throttle_db};
use crate::domain::email::login_key;
use crate::domain::{Password, PasswordContext};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::mail::{Kind, Letter};
use crate::state::App;

/// Page of the reset link; the verification page.
pub const RESET_PATH: &str = "/password/reset";
pub const VERIFY_PATH: &str = "/verify-email";
/// Reset requests per client address within `login_ip_window`.
const RESET_REQUESTS_PER_ADDRESS: i64 = 20;

fn bad_token() -> AppError {
    AppError::invalid("token", Msg::new("link-invalid"))
}

/// Stores a new token of `purpose` for `user_id` and returns it (the only
/// place it ever exists in clear is the message or the CLI's output).
async fn issue_token(
    conn: &mut AppConn,
    purpose: Purpose,
    user_id: i64,
    email: Option<&str>,
    ttl_seconds: i64,
    now: OffsetDateTime,
) -> AppResult<String> {
    let token = random_token();
    let expires_at = now + Duration::seconds(ttl_seconds);
    link_tokens::insert(
        conn,
        &token_hash(&token),
        purpose,
        user_id,
        email,
        now,
        expires_at,
    )
    .await?;
    Ok(token)
}

fn context_for(user: &User) -> Context {
    let mut context = Context::new();
    context.insert("username", &user.username);
    context
}

/// Queues a verification link to the account's current address, voiding
/// the older ones, in the caller's transaction.
pub(crate) async fn queue_verification(
    app: &App<'_>,
    conn: &mut AppConn,
    user: &User,
    now: OffsetDateTime,
) -> AppResult<()> {
    let config = &app.state.config;
    link_tokens::void_for_user(conn, user.id, Purpose::VerifyEmail).await?;
    let token = issue_token(
        conn,
        Purpose::VerifyEmail,
        user.id,
        Some(&user.email),
        config.email_verify_ttl,
        now,
    )
    .await?;
    let mut context = context_for(user);
    context.insert("email", &user.email);
    context.insert("link", &app.state.mail.link(VERIFY_PATH, &token));
    context.insert("hours", &(config.email_verify_ttl / 3600).max(1));
    let letter = Letter {
        kind: Kind::VerifyEmail,
        to: &user.email,
        user_id: Some(user.id),
        context,
    };
    app.state.mail.queue(conn, letter, now).await?;
    Ok(())
}

/// Queues a notice about the account to `to`, in the caller's transaction.
pub(crate) async fn queue_notice(
    app: &App<'_>,
    conn: &mut AppConn,
    kind: Kind,
    user: &User,
    to: &str,
    extra: &[(&str, &str)],
    now: OffsetDateTime,
) -> AppResult<()> {
    let mut context = context_for(user);
    for (key, value) in extra {
        context.insert(*key, value);
    }
    let letter = Letter {
        kind,
        to,
        user_id: Some(user.id),
        context,
    };
    app.state.mail.queue(conn, letter, now).await?;
    Ok(())
}

/// "Forgot my password": sends a reset link to the account named by
/// `login` (username or e-mail). The answer is the same whether or not the
/// account exists, and requests past the limits (per account, per client
/// address) are dropped without saying so.
pub async fn request_reset(app: &App<'_>, client: &ClientMeta, login: &str) -> AppResult<()> {
    let login = bindable(&login_key(login.trim())).to_lowercase();
    let now = app.now();
    let config = &app.state.config;
    let mut tx = app.begin().await?;
    if !count_request(&mut tx, config, client, now).await? {
        return Ok(());
    }
    let found = if login.is_empty() || login.chars().count() > 254 {
        None
    } else {
        users::credentials_by_login(&mut tx, &login).await?
    };
    let Some(user) = found.map(|c| c.user).filter(|user| user.is_active) else {
        tx.commit().await?;
        return Ok(());
    };
    let since = now - Duration::seconds(config.login_account_window);
    let recent =
        outbox::count_for_user(&mut tx, user.id, Kind::PasswordReset.as_str(), since).await?;
    if recent >= config.password_reset_max_per_account {
        tx.commit().await?;
        return Ok(());
    }
    queue_reset(app, &mut tx, &user, now).await?;
    Event::new(action::PASSWORD_RESET_REQUEST, client)
        .target(&user)
        .record(&mut tx, now)
        .await?;
    tx.commit().await?;
    app.state.mail.wake();
    Ok(())
}

/// Counts a request by e-mail from the client's address; false past
/// [`RESET_REQUESTS_PER_ADDRESS`] within `login_ip_window`.
async fn count_request(
    conn: &mut AppConn,
    config: &crate::config::AppConfig,
    client: &ClientMeta,
    now: OffsetDateTime,
) -> AppResult<bool> {
    let Some(ip) = client.ip.as_deref() else {
        return Ok(true);
    };
    let key = format!("reset-ip:{ip}");
    let since = now - Duration::seconds(config.login_ip_window);
    let (recent, _) = throttle_db::failures_for_account(conn, &key, since).await?;
    if recent >= RESET_REQUESTS_PER_ADDRESS {
        return Ok(false);
    }
    throttle_db::record_failure(conn, &key, None, now).await?;
    Ok(true)
}

/// A new reset token for `user`, voiding the older ones.
async fn new_reset_token(
    app: &App<'_>,
    conn: &mut AppConn,
    user: &User,
    now: OffsetDateTime,
) -> AppResult<String> {
    link_tokens::void_for_user(conn, user.id, Purpose::PasswordReset).await?;
    issue_token(
        conn,
        Purpose::PasswordReset,
        user.id,
        None,
        app.state.config.password_reset_ttl,
        now,
    )
    .await
}

async fn queue_reset(
    app: &App<'_>,
    conn: &mut AppConn,
    user: &User,
    now: OffsetDateTime,
) -> AppResult<()> {
    let token = new_reset_token(app, conn, user, now).await?;
    let mut context = context_for(user);
    context.insert("link", &app.state.mail.link(RESET_PATH, &token));
    context.insert(
        "minutes",
        &(app.state.config.password_reset_ttl / 60).max(1),
    );
    let letter = Letter {
        kind: Kind::PasswordReset,
        to: &user.email,
        user_id: Some(user.id),
        context,
    };
    app.state.mail.queue(conn, letter, now).await?;
    Ok(())
}

/// An administrator sends a reset link to a user (not throttled).
pub async fn admin_send_reset(app: &App<'_>, actor: &Actor, user_id: i64) -> AppResult<()> {
    if !actor.is_admin() {
        return Err(AppError::Forbidden("administrators only"));
    }
    let now = app.now();
    let mut tx = app.begin().await?;
    let user = users::find(&mut tx, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    queue_reset(app, &mut tx, &user, now).await?;
    Event::by(action::PASSWORD_RESET_REQUEST, actor)
        .target(&user)
        .detail("sent by an administrator")
        .record(&mut tx, now)
        .await?;
    tx.commit().await?;
    app.state.mail.wake();
    Ok(())
}

/// `portero reset-link --username U`: a reset URL for the operator to hand
/// over, sent by no mail (older links of the account are voided).
pub async fn reset_link_for(app: &App<'_>, username: &str) -> AppResult<String> {
    let now = app.now();
    let mut tx = app.begin().await?;
    let user = users::find_by_username(&mut tx, &bindable(username))
        .await?
        .ok_or(AppError::NotFound)?;
    let token = new_reset_token(app, &mut tx, &user, now).await?;
    Event::by(action::PASSWORD_RESET_REQUEST, &Actor::command_line())
        .target(&user)
        .detail("link printed by the command line")
        .record(&mut tx, now)
        .await?;
    tx.commit().await?;
    Ok(app.state.mail.link(RESET_PATH, &token))
}

/// Sets a new password with a reset token: the token and every other reset
/// token of the account are used up, every session and personal access
/// token of the account ends, and the account's address is told.
pub async fn reset_password(
    app: &App<'_>,
    client: &ClientMeta,
    token: &str,
    new_password: &str,
) -> AppResult<()> {
    let hash = token_hash(token);
    let now = app.now();
    let owner = {
        let mut conn = app.acquire().await?;
        link_tokens::find_live(&mut conn, &hash, Purpose::PasswordReset, now).await?
    };
    let Some(owner) = owner else {
        return Err(bad_token());
    };
    let user = users::find(&mut app.acquire().await?, owner.user_id)
        .await?
        .ok_or_else(bad_token)?;
    let context = PasswordContext {
        username: Some(&user.username),
        email: Some(&user.email),
    };
    let password = Password::parse(new_password, context)
        .map_err(|message| AppError::invalid("new_password", message))?;
    let password_hash = app.state.hasher.hash(&password).await?;

    let mut tx = app.begin().await?;
    // Used up here, so of two concurrent uses only one gets this far.
    if link_tokens::consume(&mut tx, &hash, Purpose::PasswordReset, now)
        .await?
        .is_none()
    {
        return Err(bad_token());
    }
    let user = users::find_for_update(&mut tx, owner.user_id)
        .await?
        .ok_or_else(bad_token)?;
    users::set_password_hash(&mut tx, user.id, &password_hash, now).await?;
    link_tokens::void_for_user(&mut tx, user.id, Purpose::PasswordReset).await?;
    let ended = crate::db::sessions::delete_all_for_user(&mut tx, user.id, None).await?;
    let tokens = crate::db::api_tokens::delete_all_for_user(&mut tx, user.id).await?;
    throttle::forget(&mut tx, &throttle::account_key(Some(user.id), "")).await?;
    Event::new(action::PASSWORD_RESET, client)
        .actor(&user)
        .target(&user)
        .detail(format!(
            "sessions ended: {ended}; personal access tokens revoked: {tokens}"
        ))
        .record(&mut tx, now)
        .await?;
    queue_notice(
        app,
        &mut tx,
        Kind::PasswordWasReset,
        &user,
        &user.email,
        &[],
        now,
    )
    .await?;
    tx.commit().await?;
    app.state.mail.wake();
    Ok(())
}

/// Marks an address verified with a verification token. A token for an
/// address the account no longer has verifies nothing.
pub async fn verify_email(app: &App<'_>, client: &ClientMeta, token: &str) -> AppResult<User> {
    let now = app.now();
    let mut tx = app.begin().await?;
    let owner = link_tokens::consume(&mut tx, &token_hash(token), Purpose::VerifyEmail, now)
        .await?
        .ok_or_else(bad_token)?;
    let user = users::find_for_update(&mut tx, owner.user_id)
        .await?
        .ok_or_else(bad_token)?;
    if owner.email.as_deref() != Some(user.email.as_str()) {
        return Err(bad_token());
    }
    let changes = UserChanges {
        email_verified: Some(true),
        ..UserChanges::default()
    };
    let user = users::update(&mut tx, user.id, &changes, now)
        .await?
        .ok_or_else(bad_token)?;
    Event::new(action::EMAIL_VERIFIED, client)
        .target(&user)
        .record(&mut tx, now)
        .await?;
    tx.commit().await?;
    Ok(user)
}

/// Sends the caller a new verification link (nothing when the address is
/// already verified).
pub async fn resend_verification(app: &App<'_>, actor: &Actor) -> AppResult<()> {
    let id = actor.account_id()?;
    let now = app.now();
    let mut tx = app.begin().await?;
    let user = users::find_for_update(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if user.email_verified_at.is_some() {
        return Ok(());
    }
    queue_verification(app, &mut tx, &user, now).await?;
    Event::by(action::EMAIL_VERIFY_SENT, actor)
        .target(&user)
        .record(&mut tx, now)
        .await?;
    tx.commit().await?;
    app.state.mail.wake();
    Ok(())
}

/// "Send the link again" from the login page, by username or e-mail: a new
/// verification link when the account exists and is unverified. The
/// answer is the same in every case, and requests past the limits (those
/// of reset requests) are dropped silently.
pub async fn resend_for_login(app: &App<'_>, client: &ClientMeta, login: &str) -> AppResult<()> {
    let login = bindable(&login_key(login.trim())).to_lowercase();
    let now = app.now();
    let config = &app.state.config;
    let mut tx = app.begin().await?;
    if !count_request(&mut tx, config, client, now).await? {
        return Ok(());
    }
    let found = if login.is_empty() || login.chars().count() > 254 {
        None
    } else {
        users::credentials_by_login(&mut tx, &login).await?
    };
    let Some(user) = found
        .map(|c| c.user)
        .filter(|user| user.is_active && user.email_verified_at.is_none())
    else {
        tx.commit().await?;
        return Ok(());
    };
    let since = now - Duration::seconds(config.login_account_window);
    let recent =
        outbox::count_for_user(&mut tx, user.id, Kind::VerifyEmail.as_str(), since).await?;
    if recent < config.password_reset_max_per_account {
        queue_verification(app, &mut tx, &user, now).await?;
        Event::new(action::EMAIL_VERIFY_SENT, client)
            .target(&user)
            .record(&mut tx, now)
            .await?;
    }
    tx.commit().await?;
    app.state.mail.wake();
    Ok(())
}
