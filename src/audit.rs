//! Audit events: named actions, recorded with the actor and client address
//! in the transaction of the change they describe.

use time::OffsetDateTime;

use crate::actor::Actor;
use crate::auth::ClientMeta;
use crate::db::AppConn;
use crate::db::audit::{self, NewEvent};
use crate::db::users::User;
use crate::error::AppResult;

/// The actions the log knows; stored as these strings.
pub mod action {
    pub const SIGNUP: &str = "signup";
    pub const LOGIN: &str = "login";
    pub const LOGIN_FAILED: &str = "login_failed";
    pub const LOGIN_THROTTLED: &str = "login_throttled";
    pub const LOGOUT: &str = "logout";
    pub const PASSWORD_CHANGE: &str = "password_change";
    pub const PASSWORD_CHANGE_FAILED: &str = "password_change_failed";
    pub const PROFILE_UPDATE: &str = "profile_update";
    pub const SESSION_REVOKE: &str = "session_revoke";
    pub const SESSIONS_REVOKE_ALL: &str = "sessions_revoke_all";
    pub const USER_CREATE: &str = "user_create";
    pub const USER_UPDATE: &str = "user_update";
    pub const ROLE_CHANGE: &str = "role_change";
    pub const USER_ACTIVATE: &str = "user_activate";
    pub const USER_DEACTIVATE: &str = "user_deactivate";
    pub const USER_DELETE: &str = "user_delete";
    pub const PRODUCT_CREATE: &str = "product_create";
    pub const PRODUCT_UPDATE: &str = "product_update";
    pub const PRODUCT_DELETE: &str = "product_delete";
    pub const SALE_CREATE: &str = "sale_create";
    pub const ACCOUNT_DELETE: &str = "account_delete";
    pub const ACCOUNT_DELETE_FAILED: &str = "account_delete_failed";
    /// A CSV export of an admin list (target: which list; detail: its filters).
    pub const EXPORT: &str = "export";
    pub const TOKEN_CREATE: &str = "token_create";
    pub const TOKEN_REVOKE: &str = "token_revoke";
    pub const PASSWORD_RESET_REQUEST: &str = "password_reset_request";
    pub const PASSWORD_RESET: &str = "password_reset";
    pub const EMAIL_VERIFY_SENT: &str = "email_verify_sent";
    pub const EMAIL_VERIFIED: &str = "email_verified";
    pub const MAIL_RETRY: &str = "mail_retry";
    /// Two-factor sign-in (issue 19).
    pub const MFA_ENABLE: &str = "mfa_enable";
    pub const MFA_DISABLE: &str = "mfa_disable";
    pub const MFA_RECOVERY_CODES: &str = "mfa_recovery_codes";
    pub const MFA_RECOVERY_USED: &str = "mfa_recovery_used";
    pub const MFA_RESET: &str = "mfa_reset";
    pub const MFA_CHANGE_FAILED: &str = "mfa_change_failed";

    pub const ALL: &[&str] = &[
        SIGNUP,
        LOGIN,
        LOGIN_FAILED,
        LOGIN_THROTTLED,
        LOGOUT,
        PASSWORD_CHANGE,
        PASSWORD_CHANGE_FAILED,
        PROFILE_UPDATE,
        SESSION_REVOKE,
        SESSIONS_REVOKE_ALL,
        USER_CREATE,
        USER_UPDATE,
        ROLE_CHANGE,
        USER_ACTIVATE,
        USER_DEACTIVATE,
        USER_DELETE,
        PRODUCT_CREATE,
        PRODUCT_UPDATE,
        PRODUCT_DELETE,
        SALE_CREATE,
        ACCOUNT_DELETE,
        ACCOUNT_DELETE_FAILED,
        EXPORT,
        TOKEN_CREATE,
        TOKEN_REVOKE,
        PASSWORD_RESET_REQUEST,
        PASSWORD_RESET,
        EMAIL_VERIFY_SENT,
        EMAIL_VERIFIED,
        MAIL_RETRY,
        MFA_ENABLE,
        MFA_DISABLE,
        MFA_RECOVERY_CODES,
        MFA_RECOVERY_USED,
        MFA_RESET,
        MFA_CHANGE_FAILED,
    ];
}

/// Builds and writes one event.
pub struct Event {
    inner: NewEvent,
}

impl Event {
    /// An event of `actor`, from its client's address.
    pub fn by(action: &'static str, actor: &Actor) -> Self {
        Event {
            inner: NewEvent {
                action,
                actor_id: actor.user_id(),
                actor_name: actor.username().map(str::to_owned),
                ip: actor.client.ip.clone(),
                ..NewEvent::default()
            },
        }
    }

    /// An event of a client not (yet) logged in: sign-up and login attempts.
    pub fn new(action: &'static str, client: &ClientMeta) -> Self {
        Event {
            inner: NewEvent {
                action,
                ip: client.ip.clone(),
                ..NewEvent::default()
            },
        }
    }

    pub fn actor(mut self, user: &User) -> Self {
        self.inner.actor_id = Some(user.id);
        self.inner.actor_name = Some(user.username.clone());
        self
    }

    /// The acting user is also the target (their own profile, password, sessions).
    pub fn target_self(mut self) -> Self {
        self.inner.target_user_id = self.inner.actor_id;
        self.inner.target = self
            .inner
            .actor_name
            .as_ref()
            .map(|name| format!("user:{name}"));
        self
    }

    pub fn target(mut self, user: &User) -> Self {
        self.inner.target_user_id = Some(user.id);
        self.inner.target = Some(format!("user:{}", user.username));
        self
    }

    pub fn target_text(mut self, target: impl Into<String>) -> Self {
        self.inner.target = Some(target.into());
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.inner.detail = Some(detail.into());
        self
    }

    /// Writes the event, in the caller's transaction when `conn` is one.
    pub async fn record(self, conn: &mut AppConn, at: OffsetDateTime) -> AppResult<()> {
        audit::insert(conn, &self.inner, at).await
    }
}
