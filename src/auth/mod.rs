//! Authentication: password hashing, server-side sessions, bearer tokens,
//! request guards, CSRF tokens and login throttling.

pub mod client;
pub mod csrf;
pub mod guards;
pub mod password;
pub mod scopes;
pub mod session;
pub mod throttle;
pub mod tokens;
pub mod totp;
pub mod vault;

pub use client::ClientMeta;
pub use guards::{Admin, Credential, CurrentUser, MaybeUser};
pub use password::PasswordHasher;
pub use session::Sessions;
