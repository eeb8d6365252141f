//! HTML catchers: anonymous visitors to a user page go to the login page
//! with `?next=`; other errors get a friendly page in the site layout, with
//! the header of whoever is logged in.

use rocket::http::Status;
use rocket::request::{Outcome, Request};
use rocket::response::Redirect;
use rocket::{Catcher, catch, catchers};
use rocket_dyn_templates::Template;
use serde_json::{Value, json};

use super::view::SignedIn;
use crate::auth::csrf;
use crate::auth::guards::MaybeUser;
use crate::auth::guards::SentToEnrolment;
use crate::i18n::{Lang, Msg, negotiate};

pub fn catchers() -> Vec<Catcher> {
    catchers![unauthorized, default]
}

#[catch(401)]
fn unauthorized(request: &Request<'_>) -> Redirect {
    login_redirect(request)
}

/// An error page, or the way to a page that must come first.
#[derive(rocket::Responder)]
pub enum Caught {
    Page((Status, Template)),
    Redirect(Redirect),
}

#[catch(default)]
async fn default(status: Status, request: &Request<'_>) -> Caught {
    // `require_admin_mfa`: an administrator without a second factor is
    // sent to the set-up rather than shown an error.
    if status == Status::Forbidden && request.local_cache(|| SentToEnrolment(false)).0 {
        return Caught::Redirect(Redirect::to("/account/security"));
    }
    let why = if status == Status::Forbidden && csrf::was_refused(request) {
        Some(csrf::REFUSAL)
    } else {
        request.local_cache(|| Why(None)).0
    };
    let layout = layout_values(request).await;
    // The viewer's language (their profile's once the session is known),
    // else what the browser asks for: the database may be down.
    let profile_lang = if layout.is_some() {
        request.guard::<Lang>().await.succeeded()
    } else {
        None
    };
    let lang = profile_lang.unwrap_or_else(|| negotiate::browser_lang(request));
    let mut page = page_values(status, why, lang);
    if let (Value::Object(page), Some(layout)) = (&mut page, layout) {
        page.extend(layout);
    }
    Caught::Page((status, Template::render("errors/error", page)))
}

/// What a page handler's error wants its error page to say (see
/// [`super::PageError`]), for the catcher that renders it.
pub(super) struct Why(pub Option<&'static str>);

/// Who is logged in, for the header. None when that cannot be known (the
/// database is down): the page then shows links that suit everyone.
async fn layout_values(request: &Request<'_>) -> Option<serde_json::Map<String, Value>> {
    let Outcome::Success(MaybeUser(user)) = request.guard::<MaybeUser>().await else {
        return None;
    };
    let mut values = serde_json::Map::new();
    values.insert(
        "nav_current".into(),
        json!(super::nav_section(request.uri().path().as_str())),
    );
    if let Some(user) = &user {
        values.insert("csrf_token".into(), json!(user.csrf_token));
    }
    if request.method() == rocket::http::Method::Get {
        values.insert("here".into(), json!(request.uri().to_string()));
    }
    values.insert(
        "current_user".into(),
        json!(user.as_ref().map(SignedIn::from)),
    );
    Some(values)
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

/// The friendly error page's own values (the layout's come from
/// `layout_values`).
fn page_values(status: Status, message: Option<&str>, lang: Lang) -> Value {
    let message = message.map_or_else(|| page_message(status).render(lang), str::to_owned);
    let title = match status.code {
        400 | 403 | 404 | 405 | 413 | 422 | 429 | 500 | 503 => {
            lang.t_with("error-title", &[("status", i64::from(status.code).into())])
        }
        _ => status.reason_lossy().to_owned(),
    };
    json!({
        "status": status.code,
        "title": title,
        "message": message,
        "lang": lang.code(),
    })
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
