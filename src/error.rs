//! One error type for the domain and service layers. The API turns it into
//! problem+json (`problem.rs`), the pages into a friendly page or a form
//! re-rendered with messages (`routes/pages`).

use crate::domain::FieldErrors;
use crate::i18n::Msg;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input failed validation: 422 with a message per field.
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// Input clashes with stored data (a taken username, a sold-out product): 409.
    #[error("conflict")]
    Conflict(FieldErrors),
    /// Login failed. One variant for unknown user, wrong password and inactive
    /// account, so no answer tells which.
    #[error("invalid credentials")]
    BadCredentials,
    /// No valid session.
    #[error("not authenticated")]
    Unauthenticated,
    /// The password was right but the account has a second factor: 401
    /// with `mfa_required`, and the token of the pending login when the
    /// caller can go on to the code step.
    #[error("second factor required")]
    SecondFactorRequired { mfa_token: Option<Opaque> },
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("not found")]
    NotFound,
    /// Too many failed logins; retry after this many seconds.
    #[error("too many attempts")]
    Throttled { retry_after: i64 },
    /// The database cannot serve for now (unreachable, pool exhausted, disk
    /// full): 503 with `Retry-After`. The message goes to the log only.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// Anything unexpected. The message goes to the log, never to the client.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<Msg>) -> Self {
        AppError::Invalid(FieldErrors::single(field, message))
    }

    pub fn conflict(field: &str, message: impl Into<Msg>) -> Self {
        AppError::Conflict(FieldErrors::single(field, message))
    }

    pub fn internal(error: impl std::fmt::Display) -> Self {
        AppError::Internal(error.to_string())
    }

    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Invalid(_) => 422,
            AppError::Conflict(_) => 409,
            AppError::BadCredentials
            | AppError::Unauthenticated
            | AppError::SecondFactorRequired { .. } => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound => 404,
            AppError::Throttled { .. } => 429,
            AppError::Unavailable(_) => 503,
            AppError::Internal(_) => 500,
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        let unavailable = crate::db::is_unavailable(&error);
        crate::metrics::get().database_error(unavailable);
        if unavailable {
            AppError::Unavailable(format!("database: {error}"))
        } else {
            AppError::Internal(format!("database: {error}"))
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(errors: FieldErrors) -> Self {
        AppError::Invalid(errors)
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// A secret handed to a client once (a pending login's token); its
/// `Debug` does not show it, so no error log can leak it.
pub struct Opaque(pub String);

impl std::fmt::Debug for Opaque {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Opaque(..)")
    }
}
