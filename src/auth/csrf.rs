//! CSRF tokens for HTML forms. A logged-in form carries its session's token
//! (stored with the session, so it dies with it); an anonymous form (login,
//! sign-up) carries a token that must match a private cookie the attacker can
//! neither read nor forge (double submit, encrypted by Rocket's secret key).
//!
//! The JSON API needs no token: it accepts only `application/json`, which a
//! cross-site HTML form cannot send, and refuses foreign `Origin`s.

use rocket::http::{Cookie, SameSite};
use rocket::outcome::try_outcome;
use rocket::request::{FromRequest, Outcome, Request};
use subtle::ConstantTimeEq;

use super::guards::{GuardError, MaybeUser};
use super::session::random_token;
use crate::error::AppError;
use crate::state::AppState;

/// The token the current request's forms must carry.
#[derive(Debug, Clone)]
pub struct CsrfToken(String);

impl CsrfToken {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Compares in constant time; a mismatch is a 403.
    pub fn verify(&self, submitted: &str) -> Result<(), AppError> {
        let matches: bool = self.0.as_bytes().ct_eq(submitted.as_bytes()).into();
        if matches && !submitted.is_empty() {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "The form expired or came from another site. Reload the page and try again.",
            ))
        }
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CsrfToken {
    type Error = GuardError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        if let MaybeUser(Some(user)) = try_outcome!(request.guard::<MaybeUser>().await) {
            return Outcome::Success(CsrfToken(user.csrf_token));
        }
        let (name, secure) = match request.rocket().state::<AppState>() {
            Some(state) => (state.config.csrf_cookie_name(), state.config.https),
            None => ("portero_csrf", false),
        };
        let cookies = request.cookies();
        if let Some(cookie) = cookies.get_private(name) {
            return Outcome::Success(CsrfToken(cookie.value().to_owned()));
        }
        // Cached so that the page and its forms in one response agree.
        let token = request
            .local_cache(|| {
                let token = random_token();
                cookies.add_private(
                    Cookie::build((name, token.clone()))
                        .path("/")
                        .http_only(true)
                        .same_site(SameSite::Lax)
                        .secure(secure)
                        .build(),
                );
                NewAnonymousToken(token)
            })
            .0
            .clone();
        Outcome::Success(CsrfToken(token))
    }
}

struct NewAnonymousToken(String);

#[cfg(test)]
mod tests {
    use super::CsrfToken;

    #[test]
    fn verify_requires_an_exact_match() {
        let token = CsrfToken("abc123".into());
        assert!(token.verify("abc123").is_ok());
        assert!(token.verify("abc12").is_err());
        assert!(token.verify("").is_err());
        assert!(CsrfToken(String::new()).verify("").is_err());
    }
}
