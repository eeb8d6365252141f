//! `/api/me/tokens` (one's own personal access tokens) and
//! `/api/users/{id}/tokens` (an administrator's view of anyone's).

use rocket::response::status::{Created, NoContent};
use rocket::serde::json::Json;
use rocket::{Route, delete, get, post};
use rocket_okapi::okapi::openapi3::OpenApi;
use rocket_okapi::settings::OpenApiSettings;
use rocket_okapi::{openapi, openapi_get_routes_spec};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::query::{Query, paging};
use super::views::TokenView;
use super::{Answer, ApiJson, Page, SameOrigin, present};
use crate::auth::scopes::Scope;
use crate::auth::{Admin, ClientMeta, CurrentUser};
use crate::services::tokens::{self, TokenInput};
use crate::state::App;

pub fn routes(settings: &OpenApiSettings) -> (Vec<Route>, OpenApi) {
    openapi_get_routes_spec![settings: list_tokens, create_token, revoke_token]
}

pub fn admin_routes(settings: &OpenApiSettings) -> (Vec<Route>, OpenApi) {
    openapi_get_routes_spec![settings: list_user_tokens, revoke_user_token]
}

/// A personal access token to make.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenRequest {
    /// What the token is for ("CI deploys").
    #[schemars(schema_with = "super::schema::token_name")]
    pub name: String,
    /// `read` (GET), `write` (other methods on one's own data), `admin`
    /// (administrator routes; administrators only). At least one; never
    /// more than the credential making the token has.
    #[schemars(length(min = 1))]
    pub scopes: Vec<Scope>,
    /// Lifetime in days, 1–365; 90 when left out. Every token expires.
    #[serde(default, deserialize_with = "present")]
    #[schemars(
        with = "i64",
        range(min = 1, max = "crate::services::tokens::MAX_DAYS")
    )]
    pub expires_in_days: Option<i64>,
}

/// A new token with its secret, shown this once: store it now.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "CreatedToken")]
pub struct CreatedTokenView {
    #[serde(flatten)]
    pub view: TokenView,
    /// The secret, `prt_…`: send it as `Authorization: Bearer <token>`.
    pub token: String,
}

/// The caller's personal access tokens, newest first (expired ones included).
#[openapi(tag = "Tokens")]
#[get("/?<page>&<per_page>")]
async fn list_tokens(
    app: App<'_>,
    user: CurrentUser,
    page: Query<i64>,
    per_page: Query<i64>,
) -> Answer<Json<Page<TokenView>>> {
    let paging = paging(page, per_page, &app.state.config)?;
    let (rows, total) = tokens::list(&app, user.user.id, paging.per_page, paging.offset()).await?;
    Ok(Json(paging.wrap(
        rows.into_iter().map(TokenView::from).collect(),
        total,
    )))
}

/// Makes a personal access token (201); its secret is in this answer only.
#[openapi(tag = "Tokens")]
#[post("/", data = "<body>")]
async fn create_token(
    app: App<'_>,
    client: ClientMeta,
    user: CurrentUser,
    body: ApiJson<NewTokenRequest>,
) -> Answer<Created<Json<CreatedTokenView>>> {
    let body = body.0;
    let input = TokenInput {
        name: body.name,
        scopes: body.scopes,
        expires_in_days: body.expires_in_days,
    };
    let created = tokens::create(&app, &user.actor(&client), user.grantable(), &input).await?;
    let location = format!("/api/me/tokens/{}", created.record.id);
    Ok(Created::new(location).body(Json(CreatedTokenView {
        view: created.record.into(),
        token: created.secret,
    })))
}

/// Revokes one of the caller's tokens at once (404 when it is not theirs).
#[openapi(tag = "Tokens")]
#[delete("/<id>")]
async fn revoke_token(
    app: App<'_>,
    client: ClientMeta,
    user: CurrentUser,
    id: i64,
    _same_origin: SameOrigin,
) -> Answer<NoContent> {
    tokens::revoke(&app, &user.actor(&client), user.user.id, id).await?;
    Ok(NoContent)
}

/// A user's personal access tokens, for administrators.
#[openapi(tag = "Users")]
#[get("/<id>/tokens?<page>&<per_page>")]
async fn list_user_tokens(
    app: App<'_>,
    _admin: Admin,
    id: i64,
    page: Query<i64>,
    per_page: Query<i64>,
) -> Answer<Json<Page<TokenView>>> {
    let paging = paging(page, per_page, &app.state.config)?;
    crate::services::users::get(&app, id).await?;
    let (rows, total) = tokens::list(&app, id, paging.per_page, paging.offset()).await?;
    Ok(Json(paging.wrap(
        rows.into_iter().map(TokenView::from).collect(),
        total,
    )))
}

/// Revokes a user's personal access token (administrators).
#[openapi(tag = "Users")]
#[delete("/<id>/tokens/<token_id>")]
async fn revoke_user_token(
    app: App<'_>,
    client: ClientMeta,
    admin: Admin,
    id: i64,
    token_id: i64,
    _same_origin: SameOrigin,
) -> Answer<NoContent> {
    tokens::revoke(&app, &admin.0.actor(&client), id, token_id).await?;
    Ok(NoContent)
}
