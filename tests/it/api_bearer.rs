//! Bearer tokens from the OAuth2 password grant (issue 15): the notes'
//! client flow with no cookie jar, and how such a token ends.

use portero::domain::Role;
use rocket::http::{ContentType, Header, Method, Status};
use serde_json::{Value, json};
use sha2::Digest;

use crate::helpers::*;

fn challenge(response: &rocket::local::asynchronous::LocalResponse<'_>) -> String {
    response
        .headers()
        .get_one("WWW-Authenticate")
        .unwrap_or_default()
        .to_owned()
}

#[rocket::async_test]
async fn password_grant_then_bearer_then_logout_then_401() {
    let app = spawn_app().await;
    let id = app.create_user("nora", Role::User).await;

    let response = app
        .token_form(&[
            ("grant_type", "password"),
            ("username", "nora"),
            ("password", PASSWORD),
            ("scope", ""),
            ("client_id", "swagger"),
        ])
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        response.headers().get_one("Cache-Control"),
        Some("no-store")
    );
    assert!(
        response.headers().get_one("Set-Cookie").is_none(),
        "the password grant set a cookie"
    );
    let body: Value = response.into_json().await.expect("JSON");
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], json!(7 * 24 * 60 * 60));
    let token = body["access_token"].as_str().expect("token").to_owned();
    assert!(token.len() >= 43, "token too short: {}", token.len());
    assert!(app.session_cookie().is_none());

    let (status, me) = app.bearer_json(Method::Get, "/api/me", &token, None).await;
    assert_eq!(status, Status::Ok, "{me}");
    assert_eq!(me["id"], json!(id));

    // Listed among the sessions, as an API session, marked current.
    let (status, list) = app
        .bearer_json(Method::Get, "/api/me/sessions", &token, None)
        .await;
    assert_eq!(status, Status::Ok, "{list}");
    assert_eq!(list["total"], json!(1));
    assert_eq!(list["items"][0]["kind"], "api");
    assert_eq!(list["items"][0]["current"], json!(true));

    // Audited as a login of that account.
    let logins = audit_events(&app, "login").await;
    assert_eq!(logins.len(), 1);
    assert_eq!(logins[0].target_user_id, Some(id));
    assert!(
        logins[0]
            .detail
            .as_deref()
            .unwrap_or_default()
            .contains("bearer"),
        "{:?}",
        logins[0].detail
    );

    let response = app
        .bearer(Method::Post, "/api/auth/logout", &token, None)
        .await;
    assert_eq!(response.status(), Status::NoContent);
    assert!(response.headers().get_one("Set-Cookie").is_none());

    let response = app.bearer(Method::Get, "/api/me", &token, None).await;
    let header = challenge(&response);
    assert!(header.starts_with("Bearer"), "{header}");
    assert!(header.contains("invalid_token"), "{header}");
    let problem = expect_problem(response, Status::Unauthorized).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("bearer token"),
        "{problem}"
    );
}

#[rocket::async_test]
async fn every_api_401_names_the_bearer_scheme() {
    let app = spawn_app().await;
    let response = app.get("/api/me").await;
    assert_eq!(challenge(&response), r#"Bearer realm="portero""#);
    expect_problem(response, Status::Unauthorized).await;

    app.create_user("omar", Role::User).await;
    let response = app
        .token_form(&[("username", "omar"), ("password", "wrong password!")])
        .await;
    assert!(challenge(&response).starts_with("Bearer"));
    let wrong = expect_problem(response, Status::Unauthorized).await;
    let response = app
        .token_form(&[("username", "nobody"), ("password", "wrong password!")])
        .await;
    let unknown = expect_problem(response, Status::Unauthorized).await;
    assert_eq!(
        sans_request_id(wrong),
        sans_request_id(unknown),
        "unknown users must not be told apart"
    );

    let (status, _) = app.login_api("omar", "wrong password!").await;
    assert_eq!(status, Status::Unauthorized);
    let response = app
        .client
        .post("/api/auth/login")
        .header(ContentType::JSON)
        .body(json!({ "login": "omar", "password": "nope nope" }).to_string())
        .dispatch()
        .await;
    assert!(challenge(&response).starts_with("Bearer"));
}

#[rocket::async_test]
async fn the_token_endpoint_judges_its_form() {
    let app = spawn_app().await;
    app.create_user("pia", Role::User).await;

    // Every missing field at once.
    let problem = expect_problem(
        app.token_form(&[("grant_type", "password")]).await,
        Status::UnprocessableEntity,
    )
    .await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["username", "password"], "{problem}");

    let problem = expect_problem(
        app.token_form(&[
            ("grant_type", "client_credentials"),
            ("username", "pia"),
            ("password", PASSWORD),
        ])
        .await,
        Status::UnprocessableEntity,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "grant_type");

    // JSON is not the OAuth2 form.
    let response = app
        .client
        .post("/api/auth/token")
        .header(ContentType::JSON)
        .body(json!({ "username": "pia", "password": PASSWORD }).to_string())
        .dispatch()
        .await;
    expect_problem(response, Status::UnsupportedMediaType).await;

    // The e-mail address works as the username; no grant_type is fine.
    let response = app
        .token_form(&[("username", "PIA@example.com"), ("password", PASSWORD)])
        .await;
    assert_eq!(response.status(), Status::Ok);
}

#[rocket::async_test]
async fn the_token_endpoint_is_throttled_like_login() {
    let app = spawn_app().await;
    app.create_user("quin", Role::User).await;
    for _ in 0..5 {
        let response = app
            .token_form(&[("username", "quin"), ("password", "not the password")])
            .await;
        assert_eq!(response.status(), Status::Unauthorized);
    }
    let response = app
        .token_form(&[("username", "quin"), ("password", PASSWORD)])
        .await;
    assert!(response.headers().get_one("Retry-After").is_some());
    expect_problem(response, Status::TooManyRequests).await;
    // The cookie login counts the same failures.
    let (status, _) = app.login_api("quin", PASSWORD).await;
    assert_eq!(status, Status::TooManyRequests);
    assert_eq!(audit_events(&app, "login_failed").await.len(), 5);
}

#[rocket::async_test]
async fn a_bearer_request_needs_no_origin_but_a_cookie_request_does() {
    let app = spawn_app().await;
    app.create_user("rita", Role::User).await;
    let token = app.bearer_for("rita").await;
    let response = app
        .client
        .patch("/api/me")
        .header(Header::new("Authorization", format!("Bearer {token}")))
        .header(Header::new("Origin", "https://elsewhere.example"))
        .header(ContentType::JSON)
        .body(json!({ "first_name": "Rita" }).to_string())
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let response = app
        .client
        .delete("/api/me/sessions")
        .header(Header::new("Authorization", format!("Bearer {token}")))
        .header(Header::new("Origin", "https://elsewhere.example"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::NoContent);

    let browser = app.other_browser().await;
    browser.login_as("rita").await;
    let response = browser
        .client
        .patch("/api/me")
        .header(Header::new("Origin", "https://elsewhere.example"))
        .header(ContentType::JSON)
        .body(json!({ "first_name": "Mallory" }).to_string())
        .dispatch()
        .await;
    expect_problem(response, Status::Forbidden).await;
}

#[rocket::async_test]
async fn tokens_that_name_nothing_are_refused_not_ignored() {
    let app = spawn_app().await;
    let id = app.create_user("sven", Role::User).await;
    app.login_as("sven").await;
    // Even with a valid cookie, a bad Authorization header is a 401:
    // the client asked to be someone it cannot prove.
    for header in [
        "Bearer not-a-token",
        "Bearer prt_unknown",
        "Basic c3Zlbjp4",
        "Bearer ",
    ] {
        let response = app
            .client
            .get("/api/me")
            .header(Header::new("Authorization", header))
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::Unauthorized, "{header}");
    }
    // Public routes too: a client that sends a dead token learns it.
    let response = app
        .bearer(Method::Get, "/api/products", "expired-or-made-up", None)
        .await;
    assert_eq!(response.status(), Status::Unauthorized);
    // Pages ignore the header: a browser signs in with its cookie.
    let response = app
        .client
        .get("/account")
        .header(Header::new("Authorization", "Bearer whatever"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let (status, me) = app.get_json("/api/me").await;
    assert_eq!((status, me["id"].clone()), (Status::Ok, json!(id)));
}

#[rocket::async_test]
async fn bearer_sessions_end_with_password_change_deactivation_and_deletion() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;
    let id = app.create_user("tess", Role::User).await;
    let kept = app.bearer_for("tess").await;
    let other = app.bearer_for("tess").await;

    let body = json!({ "current_password": PASSWORD, "new_password": "another fine passphrase" });
    let response = app
        .bearer(Method::Put, "/api/me/password", &kept, Some(&body))
        .await;
    assert_eq!(response.status(), Status::NoContent);
    assert_eq!(
        app.bearer(Method::Get, "/api/me", &other, None)
            .await
            .status(),
        Status::Unauthorized,
        "the other bearer session survived a password change"
    );
    assert_eq!(
        app.bearer(Method::Get, "/api/me", &kept, None)
            .await
            .status(),
        Status::Ok
    );

    let (status, _) = admin
        .patch_json(&format!("/api/users/{id}"), &json!({ "is_active": false }))
        .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(
        app.bearer(Method::Get, "/api/me", &kept, None)
            .await
            .status(),
        Status::Unauthorized
    );

    let (status, _) = admin
        .patch_json(&format!("/api/users/{id}"), &json!({ "is_active": true }))
        .await;
    assert_eq!(status, Status::Ok);
    let (status, _) = admin.delete(&format!("/api/users/{id}")).await;
    assert_eq!(status, Status::NoContent);
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM sessions WHERE kind = 'api'").await,
        0
    );
}

#[rocket::async_test]
async fn the_secret_is_stored_only_as_a_hash_and_never_logged_in_the_audit() {
    let app = spawn_app().await;
    app.create_user("ugo", Role::User).await;
    let token = app.bearer_for("ugo").await;
    let hash = sha2::Sha256::digest(token.as_bytes()).to_vec();
    let sql = "SELECT token_hash FROM sessions";
    let stored: Vec<Vec<u8>> = match app.pool() {
        portero::db::AppPool::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(pool).await,
        portero::db::AppPool::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await,
    }
    .expect("hashes");
    assert_eq!(stored, vec![hash]);
    for event in audit_events(&app, "login").await {
        let text = format!("{event:?}");
        assert!(!text.contains(&token), "the audit log holds the token");
    }
}

#[rocket::async_test]
async fn openapi_declares_cookie_bearer_and_password_flow() {
    let app = spawn_app().await;
    let (status, spec) = app.get_json("/api/openapi.json").await;
    assert_eq!(status, Status::Ok);
    let schemes = &spec["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["type"], "http");
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["oauth2_password"]["type"], "oauth2");
    assert_eq!(
        schemes["oauth2_password"]["flows"]["password"]["tokenUrl"],
        "/api/auth/token"
    );
    assert_eq!(schemes["session_cookie"]["in"], "cookie");
    let security = &spec["paths"]["/me"]["get"]["security"];
    for name in ["session_cookie", "bearer", "oauth2_password"] {
        assert!(
            security
                .as_array()
                .is_some_and(|list| list.iter().any(|req| req.get(name).is_some())),
            "{name} missing from {security}"
        );
    }
    let token = &spec["paths"]["/auth/token"]["post"]["requestBody"]["content"];
    assert!(
        token.get("application/x-www-form-urlencoded").is_some(),
        "{token}"
    );
}
