//! Sign-up, login and logout pages.

use rocket::form::FromForm;
use rocket::http::{CookieJar, Status};
use rocket::response::{Flash, Redirect};
use rocket::{Route, get, post, routes};
use serde::Serialize;
use serde_json::json;

use super::{
    PageContext, PageError, PageResult, Reply, form_errors, safe_next, too_many_attempts, values,
};
use crate::auth::csrf::{CsrfForm, TokenOnly};
use crate::auth::{ClientMeta, CurrentUser};
use crate::db::users;
use crate::domain::Role;
use crate::error::AppError;
use crate::i18n::{Lang, Msg, negotiate};
use crate::services::accounts::{self, NewAccount};
use crate::state::App;

pub fn routes() -> Vec<Route> {
    routes![signup_page, signup, login_page, login, logout]
}

#[get("/signup")]
fn signup_page(page: PageContext) -> Reply {
    if page.user.is_some() {
        return Reply::Redirect(Redirect::to("/account"));
    }
    page.render("auth/signup", json!({ "values": {}, "errors": {} }))
        .into()
}

#[derive(Debug, FromForm, Serialize)]
pub struct SignupForm {
    #[field(default = String::new())]
    username: String,
    #[field(default = String::new())]
    email: String,
    #[field(default = String::new())]
    first_name: String,
    #[field(default = String::new())]
    last_name: String,
    #[serde(skip)]
    #[field(default = String::new())]
    password: String,
    #[serde(skip)]
    #[field(default = String::new())]
    password_confirm: String,
}

#[post("/signup", data = "<form>")]
async fn signup(
    app: App<'_>,
    page: PageContext,
    cookies: &CookieJar<'_>,
    client: ClientMeta,
    form: CsrfForm<SignupForm>,
) -> PageResult {
    if page.user.is_some() {
        return Ok(Reply::Redirect(Redirect::to("/account")));
    }
    let input = NewAccount {
        username: &form.username,
        email: &form.email,
        password: &form.password,
        first_name: &form.first_name,
        last_name: &form.last_name,
        address: None,
        phone: None,
    };
    let result = if form.password != form.password_confirm {
        // Report every other problem too, so the form is fixed in one round.
        let mut errors = accounts::validate_new_account(&input, Role::User, true)
            .err()
            .unwrap_or_default();
        errors.push("password_confirm", Msg::new("passwords-differ"));
        Err(AppError::Invalid(errors))
    } else {
        accounts::sign_up(&app, cookies, &client, &input).await
    };
    match result {
        Ok(user) if app.state.config.require_verified_email => Ok(Reply::Flash(Flash::success(
            Redirect::to("/login"),
            page.lang.t_with(
                "flash-welcome-confirm",
                &[
                    ("name", user.first_name.into()),
                    ("email", user.email.into()),
                ],
            ),
        ))),
        Ok(user) => Ok(Reply::Flash(Flash::success(
            Redirect::to("/account"),
            page.lang
                .t_with("flash-welcome", &[("name", user.first_name.into())]),
        ))),
        Err(error) => {
            let (status, errors) = form_errors(page.lang, error)?;
            Ok(page.render_status(
                status,
                "auth/signup",
                json!({ "values": values(&*form), "errors": errors }),
            ))
        }
    }
}

#[get("/login?<next>")]
fn login_page(page: PageContext, next: Option<&str>) -> Reply {
    let next = safe_next(next, "/account");
    if page.user.is_some() {
        return Reply::Redirect(Redirect::to(next));
    }
    page.render("auth/login", json!({ "values": {}, "next": next }))
        .into()
}

#[derive(Debug, FromForm, Serialize)]
pub struct LoginForm {
    #[field(default = String::new())]
    login: String,
    #[serde(skip)]
    #[field(default = String::new())]
    password: String,
    #[field(default = String::new())]
    next: String,
}

#[post("/login", data = "<form>")]
async fn login(
    app: App<'_>,
    page: PageContext,
    cookies: &CookieJar<'_>,
    client: ClientMeta,
    form: CsrfForm<LoginForm>,
) -> PageResult {
    let next = safe_next(Some(&form.next), "/account");
    match accounts::log_in(&app, cookies, &client, &form.login, &form.password).await {
        Ok(user) => {
            keep_language_choice(&app, cookies, &user).await?;
            Ok(Reply::Flash(Flash::success(
                Redirect::to(next),
                page.lang.t("flash-logged-in"),
            )))
        }
        Err(error @ (AppError::BadCredentials | AppError::Throttled { .. })) => {
            let (status, message) = match error {
                AppError::Throttled { retry_after } => (
                    Status::TooManyRequests,
                    too_many_attempts(page.lang, retry_after),
                ),
                _ => (Status::Unauthorized, page.lang.t("login-wrong")),
            };
            Ok(page.render_status(
                status,
                "auth/login",
                json!({ "values": values(&*form), "next": next, "error": message }),
            ))
        }
        // Only after the right password: offer to send the link again.
        Err(AppError::Forbidden(why)) if why == accounts::UNVERIFIED => Ok(page.render_status(
            Status::Forbidden,
            "auth/login",
            json!({ "values": values(&*form), "next": next, "error": why, "unverified": true }),
        )),
        Err(other) => Err(PageError(other)),
    }
}

/// A language chosen with the switcher before logging in becomes the
/// profile's, so the choice survives the login (the profile's language
/// outranks the cookie) and follows the user to other browsers.
async fn keep_language_choice(
    app: &App<'_>,
    cookies: &CookieJar<'_>,
    user: &crate::db::users::User,
) -> Result<(), PageError> {
    if let Some(lang) = negotiate::cookie_lang(cookies)
        && user.locale.as_deref() != Some(lang.code())
    {
        let mut conn = app.acquire().await?;
        users::set_locale(&mut conn, user.id, lang.code()).await?;
    }
    Ok(())
}

#[post("/logout", data = "<_token>")]
async fn logout(
    app: App<'_>,
    cookies: &CookieJar<'_>,
    client: ClientMeta,
    user: CurrentUser,
    lang: Lang,
    _token: CsrfForm<TokenOnly>,
) -> PageResult {
    accounts::log_out(&app, cookies, &user.actor(&client), user.credential).await?;
    Ok(Reply::Flash(Flash::success(
        Redirect::to("/"),
        lang.t("flash-logged-out"),
    )))
}
