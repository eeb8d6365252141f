//! The logged-in user's own pages: profile, password, sessions.

use std::collections::BTreeMap;

use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{Route, get, post, routes};
use serde::Serialize;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::{PageContext, PageResult, Reply, form_errors, too_many_attempts, values};
use crate::auth::csrf::{CsrfForm, TokenOnly};
use crate::auth::{ClientMeta, CurrentUser};
use crate::db::sessions::SessionRecord;
use crate::db::users::User;
use crate::error::AppError;
use crate::services::accounts::{self, ProfileInput};
use crate::state::App;

pub fn routes() -> Vec<Route> {
    routes![
        profile,
        update_profile,
        change_password,
        sessions,
        revoke_session,
        revoke_other_sessions
    ]
}

/// Timestamps as pages show them: `2026-11-27 14:05 UTC`.
pub fn display_time(at: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute()
    )
}

pub fn display_opt_time(at: Option<OffsetDateTime>) -> Option<String> {
    at.map(display_time)
}

/// A user as templates see it.
pub fn user_json(user: &User) -> Value {
    json!({
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "address": user.address,
        "phone": user.phone,
        "role": user.role,
        "is_admin": user.is_admin(),
        "is_active": user.is_active,
        "email_verified_at": display_opt_time(user.email_verified_at),
        "last_login_at": display_opt_time(user.last_login_at),
        "created_at": display_time(user.created_at),
        "updated_at": display_time(user.updated_at),
    })
}

/// "Chrome 156 on Linux" from a user-agent string, for tables; the full
/// string stays available as a tooltip. Unknown agents are cut short.
pub fn browser_summary(agent: &str) -> String {
    // Order matters: Edge and Opera also claim Chrome, Chrome claims Safari.
    const BROWSERS: [(&str, &str); 6] = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Version/", "Safari"),
        ("curl/", "curl"),
    ];
    const SYSTEMS: [(&str, &str); 6] = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ];
    let browser = BROWSERS.iter().find_map(|(marker, name)| {
        let start = agent.find(marker)? + marker.len();
        let major: String = agent[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        Some(if major.is_empty() {
            (*name).to_owned()
        } else {
            format!("{name} {major}")
        })
    });
    let system = SYSTEMS
        .iter()
        .find(|(marker, _)| agent.contains(marker))
        .map(|(_, name)| *name);
    match (browser, system) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(browser), None) => browser,
        _ => agent.chars().take(40).collect(),
    }
}

pub fn session_json(session: &SessionRecord, current_id: Option<i64>) -> Value {
    json!({
        "id": session.id,
        "current": Some(session.id) == current_id,
        "created_at": display_time(session.created_at),
        "last_seen_at": display_time(session.last_seen_at),
        "expires_at": display_time(session.expires_at),
        "ip": session.ip,
        "user_agent": session.user_agent,
        "browser": session.user_agent.as_deref().map(browser_summary),
    })
}

fn profile_values(user: &User) -> Value {
    json!({
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "address": user.address.clone().unwrap_or_default(),
        "phone": user.phone.clone().unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::browser_summary;

    #[test]
    fn summarises_common_agents() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
        assert_eq!(browser_summary(chrome), "Chrome 156 on Linux");
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36 Edg/120.0";
        assert_eq!(browser_summary(edge), "Edge 120 on Windows");
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(browser_summary(safari), "Safari 17 on iOS");
        assert_eq!(browser_summary("curl/8.5.0"), "curl 8");
        assert_eq!(browser_summary("x".repeat(100).as_str()).len(), 40);
    }
}

#[get("/account")]
fn profile(page: PageContext, user: CurrentUser) -> Reply {
    page.render(
        "account/profile",
        json!({ "user": user_json(&user.user), "values": profile_values(&user.user), "errors": {}, "password_errors": {} }),
    )
    .into()
}

#[derive(Debug, FromForm, Serialize)]
pub struct ProfileForm {
    #[field(default = String::new())]
    email: String,
    #[field(default = String::new())]
    first_name: String,
    #[field(default = String::new())]
    last_name: String,
    #[field(default = String::new())]
    address: String,
    #[field(default = String::new())]
    phone: String,
}

impl ProfileForm {
    pub fn to_input(&self) -> ProfileInput {
        ProfileInput {
            email: Some(self.email.clone()),
            first_name: Some(self.first_name.clone()),
            last_name: Some(self.last_name.clone()),
            address: Some(Some(self.address.clone())),
            phone: Some(Some(self.phone.clone())),
        }
    }
}

#[post("/account", data = "<form>")]
async fn update_profile(
    app: App<'_>,
    page: PageContext,
    client: ClientMeta,
    user: CurrentUser,
    form: CsrfForm<ProfileForm>,
) -> PageResult {
    match accounts::update_profile(&app, &user.actor(&client), &form.to_input()).await {
        Ok(_) => Ok(Reply::Flash(Flash::success(
            Redirect::to("/account"),
            "Your profile was saved.",
        ))),
        Err(error) => {
            let (status, errors) = form_errors(error)?;
            Ok(page.render_status(
                status,
                "account/profile",
                json!({ "user": user_json(&user.user), "values": values(&*form), "errors": errors, "password_errors": {} }),
            ))
        }
    }
}

#[derive(Debug, FromForm)]
pub struct PasswordForm {
    #[field(default = String::new())]
    current_password: String,
    #[field(default = String::new())]
    new_password: String,
    #[field(default = String::new())]
    new_password_confirm: String,
}

#[post("/account/password", data = "<form>")]
async fn change_password(
    app: App<'_>,
    page: PageContext,
    client: ClientMeta,
    user: CurrentUser,
    form: CsrfForm<PasswordForm>,
) -> PageResult {
    let result = if form.new_password != form.new_password_confirm {
        Err(AppError::invalid(
            "new_password_confirm",
            "The two new passwords differ.",
        ))
    } else {
        accounts::change_password(
            &app,
            &user.actor(&client),
            &form.current_password,
            &form.new_password,
        )
        .await
    };
    match result {
        Ok(()) => Ok(Reply::Flash(Flash::success(
            Redirect::to("/account"),
            "Your password was changed. Your other sessions were logged out.",
        ))),
        Err(error) => {
            // Wrong current passwords count as failed logins: past the
            // limit the form explains the wait.
            let (status, errors) = match error {
                AppError::Throttled { retry_after } => (
                    Status::TooManyRequests,
                    BTreeMap::from([(
                        "current_password".to_owned(),
                        vec![too_many_attempts(retry_after)],
                    )]),
                ),
                other => form_errors(other)?,
            };
            Ok(page.render_status(
                status,
                "account/profile",
                json!({
                    "user": user_json(&user.user),
                    "values": profile_values(&user.user),
                    "errors": {},
                    "password_errors": errors,
                }),
            ))
        }
    }
}

/// Sessions shown on one page; a user rarely has more.
const SESSIONS_PER_PAGE: i64 = 100;

#[get("/account/sessions")]
async fn sessions(
    app: App<'_>,
    page: PageContext,
    client: ClientMeta,
    user: CurrentUser,
) -> PageResult {
    let (rows, total) =
        accounts::list_sessions(&app, &user.actor(&client), SESSIONS_PER_PAGE, 0).await?;
    let sessions: Vec<Value> = rows
        .iter()
        .map(|s| session_json(s, Some(user.session_id)))
        .collect();
    Ok(page
        .render(
            "account/sessions",
            json!({ "sessions": sessions, "total": total }),
        )
        .into())
}

#[post("/account/sessions/<id>/revoke", data = "<_token>")]
async fn revoke_session(
    app: App<'_>,
    client: ClientMeta,
    user: CurrentUser,
    id: i64,
    _token: CsrfForm<TokenOnly>,
) -> PageResult {
    accounts::revoke_session(&app, &user.actor(&client), id).await?;
    let target = if id == user.session_id {
        "/"
    } else {
        "/account/sessions"
    };
    Ok(Reply::Flash(Flash::success(
        Redirect::to(target),
        "The session was logged out.",
    )))
}

#[post("/account/sessions/revoke-others", data = "<_token>")]
async fn revoke_other_sessions(
    app: App<'_>,
    client: ClientMeta,
    user: CurrentUser,
    _token: CsrfForm<TokenOnly>,
) -> PageResult {
    let revoked = accounts::revoke_other_sessions(&app, &user.actor(&client)).await?;
    Ok(Reply::Flash(Flash::success(
        Redirect::to("/account/sessions"),
        format!("{revoked} other session(s) logged out."),
    )))
}
