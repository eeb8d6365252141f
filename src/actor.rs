//! Who performs a service operation: what the rules that depend on the
//! caller and the audit log need to know, whatever the way in (a page, the
//! API, the command line).

use crate::auth::client::ClientMeta;
use crate::db::users::User;
use crate::domain::Role;
use crate::error::{AppError, AppResult};

/// The caller of a service operation: a logged-in user (with the session
/// the request came with, when there is one) or the operator at the
/// command line, and the client address the audit log records.
#[derive(Debug, Clone)]
pub struct Actor {
    user: Option<ActingUser>,
    pub client: ClientMeta,
}

#[derive(Debug, Clone)]
struct ActingUser {
    id: i64,
    username: String,
    role: Role,
    session_id: Option<i64>,
}

impl Actor {
    /// `user`, acting through the session `session_id` when there is one.
    pub fn user(user: &User, session_id: Option<i64>, client: ClientMeta) -> Self {
        Actor {
            user: Some(ActingUser {
                id: user.id,
                username: user.username.clone(),
                role: user.role(),
                session_id,
            }),
            client,
        }
    }

    /// The operator at the command line: an administrator without an
    /// account, recorded in the audit log without an actor.
    pub fn command_line() -> Self {
        Actor {
            user: None,
            client: ClientMeta::default(),
        }
    }

    /// The acting account, if any.
    pub fn user_id(&self) -> Option<i64> {
        self.user.as_ref().map(|user| user.id)
    }

    pub fn username(&self) -> Option<&str> {
        self.user.as_ref().map(|user| user.username.as_str())
    }

    /// The session the request came with, which "end my other sessions" keeps.
    pub fn session_id(&self) -> Option<i64> {
        self.user.as_ref().and_then(|user| user.session_id)
    }

    /// Administrators, and the operator at the command line.
    pub fn is_admin(&self) -> bool {
        self.user
            .as_ref()
            .is_none_or(|user| user.role == Role::Admin)
    }

    /// The acting account, for operations on one's own account.
    pub fn account_id(&self) -> AppResult<i64> {
        self.user_id().ok_or(AppError::Unauthenticated)
    }
}

#[cfg(test)]
mod tests {
    use super::Actor;

    #[test]
    fn the_command_line_is_an_administrator_without_an_account() {
        let cli = Actor::command_line();
        assert!(cli.is_admin());
        assert_eq!(
            (cli.user_id(), cli.username(), cli.session_id()),
            (None, None, None)
        );
        assert!(cli.account_id().is_err());
    }
}
