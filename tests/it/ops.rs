//! Operations: health probes, start-up configuration checks, documentation pages.

use portero::clock::Clock;
use rocket::figment::Figment;
use rocket::figment::providers::Serialized;
use rocket::http::Status;
use rocket::local::asynchronous::Client;
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

/// A release-profile figment without a secret key, whatever the environment says.
fn release_without_key(url: &str) -> Figment {
    Figment::from(rocket::Config::release_default())
        .merge(Serialized::default("databases.portero.url", url))
        .merge(Serialized::default("databases.portero.max_connections", 4))
        .merge(Serialized::default("log_level", "off"))
        .merge(Serialized::default("argon2_memory_kib", 1024))
        .merge(Serialized::default("argon2_iterations", 1))
        .select(rocket::Config::RELEASE_PROFILE)
}

async fn client(figment: Figment) -> Client {
    let rocket = portero::build(figment, Clock::default()).expect("build");
    Client::tracked(rocket)
        .await
        .expect("a release build without a key starts")
}

/// The sealed session cookie as a browser would send it back.
fn raw_session(client: &Client) -> rocket::http::Cookie<'static> {
    let jar = client.cookies();
    let sealed = jar.get("portero_session").expect("cookie");
    rocket::http::Cookie::new("portero_session", sealed.value().to_owned())
}

async fn me(client: &Client, cookie: rocket::http::Cookie<'static>) -> Status {
    client
        .get("/api/me")
        .cookie(cookie)
        .dispatch()
        .await
        .status()
}

#[rocket::async_test]
async fn without_a_configured_key_every_process_uses_the_stored_one() {
    let (_db, url) = TestDb::new().await;
    let first = client(release_without_key(&url)).await;
    let signup = serde_json::json!({
        "username": "keeper", "email": "keeper@example.com", "password": PASSWORD,
        "first_name": "K", "last_name": "P",
    });
    let response = first
        .post("/api/auth/signup")
        .header(rocket::http::ContentType::JSON)
        .body(signup.to_string())
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Created);
    drop(response);
    let cookie = raw_session(&first);
    // A second process on the same database (or a restart) opens it.
    let second = client(release_without_key(&url)).await;
    assert_eq!(me(&second, cookie.clone()).await, Status::Ok);
    // A configured key wins over the stored one: its cookies are sealed
    // differently, so the stored-key cookie means nothing there.
    let configured =
        client(release_without_key(&url).merge(Serialized::default("secret_key", SECRET_KEY)))
            .await;
    assert_eq!(me(&configured, cookie.clone()).await, Status::Unauthorized);
    drop(first);
    assert_eq!(me(&second, cookie).await, Status::Ok);
}

#[rocket::async_test]
async fn processes_starting_at_once_agree_on_one_stored_key() {
    let (_db, url) = TestDb::new().await;
    let pool = portero::db::AppPool::connect(&portero::db::PoolSettings::for_url(&url))
        .await
        .expect("connect");
    pool.migrate().await.expect("migrate");
    let now = Clock::default().now();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let pool = pool.clone();
            rocket::tokio::spawn(async move {
                let candidate = portero::secret_key::generate();
                let mut conn = pool.acquire().await?;
                portero::db::secret_key::get_or_insert(&mut conn, &candidate, now)
                    .await
                    .map(|(key, created)| (key, created, candidate))
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("join").expect("get or insert"));
    }
    let winners: Vec<_> = results.iter().filter(|(_, created, _)| *created).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    let key = &winners[0].2;
    assert!(
        results.iter().all(|(stored, _, _)| stored == key),
        "{results:?}"
    );
    pool.shutdown().await;
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
