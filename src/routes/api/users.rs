//! `/api/users`: account administration (and self-lookup by id).

use rocket::response::status::{Created, NoContent};
use rocket::serde::json::Json;
use rocket::{Route, delete, get, patch, post};
use rocket_okapi::okapi::openapi3::OpenApi;
use rocket_okapi::settings::OpenApiSettings;
use rocket_okapi::{openapi, openapi_get_routes_spec};
use schemars::JsonSchema;
use serde::Deserialize;

use super::views::UserView;
use super::{Answer, ApiJson, Page, Paging, SameOrigin, nullable};
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

/// Longest search text accepted; longer cannot prefix any stored value.
const MAX_QUERY_LEN: usize = 254;

/// Search users. `q` is a case-insensitive prefix of username, e-mail, first
/// or last name; `sort` is one of `username`, `username_desc`, `email`,
/// `email_desc`, `created`, `created_desc`, `last_login`, `last_login_desc`.
#[openapi(tag = "Users")]
#[get("/?<q>&<role>&<active>&<sort>&<page>&<per_page>")]
#[allow(clippy::too_many_arguments)] // one argument per documented query parameter
async fn list_users(
    app: App<'_>,
    _admin: Admin,
    q: Option<String>,
    role: Option<String>,
    active: Option<bool>,
    sort: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
) -> Answer<Json<Page<UserView>>> {
    let mut errors = FieldErrors::new();
    let role = role
        .map(|role| errors.check("role", role.parse::<Role>()))
        .unwrap_or(None);
    let sort = match sort.as_deref() {
        None => Some(UserSort::default()),
        Some(text) => errors.check(
            "sort",
            UserSort::parse(text).ok_or_else(|| "Unknown sort order.".to_string()),
        ),
    };
    if q.as_ref()
        .is_some_and(|q| q.chars().count() > MAX_QUERY_LEN)
    {
        errors.push("q", format!("Use at most {MAX_QUERY_LEN} characters."));
    }
    let paging = Paging::parse(page, per_page, &app.state.config);
    let paging = match paging {
        Ok(paging) => Some(paging),
        Err(AppError::Invalid(more)) => {
            for error in more.into_vec() {
                errors.add(error);
            }
            None
        }
        Err(other) => return Err(other.into()),
    };
    errors.into_result().map_err(AppError::from)?;
    let (Some(paging), Some(sort)) = (paging, sort) else {
        return Err(AppError::internal("validated paging missing").into());
    };
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
    pub username: String,
    pub email: String,
    pub password: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    /// `user` unless given.
    #[serde(default)]
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
    /// A new username (3–32 of `a-z 0-9 _ . -`, folded to lower case); 409 when taken.
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schemars(with = "Option<String>")]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schemars(with = "Option<String>")]
    pub phone: Option<Option<String>>,
    #[serde(default)]
    pub role: Option<Role>,
    /// `false` deactivates the account and ends its sessions at once.
    #[serde(default)]
    pub is_active: Option<bool>,
    #[serde(default)]
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
