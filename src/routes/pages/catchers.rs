//! HTML catchers: anonymous visitors to a user page go to the login page
//! with `?next=`; other errors get a friendly page in the site layout.

use rocket::http::Status;
use rocket::request::Request;
use rocket::response::Redirect;
use rocket::{Catcher, catch, catchers};
use rocket_dyn_templates::Template;
use serde_json::json;

use crate::auth::csrf;
use crate::i18n::{Lang, Msg, negotiate};

pub fn catchers() -> Vec<Catcher> {
    catchers![unauthorized, default]
}

#[catch(401)]
fn unauthorized(request: &Request<'_>) -> Redirect {
    login_redirect(request)
}

#[catch(default)]
fn default(status: Status, request: &Request<'_>) -> (Status, Template) {
    let why = (status == Status::Forbidden && csrf::was_refused(request)).then_some(csrf::REFUSAL);
    (
        status,
        error_page(status, why, negotiate::browser_lang(request)),
    )
}

/// `/login?next=<this page>`; only GET pages are worth coming back to.
pub fn login_redirect(request: &Request<'_>) -> Redirect {
    let next = if request.method() == rocket::http::Method::Get {
        request.uri().to_string()
    } else {
        "/account".to_owned()
    };
    let encoded = super::view::query_value(&next);
    Redirect::to(format!("/login?next={encoded}"))
}

/// The friendly error page. It renders without the session guards, so it
/// works even when the database is down.
pub fn error_page(status: Status, message: Option<&str>, lang: Lang) -> Template {
    let message = message.map_or_else(|| page_message(status).render(lang), str::to_owned);
    let title = match status.code {
        400 | 403 | 404 | 405 | 413 | 422 | 429 | 500 | 503 => {
            lang.t_with("error-title", &[("status", i64::from(status.code).into())])
        }
        _ => status.reason_lossy().to_owned(),
    };
    Template::render(
        "errors/error",
        json!({
            "status": status.code,
            "title": title,
            "message": message,
            "lang": lang.code(),
        }),
    )
}

/// What the error page says for `status` when the handler said nothing.
fn page_message(status: Status) -> Msg {
    match status.code {
        400 => Msg::new("error-400"),
        403 => Msg::new("error-403"),
        404 => Msg::new("error-404"),
        405 => Msg::new("error-405"),
        413 => Msg::new("error-413"),
        422 => Msg::new("error-422"),
        429 => Msg::new("error-429"),
        503 => Msg::new("error-503"),
        _ => Msg::new("error-500"),
    }
}
