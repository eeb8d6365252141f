//! `/api/auth`: sign-up, login (cookie or bearer token), logout.

use rocket::http::CookieJar;
use rocket::response::status::{Created, NoContent};
use rocket::serde::json::Json;
use rocket::{FromForm, Route, post};
use rocket_okapi::okapi::openapi3::OpenApi;
use rocket_okapi::settings::OpenApiSettings;
use rocket_okapi::{openapi, openapi_get_routes_spec};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::form::ApiForm;
use super::idempotency::{KeyHeader, Replayable};
use super::views::UserView;
use super::{Answer, ApiJson, SameOrigin};
use crate::auth::{ClientMeta, CurrentUser};
use crate::domain::FieldErrors;
use crate::error::{AppError, Opaque};
use crate::services::accounts::{self, LoginStep, NewAccount};
use crate::state::App;

pub fn routes(settings: &OpenApiSettings) -> (Vec<Route>, OpenApi) {
    openapi_get_routes_spec![settings: signup, login, token, logout]
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
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
///
/// With an `Idempotency-Key`, a retry with the same key and details (the
/// password is not compared) answers 201 with the account made the first
/// time and `Idempotent-Replayed: true`, but sets no cookie: log in with
/// the password.
#[openapi(tag = "Auth")]
#[post("/signup", data = "<body>")]
async fn signup(
    app: App<'_>,
    cookies: &CookieJar<'_>,
    client: ClientMeta,
    key: KeyHeader,
    body: ApiJson<SignupRequest>,
) -> Answer<Created<Replayable<Json<UserView>>>> {
    let account = body.0.as_new_account();
    let key = key.with(&accounts::sign_up_fingerprint(&account))?;
    let once = accounts::sign_up_once(&app, cookies, &client, &account, key.as_ref()).await?;
    let user = once.value;
    let location = format!("/api/users/{}", user.id);
    Ok(Created::new(location).body(Replayable::new(Json(user.into()), once.replayed)))
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
/// For an account with two-factor sign-in, a right password answers 401
/// with `"mfa_required": true` and an `mfa_token`, and no session: send a
/// code with it to `POST /api/auth/login/code`.
#[openapi(tag = "Auth")]
#[post("/login", data = "<body>")]
async fn login(
    app: App<'_>,
    cookies: &CookieJar<'_>,
    client: ClientMeta,
    body: ApiJson<LoginRequest>,
) -> Answer<Json<UserView>> {
    match accounts::log_in(&app, cookies, &client, &body.0.login, &body.0.password).await? {
        LoginStep::LoggedIn(user) => Ok(Json((*user).into())),
        LoginStep::CodeNeeded { mfa_token } => Err(AppError::SecondFactorRequired {
            mfa_token: Some(Opaque(mfa_token)),
        }
        .into()),
    }
}

/// The OAuth2 password grant (RFC 6749 §4.3), form-encoded as OAuth2
/// clients and Swagger UI's "Authorize" send it. Other fields they may add
/// (`scope`, `client_id`, `client_secret`) are ignored.
#[derive(Debug, FromForm, JsonSchema)]
pub struct TokenRequest {
    /// `password`, the only grant offered; may be left out.
    #[schemars(regex(pattern = r"^password$"))]
    pub grant_type: Option<String>,
    /// Username or e-mail address.
    #[schemars(with = "String", length(min = 1, max = 254))]
    pub username: Option<String>,
    #[schemars(with = "String", length(min = 1, max = 1024))]
    pub password: Option<String>,
}

/// A bearer token for `Authorization: Bearer <access_token>`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `bearer`.
    pub token_type: &'static str,
    /// Seconds until the token expires at the latest; it also expires
    /// after the idle timeout without use, and ends at logout.
    pub expires_in: i64,
}

impl TokenRequest {
    /// The username and password, or every problem at once.
    fn credentials(&self) -> Result<(&str, &str), FieldErrors> {
        let mut errors = FieldErrors::new();
        if self
            .grant_type
            .as_deref()
            .is_some_and(|grant| grant != "password")
        {
            errors.push("grant_type", "Only the `password` grant is supported.");
        }
        let username = required(&mut errors, "username", &self.username);
        let password = required(&mut errors, "password", &self.password);
        match (username, password) {
            (Some(username), Some(password)) if errors.is_empty() => Ok((username, password)),
            _ => Err(errors),
        }
    }
}

/// A form field that must be present and non-empty.
fn required<'a>(
    errors: &mut FieldErrors,
    field: &str,
    value: &'a Option<String>,
) -> Option<&'a str> {
    match value.as_deref() {
        Some(value) if !value.is_empty() => Some(value),
        _ => {
            errors.push(field, "This field is required.");
            None
        }
    }
}

/// Exchanges a username (or e-mail) and password for a bearer token: a
/// server-side session like the cookie's, with the same timeouts, listed in
/// `GET /api/me/sessions` as `api`, ended by `POST /api/auth/logout` with it.
/// Throttled and audited like a login; wrong credentials answer 401 alike
/// for unknown users. An account with two-factor sign-in cannot use this
/// grant (401 with `"mfa_required": true`): use a personal access token.
#[openapi(tag = "Auth")]
#[post("/token", data = "<body>")]
async fn token(
    app: App<'_>,
    client: ClientMeta,
    body: ApiForm<TokenRequest>,
) -> Answer<Json<TokenResponse>> {
    let (username, password) = body.0.credentials().map_err(AppError::from)?;
    let access_token = accounts::issue_bearer(&app, &client, username, password).await?;
    Ok(Json(TokenResponse {
        access_token,
        token_type: "bearer",
        expires_in: app.state.sessions.lifetime(),
    }))
}

/// Ends the credential this request came with: the session (cookie or
/// bearer token), or the personal access token, which is revoked. It stops
/// working everywhere at once.
#[openapi(tag = "Auth")]
#[post("/logout")]
async fn logout(
    app: App<'_>,
    cookies: &CookieJar<'_>,
    client: ClientMeta,
    user: CurrentUser,
    _same_origin: SameOrigin,
) -> Answer<NoContent> {
    accounts::log_out(&app, cookies, &user.actor(&client), user.credential).await?;
    Ok(NoContent)
}
