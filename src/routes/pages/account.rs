//! The logged-in user's own pages: profile, password, sessions.

use std::collections::BTreeMap;

use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{Route, get, post, routes};
use serde::Serialize;
use serde_json::{Value, json};

use super::view;
use super::{PageContext, PageResult, Reply, form_errors, too_many_attempts, values};
use crate::auth::csrf::{CsrfForm, TokenOnly};
use crate::auth::{ClientMeta, CurrentUser};
use crate::db::users::User;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::i18n::Msg;
use crate::services::accounts::{self, ProfileInput};
use crate::state::App;

pub fn routes() -> Vec<Route> {
    routes![
        profile,
        update_profile,
        change_password,
        sessions,
        revoke_session,
        revoke_other_sessions
    ]
}

fn profile_values(user: &User) -> Value {
    json!({
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "address": user.address.clone().unwrap_or_default(),
        "phone": user.phone.clone().unwrap_or_default(),
    })
}

#[get("/account")]
fn profile(page: PageContext, user: CurrentUser) -> Reply {
    page.render(
        "account/profile",
        json!({
            "user": view::User::new(&user.user, &page.formats()),
            "values": profile_values(&user.user),
            "errors": {},
            "password_errors": {},
        }),
    )
    .into()
}

#[derive(Debug, FromForm, Serialize)]
pub struct ProfileForm {
    #[field(default = String::new())]
    email: String,
    #[field(default = String::new())]
    first_name: String,
    #[field(default = String::new())]
    last_name: String,
    #[field(default = String::new())]
    address: String,
    #[field(default = String::new())]
    phone: String,
}

impl ProfileForm {
    pub fn to_input(&self) -> ProfileInput {
        ProfileInput {
            email: Some(self.email.clone()),
            first_name: Some(self.first_name.clone()),
            last_name: Some(self.last_name.clone()),
            address: Some(Some(self.address.clone())),
            phone: Some(Some(self.phone.clone())),
        }
    }
}

#[post("/account", data = "<form>")]
async fn update_profile(
    app: App<'_>,
    page: PageContext,
    client: ClientMeta,
    user: CurrentUser,
    form: CsrfForm<ProfileForm>,
) -> PageResult {
    match accounts::update_profile(&app, &user.actor(&client), &form.to_input()).await {
        Ok(_) => Ok(Reply::Flash(Flash::success(
            Redirect::to("/account"),
            page.lang.t("flash-profile-saved"),
        ))),
        Err(error) => {
            let (status, errors) = form_errors(page.lang, error)?;
            Ok(page.render_status(
                status,
                "account/profile",
                json!({
                    "user": view::User::new(&user.user, &page.formats()),
                    "values": values(&*form),
                    "errors": errors,
                    "password_errors": {},
                }),
            ))
        }
    }
}

#[derive(Debug, FromForm)]
pub struct PasswordForm {
    #[field(default = String::new())]
    current_password: String,
    #[field(default = String::new())]
    new_password: String,
    #[field(default = String::new())]
    new_password_confirm: String,
}

#[post("/account/password", data = "<form>")]
async fn change_password(
    app: App<'_>,
    page: PageContext,
    client: ClientMeta,
    user: CurrentUser,
    form: CsrfForm<PasswordForm>,
) -> PageResult {
    let result = if form.new_password != form.new_password_confirm {
        Err(AppError::invalid(
            "new_password_confirm",
            Msg::new("passwords-differ"),
        ))
    } else {
        accounts::change_password(
            &app,
            &user.actor(&client),
            &form.current_password,
            &form.new_password,
        )
        .await
    };
    match result {
        Ok(()) => Ok(Reply::Flash(Flash::success(
            Redirect::to("/account"),
            page.lang.t("flash-password-changed"),
        ))),
        Err(error) => {
            // Wrong current passwords count as failed logins: past the
            // limit the form explains the wait.
            let (status, errors) = match error {
                AppError::Throttled { retry_after } => (
                    Status::TooManyRequests,
                    BTreeMap::from([(
                        "current_password".to_owned(),
                        vec![too_many_attempts(page.lang, retry_after)],
                    )]),
                ),
                other => form_errors(page.lang, other)?,
            };
            Ok(page.render_status(
                status,
                "account/profile",
                json!({
                    "user": view::User::new(&user.user, &page.formats()),
                    "values": profile_values(&user.user),
                    "errors": {},
                    "password_errors": errors,
                }),
            ))
        }
    }
}

/// Sessions shown on one page; a user rarely has more.
const SESSIONS_PER_PAGE: i64 = 100;

#[get("/account/sessions")]
async fn sessions(
    app: App<'_>,
    page: PageContext,
    client: ClientMeta,
    user: CurrentUser,
) -> PageResult {
    let (rows, total) =
        accounts::list_sessions(&app, &user.actor(&client), SESSIONS_PER_PAGE, 0).await?;
    let formats = page.formats();
    let sessions: Vec<view::Session> = rows
        .iter()
        .map(|s| view::Session::new(s, user.session_id, &formats))
        .collect();
    Ok(page
        .render(
            "account/sessions",
            json!({ "sessions": sessions, "total": total }),
        )
        .into())
}

#[post("/account/sessions/<id>/revoke", data = "<_token>")]
async fn revoke_session(
    app: App<'_>,
    client: ClientMeta,
    user: CurrentUser,
    id: i64,
    lang: Lang,
    _token: CsrfForm<TokenOnly>,
) -> PageResult {
    accounts::revoke_session(&app, &user.actor(&client), id).await?;
    let target = if Some(id) == user.session_id {
        "/"
    } else {
        "/account/sessions"
    };
    Ok(Reply::Flash(Flash::success(
        Redirect::to(target),
        lang.t("flash-session-revoked"),
    )))
}

#[post("/account/sessions/revoke-others", data = "<_token>")]
async fn revoke_other_sessions(
    app: App<'_>,
    client: ClientMeta,
    user: CurrentUser,
    lang: Lang,
    _token: CsrfForm<TokenOnly>,
) -> PageResult {
    let revoked = accounts::revoke_other_sessions(&app, &user.actor(&client)).await?;
    Ok(Reply::Flash(Flash::success(
        Redirect::to("/account/sessions"),
        lang.t_with("flash-sessions-revoked", &[("count", revoked.into())]),
    )))
}
