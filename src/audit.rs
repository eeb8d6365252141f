//! Audit events: named actions, recorded with the actor and client address.

use crate::auth::ClientMeta;
use crate::db::audit::{self, NewEvent};
use crate::db::users::User;
use crate::error::AppResult;
use crate::state::App;

/// The actions the log knows; stored as these strings.
pub mod action {
    pub const SIGNUP: &str = "signup";
    pub const LOGIN: &str = "login";
    pub const LOGIN_FAILED: &str = "login_failed";
    pub const LOGIN_THROTTLED: &str = "login_throttled";
    pub const LOGOUT: &str = "logout";
    pub const PASSWORD_CHANGE: &str = "password_change";
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

    pub const ALL: &[&str] = &[
        SIGNUP,
        LOGIN,
        LOGIN_FAILED,
        LOGIN_THROTTLED,
        LOGOUT,
        PASSWORD_CHANGE,
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
    ];
}

/// Builds and writes one event.
pub struct Event {
    inner: NewEvent,
}

impl Event {
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

    pub async fn record(self, app: &App<'_>) -> AppResult<()> {
        audit::insert(app.db, &self.inner, app.now()).await
    }
}
