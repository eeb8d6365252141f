//! Pages of e-mailed links: "forgot my password", the reset form, the
//! verification link and "send the link again".

use rocket::form::FromForm;
use rocket::response::{Flash, Redirect};
use rocket::{Route, get, post, routes};
use serde::Serialize;
use serde_json::json;

use super::{PageContext, PageResult, Reply, form_errors};
use crate::auth::csrf::{CsrfForm, TokenOnly};
use crate::auth::{ClientMeta, CurrentUser};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::i18n::Msg;
use crate::services::recovery;
use crate::state::App;

pub fn routes() -> Vec<Route> {
    routes![
        forgot_page,
        forgot,
        reset_page,
        reset,
        verify_email,
        resend_verification,
        resend_from_login
    ]
}

#[get("/password/forgot")]
fn forgot_page(page: PageContext) -> Reply {
    page.render("auth/forgot", json!({ "values": {}, "sent": false }))
        .into()
}

#[derive(Debug, FromForm, Serialize)]
pub struct ForgotForm {
    #[field(default = String::new())]
    login: String,
}

/// The same page whether or not the account exists.
#[post("/password/forgot", data = "<form>")]
async fn forgot(
    app: App<'_>,
    page: PageContext,
    client: ClientMeta,
    form: CsrfForm<ForgotForm>,
) -> PageResult {
    recovery::request_reset(&app, &client, &form.login).await?;
    Ok(page
        .render("auth/forgot", json!({ "values": {}, "sent": true }))
        .into())
}

#[get("/password/reset?<token>")]
fn reset_page(page: PageContext, token: Option<&str>) -> Reply {
    page.render(
        "auth/reset",
        json!({ "token": token.unwrap_or_default(), "errors": {} }),
    )
    .into()
}

#[derive(Debug, FromForm)]
pub struct ResetForm {
    #[field(default = String::new())]
    token: String,
    #[field(default = String::new())]
    new_password: String,
    #[field(default = String::new())]
    new_password_confirm: String,
}

#[post("/password/reset", data = "<form>")]
async fn reset(
    app: App<'_>,
    page: PageContext,
    client: ClientMeta,
    form: CsrfForm<ResetForm>,
) -> PageResult {
    let result = if form.new_password != form.new_password_confirm {
        Err(AppError::invalid(
            "new_password_confirm",
            Msg::new("passwords-differ"),
        ))
    } else {
        recovery::reset_password(&app, &client, &form.token, &form.new_password).await
    };
    match result {
        Ok(()) => Ok(Reply::Flash(Flash::success(
            Redirect::to("/login"),
            page.lang.t("flash-password-reset"),
        ))),
        Err(error) => {
            let (status, errors) = form_errors(page.lang, error)?;
            Ok(page.render_status(
                status,
                "auth/reset",
                json!({ "token": &form.token, "errors": errors }),
            ))
        }
    }
}

#[get("/verify-email?<token>")]
async fn verify_email(
    app: App<'_>,
    page: PageContext,
    client: ClientMeta,
    token: Option<&str>,
) -> PageResult {
    let next = if page.user.is_some() { "/account" } else { "/" };
    match recovery::verify_email(&app, &client, token.unwrap_or_default()).await {
        Ok(user) => Ok(Reply::Flash(Flash::success(
            Redirect::to(next),
            page.lang
                .t_with("flash-email-verified", &[("email", user.email.into())]),
        ))),
        Err(error) => {
            let (status, errors) = form_errors(page.lang, error)?;
            Ok(page.render_status(status, "auth/verify", json!({ "errors": errors })))
        }
    }
}

#[post("/account/verify-email", data = "<_token>")]
async fn resend_verification(
    app: App<'_>,
    client: ClientMeta,
    user: CurrentUser,
    lang: Lang,
    _token: CsrfForm<TokenOnly>,
) -> PageResult {
    recovery::resend_verification(&app, &user.actor(&client)).await?;
    Ok(Reply::Flash(Flash::success(
        Redirect::to("/account"),
        lang.t_with("flash-link-sent", &[("email", user.user.email.into())]),
    )))
}

/// "Send the link again" on the login page (`require_verified_email`):
/// the same answer whether or not a link was sent.
#[post("/verify-email/resend", data = "<form>")]
async fn resend_from_login(
    app: App<'_>,
    client: ClientMeta,
    lang: Lang,
    form: CsrfForm<ForgotForm>,
) -> PageResult {
    recovery::resend_for_login(&app, &client, &form.login).await?;
    Ok(Reply::Flash(Flash::success(
        Redirect::to("/login"),
        lang.t("flash-link-maybe-sent"),
    )))
}
