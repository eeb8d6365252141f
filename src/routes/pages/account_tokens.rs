//! `/account/tokens`: one's personal access tokens (make, list, revoke), and
//! the administrator's revoke button on a user's page.
//!
//! A new token's secret is rendered into the answer to the form that made
//! it, never put in a flash message: the flash travels in a plain cookie.

use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{Route, get, post, routes};
use serde::Serialize;
use serde_json::{Value, json};

use super::{PageContext, PageResult, Reply, form_errors, values};
use crate::auth::csrf::{CsrfForm, TokenOnly};
use crate::auth::scopes::{Scope, Scopes};
use crate::auth::{Admin, ClientMeta, CurrentUser};
use crate::db::api_tokens::TokenRecord;
use crate::error::AppError;
use crate::routes::pages::view::Formats;
use crate::services::tokens::{self, DEFAULT_DAYS, MAX_DAYS, MAX_NAME_LEN, TokenInput};
use crate::state::App;

pub fn routes() -> Vec<Route> {
    routes![list, create, revoke, admin_revoke]
}

/// Tokens shown on one page; a user rarely has more.
const TOKENS_PER_PAGE: i64 = 100;

/// A token row as the pages show it.
#[derive(Debug, Serialize)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub hint: String,
    pub scopes: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub expires_at: Option<String>,
}

impl TokenRow {
    pub fn new(record: &TokenRecord, formats: &Formats) -> Self {
        TokenRow {
            id: record.id,
            name: record.name.clone(),
            hint: record.hint.clone(),
            scopes: Scopes::from_stored(&record.scopes)
                .to_vec()
                .iter()
                .map(|scope| scope.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            created_at: formats.datetime(record.created_at),
            last_used_at: record.last_used_at.map(|at| formats.datetime(at)),
            expires_at: record.expires_at.map(|at| formats.datetime(at)),
        }
    }
}

/// A user's tokens as page rows (the user's page for administrators, too).
pub async fn rows_of(
    app: &App<'_>,
    user_id: i64,
    formats: &Formats,
) -> Result<Vec<TokenRow>, AppError> {
    let (rows, _) = tokens::list(app, user_id, TOKENS_PER_PAGE, 0).await?;
    Ok(rows.iter().map(|row| TokenRow::new(row, formats)).collect())
}

#[derive(Debug, FromForm, Serialize)]
pub struct NewTokenForm {
    #[field(default = String::new())]
    name: String,
    #[field(default = Vec::new())]
    scopes: Vec<String>,
    #[field(default = String::new())]
    expires_in_days: String,
}

impl NewTokenForm {
    /// The form as a service request; unreadable values become errors.
    fn to_input(&self) -> Result<TokenInput, AppError> {
        let mut errors = crate::domain::FieldErrors::new();
        let mut scopes = Vec::new();
        for text in &self.scopes {
            if let Some(scope) = errors.check("scopes", text.parse::<Scope>()) {
                scopes.push(scope);
            }
        }
        let days = self.expires_in_days.trim();
        let expires_in_days = if days.is_empty() {
            None
        } else {
            errors.check(
                "expires_in_days",
                days.parse::<i64>()
                    .map_err(|_| format!("Use a number of days from 1 to {MAX_DAYS}.")),
            )
        };
        errors.into_result()?;
        Ok(TokenInput {
            name: self.name.clone(),
            scopes,
            expires_in_days,
        })
    }
}

async fn render(
    app: &App<'_>,
    page: &PageContext,
    user: &CurrentUser,
    status: Status,
    extra: Value,
) -> PageResult {
    let formats = page.formats();
    let mut context = json!({
        "tokens": rows_of(app, user.user.id, &formats).await?,
        "may_grant_admin": user.grantable().contains(Scope::Admin),
        "max_name_len": MAX_NAME_LEN,
        "max_days": MAX_DAYS,
        "values": { "name": "", "expires_in_days": DEFAULT_DAYS },
        "errors": {},
    });
    if let (Value::Object(context), Value::Object(extra)) = (&mut context, extra) {
        context.extend(extra);
    }
    Ok(page.render_status(status, "account/tokens", context))
}

#[get("/account/tokens")]
async fn list(app: App<'_>, page: PageContext, user: CurrentUser) -> PageResult {
    render(&app, &page, &user, Status::Ok, json!({})).await
}

#[post("/account/tokens", data = "<form>")]
async fn create(
    app: App<'_>,
    page: PageContext,
    client: ClientMeta,
    user: CurrentUser,
    form: CsrfForm<NewTokenForm>,
) -> PageResult {
    let made = match form.to_input() {
        Ok(input) => tokens::create(&app, &user.actor(&client), user.grantable(), &input).await,
        Err(error) => Err(error),
    };
    match made {
        Ok(created) => {
            let extra = json!({
                "created": { "name": created.record.name, "secret": created.secret },
            });
            render(&app, &page, &user, Status::Ok, extra).await
        }
        Err(error) => {
            let (status, errors) = form_errors(page.lang, error)?;
            let extra = json!({ "values": values(&*form), "errors": errors });
            render(&app, &page, &user, status, extra).await
        }
    }
}

#[post("/account/tokens/<id>/revoke", data = "<_token>")]
async fn revoke(
    app: App<'_>,
    client: ClientMeta,
    user: CurrentUser,
    id: i64,
    _token: CsrfForm<TokenOnly>,
) -> PageResult {
    tokens::revoke(&app, &user.actor(&client), user.user.id, id).await?;
    Ok(Reply::Flash(Flash::success(
        Redirect::to("/account/tokens"),
        "The token was revoked.",
    )))
}

#[post("/admin/users/<id>/tokens/<token_id>/revoke", data = "<_token>")]
async fn admin_revoke(
    app: App<'_>,
    client: ClientMeta,
    admin: Admin,
    id: i64,
    token_id: i64,
    _token: CsrfForm<TokenOnly>,
) -> PageResult {
    tokens::revoke(&app, &admin.0.actor(&client), id, token_id).await?;
    Ok(Reply::Flash(Flash::success(
        Redirect::to(format!("/admin/users/{id}")),
        "The token was revoked.",
    )))
}
