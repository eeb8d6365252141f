//! The API of e-mailed links: password reset (`/api/auth/password-reset`),
//! e-mail verification (`/api/auth/verify-email`, `/api/me/verify-email`)
//! and an administrator's "send a reset link" (`/api/users/{id}/password-reset`).

use rocket::response::status::{Accepted, NoContent};
use rocket::{Route, post};
use rocket_okapi::okapi::openapi3::OpenApi;
use rocket_okapi::settings::OpenApiSettings;
use rocket_okapi::{openapi, openapi_get_routes_spec};
use schemars::JsonSchema;
use serde::Deserialize;

use super::{Answer, ApiJson, SameOrigin};
use crate::auth::{Admin, ClientMeta, CurrentUser};
use crate::services::recovery;
use crate::state::App;

pub fn auth_routes(settings: &OpenApiSettings) -> (Vec<Route>, OpenApi) {
    openapi_get_routes_spec![settings: request_reset, confirm_reset, verify_email]
}

pub fn me_routes(settings: &OpenApiSettings) -> (Vec<Route>, OpenApi) {
    openapi_get_routes_spec![settings: resend_verification]
}

pub fn user_routes(settings: &OpenApiSettings) -> (Vec<Route>, OpenApi) {
    openapi_get_routes_spec![settings: send_reset_link]
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    /// Username or e-mail address.
    #[schemars(length(max = "crate::domain::Email::MAX_LEN"))]
    pub login: String,
}

/// Sends a password-reset link to the account's address. Always 202,
/// whether or not the account exists; requests past the limits are dropped
/// silently.
#[openapi(tag = "Auth")]
#[post("/password-reset", data = "<body>")]
async fn request_reset(
    app: App<'_>,
    client: ClientMeta,
    body: ApiJson<ResetRequest>,
) -> Answer<Accepted<()>> {
    // No username or address is longer; saying so is no hint about accounts.
    if body.0.login.chars().count() > crate::domain::Email::MAX_LEN {
        return Err(crate::error::AppError::invalid(
            "login",
            format!("Use at most {} characters.", crate::domain::Email::MAX_LEN),
        )
        .into());
    }
    recovery::request_reset(&app, &client, &body.0.login).await?;
    Ok(Accepted(()))
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetConfirm {
    /// The token from the link.
    #[schemars(length(max = 128))]
    pub token: String,
    #[schemars(schema_with = "super::schema::password")]
    pub new_password: String,
}

/// Sets a new password with a reset token; every session of the account
/// ends. 422 on `token` when it is unknown, used or expired.
#[openapi(tag = "Auth")]
#[post("/password-reset/confirm", data = "<body>")]
async fn confirm_reset(
    app: App<'_>,
    client: ClientMeta,
    body: ApiJson<ResetConfirm>,
) -> Answer<NoContent> {
    let body = body.0;
    recovery::reset_password(&app, &client, &body.token, &body.new_password).await?;
    Ok(NoContent)
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    /// The token from the link.
    #[schemars(length(max = 128))]
    pub token: String,
}

/// Marks the address a verification link was sent to as verified. 422 on
/// `token` when it is unknown, used, expired, or for an address the
/// account no longer has.
#[openapi(tag = "Auth")]
#[post("/verify-email", data = "<body>")]
async fn verify_email(
    app: App<'_>,
    client: ClientMeta,
    body: ApiJson<VerifyRequest>,
) -> Answer<NoContent> {
    recovery::verify_email(&app, &client, &body.0.token).await?;
    Ok(NoContent)
}

/// Sends the caller a new verification link (nothing when the address is
/// already verified).
#[openapi(tag = "Me")]
#[post("/verify-email")]
async fn resend_verification(
    app: App<'_>,
    client: ClientMeta,
    user: CurrentUser,
    _same_origin: SameOrigin,
) -> Answer<Accepted<()>> {
    recovery::resend_verification(&app, &user.actor(&client)).await?;
    Ok(Accepted(()))
}

/// Sends a password-reset link to a user's address (administrators).
#[openapi(tag = "Users")]
#[post("/<id>/password-reset")]
async fn send_reset_link(
    app: App<'_>,
    client: ClientMeta,
    admin: Admin,
    id: i64,
    _same_origin: SameOrigin,
) -> Answer<Accepted<()>> {
    recovery::admin_send_reset(&app, &admin.0.actor(&client), id).await?;
    Ok(Accepted(()))
}
