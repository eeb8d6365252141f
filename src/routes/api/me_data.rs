//! `/api/me/export` and `DELETE /api/me`: one's own data, and leaving.

use rocket::http::CookieJar;
use rocket::response::status::NoContent;
use rocket::serde::json::Json;
use rocket::{Route, delete, get};
use rocket_okapi::okapi::openapi3::OpenApi;
use rocket_okapi::settings::OpenApiSettings;
use rocket_okapi::{openapi, openapi_get_routes_spec};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{Answer, ApiJson};
use crate::auth::{ClientMeta, CurrentUser};
use crate::services::own_data::{self, AccountData};
use crate::state::App;
use crate::views::{SaleView, SessionView, UserView};

pub fn routes(settings: &OpenApiSettings) -> (Vec<Route>, OpenApi) {
    openapi_get_routes_spec![settings: export, delete_me]
}

/// A personal access token as its owner may see it: never the secret.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ExportedToken {
    pub id: i64,
    pub name: String,
    /// The last characters of the token, to tell tokens apart.
    pub hint: String,
    pub scopes: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schemars(with = "Option<String>")]
    pub last_used_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schemars(with = "Option<String>")]
    pub expires_at: Option<OffsetDateTime>,
}

/// An audit event about the account (as actor or as target).
#[derive(Debug, Serialize, JsonSchema)]
pub struct ExportedEvent {
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub at: OffsetDateTime,
    pub action: String,
    pub actor: Option<String>,
    pub target: Option<String>,
    pub ip: Option<String>,
    pub detail: Option<String>,
}

/// Everything Portero keeps about the caller's account.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AccountExport {
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub exported_at: OffsetDateTime,
    pub profile: UserView,
    pub sessions: Vec<SessionView>,
    pub tokens: Vec<ExportedToken>,
    pub purchases: Vec<SaleView>,
    pub audit_events: Vec<ExportedEvent>,
}

impl AccountExport {
    pub fn new(data: AccountData, current_session: Option<i64>) -> Self {
        AccountExport {
            exported_at: data.exported_at,
            profile: data.user.into(),
            sessions: data
                .sessions
                .into_iter()
                .map(|s| SessionView::new(s, current_session))
                .collect(),
            tokens: data
                .tokens
                .into_iter()
                .map(|t| ExportedToken {
                    id: t.id,
                    name: t.name,
                    hint: t.hint,
                    scopes: t.scopes.split_whitespace().map(str::to_owned).collect(),
                    created_at: t.created_at,
                    last_used_at: t.last_used_at,
                    expires_at: t.expires_at,
                })
                .collect(),
            purchases: data.purchases.into_iter().map(SaleView::from).collect(),
            audit_events: data
                .events
                .into_iter()
                .map(|e| ExportedEvent {
                    at: e.at,
                    action: e.action,
                    actor: e.actor_name,
                    target: e.target,
                    ip: e.ip,
                    detail: e.detail,
                })
                .collect(),
        }
    }
}

/// A copy of the caller's data: profile, live sessions, tokens (without
/// secrets), purchases and the audit events about the account.
#[openapi(tag = "Me")]
#[get("/export")]
async fn export(
    app: App<'_>,
    client: ClientMeta,
    user: CurrentUser,
) -> Answer<Json<AccountExport>> {
    let data = own_data::export(&app, &user.actor(&client)).await?;
    Ok(Json(AccountExport::new(data, user.session_id)))
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteAccount {
    /// The account's current password.
    #[schemars(length(min = 1, max = 128))]
    pub password: String,
}

/// Deletes the caller's account and its purchases; every session and token
/// of it ends at once. 422 on a wrong password, 409 for the last active
/// administrator.
#[openapi(tag = "Me")]
#[delete("/", data = "<body>")]
async fn delete_me(
    app: App<'_>,
    client: ClientMeta,
    user: CurrentUser,
    cookies: &CookieJar<'_>,
    body: ApiJson<DeleteAccount>,
) -> Answer<NoContent> {
    own_data::delete_account(&app, &user.actor(&client), &body.0.password).await?;
    app.state.sessions.clear_cookie(cookies);
    Ok(NoContent)
}
