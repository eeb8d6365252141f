//! CSRF tokens for HTML forms. A logged-in form carries its session's token
//! (stored with the session, so it dies with it); an anonymous form (login,
//! sign-up) carries a token that must match a private cookie the attacker can
//! neither read nor forge (double submit, encrypted by Rocket's secret key).
//!
//! Page handlers take their form as [`CsrfForm<T>`], a data guard that checks
//! the token before the handler runs, so no handler can forget the check.
//!
//! The JSON API needs no token: it accepts only `application/json`, which a
//! cross-site HTML form cannot send, and refuses foreign `Origin`s.

use std::ops::Deref;

use rocket::data::{self, Data, FromData};
use rocket::form::{self, DataField, Form, FromForm, Options, ValueField};
use rocket::http::{Cookie, SameSite, Status};
use rocket::outcome::{Outcome as Verdict, try_outcome};
use rocket::request::{FromRequest, Outcome, Request};
use subtle::ConstantTimeEq;

use super::guards::{GuardError, MaybeUser};
use super::session::random_token;
use crate::state::AppState;

/// The hidden field that carries the token in every page form.
pub const FIELD: &str = "csrf_token";

/// What the error page says when a form's token is missing or wrong.
pub const REFUSAL: &str =
    "The form expired or came from another site. Reload the page and try again.";

/// The token the current request's forms must carry.
#[derive(Debug, Clone)]
pub struct CsrfToken(String);

impl CsrfToken {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Compares in constant time; an empty token never matches.
    pub fn matches(&self, submitted: &str) -> bool {
        let same: bool = self.0.as_bytes().ct_eq(submitted.as_bytes()).into();
        same && !submitted.is_empty()
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

/// A page form of type `T` whose CSRF token matched. As a data guard it
/// reads the body, compares the `csrf_token` field with the request's
/// [`CsrfToken`] and only then hands `T` to the handler. A missing or wrong
/// token, or a body that is not a form, fails with 403 (and
/// [`was_refused`] tells the catcher why) before any field is judged, so a
/// forged form never learns which of its fields would have parsed. With the
/// right token, fields that do not parse fail as `Form<T>` would (422); a
/// body over the form limit is 413 whatever it carries.
#[derive(Debug)]
pub struct CsrfForm<T>(pub T);

impl<T> Deref for CsrfForm<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// Why a [`CsrfForm`] was refused.
#[derive(Debug)]
pub enum FormRefusal<'r> {
    /// No token, a wrong one, or no form to carry one.
    Token,
    /// The session could not be loaded (the database is down).
    Unavailable,
    /// The body was too large, or the token matched but fields did not parse.
    Fields(form::Errors<'r>),
}

/// Set on a request whose form [`CsrfForm`] refused for its token.
struct TokenRefused(bool);

/// Whether this request's form was refused for its CSRF token.
pub fn was_refused(request: &Request<'_>) -> bool {
    request.local_cache(|| TokenRefused(false)).0
}

#[rocket::async_trait]
impl<'r, T: FromForm<'r>> FromData<'r> for CsrfForm<T> {
    type Error = FormRefusal<'r>;

    async fn from_data(request: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let expected = match request.guard::<CsrfToken>().await {
            Outcome::Success(token) => token,
            Outcome::Error((status, _)) | Outcome::Forward(status) => {
                return Verdict::Error((status, FormRefusal::Unavailable));
            }
        };
        let submitted = match Form::<TokenAndFields<'r, T>>::from_data(request, data).await {
            Verdict::Success(form) => form.into_inner(),
            // A body over the form limit (413): its token is out of reach
            // and nothing was acted on, so the truer status wins.
            Verdict::Error((status, errors)) => {
                return Verdict::Error((status, FormRefusal::Fields(errors)));
            }
            // Not a form at all, so no token either.
            Verdict::Forward(_) => TokenAndFields::missing(),
        };
        if !submitted.token.is_some_and(|token| expected.matches(token)) {
            request.local_cache(|| TokenRefused(true));
            return Verdict::Error((Status::Forbidden, FormRefusal::Token));
        }
        match submitted.fields {
            Ok(value) => Verdict::Success(CsrfForm(value)),
            Err(errors) => Verdict::Error((errors.status(), FormRefusal::Fields(errors))),
        }
    }
}

/// A form split into its CSRF token and the fields `T` reads. Parsing
/// never fails here: the fields' errors wait until the token is judged.
struct TokenAndFields<'v, T> {
    token: Option<&'v str>,
    fields: form::Result<'v, T>,
}

impl<'v, T> TokenAndFields<'v, T> {
    fn missing() -> Self {
        TokenAndFields {
            token: None,
            fields: Err(form::Errors::new()),
        }
    }
}

#[rocket::async_trait]
impl<'v, T: FromForm<'v>> FromForm<'v> for TokenAndFields<'v, T> {
    type Context = (Option<&'v str>, T::Context);

    fn init(options: Options) -> Self::Context {
        (None, T::init(options))
    }

    fn push_value((token, fields): &mut Self::Context, field: ValueField<'v>) {
        if field.name == FIELD {
            token.get_or_insert(field.value);
        } else {
            T::push_value(fields, field);
        }
    }

    async fn push_data((_, fields): &mut Self::Context, field: DataField<'v, '_>) {
        T::push_data(fields, field).await
    }

    fn push_error((_, fields): &mut Self::Context, error: form::Error<'v>) {
        T::push_error(fields, error)
    }

    fn finalize((token, fields): Self::Context) -> form::Result<'v, Self> {
        Ok(TokenAndFields {
            token,
            fields: T::finalize(fields),
        })
    }
}

/// The form of a page action that sends nothing but its CSRF token; any
/// other field is ignored.
#[derive(Debug)]
pub struct TokenOnly;

#[rocket::async_trait]
impl<'v> FromForm<'v> for TokenOnly {
    type Context = ();

    fn init(_: Options) -> Self::Context {}

    fn push_value(_: &mut Self::Context, _: ValueField<'v>) {}

    async fn push_data(_: &mut Self::Context, _: DataField<'v, '_>) {}

    fn finalize(_: Self::Context) -> form::Result<'v, Self> {
        Ok(TokenOnly)
    }
}

#[cfg(test)]
mod tests {
    use super::CsrfToken;

    #[test]
    fn only_an_exact_non_empty_token_matches() {
        let token = CsrfToken("abc123".into());
        assert!(token.matches("abc123"));
        assert!(!token.matches("abc12"));
        assert!(!token.matches("abc1234"));
        assert!(!token.matches(""));
        assert!(!CsrfToken(String::new()).matches(""));
    }
}
