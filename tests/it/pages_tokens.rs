//! `/account/tokens` and the tokens on an administrator's user page.

use portero::domain::Role;
use rocket::http::{Method, Status};

use crate::helpers::*;

/// The secret on the page that made it.
fn secret_in(html: &str) -> String {
    let start = html
        .find("id=\"new-token\">")
        .expect("the new token is shown")
        + 15;
    html[start..]
        .split('<')
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[rocket::async_test]
async fn a_user_makes_sees_once_and_revokes_a_token_from_the_page() {
    let app = spawn_app().await;
    sign_in(&app, "dora", Role::User).await;
    let (status, first) = html(&app, "/account/tokens").await;
    assert_eq!(status, Status::Ok);
    assert!(first.contains("no personal access tokens"));
    assert!(
        !first.contains("value=\"admin\""),
        "a user was offered the admin scope"
    );

    let csrf = app.csrf_token("/account/tokens").await;
    let response = app
        .post_form(
            "/account/tokens",
            &[
                ("csrf_token", &csrf),
                ("name", "backup script"),
                ("scopes", "read"),
                ("scopes", "write"),
                ("expires_in_days", "7"),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert!(
        response
            .headers()
            .get_one("Set-Cookie")
            .is_none_or(|c| !c.contains("prt_"))
    );
    let page = response.into_string().await.unwrap_or_default();
    let secret = secret_in(&page);
    assert!(secret.starts_with("prt_"), "{secret}");
    assert!(page.contains("read, write"));

    let bare = app.other_browser().await;
    assert_eq!(
        bare.bearer(
            Method::Patch,
            "/api/me",
            &secret,
            Some(&serde_json::json!({}))
        )
        .await
        .status(),
        Status::Ok
    );
    // Listed by its hint from now on, never in full.
    let (_, again) = html(&app, "/account/tokens").await;
    assert!(!again.contains(&secret));
    assert!(again.contains(&secret[secret.len() - 4..]));

    let id = scalar(&app, "SELECT id FROM api_tokens").await;
    let csrf = app.csrf_token("/account/tokens").await;
    let response = app
        .post_form(
            &format!("/account/tokens/{id}/revoke"),
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(
        bare.bearer(Method::Get, "/api/me", &secret, None)
            .await
            .status(),
        Status::Unauthorized
    );
    // Without the CSRF token nothing happens.
    let response = app
        .post_form("/account/tokens", &[("name", "x"), ("scopes", "read")])
        .await;
    assert_eq!(response.status(), Status::Forbidden);
}

#[rocket::async_test]
async fn the_form_names_every_problem() {
    let app = spawn_app().await;
    sign_in(&app, "emil", Role::User).await;
    let csrf = app.csrf_token("/account/tokens").await;
    let response = app
        .post_form(
            "/account/tokens",
            &[
                ("csrf_token", &csrf),
                ("name", ""),
                ("expires_in_days", "soon"),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let page = response.into_string().await.unwrap_or_default();
    assert!(page.contains("number of days"), "{page}");
    let response = app
        .post_form(
            "/account/tokens",
            &[("csrf_token", &csrf), ("name", ""), ("scopes", "root")],
        )
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let response = app
        .post_form(
            "/account/tokens",
            &[("csrf_token", &csrf), ("name", ""), ("scopes", "admin")],
        )
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let page = response.into_string().await.unwrap_or_default();
    assert!(page.contains("Use 1 to 100 characters."));
    assert!(
        page.contains("cannot grant the `admin` scope")
            || page.contains("cannot grant the &#x60;admin&#x60; scope"),
        "{page}"
    );
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM api_tokens").await, 0);
}

#[rocket::async_test]
async fn an_administrator_sees_and_revokes_a_users_tokens() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "fay").await;
    let (_, html_admin) = html(&admin, "/account/tokens").await;
    assert!(html_admin.contains("value=\"admin\""));

    let id = sign_in(&app, "gus", Role::User).await;
    let (status, body) = app
        .post_json(
            "/api/me/tokens",
            &serde_json::json!({ "name": "deploy bot", "scopes": ["read"] }),
        )
        .await;
    assert_eq!(status, Status::Created);
    let secret = body["token"].as_str().unwrap_or_default().to_owned();
    let token_id = body["id"].as_i64().unwrap_or_default();

    let (status, page) = html(&admin, &format!("/admin/users/{id}")).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("deploy bot"));
    assert!(!page.contains(&secret));
    let csrf = admin.csrf_token(&format!("/admin/users/{id}")).await;
    let response = admin
        .post_form(
            &format!("/admin/users/{id}/tokens/{token_id}/revoke"),
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(
        app.bearer(Method::Get, "/api/me", &secret, None)
            .await
            .status(),
        Status::Unauthorized
    );
    // Not a user's to press.
    let csrf = app.csrf_token("/account").await;
    let response = app
        .post_form(
            &format!("/admin/users/{id}/tokens/{token_id}/revoke"),
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(response.status(), Status::Forbidden);
}
