//! Two-factor sign-in in the API: `/api/me/mfa` (one's own set-up),
//! `POST /api/auth/login/code` (a login's second step) and
//! `DELETE /api/users/{id}/mfa` (an administrator's reset).

use rocket::http::CookieJar;
use rocket::response::status::NoContent;
use rocket::serde::json::Json;
use rocket::{Route, delete, get, post};
use rocket_okapi::okapi::openapi3::OpenApi;
use rocket_okapi::settings::OpenApiSettings;
use rocket_okapi::{openapi, openapi_get_routes_spec};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::views::UserView;
use super::{Answer, ApiJson, SameOrigin};
use crate::auth::{Admin, ClientMeta, CurrentUser};
use crate::services::mfa;
use crate::state::App;

pub fn me_routes(settings: &OpenApiSettings) -> (Vec<Route>, OpenApi) {
    openapi_get_routes_spec![settings: status, start, confirm, disable, regenerate]
}

pub fn auth_routes(settings: &OpenApiSettings) -> (Vec<Route>, OpenApi) {
    openapi_get_routes_spec![settings: login_code]
}

pub fn user_routes(settings: &OpenApiSettings) -> (Vec<Route>, OpenApi) {
    openapi_get_routes_spec![settings: reset]
}

/// Where the caller's two-factor sign-in stands.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "MfaStatus")]
pub struct MfaStatusView {
    pub enabled: bool,
    /// A secret from `POST /api/me/mfa` waits for its first code.
    pub pending: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schemars(with = "Option<String>")]
    pub enabled_at: Option<OffsetDateTime>,
    pub recovery_codes_left: i64,
}

/// A new secret for an authenticator app, pending until confirmed.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "Enrolment")]
pub struct EnrolmentView {
    /// The secret in base32, for typing into the app.
    pub secret: String,
    /// `otpauth://totp/Portero:<username>?secret=…&issuer=Portero`, for a QR code.
    pub otpauth_uri: String,
}

/// A code from the authenticator app.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    /// The 6 digits the app shows now.
    #[schemars(length(min = 1, max = 64))]
    pub code: String,
}

/// The password and a code, to change a second factor.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeRequest {
    #[schemars(length(min = 1, max = 1024))]
    pub password: String,
    /// A code from the app, or one of the recovery codes.
    #[schemars(length(min = 1, max = 64))]
    pub code: String,
}

/// Recovery codes, shown this once: each logs in once instead of a code.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "RecoveryCodes")]
pub struct RecoveryCodesView {
    pub recovery_codes: Vec<String>,
}

/// The second step of a login.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginCodeRequest {
    /// From the 401 of `POST /api/auth/login`.
    #[schemars(length(min = 1, max = 256))]
    pub mfa_token: String,
    /// A code from the app, or one of the recovery codes.
    #[schemars(length(min = 1, max = 64))]
    pub code: String,
}

/// The caller's two-factor status.
///
/// Whether it is on, since when, how many recovery codes are left, and
/// whether a set-up waits for its first code.
#[openapi(tag = "Two-factor")]
#[get("/")]
async fn status(app: App<'_>, user: CurrentUser) -> Answer<Json<MfaStatusView>> {
    let state = mfa::status(&app, &user.user).await?;
    Ok(Json(MfaStatusView {
        enabled: state.enabled_at.is_some(),
        pending: state.pending,
        enabled_at: state.enabled_at,
        recovery_codes_left: state.recovery_codes_left,
    }))
}

/// Starts the set-up: a new secret, pending until confirmed.
///
/// Add the secret (or the `otpauth_uri`, as a QR code) to an authenticator
/// app, then send its code to `POST /api/me/mfa/confirm`. Calling this
/// again replaces a pending secret; 409 when two-factor sign-in is on.
#[openapi(tag = "Two-factor")]
#[post("/")]
async fn start(
    app: App<'_>,
    user: CurrentUser,
    _same_origin: SameOrigin,
) -> Answer<Json<EnrolmentView>> {
    let enrolment = mfa::start(&app, &user.user).await?;
    Ok(Json(EnrolmentView {
        secret: enrolment.secret,
        otpauth_uri: enrolment.otpauth_uri,
    }))
}

/// Confirms the set-up with a first code and turns two-factor sign-in on.
///
/// Answers ten recovery codes, shown this once. The other sessions end and
/// a notice goes to the account's address. A wrong code is 422 on `code`;
/// 409 when nothing is pending.
#[openapi(tag = "Two-factor")]
#[post("/confirm", data = "<body>")]
async fn confirm(
    app: App<'_>,
    client: ClientMeta,
    user: CurrentUser,
    body: ApiJson<CodeRequest>,
) -> Answer<Json<RecoveryCodesView>> {
    let recovery_codes = mfa::confirm(&app, &user.actor(&client), &body.0.code).await?;
    Ok(Json(RecoveryCodesView { recovery_codes }))
}

/// Turns two-factor sign-in off.
///
/// Needs the password and a code (from the app, or a recovery code); 422
/// on `password` or `code` when one is wrong, counted like failed logins.
/// The other sessions end and a notice goes to the account's address.
#[openapi(tag = "Two-factor")]
#[delete("/", data = "<body>")]
async fn disable(
    app: App<'_>,
    client: ClientMeta,
    user: CurrentUser,
    body: ApiJson<ChangeRequest>,
) -> Answer<NoContent> {
    let body = body.0;
    mfa::disable(&app, &user.actor(&client), &body.password, &body.code).await?;
    Ok(NoContent)
}

/// Replaces the recovery codes.
///
/// Needs the password and a code, like turning it off. The new codes are
/// in this answer only; the old ones stop working.
#[openapi(tag = "Two-factor")]
#[post("/recovery-codes", data = "<body>")]
async fn regenerate(
    app: App<'_>,
    client: ClientMeta,
    user: CurrentUser,
    body: ApiJson<ChangeRequest>,
) -> Answer<Json<RecoveryCodesView>> {
    let body = body.0;
    let recovery_codes =
        mfa::regenerate(&app, &user.actor(&client), &body.password, &body.code).await?;
    Ok(Json(RecoveryCodesView { recovery_codes }))
}

/// The second step of a login with two-factor sign-in.
///
/// Takes the `mfa_token` of the 401 from `POST /api/auth/login` and a code
/// from the app (or a recovery code, which also ends the other sessions),
/// then answers like a login: the user, and the session cookie. A wrong
/// code is 422 on `code` and counts towards the login limits (429); an
/// unknown, expired or used token is 401: log in again.
#[openapi(tag = "Auth")]
#[post("/login/code", data = "<body>")]
async fn login_code(
    app: App<'_>,
    cookies: &CookieJar<'_>,
    client: ClientMeta,
    body: ApiJson<LoginCodeRequest>,
) -> Answer<Json<UserView>> {
    let body = body.0;
    let user = mfa::finish_login(&app, cookies, &client, &body.mfa_token, &body.code).await?;
    Ok(Json(user.into()))
}

/// Resets a user's two-factor sign-in (administrators).
///
/// For an owner who lost both the app and the recovery codes: the second
/// factor is removed, the user's sessions end, and a notice goes to their
/// address. 404 for an unknown user, 409 when it has none.
#[openapi(tag = "Users")]
#[delete("/<id>/mfa")]
async fn reset(
    app: App<'_>,
    client: ClientMeta,
    admin: Admin,
    id: i64,
    _same_origin: SameOrigin,
) -> Answer<NoContent> {
    mfa::admin_reset(&app, &admin.0.actor(&client), id).await?;
    Ok(NoContent)
}
