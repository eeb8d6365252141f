//! Operations: health probes, start-up configuration checks, documentation pages.

use portero::clock::Clock;
use rocket::figment::Figment;
use rocket::figment::providers::Serialized;
use rocket::http::Status;
use serde_json::Value;

use crate::helpers::*;

#[rocket::async_test]
async fn healthz_is_200() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), Status::Ok);
    let body: Value = response.into_json().await.expect("json");
    assert_eq!(body["status"], "ok");
}

#[rocket::async_test]
async fn readyz_is_200_with_a_database_and_503_without() {
    let app = spawn_app().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), Status::Ok);
    let body: Value = response.into_json().await.expect("json");
    assert_eq!(body["database"], "ok");

    app.pool().shutdown().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), Status::ServiceUnavailable);
    // The process itself is still up.
    assert_eq!(app.get("/healthz").await.status(), Status::Ok);
}

#[rocket::async_test]
async fn api_without_a_database_answers_503_problem_not_a_crash() {
    let app = spawn_app().await;
    app.signup_api("offline").await;
    app.pool().shutdown().await;
    let response = app.get("/api/me").await;
    let status = response.status();
    assert!(
        status == Status::ServiceUnavailable || status == Status::InternalServerError,
        "{status}"
    );
    expect_problem(response, status).await;
}

/// A release-profile figment that holds no secret key, whatever the environment says.
fn release_without_key(url: &str) -> Figment {
    let base = if std::env::var_os("ROCKET_SECRET_KEY").is_some() {
        Figment::from(rocket::Config::release_default())
    } else {
        // What `portero serve` reads: Rocket.toml and ROCKET_* variables.
        portero::config::figment()
    };
    base.merge(Serialized::default("databases.portero.url", url))
        .merge(Serialized::default("log_level", "off"))
        .select(rocket::Config::RELEASE_PROFILE)
}

#[rocket::async_test]
async fn release_without_a_secret_key_refuses_to_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("release.db").display());
    let figment = release_without_key(&url);
    assert_eq!(figment.profile(), rocket::Config::RELEASE_PROFILE);
    let error = match portero::build(figment.clone(), Clock::default()) {
        Ok(_) => panic!("a release build without a secret key was accepted"),
        Err(error) => error,
    };
    assert!(error.contains("ROCKET_SECRET_KEY"), "{error}");
    assert!(!error.contains('\n'), "not a one-line message: {error}");

    // With a key the same configuration builds.
    let with_key = figment.merge(Serialized::default("secret_key", SECRET_KEY));
    assert!(portero::build(with_key, Clock::default()).is_ok());
}

#[rocket::async_test]
async fn debug_without_a_secret_key_still_starts() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz").await.status(), Status::Ok);
}

#[rocket::async_test]
async fn openapi_and_docs_pages_are_served_locally() {
    let app = spawn_app().await;
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), Status::Ok);
    assert!(response.content_type().is_some_and(|ct| ct.is_json()));

    let response = app.get("/docs/index.html").await;
    assert_eq!(response.status(), Status::Ok, "Swagger UI");
    let html = response.into_string().await.unwrap_or_default();
    assert!(
        !html.contains("://cdn") && !html.contains("unpkg.com") && !html.contains("jsdelivr"),
        "Swagger UI loads from a CDN"
    );

    let response = app.get("/redoc").await;
    assert_eq!(
        response.status(),
        Status::Ok,
        "ReDoc page (needs templates/redoc.html.tera)"
    );
    let html = response.into_string().await.unwrap_or_default();
    assert!(
        html.contains("/static/redoc/redoc.standalone.js"),
        "ReDoc is not the vendored bundle"
    );
    // Tera escapes `/` in attributes as `&#x2F;`, which browsers decode.
    assert!(
        html.contains("/api/openapi.json") || html.contains("&#x2F;api&#x2F;openapi.json"),
        "{html}"
    );
    assert!(
        !html.contains("cdn.") && !html.contains("unpkg.com") && !html.contains("jsdelivr"),
        "ReDoc loads from a CDN"
    );
    assert_eq!(
        app.get("/static/redoc/redoc.standalone.js").await.status(),
        Status::Ok
    );
}

#[rocket::async_test]
async fn every_response_has_security_headers() {
    let app = spawn_app().await;
    for path in [
        "/healthz",
        "/readyz",
        "/api/openapi.json",
        "/static/css/portero.css",
    ] {
        let response = app.get(path).await;
        assert_eq!(
            response.headers().get_one("X-Content-Type-Options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            response.headers().get_one("X-Frame-Options"),
            Some("DENY"),
            "{path}"
        );
    }
}
