//! Server-rendered HTML pages (Tera). Every page works without JavaScript;
//! every state-changing form carries a CSRF token.

pub mod account;
pub mod account_tokens;
pub mod admin;
pub mod admin_catalog;
pub mod admin_export;
pub mod admin_filters;
pub mod admin_mail;
pub mod admin_users;
pub mod auth;
pub mod cart;
pub mod catchers;
pub mod home;
pub mod language;
pub mod mail;
pub mod mfa;
pub mod own_data;
pub mod shop;
pub mod view;

use std::collections::BTreeMap;

use rocket::Route;
use rocket::http::Status;
use rocket::http::uri::Reference;
use rocket::outcome::try_outcome;
use rocket::request::{FlashMessage, FromRequest, Outcome, Request};
use rocket::response::{self, Flash, Redirect, Responder};
use rocket_dyn_templates::Template;
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::auth::csrf::CsrfToken;
use crate::auth::guards::{CurrentUser, GuardError, MaybeUser};
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::i18n::Lang;

pub fn routes() -> Vec<Route> {
    let mut routes = Vec::new();
    routes.extend(home::routes());
    routes.extend(auth::routes());
    routes.extend(account::routes());
    routes.extend(account_tokens::routes());
    routes.extend(admin::routes());
    routes.extend(admin_catalog::routes());
    routes.extend(admin_users::routes());
    routes.extend(admin_export::routes());
    routes.extend(shop::routes());
    routes.extend(mail::routes());
    routes.extend(admin_mail::routes());
    routes.extend(cart::routes());
    routes.extend(own_data::routes());
    routes.extend(mfa::routes());
    routes.extend(language::routes());
    routes
}

/// What every page's layout needs: who is logged in, the CSRF token for its
/// forms, and the one-time flash message.
pub struct PageContext {
    pub user: Option<CurrentUser>,
    pub csrf: CsrfToken,
    /// The language the page is written in.
    pub lang: Lang,
    flash: Option<(String, String)>,
    /// The page's path, for `aria-current` in the navigation.
    path: String,
    /// Where the language switcher comes back to: this page, with its
    /// query when it was a GET (a form's POST comes back to its GET page).
    here: String,
    currency: String,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for PageContext {
    type Error = GuardError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let MaybeUser(user) = try_outcome!(request.guard::<MaybeUser>().await);
        let csrf = try_outcome!(request.guard::<CsrfToken>().await);
        let lang = request
            .guard::<Lang>()
            .await
            .succeeded()
            .unwrap_or_default();
        let flash = match request.guard::<Option<FlashMessage<'_>>>().await {
            Outcome::Success(Some(flash)) => {
                Some((flash.kind().to_owned(), flash.message().to_owned()))
            }
            _ => None,
        };
        let currency = request
            .rocket()
            .state::<crate::state::AppState>()
            .map_or_else(|| "EUR".to_owned(), |state| state.config.currency.clone());
        Outcome::Success(PageContext {
            user,
            csrf,
            lang,
            flash,
            path: request.uri().path().to_string(),
            here: if request.method() == rocket::http::Method::Get {
                request.uri().to_string()
            } else {
                request.uri().path().to_string()
            },
            currency,
        })
    }
}

impl PageContext {
    /// How this viewer reads money and instants.
    pub fn formats(&self) -> view::Formats {
        let formats = view::Formats::new(&self.currency).in_language(self.lang);
        match &self.user {
            Some(user) => formats.in_zone(&user.user.time_zone),
            None => formats,
        }
    }

    /// Renders `name` with the layout's values plus the page's own.
    pub fn render(&self, name: &'static str, page: Value) -> Template {
        let mut context = match page {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        context.insert("csrf_token".into(), json!(self.csrf.as_str()));
        context.insert("lang".into(), json!(self.lang.code()));
        context.insert("here".into(), json!(self.here));
        context.insert("nav_current".into(), json!(nav_section(&self.path)));
        context.insert(
            "current_user".into(),
            json!(self.user.as_ref().map(view::SignedIn::from)),
        );
        if let Some((kind, message)) = &self.flash {
            context.insert("flash".into(), json!({ "kind": kind, "message": message }));
        }
        Template::render(name, Value::Object(context))
    }

    /// A page with a status other than 200 (a form with errors, say).
    pub fn render_status(&self, status: Status, name: &'static str, page: Value) -> Reply {
        Reply::Page((status, self.render(name, page)))
    }
}

/// Which navigation link the page at `path` belongs to (marked with
/// `aria-current="page"`), if any.
pub fn nav_section(path: &str) -> &'static str {
    let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
    if under("/products") {
        "products"
    } else if under("/cart") {
        "cart"
    } else if under("/sales") {
        "sales"
    } else if under("/account/sessions") {
        "sessions"
    } else if under("/account") {
        "account"
    } else if under("/admin") {
        "admin"
    } else if under("/login") {
        "login"
    } else if under("/signup") {
        "signup"
    } else {
        ""
    }
}

/// A page handler's successful answer.
#[derive(Responder)]
pub enum Reply {
    Page((Status, Template)),
    Flash(Flash<Redirect>),
    Redirect(Redirect),
}

impl From<Template> for Reply {
    fn from(template: Template) -> Self {
        Reply::Page((Status::Ok, template))
    }
}

/// A failure on a page: a friendly error page, or the login page for 401.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(error: AppError) -> Self {
        PageError(error)
    }
}

impl From<sqlx::Error> for PageError {
    fn from(error: sqlx::Error) -> Self {
        PageError(error.into())
    }
}

pub type PageResult = Result<Reply, PageError>;

/// Errors other than 401 end in the catcher, which renders the friendly page
/// with the header of whoever is logged in (it can await the session guard;
/// a responder cannot).
impl<'r> Responder<'r, 'static> for PageError {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let status = Status::from_code(self.0.status_code()).unwrap_or(Status::InternalServerError);
        match self.0 {
            AppError::Unauthenticated => {
                return catchers::login_redirect(request).respond_to(request);
            }
            AppError::Internal(message) => {
                tracing::error!(
                    request_id = crate::request_id::of(request),
                    path = %request.uri().path(),
                    "internal error: {message}"
                );
            }
            AppError::Unavailable(message) => {
                tracing::warn!(
                    request_id = crate::request_id::of(request),
                    path = %request.uri().path(),
                    "unavailable: {message}"
                );
            }
            AppError::Forbidden(why) => {
                request.local_cache(|| catchers::Why(Some(why)));
            }
            _ => {}
        }
        Err(status)
    }
}

/// Field errors as `{field: [messages]}` for the template macros, in the
/// page's language.
pub fn errors_map(lang: Lang, errors: &FieldErrors) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for error in errors.as_slice() {
        map.entry(error.field.clone())
            .or_default()
            .push(error.localized(lang).message);
    }
    map
}

/// Turns a service error on a form into a re-rendered form (409/422) or an
/// error page (anything else).
pub fn form_errors(
    lang: Lang,
    error: AppError,
) -> Result<(Status, BTreeMap<String, Vec<String>>), PageError> {
    match error {
        AppError::Invalid(errors) => Ok((Status::UnprocessableEntity, errors_map(lang, &errors))),
        AppError::Conflict(errors) => Ok((Status::Conflict, errors_map(lang, &errors))),
        other => Err(PageError(other)),
    }
}

/// What a throttled form says: how long to wait, in whole minutes.
pub fn too_many_attempts(lang: Lang, retry_after: i64) -> String {
    lang.t_with(
        "throttled-minutes",
        &[("minutes", ((retry_after + 59) / 60).into())],
    )
}

/// A same-site place to go after login; anything else becomes `fallback`.
///
/// `next` is followed only when it parses as a URI reference with neither
/// scheme nor authority whose path starts with a single `/` (browsers read
/// `//host` and `/\host` as another host) and whose `%` escapes are whole.
/// So the answer is always a valid `Location` value, and never another site:
/// `?next=/a%20b` decodes to `/a b`, which is not a URI, and is ignored.
pub fn safe_next(next: Option<&str>, fallback: &str) -> String {
    match next {
        Some(text) if is_same_site_reference(text) => text.to_owned(),
        _ => fallback.to_owned(),
    }
}

fn is_same_site_reference(text: &str) -> bool {
    text.len() <= 2048
        && text.starts_with('/')
        && !text.starts_with("//")
        && !text.contains('\\')
        && escapes_are_whole(text)
        && Reference::parse(text)
            .is_ok_and(|uri| uri.scheme().is_none() && uri.authority().is_none())
}

/// Every `%` starts a `%XX` escape (Rocket's parser lets `%zz` through).
fn escapes_are_whole(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().all(|(at, &byte)| {
        byte != b'%'
            || bytes
                .get(at + 1..at + 3)
                .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit))
    })
}

/// Form values echoed back into a page (never passwords).
pub fn values<T: Serialize>(form: &T) -> Value {
    serde_json::to_value(form).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rocket::http::uri::Reference;

    use super::safe_next;

    #[test]
    fn next_allows_only_same_site_references() {
        for good in [
            "/",
            "/account?tab=1",
            "/products?q=caf%C3%A9&page=2",
            "/sales#top",
            "/a/b;c=d?e[]=f",
        ] {
            assert_eq!(safe_next(Some(good), "/fallback"), good);
        }
        for evil in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil",
            "javascript:alert(1)",
            "evil.example",
            "",
            "/a\nb",
            "/a\\b",
            "/a\rb",
            "/a b",
            "/a\u{2039}b",
            "/a\"b",
            "/caf\u{e9}",
            "/a\u{3000}b",
            "/a<b>",
            "/a%zzb",
            "/a%2",
            "/a%",
            "/a\u{7f}b",
        ] {
            assert_eq!(safe_next(Some(evil), "/fallback"), "/fallback", "{evil:?}");
        }
        assert_eq!(
            safe_next(Some(&format!("/{}", "a".repeat(2048))), "/f"),
            "/f"
        );
        assert_eq!(safe_next(None, "/account"), "/account");
    }

    proptest! {
        /// Whatever arrives, the answer is a same-site reference that makes
        /// a valid header value.
        #[test]
        fn next_is_always_a_valid_same_site_location(text in "/[!-~]{0,40}|/?\\PC{0,40}") {
            let location = safe_next(Some(&text), "/account");
            prop_assert!(location == text || location == "/account");
            prop_assert!(location.bytes().all(|b| b.is_ascii_graphic()), "{location:?}");
            let parsed = Reference::parse(&location);
            prop_assert!(parsed.is_ok(), "{location:?}");
            prop_assert!(location.starts_with('/') && !location.starts_with("//"));
        }
    }
}
