//! Personal access tokens (issue 15): made once, scoped, revoked by their
//! owner, an administrator, and every change that ends sessions.

use portero::domain::Role;
use rocket::http::{Method, Status};
use serde_json::{Value, json};

use crate::helpers::*;

/// Makes a token through `browser`'s session and returns its secret.
async fn make_token(browser: &TestApp, scopes: &[&str]) -> (i64, String) {
    let (status, body) = browser
        .post_json(
            "/api/me/tokens",
            &json!({ "name": "ci", "scopes": scopes, "expires_in_days": 30 }),
        )
        .await;
    assert_eq!(status, Status::Created, "{body}");
    (
        body["id"].as_i64().expect("id"),
        body["token"].as_str().expect("token").to_owned(),
    )
}

async fn status_of(app: &TestApp, method: Method, path: &str, token: &str) -> Status {
    let body = (method != Method::Get && method != Method::Delete).then(|| json!({}));
    app.bearer(method, path, token, body.as_ref())
        .await
        .status()
}

#[rocket::async_test]
async fn a_token_is_shown_once_listed_without_its_secret_and_revoked() {
    let app = spawn_app().await;
    let id = sign_in(&app, "vera", Role::User).await;
    let response = app
        .client
        .post("/api/me/tokens")
        .header(rocket::http::ContentType::JSON)
        .body(json!({ "name": " laptop ", "scopes": ["read"] }).to_string())
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Created);
    let location = response
        .headers()
        .get_one("Location")
        .unwrap_or_default()
        .to_owned();
    let created: Value = response.into_json().await.expect("JSON");
    let secret = created["token"].as_str().expect("token").to_owned();
    assert!(secret.starts_with("prt_") && secret.len() > 40, "{secret}");
    assert_eq!(location, format!("/api/me/tokens/{}", created["id"]));
    assert_eq!(created["name"], "laptop");
    assert_eq!(created["scopes"], json!(["read"]));
    assert!(
        created["hint"]
            .as_str()
            .unwrap_or_default()
            .starts_with("prt_")
    );
    assert!(created["expires_at"].is_string(), "every token expires");

    let (status, list) = app.get_json("/api/me/tokens").await;
    assert_eq!(status, Status::Ok);
    assert_eq!(list["total"], json!(1));
    assert!(list["items"][0].get("token").is_none(), "{list}");
    assert!(!list.to_string().contains(&secret));
    assert_eq!(list["items"][0]["last_used_at"], Value::Null);

    // The token works with no cookie and records its use.
    let bare = app.other_browser().await;
    let (status, me) = bare
        .bearer_json(Method::Get, "/api/me", &secret, None)
        .await;
    assert_eq!((status, me["id"].clone()), (Status::Ok, json!(id)));
    let (_, list) = app.get_json("/api/me/tokens").await;
    assert!(list["items"][0]["last_used_at"].is_string(), "{list}");
    assert_eq!(audit_events(&app, "token_create").await.len(), 1);

    let token_id = created["id"].as_i64().expect("id");
    let (status, _) = app.delete(&format!("/api/me/tokens/{token_id}")).await;
    assert_eq!(status, Status::NoContent);
    let (status, _) = app.delete(&format!("/api/me/tokens/{token_id}")).await;
    assert_eq!(status, Status::NotFound);
    assert_eq!(
        status_of(&bare, Method::Get, "/api/me", &secret).await,
        Status::Unauthorized
    );
    assert_eq!(audit_events(&app, "token_revoke").await.len(), 1);
}

#[rocket::async_test]
async fn each_scope_allows_its_calls_and_refuses_others_naming_the_scope() {
    let app = spawn_app().await;
    let (admin, admin_id) = admin_browser(&app, "wanda").await;
    let other = app.create_user("xena", Role::User).await;
    let (_, read) = make_token(&admin, &["read"]).await;
    let (_, write) = make_token(&admin, &["write"]).await;
    let (_, full) = make_token(&admin, &["admin"]).await;

    assert_eq!(
        status_of(&app, Method::Get, "/api/me", &read).await,
        Status::Ok
    );
    let refused = expect_problem(
        app.bearer(Method::Patch, "/api/me", &read, Some(&json!({})))
            .await,
        Status::Forbidden,
    )
    .await;
    assert!(
        refused["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("`write`"),
        "{refused}"
    );
    assert_eq!(
        status_of(&app, Method::Patch, "/api/me", &write).await,
        Status::Ok
    );
    let refused = expect_problem(
        app.bearer(Method::Get, "/api/me", &write, None).await,
        Status::Forbidden,
    )
    .await;
    assert!(
        refused["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("`read`")
    );

    // Without `admin`, an administrator's token acts as a plain user.
    let refused = expect_problem(
        app.bearer(Method::Get, "/api/users", &read, None).await,
        Status::Forbidden,
    )
    .await;
    assert!(
        refused["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("`admin`")
    );
    assert_eq!(
        status_of(&app, Method::Get, &format!("/api/users/{other}"), &read).await,
        Status::NotFound
    );
    assert_eq!(
        status_of(&app, Method::Get, &format!("/api/users/{admin_id}"), &read).await,
        Status::Ok
    );
    assert_eq!(
        status_of(&app, Method::Get, "/api/users", &full).await,
        Status::Ok
    );
    assert_eq!(
        status_of(&app, Method::Get, &format!("/api/users/{other}"), &full).await,
        Status::Forbidden,
        "`admin` alone does not grant `read` on non-admin routes"
    );

    // A token never grants more than the credential that makes it.
    let (status, body) = app
        .bearer_json(
            Method::Post,
            "/api/me/tokens",
            &write,
            Some(&json!({ "name": "more", "scopes": ["write", "admin"] })),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");
    assert_eq!(body["errors"][0]["field"], "scopes");
}

#[rocket::async_test]
async fn only_an_administrator_may_grant_admin_and_requests_are_judged_whole() {
    let app = spawn_app().await;
    sign_in(&app, "yuri", Role::User).await;
    let (status, body) = app
        .post_json(
            "/api/me/tokens",
            &json!({ "name": "x", "scopes": ["admin"] }),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("admin")
    );

    let (status, body) = app
        .post_json(
            "/api/me/tokens",
            &json!({ "name": "", "scopes": [], "expires_in_days": 400 }),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["name", "scopes", "expires_in_days"]);
    let (status, _) = app
        .post_json(
            "/api/me/tokens",
            &json!({ "name": "x", "scopes": ["root"] }),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
}

#[rocket::async_test]
async fn tokens_end_with_demotion_deactivation_password_change_and_deletion() {
    let app = spawn_app().await;
    let (root, _) = admin_browser(&app, "root").await;
    let (zed, zed_id) = admin_browser(&app, "zed").await;
    let (_, token) = make_token(&zed, &["read", "admin"]).await;
    assert_eq!(
        status_of(&app, Method::Get, "/api/users", &token).await,
        Status::Ok
    );

    let (status, _) = root
        .patch_json(&format!("/api/users/{zed_id}"), &json!({ "role": "user" }))
        .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(
        status_of(&app, Method::Get, "/api/me", &token).await,
        Status::Unauthorized,
        "a demoted administrator's token survived"
    );

    zed.login_as("zed").await;
    let (_, token) = make_token(&zed, &["read"]).await;
    let (status, _) = root
        .patch_json(
            &format!("/api/users/{zed_id}"),
            &json!({ "is_active": false }),
        )
        .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(
        status_of(&app, Method::Get, "/api/me", &token).await,
        Status::Unauthorized
    );

    let (status, _) = root
        .patch_json(
            &format!("/api/users/{zed_id}"),
            &json!({ "is_active": true }),
        )
        .await;
    assert_eq!(status, Status::Ok);
    zed.login_as("zed").await;
    let (_, token) = make_token(&zed, &["read"]).await;
    let (status, _) = zed
        .put_json(
            "/api/me/password",
            &json!({ "current_password": PASSWORD, "new_password": "yet another passphrase" }),
        )
        .await;
    assert_eq!(status, Status::NoContent);
    assert_eq!(
        status_of(&app, Method::Get, "/api/me", &token).await,
        Status::Unauthorized
    );

    let (_, token) = make_token(&zed, &["read"]).await;
    let (status, _) = root.delete(&format!("/api/users/{zed_id}")).await;
    assert_eq!(status, Status::NoContent);
    assert_eq!(
        status_of(&app, Method::Get, "/api/me", &token).await,
        Status::Unauthorized
    );
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM api_tokens").await, 0);
}

#[rocket::async_test]
async fn administrators_list_and_revoke_a_users_tokens() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "ada").await;
    let browser = app.other_browser().await;
    let id = sign_in(&browser, "bob", Role::User).await;
    let (token_id, token) = make_token(&browser, &["read", "write"]).await;

    let (status, list) = admin.get_json(&format!("/api/users/{id}/tokens")).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(list["items"][0]["id"], json!(token_id));
    assert_eq!(list["items"][0]["scopes"], json!(["read", "write"]));
    let (status, _) = browser.get_json(&format!("/api/users/{id}/tokens")).await;
    assert_eq!(status, Status::Forbidden);
    let (status, _) = admin.get_json("/api/users/999999/tokens").await;
    assert_eq!(status, Status::NotFound);

    let (status, _) = admin
        .delete(&format!("/api/users/{id}/tokens/{token_id}"))
        .await;
    assert_eq!(status, Status::NoContent);
    assert_eq!(
        status_of(&app, Method::Get, "/api/me", &token).await,
        Status::Unauthorized
    );
    let (status, _) = admin
        .delete(&format!("/api/users/{id}/tokens/{token_id}"))
        .await;
    assert_eq!(status, Status::NotFound);
}

#[rocket::async_test]
async fn tokens_expire_and_record_use_at_most_once_a_minute() {
    let app = spawn_app().await;
    sign_in(&app, "cleo", Role::User).await;
    let (status, body) = app
        .post_json(
            "/api/me/tokens",
            &json!({ "name": "short", "scopes": ["read"], "expires_in_days": 1 }),
        )
        .await;
    assert_eq!(status, Status::Created);
    let token = body["token"].as_str().expect("token").to_owned();
    let used = "SELECT COUNT(DISTINCT last_used_at) FROM api_tokens WHERE last_used_at IS NOT NULL";

    assert_eq!(
        status_of(&app, Method::Get, "/api/me", &token).await,
        Status::Ok
    );
    let first = app.get_json("/api/me/tokens").await.1["items"][0]["last_used_at"].clone();
    app.clock.advance(30);
    assert_eq!(
        status_of(&app, Method::Get, "/api/me", &token).await,
        Status::Ok
    );
    let (_, list) = app.get_json("/api/me/tokens").await;
    assert_eq!(
        list["items"][0]["last_used_at"], first,
        "written twice within a minute"
    );
    app.clock.advance(31);
    assert_eq!(
        status_of(&app, Method::Get, "/api/me", &token).await,
        Status::Ok
    );
    let (_, list) = app.get_json("/api/me/tokens").await;
    assert_ne!(list["items"][0]["last_used_at"], first);
    assert_eq!(scalar(&app, used).await, 1);

    app.clock.advance(24 * 60 * 60);
    assert_eq!(
        status_of(&app, Method::Get, "/api/me", &token).await,
        Status::Unauthorized
    );
}
