//! `/account/data` (a copy of one's data, as a download) and
//! `/account/delete` (leaving, with the password).

use std::collections::BTreeMap;

use rocket::http::{Header, Status};
use rocket::response::{Flash, Redirect, Responder};
use rocket::{FromForm, Route, get, post, routes};
use serde_json::json;

use super::{PageContext, PageError, PageResult, Reply, form_errors, too_many_attempts};
use crate::auth::csrf::CsrfForm;
use crate::auth::{ClientMeta, CurrentUser};
use crate::error::AppError;
use crate::routes::api::AccountExport;
use crate::services::own_data;
use crate::state::App;

pub fn routes() -> Vec<Route> {
    routes![data_page, download, delete_page, delete]
}

#[get("/account/data")]
fn data_page(page: PageContext, _user: CurrentUser) -> Reply {
    page.render("account/data", json!({})).into()
}

/// The export as a file to save.
#[derive(Responder)]
#[response(content_type = "json")]
struct Download {
    body: String,
    disposition: Header<'static>,
}

#[get("/account/data/download")]
async fn download(
    app: App<'_>,
    client: ClientMeta,
    user: CurrentUser,
) -> Result<Download, PageError> {
    let data = own_data::export(&app, &user.actor(&client)).await?;
    let export = AccountExport::new(data, user.session_id);
    let body = serde_json::to_string_pretty(&export).map_err(AppError::internal)?;
    // The username is `a-z 0-9 _ . -` only: safe inside the quoted file name.
    let disposition = Header::new(
        "Content-Disposition",
        format!(
            "attachment; filename=\"portero-{}-data.json\"",
            user.user.username
        ),
    );
    Ok(Download { body, disposition })
}

#[get("/account/delete")]
fn delete_page(page: PageContext, _user: CurrentUser) -> Reply {
    page.render("account/delete", json!({ "errors": {} }))
        .into()
}

#[derive(Debug, FromForm)]
pub struct DeleteForm {
    #[field(default = String::new())]
    password: String,
}

#[post("/account/delete", data = "<form>")]
async fn delete(
    app: App<'_>,
    page: PageContext,
    client: ClientMeta,
    user: CurrentUser,
    cookies: &rocket::http::CookieJar<'_>,
    form: CsrfForm<DeleteForm>,
) -> PageResult {
    match own_data::delete_account(&app, &user.actor(&client), &form.password).await {
        Ok(()) => {
            app.state.sessions.clear_cookie(cookies);
            Ok(Reply::Flash(Flash::success(
                Redirect::to("/"),
                page.lang.t("flash-account-deleted"),
            )))
        }
        Err(error) => {
            let (status, errors) = match error {
                AppError::Throttled { retry_after } => (
                    Status::TooManyRequests,
                    BTreeMap::from([(
                        "password".to_owned(),
                        vec![too_many_attempts(page.lang, retry_after)],
                    )]),
                ),
                other => form_errors(page.lang, other)?,
            };
            Ok(page.render_status(status, "account/delete", json!({ "errors": errors })))
        }
    }
}
