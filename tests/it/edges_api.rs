//! The API's own edges: Rocket's `_method` form override never turns a
//! POST into a DELETE under `/api`, and `Origin` must match the instance's
//! scheme, host and port.

use portero::domain::Role;
use rocket::http::{ContentType, Header, Status};
use serde_json::json;

use crate::helpers::*;

#[rocket::async_test]
async fn a_form_post_with_method_override_is_not_an_api_delete() {
    let app = spawn_app().await;
    app.login_admin("ines").await;
    let other = app.other_browser().await;
    other.login_as("ines").await;
    let victim = app.create_user("jon", Role::User).await;

    for (path, override_to) in [
        ("/api/me/sessions".to_owned(), "delete"),
        ("/api/me/sessions".to_owned(), "DELETE"),
        (format!("/api/users/{victim}"), "delete"),
        ("/api/me".to_owned(), "patch"),
    ] {
        let response = app
            .client
            .post(path.clone())
            .header(ContentType::Form)
            .body(format!("_method={override_to}&first_name=Forged"))
            .dispatch()
            .await;
        let status = response.status();
        assert!(
            status.class().is_client_error(),
            "POST {path} with _method={override_to} answered {status}"
        );
    }
    assert_eq!(other.me_status().await, Status::Ok, "sessions were revoked");
    let (status, jon) = app.get_json(&format!("/api/users/{victim}")).await;
    assert_eq!(status, Status::Ok, "the user was deleted: {jon}");
    let (_, me) = app.get_json("/api/me").await;
    assert_eq!(me["first_name"], "Test");

    // The real methods still work.
    let (status, _) = app.delete("/api/me/sessions").await;
    assert!(status.class().is_success(), "{status}");
    assert_eq!(other.me_status().await, Status::Unauthorized);
}

/// `POST /api/auth/login` with the given `Host` and `Origin`; the status.
async fn login_with(app: &TestApp, host: &str, origin: &str) -> Status {
    app.client
        .post("/api/auth/login")
        .header(ContentType::JSON)
        .header(Header::new("Host", host.to_owned()))
        .header(Header::new("Origin", origin.to_owned()))
        .body(json!({ "login": "kim", "password": PASSWORD }).to_string())
        .dispatch()
        .await
        .status()
}

#[rocket::async_test]
async fn origin_must_match_scheme_host_and_port_of_an_http_instance() {
    let app = spawn_app().await;
    app.create_user("kim", Role::User).await;
    for (host, origin, expected) in [
        ("portero.test", "http://portero.test", Status::Ok),
        ("portero.test", "HTTP://Portero.Test", Status::Ok),
        ("portero.test", "http://portero.test:80", Status::Ok),
        ("portero.test:80", "http://portero.test", Status::Ok),
        ("portero.test:8000", "http://portero.test:8000", Status::Ok),
        ("127.0.0.1:8000", "http://127.0.0.1:8000", Status::Ok),
        ("[::1]:8000", "http://[::1]:8000", Status::Ok),
        ("portero.test", "https://portero.test", Status::Forbidden),
        ("portero.test", "https://portero.test:80", Status::Forbidden),
        (
            "portero.test:8000",
            "http://portero.test",
            Status::Forbidden,
        ),
        (
            "portero.test",
            "http://portero.test:8000",
            Status::Forbidden,
        ),
        (
            "portero.test",
            "http://portero.test.evil.example",
            Status::Forbidden,
        ),
        ("portero.test", "http://evil.example", Status::Forbidden),
        ("portero.test", "null", Status::Forbidden),
        ("portero.test", "", Status::Forbidden),
        ("portero.test", "portero.test", Status::Forbidden),
        (
            "portero.test",
            "http://user@portero.test",
            Status::Forbidden,
        ),
        (
            "portero.test",
            "http://portero.test/path",
            Status::Forbidden,
        ),
    ] {
        assert_eq!(
            login_with(&app, host, origin).await,
            expected,
            "Host {host:?}, Origin {origin:?}"
        );
    }
}

#[rocket::async_test]
async fn an_origin_without_a_host_to_compare_is_foreign() {
    let app = spawn_app().await;
    app.create_user("kim", Role::User).await;
    let response = app
        .client
        .post("/api/auth/login")
        .header(ContentType::JSON)
        .header(Header::new("Origin", "http://localhost"))
        .body(json!({ "login": "kim", "password": PASSWORD }).to_string())
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Forbidden);
}

#[rocket::async_test]
async fn origin_must_be_https_on_an_https_instance() {
    let app = spawn_app_with(|figment| {
        figment.merge(rocket::figment::providers::Serialized::default(
            "https", true,
        ))
    })
    .await;
    app.create_user("kim", Role::User).await;
    for (host, origin, expected) in [
        ("portero.test", "https://portero.test", Status::Ok),
        ("portero.test", "https://portero.test:443", Status::Ok),
        ("portero.test:443", "https://portero.test", Status::Ok),
        ("portero.test:8443", "https://portero.test:8443", Status::Ok),
        ("portero.test", "http://portero.test", Status::Forbidden),
        ("portero.test", "http://portero.test:443", Status::Forbidden),
        (
            "portero.test:8443",
            "https://portero.test",
            Status::Forbidden,
        ),
        ("portero.test", "null", Status::Forbidden),
    ] {
        assert_eq!(
            login_with(&app, host, origin).await,
            expected,
            "Host {host:?}, Origin {origin:?}"
        );
    }
}
