//! Accounts made for a test, and reading them back.

use portero::actor::Actor;
use portero::db::audit::{AuditEvent, AuditFilter};
use portero::domain::Role;
use portero::services::accounts::NewAccount;
use rocket::http::Status;
use serde_json::Value;

use super::{PASSWORD, TestApp};

/// `create_user`, returning the id.
pub async fn new_user(app: &TestApp, username: &str, role: Role) -> i64 {
    app.create_user(username, role).await
}

/// Creates an account and logs `browser` in as it.
pub async fn sign_in(browser: &TestApp, username: &str, role: Role) -> i64 {
    let id = new_user(browser, username, role).await;
    browser.login_as(username).await;
    id
}

/// Creates an account with chosen names through the service layer.
pub async fn person(
    app: &TestApp,
    username: &str,
    email: &str,
    first_name: &str,
    last_name: &str,
    role: Role,
) -> i64 {
    let input = NewAccount {
        username,
        email,
        password: PASSWORD,
        first_name,
        last_name,
        address: None,
        phone: None,
    };
    portero::services::users::create(&app.app(), &Actor::command_line(), &input, role)
        .await
        .unwrap_or_else(|e| panic!("create {username}: {e:?}"))
        .id
}

/// A user through the admin API (the client must be an administrator's).
pub async fn api_user(admin: &TestApp, id: i64) -> Value {
    let (status, user) = admin.get_json(&format!("/api/users/{id}")).await;
    assert_eq!(status, Status::Ok, "GET /api/users/{id}: {user}");
    user
}

/// Usernames of a list envelope.
pub fn usernames(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|user| user["username"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Creates an administrator `name` in a fresh browser of `app` and logs it in.
pub async fn admin_browser(app: &TestApp, name: &str) -> (TestApp, i64) {
    let browser = app.other_browser().await;
    let id = sign_in(&browser, name, Role::Admin).await;
    (browser, id)
}

pub async fn audit_events(app: &TestApp, action: &str) -> Vec<AuditEvent> {
    let filter = AuditFilter {
        action: Some(action.to_owned()),
        ..AuditFilter::default()
    };
    portero::db::audit::list(&mut app.conn().await, &filter, 1000, 0)
        .await
        .expect("audit list")
        .0
}
