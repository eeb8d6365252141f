//! `/api/auth`: sign-up, login, logout.

use rocket::http::CookieJar;
use rocket::response::status::{Created, NoContent};
use rocket::serde::json::Json;
use rocket::{Route, post};
use rocket_okapi::okapi::openapi3::OpenApi;
use rocket_okapi::settings::OpenApiSettings;
use rocket_okapi::{openapi, openapi_get_routes_spec};
use schemars::JsonSchema;
use serde::Deserialize;

use super::views::UserView;
use super::{Answer, ApiJson, SameOrigin};
use crate::auth::{ClientMeta, CurrentUser};
use crate::services::accounts::{self, NewAccount};
use crate::state::App;

pub fn routes(settings: &OpenApiSettings) -> (Vec<Route>, OpenApi) {
    openapi_get_routes_spec![settings: signup, login, logout]
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    /// 3–32 of `a-z 0-9 _ . -`; upper case is folded to lower case.
    pub username: String,
    pub email: String,
    /// 8–128 characters, not a common password, not the username or e-mail.
    pub password: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

impl SignupRequest {
    pub fn as_new_account(&self) -> NewAccount<'_> {
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

/// Creates an account and logs it in (the session cookie is set).
#[openapi(tag = "Auth")]
#[post("/signup", data = "<body>")]
async fn signup(
    app: App<'_>,
    cookies: &CookieJar<'_>,
    client: ClientMeta,
    body: ApiJson<SignupRequest>,
) -> Answer<Created<Json<UserView>>> {
    let user = accounts::sign_up(&app, cookies, &client, &body.0.as_new_account()).await?;
    let location = format!("/api/users/{}", user.id);
    Ok(Created::new(location).body(Json(user.into())))
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Username or e-mail address.
    pub login: String,
    pub password: String,
}

/// Logs in by username or e-mail. Any session the client had is replaced.
/// Unknown user, wrong password and inactive account all answer 401 alike.
#[openapi(tag = "Auth")]
#[post("/login", data = "<body>")]
async fn login(
    app: App<'_>,
    cookies: &CookieJar<'_>,
    client: ClientMeta,
    body: ApiJson<LoginRequest>,
) -> Answer<Json<UserView>> {
    let user = accounts::log_in(&app, cookies, &client, &body.0.login, &body.0.password).await?;
    Ok(Json(user.into()))
}

/// Ends this session on the server; the cookie stops working everywhere.
#[openapi(tag = "Auth")]
#[post("/logout")]
async fn logout(
    app: App<'_>,
    cookies: &CookieJar<'_>,
    client: ClientMeta,
    user: CurrentUser,
    _same_origin: SameOrigin,
) -> Answer<NoContent> {
    accounts::log_out(&app, cookies, &user.actor(&client)).await?;
    Ok(NoContent)
}
