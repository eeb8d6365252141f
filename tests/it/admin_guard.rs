//! Who may open the admin pages: anonymous → login, user → 403, admin → 200.

use portero::domain::Role;
use rocket::http::{ContentType, Status};
use serde_json::json;

use crate::helpers::*;

fn admin_pages(user_id: i64) -> Vec<String> {
    vec![
        "/admin".to_owned(),
        "/admin/users".to_owned(),
        "/admin/audit".to_owned(),
        format!("/admin/users/{user_id}"),
    ]
}

#[rocket::async_test]
async fn anonymous_visitors_are_sent_to_login_with_next() {
    let app = spawn_app().await;
    let id = app.create_user("someone", Role::User).await;
    for path in admin_pages(id) {
        let response = app.get(&path).await;
        assert_eq!(response.status(), Status::SeeOther, "{path}");
        let target = location(&response).unwrap_or_default();
        let next = target
            .strip_prefix("/login?next=")
            .unwrap_or_else(|| panic!("{path} -> {target}"));
        assert_eq!(percent_decode(next), path, "{path} -> {target}");
    }
    // The exact form for the dashboard: the query value is fully encoded.
    let response = app.get("/admin").await;
    assert_eq!(location(&response).as_deref(), Some("/login?next=%2Fadmin"));
}

#[rocket::async_test]
async fn users_get_a_friendly_403() {
    let app = spawn_app().await;
    let id = app.login_user("plain").await;
    for path in admin_pages(id) {
        let response = app.get(&path).await;
        assert_eq!(response.status(), Status::Forbidden, "{path}");
        assert_eq!(response.content_type(), Some(ContentType::HTML), "{path}");
        let html = response.into_string().await.unwrap_or_default();
        assert!(html.contains("403"), "{path}: not the friendly page");
    }
    // Admin form posts are refused the same way, token or not.
    let token = app.page_csrf("/account").await;
    let response = app
        .post_form(
            &format!("/admin/users/{id}"),
            &[
                ("email", "plain@example.com"),
                ("first_name", "P"),
                ("last_name", "U"),
                ("role", "admin"),
                ("is_active", "true"),
                ("csrf_token", &token),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::Forbidden);
    let (_, me) = app.get_json("/api/me").await;
    assert_eq!(me["role"], "user", "a user made themselves admin");
}

#[rocket::async_test]
async fn admins_get_the_pages() {
    let app = spawn_app().await;
    app.create_user("root", Role::Admin).await;
    let id = app.create_user("someone", Role::User).await;
    let (status, _) = app.page_login("root", PASSWORD, Some("/admin")).await;
    assert_eq!(status, Status::SeeOther);
    for path in admin_pages(id) {
        let response = app.get(&path).await;
        assert_eq!(response.status(), Status::Ok, "{path}");
        assert_eq!(response.content_type(), Some(ContentType::HTML), "{path}");
    }
    let html = app
        .get("/admin/users")
        .await
        .into_string()
        .await
        .unwrap_or_default();
    assert!(
        html.contains("someone"),
        "the user list does not list users"
    );
    let html = app
        .get(&format!("/admin/users/{id}"))
        .await
        .into_string()
        .await
        .unwrap_or_default();
    assert!(html.contains("someone@example.com"));
    // Unknown user ids are a 404 page, not a 500.
    assert_eq!(
        app.get("/admin/users/999999").await.status(),
        Status::NotFound
    );
}

#[rocket::async_test]
async fn a_demoted_admin_loses_the_pages_at_once() {
    let app = spawn_app().await;
    app.login_admin("root").await;
    let other = app.other_browser().await;
    let id = other.create_user("deputy", Role::Admin).await;
    other.page_login("deputy", PASSWORD, None).await;
    assert_eq!(other.get("/admin").await.status(), Status::Ok);
    let (status, _) = app
        .patch_json(&format!("/api/users/{id}"), &json!({ "role": "user" }))
        .await;
    assert_eq!(status, Status::Ok);
    // The session was ended, so the page asks for a login again.
    let response = other.get("/admin").await;
    assert_eq!(response.status(), Status::SeeOther);
    other.page_login("deputy", PASSWORD, None).await;
    assert_eq!(other.get("/admin").await.status(), Status::Forbidden);
}

#[rocket::async_test]
async fn admin_user_form_needs_the_csrf_token() {
    let app = spawn_app().await;
    app.create_user("root", Role::Admin).await;
    let id = app.create_user("someone", Role::User).await;
    app.page_login("root", PASSWORD, None).await;
    let page = format!("/admin/users/{id}");
    let fields = [
        ("email", "someone@example.com"),
        ("first_name", "Some"),
        ("last_name", "One"),
        ("role", "admin"),
        ("is_active", "true"),
    ];
    let response = app.post_form(&page, &fields).await;
    assert_eq!(response.status(), Status::Forbidden);
    let (_, user) = app.get_json(&format!("/api/users/{id}")).await;
    assert_eq!(user["role"], "user");
    let token = app.page_csrf(&page).await;
    let mut with_token = fields.to_vec();
    with_token.push(("csrf_token", &token));
    let response = app.post_form(&page, &with_token).await;
    assert_eq!(response.status(), Status::SeeOther);
    let (_, user) = app.get_json(&format!("/api/users/{id}")).await;
    assert_eq!(user["role"], "admin");
    assert_eq!(user["first_name"], "Some");
}
