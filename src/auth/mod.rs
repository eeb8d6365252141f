//! Authentication: password hashing, server-side sessions, request guards,
//! CSRF tokens and login throttling.

pub mod client;
pub mod csrf;
pub mod guards;
pub mod password;
pub mod session;
pub mod throttle;

pub use client::ClientMeta;
pub use guards::{Admin, CurrentUser, MaybeUser};
pub use password::PasswordHasher;
pub use session::Sessions;
