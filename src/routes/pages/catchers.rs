//! HTML catchers: anonymous visitors to a user page go to the login page
//! with `?next=`; other errors get a friendly page in the site layout.

use rocket::http::Status;
use rocket::request::Request;
use rocket::response::Redirect;
use rocket::{Catcher, catch, catchers};
use rocket_dyn_templates::Template;
use serde_json::json;

use crate::auth::csrf;
use crate::i18n::{Lang, negotiate};

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
    let message = message.unwrap_or(match status.code {
        400 => "The request could not be understood.",
        403 => "You do not have access to this page.",
        404 => "There is no page at this address.",
        405 => "This action is not available here.",
        413 => "What you sent is too large.",
        422 => "Some of what you sent could not be read. Go back and check the form.",
        429 => "Too many attempts. Wait a little and try again.",
        503 => "The service is temporarily unavailable. Try again shortly.",
        _ => "Something went wrong on our side. Try again later.",
    });
    Template::render(
        "errors/error",
        json!({
            "status": status.code,
            "title": status.reason_lossy(),
            "message": message,
            "lang": lang.code(),
        }),
    )
}
