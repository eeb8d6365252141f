//! The language switcher: a plain form on every page (no JavaScript). The
//! choice is kept in a cookie, and in the profile when logged in, so it
//! follows the user to other browsers.

use rocket::form::FromForm;
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::{Route, post, routes};

use super::{PageResult, Reply, safe_next};
use crate::auth::csrf::CsrfForm;
use crate::auth::guards::MaybeUser;
use crate::db::users;
use crate::i18n::{Lang, negotiate};
use crate::state::App;

pub fn routes() -> Vec<Route> {
    routes![switch]
}

#[derive(Debug, FromForm)]
pub struct LanguageForm {
    #[field(default = String::new())]
    lang: String,
    #[field(default = String::new())]
    next: String,
}

#[post("/language", data = "<form>")]
async fn switch(
    app: App<'_>,
    viewer: MaybeUser,
    cookies: &CookieJar<'_>,
    form: CsrfForm<LanguageForm>,
) -> PageResult {
    let next = safe_next(Some(&form.next), "/");
    // An unknown code changes nothing: the page comes back as it was.
    let Some(lang) = Lang::parse(&form.lang) else {
        return Ok(Reply::Redirect(Redirect::to(next)));
    };
    negotiate::remember(cookies, lang, app.state.config.https);
    if let Some(user) = viewer.0 {
        let mut conn = app.acquire().await?;
        users::set_locale(&mut conn, user.user.id, lang.code()).await?;
    }
    Ok(Reply::Redirect(Redirect::to(next)))
}
