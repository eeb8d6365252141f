//! The account pages: profile, password change, sessions.

use portero::domain::Role;
use rocket::http::{ContentType, Status};
use serde_json::Value;

use crate::helpers::*;

fn has_field_error(html: &str, field: &str) -> bool {
    html.contains(&format!("id=\"{field}-error-1\""))
}

fn profile_fields<'a>(token: &'a str, overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("email", "acct@example.com"),
        ("first_name", "Test"),
        ("last_name", "User"),
        ("address", ""),
        ("phone", ""),
        ("csrf_token", token),
    ];
    for (name, value) in overrides {
        if let Some(field) = fields.iter_mut().find(|(field, _)| field == name) {
            field.1 = value;
        }
    }
    fields
}

/// Logs a fresh user in through the login page.
async fn logged_in(app: &TestApp, name: &str) -> i64 {
    let id = app.create_user(name, Role::User).await;
    let (status, _) = app.page_login(name, PASSWORD, None).await;
    assert_eq!(status, Status::SeeOther);
    id
}

#[rocket::async_test]
async fn account_page_shows_the_profile() {
    let app = spawn_app().await;
    logged_in(&app, "acct").await;
    let response = app.get("/account").await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        response.headers().get_one("Cache-Control"),
        Some("no-store")
    );
    let html = response.into_string().await.unwrap_or_default();
    assert!(html.contains("acct@example.com"));
    assert!(html.contains("action=\"/account\""));
    assert!(html.contains("action=\"/account/password\""));
    assert!(csrf_from(&html).is_some());
}

#[rocket::async_test]
async fn profile_form_saves_and_flashes() {
    let app = spawn_app().await;
    logged_in(&app, "acct").await;
    let token = app.page_csrf("/account").await;
    let response = app
        .post_form(
            "/account",
            &profile_fields(
                &token,
                &[
                    ("first_name", "Ada"),
                    ("address", "2 Side St"),
                    ("phone", "+1 555 0100"),
                ],
            ),
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response).as_deref(), Some("/account"));
    let html = app
        .get("/account")
        .await
        .into_string()
        .await
        .unwrap_or_default();
    assert!(html.contains("Your profile was saved."), "no flash");
    let (_, me) = app.get_json("/api/me").await;
    assert_eq!(me["first_name"], "Ada");
    assert_eq!(me["address"], "2 Side St");
    assert_eq!(me["phone"], "+1 555 0100");
    // A blank optional field clears it.
    let token = app.page_csrf("/account").await;
    let response = app
        .post_form(
            "/account",
            &profile_fields(&token, &[("first_name", "Ada")]),
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let (_, me) = app.get_json("/api/me").await;
    assert_eq!(me["address"], Value::Null);
}

#[rocket::async_test]
async fn profile_form_errors_rerender_with_the_entered_values() {
    let app = spawn_app().await;
    logged_in(&app, "acct").await;
    app.create_user("taken", Role::User).await;
    let token = app.page_csrf("/account").await;
    let response = app
        .post_form(
            "/account",
            &profile_fields(
                &token,
                &[("email", "broken-address"), ("first_name", "Zed")],
            ),
        )
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let html = response.into_string().await.unwrap_or_default();
    assert!(has_field_error(&html, "email"));
    assert!(
        html.contains("value=\"broken-address\""),
        "entered e-mail not kept"
    );
    assert!(html.contains("value=\"Zed\""), "entered name not kept");

    let response = app
        .post_form(
            "/account",
            &profile_fields(&token, &[("email", "TAKEN@example.com")]),
        )
        .await;
    assert_eq!(response.status(), Status::Conflict);
    let html = response.into_string().await.unwrap_or_default();
    assert!(has_field_error(&html, "email"));
    let (_, me) = app.get_json("/api/me").await;
    assert_eq!(me["email"], "acct@example.com");
    assert_eq!(me["first_name"], "Test");
}

#[rocket::async_test]
async fn account_forms_without_a_valid_csrf_token_are_403() {
    let app = spawn_app().await;
    logged_in(&app, "acct").await;
    let other = app.other_browser().await;
    logged_in(&other, "mallory").await;
    // Mallory's token is valid for Mallory's session only.
    let foreign = other.page_csrf("/account").await;
    for token in [None, Some("forged"), Some(foreign.as_str())] {
        let mut profile = profile_fields("", &[("first_name", "Hacked")]);
        profile.retain(|(name, _)| *name != "csrf_token");
        let mut password = vec![
            ("current_password", PASSWORD),
            ("new_password", NEW_PASSWORD),
            ("new_password_confirm", NEW_PASSWORD),
        ];
        if let Some(token) = token {
            profile.push(("csrf_token", token));
            password.push(("csrf_token", token));
        }
        let response = app.post_form("/account", &profile).await;
        assert_eq!(
            response.status(),
            Status::Forbidden,
            "/account with {token:?}"
        );
        let response = app.post_form("/account/password", &password).await;
        assert_eq!(
            response.status(),
            Status::Forbidden,
            "/account/password with {token:?}"
        );
        let fields: Vec<(&str, &str)> = token.map(|t| vec![("csrf_token", t)]).unwrap_or_default();
        let response = app
            .post_form("/account/sessions/revoke-others", &fields)
            .await;
        assert_eq!(
            response.status(),
            Status::Forbidden,
            "revoke-others with {token:?}"
        );
    }
    let (_, me) = app.get_json("/api/me").await;
    assert_eq!(
        me["first_name"], "Test",
        "the profile changed without a token"
    );
    let fresh = app.other_browser().await;
    assert_eq!(
        fresh.login_api("acct", PASSWORD).await.0,
        Status::Ok,
        "the password changed without a token"
    );
}

#[rocket::async_test]
async fn the_csrf_token_changes_with_the_session() {
    let app = spawn_app().await;
    logged_in(&app, "acct").await;
    let first = app.page_csrf("/account").await;
    app.login_as("acct").await;
    let second = app.page_csrf("/account").await;
    assert_ne!(first, second, "a new session kept the old CSRF token");
    let response = app
        .post_form(
            "/account",
            &profile_fields(&first, &[("first_name", "Old")]),
        )
        .await;
    assert_eq!(response.status(), Status::Forbidden);
}

#[rocket::async_test]
async fn password_form_changes_the_password_and_revokes_other_sessions() {
    let app = spawn_app().await;
    logged_in(&app, "acct").await;
    let other = app.other_browser().await;
    other.login_as("acct").await;
    let token = app.page_csrf("/account").await;
    let response = app
        .post_form(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
                ("new_password_confirm", NEW_PASSWORD),
                ("csrf_token", &token),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response).as_deref(), Some("/account"));
    assert_eq!(
        app.get("/account").await.status(),
        Status::Ok,
        "this session must survive"
    );
    assert_eq!(
        other.me_status().await,
        Status::Unauthorized,
        "the other session survived"
    );
    let fresh = app.other_browser().await;
    assert_eq!(fresh.login_api("acct", NEW_PASSWORD).await.0, Status::Ok);
}

#[rocket::async_test]
async fn password_form_errors_name_the_field() {
    let app = spawn_app().await;
    logged_in(&app, "acct").await;
    let other = app.other_browser().await;
    other.login_as("acct").await;
    for (current, new, confirm, field) in [
        (
            "not the password",
            NEW_PASSWORD,
            NEW_PASSWORD,
            "current_password",
        ),
        (PASSWORD, "password1234", "password1234", "new_password"),
        (PASSWORD, "short", "short", "new_password"),
        (
            PASSWORD,
            NEW_PASSWORD,
            "something else",
            "new_password_confirm",
        ),
    ] {
        let token = app.page_csrf("/account").await;
        let response = app
            .post_form(
                "/account/password",
                &[
                    ("current_password", current),
                    ("new_password", new),
                    ("new_password_confirm", confirm),
                    ("csrf_token", &token),
                ],
            )
            .await;
        assert_eq!(response.status(), Status::UnprocessableEntity, "{field}");
        let html = response.into_string().await.unwrap_or_default();
        assert!(has_field_error(&html, field), "no message for {field}");
        assert!(!html.contains(NEW_PASSWORD), "a password was echoed");
    }
    assert_eq!(
        other.me_status().await,
        Status::Ok,
        "a failed change revoked sessions"
    );
}

#[rocket::async_test]
async fn sessions_page_lists_and_revokes_sessions() {
    let app = spawn_app().await;
    logged_in(&app, "acct").await;
    let second = app.other_browser().await;
    second.login_as("acct").await;
    let third = app.other_browser().await;
    third.login_as("acct").await;

    let response = app.get("/account/sessions").await;
    assert_eq!(response.status(), Status::Ok);
    let html = response.into_string().await.unwrap_or_default();
    assert_eq!(
        html.matches("/revoke\"").count(),
        3,
        "one revoke form per session"
    );
    assert_eq!(
        html.matches("This session").count(),
        1,
        "the current session is not marked once"
    );
    assert!(html.contains("action=\"/account/sessions/revoke-others\""));

    // Revoke one by its id (the one the second browser uses).
    let (_, list) = second.get_json("/api/me/sessions").await;
    let id = list["items"]
        .as_array()
        .and_then(|items| items.iter().find(|s| s["current"] == true))
        .map(|s| s["id"].clone())
        .expect("current session");
    let token = csrf_from(&html).expect("token");
    let response = app
        .post_form(
            &format!("/account/sessions/{id}/revoke"),
            &[("csrf_token", &token)],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response).as_deref(), Some("/account/sessions"));
    assert_eq!(second.me_status().await, Status::Unauthorized);
    assert_eq!(third.me_status().await, Status::Ok);

    // Then all the others.
    let response = app
        .post_form("/account/sessions/revoke-others", &[("csrf_token", &token)])
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(third.me_status().await, Status::Unauthorized);
    assert_eq!(app.me_status().await, Status::Ok);
    let html = app
        .get("/account/sessions")
        .await
        .into_string()
        .await
        .unwrap_or_default();
    assert_eq!(html.matches("/revoke\"").count(), 1);
}

#[rocket::async_test]
async fn revoking_someone_elses_session_from_the_page_is_404() {
    let app = spawn_app().await;
    logged_in(&app, "acct").await;
    let victim = app.other_browser().await;
    victim.login_user("victim").await;
    let (_, list) = victim.get_json("/api/me/sessions").await;
    let id = list["items"][0]["id"].clone();
    let token = app.page_csrf("/account").await;
    let response = app
        .post_form(
            &format!("/account/sessions/{id}/revoke"),
            &[("csrf_token", &token)],
        )
        .await;
    assert_eq!(response.status(), Status::NotFound);
    assert_eq!(response.content_type(), Some(ContentType::HTML));
    assert_eq!(victim.me_status().await, Status::Ok);
}

#[rocket::async_test]
async fn anonymous_form_posts_to_account_pages_go_to_login() {
    let app = spawn_app().await;
    let _ = app.page_csrf("/login").await;
    let response = app
        .post_form("/account", &[("first_name", "X"), ("csrf_token", "x")])
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let target = location(&response).unwrap_or_default();
    assert!(target.starts_with("/login"), "{target}");
}

#[rocket::async_test]
async fn unknown_pages_get_a_friendly_404_page() {
    let app = spawn_app().await;
    let response = app.get("/no/such/page").await;
    assert_eq!(response.status(), Status::NotFound);
    assert_eq!(response.content_type(), Some(ContentType::HTML));
    let html = response.into_string().await.unwrap_or_default();
    assert!(html.contains("404"));
    assert!(html.contains("href=\"/\""), "no way back home");
}
