//! What the API shows of stored rows. Built field by field from the models,
//! so a column added to a table (a password hash, say) is never serialised
//! by accident.

use schemars::JsonSchema;
use serde::Serialize;
use time::OffsetDateTime;

use crate::db::sessions::SessionRecord;
use crate::db::users::User;
use crate::domain::Role;

/// An account, without any secret.
#[derive(Debug, Serialize, JsonSchema)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub role: Role,
    pub is_active: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schemars(with = "Option<String>")]
    pub email_verified_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schemars(with = "Option<String>")]
    pub last_login_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub updated_at: OffsetDateTime,
}

impl From<User> for UserView {
    fn from(user: User) -> Self {
        UserView {
            id: user.id,
            role: user.role(),
            username: user.username,
            email: user.email,
            first_name: user.first_name,
            last_name: user.last_name,
            address: user.address,
            phone: user.phone,
            is_active: user.is_active,
            email_verified_at: user.email_verified_at,
            last_login_at: user.last_login_at,
            created_at: user.created_at,
            updated_at: user.updated_at,
        }
    }
}

/// One of the caller's sessions. `id` is a public handle for revoking it,
/// unrelated to the secret in the cookie.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SessionView {
    pub id: i64,
    /// True for the session that made this request.
    pub current: bool,
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub last_seen_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub expires_at: OffsetDateTime,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl SessionView {
    pub fn new(record: SessionRecord, current_id: i64) -> Self {
        SessionView {
            current: record.id == current_id,
            id: record.id,
            created_at: record.created_at,
            last_seen_at: record.last_seen_at,
            expires_at: record.expires_at,
            ip: record.ip,
            user_agent: record.user_agent,
        }
    }
}
