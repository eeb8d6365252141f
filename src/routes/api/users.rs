//! `/api/users`: account administration (and self-lookup by id).

use rocket::response::status::{Created, NoContent};
use rocket::serde::json::Json;
use rocket::{Route, delete, get, patch, post};
use rocket_okapi::okapi::openapi3::OpenApi;
use rocket_okapi::settings::OpenApiSettings;
use rocket_okapi::{openapi, openapi_get_routes_spec};
use schemars::JsonSchema;
use serde::Deserialize;

use super::query::{Query, SearchText, read_paging, settle};
use super::views::UserView;
use super::{Answer, ApiJson, Page, SameOrigin, nullable, present};
use crate::auth::{Admin, ClientMeta, CurrentUser};
use crate::db::users::{UserFilter, UserSort};
use crate::domain::{FieldErrors, Role};
use crate::error::AppError;
use crate::services::accounts::{NewAccount, ProfileInput};
use crate::services::users::{self, AdminChanges};
use crate::state::App;

pub fn routes(settings: &OpenApiSettings) -> (Vec<Route>, OpenApi) {
    openapi_get_routes_spec![settings: list_users, create_user, get_user, update_user, delete_user, revoke_user_sessions]
}

/// Longest search text accepted; longer cannot match any stored value.
const MAX_QUERY_LEN: usize = 254;

/// Search users. `q` matches inside username, e-mail, first or last name;
/// `role` and `active` filter; `sort` orders the list. A parameter that does
/// not parse is a 422 naming it.
#[openapi(tag = "Users")]
#[get("/?<q>&<role>&<active>&<sort>&<page>&<per_page>")]
#[allow(clippy::too_many_arguments)] // one argument per documented query parameter
async fn list_users(
    app: App<'_>,
    _admin: Admin,
    q: Query<SearchText<{ MAX_QUERY_LEN }>>,
    role: Query<Role>,
    active: Query<bool>,
    sort: Query<UserSort>,
    page: Query<i64>,
    per_page: Query<i64>,
) -> Answer<Json<Page<UserView>>> {
    let mut errors = FieldErrors::new();
    let q = q.read("q", &mut errors).map(|q| q.0);
    let role = role.read("role", &mut errors);
    let active = active.read("active", &mut errors);
    let sort = sort.read("sort", &mut errors).unwrap_or_default();
    let paging = read_paging(page, per_page, &app.state.config, &mut errors);
    let paging = settle(errors, paging)?;
    let filter = UserFilter {
        q,
        role,
        active,
        verified: None,
        count_at_most: None,
    };
    let (rows, total) = users::list(&app, &filter, sort, paging.per_page, paging.offset()).await?;
    Ok(Json(paging.wrap(
        rows.into_iter().map(UserView::from).collect(),
        total,
    )))
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    #[schemars(schema_with = "super::schema::username")]
    pub username: String,
    #[schemars(schema_with = "super::schema::email")]
    pub email: String,
    #[schemars(schema_with = "super::schema::password")]
    pub password: String,
    #[schemars(schema_with = "super::schema::person_name")]
    pub first_name: String,
    #[schemars(schema_with = "super::schema::person_name")]
    pub last_name: String,
    #[serde(default)]
    #[schemars(schema_with = "super::schema::address")]
    pub address: Option<String>,
    #[serde(default)]
    #[schemars(schema_with = "super::schema::phone")]
    pub phone: Option<String>,
    /// `user` unless given.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Role")]
    pub role: Option<Role>,
}

impl CreateUser {
    fn as_new_account(&self) -> NewAccount<'_> {
        NewAccount {
            username: &self.username,
            email: &self.email,
            password: &self.password,
            first_name: &self.first_name,
            last_name: &self.last_name,
            address: self.address.as_deref(),
            phone: self.phone.as_deref(),
        }
    }
}

/// Creates an account (201 with `Location`).
#[openapi(tag = "Users")]
#[post("/", data = "<body>")]
async fn create_user(
    app: App<'_>,
    client: ClientMeta,
    admin: Admin,
    body: ApiJson<CreateUser>,
) -> Answer<Created<Json<UserView>>> {
    let body = body.0;
    let user = users::create(
        &app,
        &admin.0.actor(&client),
        &body.as_new_account(),
        body.role.unwrap_or(Role::User),
    )
    .await?;
    Ok(Created::new(format!("/api/users/{}", user.id)).body(Json(user.into())))
}

/// One account: administrators see anyone, a user only themselves (404 for others).
#[openapi(tag = "Users")]
#[get("/<id>")]
async fn get_user(app: App<'_>, user: CurrentUser, id: i64) -> Answer<Json<UserView>> {
    if !user.is_admin() && user.user.id != id {
        return Err(AppError::NotFound.into());
    }
    Ok(Json(users::get(&app, id).await?.into()))
}

/// Changes to an account; fields left out stay as they are.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    /// A new username; 409 when taken.
    #[serde(default, deserialize_with = "present")]
    #[schemars(schema_with = "super::schema::username")]
    pub username: Option<String>,
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
    #[schemars(with = "Role")]
    pub role: Option<Role>,
    /// `false` deactivates the account and ends its sessions at once.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "bool")]
    pub is_active: Option<bool>,
    /// `true` marks the address verified now, `false` unverified.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "bool")]
    pub email_verified: Option<bool>,
}

/// Changes an account. Demoting or deactivating ends the user's sessions;
/// the last active administrator cannot be demoted or deactivated (409).
#[openapi(tag = "Users")]
#[patch("/<id>", data = "<body>")]
async fn update_user(
    app: App<'_>,
    client: ClientMeta,
    admin: Admin,
    id: i64,
    body: ApiJson<UserPatch>,
) -> Answer<Json<UserView>> {
    let patch = body.0;
    let changes = AdminChanges {
        username: patch.username,
        profile: ProfileInput {
            email: patch.email,
            first_name: patch.first_name,
            last_name: patch.last_name,
            address: patch.address,
            phone: patch.phone,
            time_zone: None,
        },
        role: patch.role,
        is_active: patch.is_active,
        email_verified: patch.email_verified,
    };
    Ok(Json(
        users::update(&app, &admin.0.actor(&client), id, &changes)
            .await?
            .into(),
    ))
}

/// Deletes an account with its sessions and sales.
#[openapi(tag = "Users")]
#[delete("/<id>")]
async fn delete_user(
    app: App<'_>,
    client: ClientMeta,
    admin: Admin,
    id: i64,
    _same_origin: SameOrigin,
) -> Answer<NoContent> {
    users::delete(&app, &admin.0.actor(&client), id).await?;
    Ok(NoContent)
}

/// Ends every session of an account ("log out everywhere").
#[openapi(tag = "Users")]
#[delete("/<id>/sessions")]
async fn revoke_user_sessions(
    app: App<'_>,
    client: ClientMeta,
    admin: Admin,
    id: i64,
    _same_origin: SameOrigin,
) -> Answer<NoContent> {
    users::revoke_sessions(&app, &admin.0.actor(&client), id).await?;
    Ok(NoContent)
}
