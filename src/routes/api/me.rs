//! `/api/me`: the caller's own account and sessions.

use rocket::response::status::NoContent;
use rocket::serde::json::Json;
use rocket::{Route, delete, get, patch, put};
use rocket_okapi::okapi::openapi3::OpenApi;
use rocket_okapi::settings::OpenApiSettings;
use rocket_okapi::{openapi, openapi_get_routes_spec};
use schemars::JsonSchema;
use serde::Deserialize;

use super::query::{Query, paging};
use super::views::{SessionView, UserView};
use super::{Answer, ApiJson, Page, SameOrigin, nullable, present};
use crate::auth::{ClientMeta, CurrentUser};
use crate::services::accounts::{self, ProfileInput};
use crate::state::App;

pub fn routes(settings: &OpenApiSettings) -> (Vec<Route>, OpenApi) {
    openapi_get_routes_spec![settings: me, update_me, change_password, sessions, revoke_session, revoke_other_sessions]
}

/// The logged-in user.
#[openapi(tag = "Me")]
#[get("/")]
async fn me(user: CurrentUser) -> Answer<Json<UserView>> {
    Ok(Json(user.user.into()))
}

/// Profile changes; fields left out stay as they are, `null` clears the optional ones.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    /// A new address is unverified until its link is used; 409 when taken.
    #[serde(default, deserialize_with = "present")]
    #[schemars(schema_with = "super::schema::email")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schemars(schema_with = "super::schema::person_name")]
    pub first_name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schemars(schema_with = "super::schema::person_name")]
    pub last_name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schemars(schema_with = "super::schema::address")]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schemars(schema_with = "super::schema::phone")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schemars(schema_with = "super::schema::time_zone")]
    pub time_zone: Option<String>,
}

impl From<ProfilePatch> for ProfileInput {
    fn from(patch: ProfilePatch) -> Self {
        ProfileInput {
            email: patch.email,
            first_name: patch.first_name,
            last_name: patch.last_name,
            address: patch.address,
            phone: patch.phone,
            time_zone: patch.time_zone,
        }
    }
}

/// Changes the caller's profile (409 when the new e-mail is taken).
#[openapi(tag = "Me")]
#[patch("/", data = "<body>")]
async fn update_me(
    app: App<'_>,
    client: ClientMeta,
    user: CurrentUser,
    body: ApiJson<ProfilePatch>,
) -> Answer<Json<UserView>> {
    let updated = accounts::update_profile(&app, &user.actor(&client), &body.0.into()).await?;
    Ok(Json(updated.into()))
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The password in use now; a wrong one is a 422 on this field.
    pub current_password: String,
    #[schemars(schema_with = "super::schema::password")]
    pub new_password: String,
}

/// Changes the password; every other session of the account ends. A wrong
/// `current_password` counts as a failed login of the account: past the
/// login limit the answer is 429, even for the right one.
#[openapi(tag = "Me")]
#[put("/password", data = "<body>")]
async fn change_password(
    app: App<'_>,
    client: ClientMeta,
    user: CurrentUser,
    body: ApiJson<PasswordChange>,
) -> Answer<NoContent> {
    accounts::change_password(
        &app,
        &user.actor(&client),
        &body.0.current_password,
        &body.0.new_password,
    )
    .await?;
    Ok(NoContent)
}

/// The caller's live sessions, newest first.
#[openapi(tag = "Me")]
#[get("/sessions?<page>&<per_page>")]
async fn sessions(
    app: App<'_>,
    client: ClientMeta,
    user: CurrentUser,
    page: Query<i64>,
    per_page: Query<i64>,
) -> Answer<Json<Page<SessionView>>> {
    let paging = paging(page, per_page, &app.state.config)?;
    let (rows, total) =
        accounts::list_sessions(&app, &user.actor(&client), paging.per_page, paging.offset())
            .await?;
    let items = rows
        .into_iter()
        .map(|row| SessionView::new(row, user.session_id))
        .collect();
    Ok(Json(paging.wrap(items, total)))
}

/// Ends one of the caller's sessions (404 when it is not theirs).
#[openapi(tag = "Me")]
#[delete("/sessions/<id>")]
async fn revoke_session(
    app: App<'_>,
    client: ClientMeta,
    user: CurrentUser,
    id: i64,
    _same_origin: SameOrigin,
) -> Answer<NoContent> {
    accounts::revoke_session(&app, &user.actor(&client), id).await?;
    Ok(NoContent)
}

/// Ends every session of the caller except this one ("log out everywhere else").
#[openapi(tag = "Me")]
#[delete("/sessions")]
async fn revoke_other_sessions(
    app: App<'_>,
    client: ClientMeta,
    user: CurrentUser,
    _same_origin: SameOrigin,
) -> Answer<NoContent> {
    accounts::revoke_other_sessions(&app, &user.actor(&client)).await?;
    Ok(NoContent)
}
