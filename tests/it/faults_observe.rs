//! Operability (issue 13): a correlation id per request (header, problem
//! body, log line) and `/metrics` behind a bearer token.

use rocket::figment::providers::Serialized;
use rocket::http::{Header, Status};
use serde_json::Value;

use crate::helpers::*;
use crate::platform::{Server, free_port, http};

const TOKEN: &str = "scrape-me-0123456789";

fn is_generated(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

#[rocket::async_test]
async fn every_answer_names_its_request_and_a_problem_repeats_it() {
    let app = spawn_app().await;
    let response = app.get("/api/me").await;
    assert_eq!(response.status(), Status::Unauthorized);
    let header = response
        .headers()
        .get_one("X-Request-Id")
        .map(str::to_owned)
        .expect("X-Request-Id");
    assert!(is_generated(&header), "{header}");
    let body: Value = response.into_json().await.expect("problem");
    assert_eq!(body["request_id"], header.as_str());

    let other = app.get("/healthz").await;
    let second = other.headers().get_one("X-Request-Id").expect("id");
    assert!(is_generated(second) && second != header);

    // Without a trusted proxy a client's id is not taken.
    let response = app
        .client
        .get("/api/me")
        .header(Header::new("X-Request-Id", "client-chosen-1"))
        .dispatch()
        .await;
    let id = response.headers().get_one("X-Request-Id").expect("id");
    assert!(is_generated(id), "{id}");
}

#[rocket::async_test]
async fn behind_a_trusted_proxy_its_request_id_is_kept_when_plausible() {
    let app =
        spawn_app_with(|figment| figment.merge(Serialized::default("ip_header", "X-Real-IP")))
            .await;
    let response = app
        .client
        .get("/api/nothing-here")
        .header(Header::new("X-Request-Id", "edge-7f3a:42"))
        .dispatch()
        .await;
    assert_eq!(
        response.headers().get_one("X-Request-Id"),
        Some("edge-7f3a:42")
    );
    let body: Value = response.into_json().await.expect("problem");
    assert_eq!(body["request_id"], "edge-7f3a:42");

    let response = app
        .client
        .get("/healthz")
        .header(Header::new("X-Request-Id", "has spaces; and more"))
        .dispatch()
        .await;
    let id = response.headers().get_one("X-Request-Id").expect("id");
    assert!(is_generated(id), "{id}");
}

#[test]
fn the_request_line_in_the_log_carries_the_id() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let env = [
        ("ROCKET_PORT", port.to_string()),
        (
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("observe.db").display()),
        ),
        ("ROCKET_SECRET_KEY", SECRET_KEY.to_owned()),
        ("ROCKET_MAIL_POLL_INTERVAL_MS", "0".to_owned()),
    ];
    let server = Server::start(dir.path(), &env, "127.0.0.1", port);
    let (status, headers, _) = http("127.0.0.1", port, "GET", "/api/me", &[], None).expect("me");
    assert_eq!(status, 401);
    let id = headers
        .iter()
        .find(|(name, _)| name == "x-request-id")
        .map(|(_, value)| value.clone())
        .expect("X-Request-Id");
    // The line may be written just after the answer.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let log = server.log();
        if let Some(line) = log.lines().find(|line| line.contains(&id)) {
            assert!(line.contains("GET /api/me 401"), "{line}");
            assert!(
                line.contains(&format!("request_id=\"{id}\""))
                    || line.contains(&format!("request_id={id}")),
                "{line}"
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no line for {id}:\n{log}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

async fn scrape(app: &TestApp, token: Option<&str>) -> (Status, Option<String>, String) {
    let mut request = app.client.get("/metrics");
    if let Some(token) = token {
        request = request.header(Header::new("Authorization", format!("Bearer {token}")));
    }
    let response = request.dispatch().await;
    let status = response.status();
    let kind = response.content_type().map(|kind| kind.to_string());
    (
        status,
        kind,
        response.into_string().await.unwrap_or_default(),
    )
}

/// The value of the series that starts with `series` (name and labels).
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .filter(|line| line.starts_with(series))
        .filter_map(|line| line.rsplit(' ').next())
        .filter_map(|number| number.parse::<f64>().ok())
        .sum()
}

#[rocket::async_test]
async fn metrics_are_off_unless_a_token_is_set() {
    let app = spawn_app().await;
    let (status, _, _) = scrape(&app, None).await;
    assert_eq!(status, Status::NotFound);
    let (status, _, _) = scrape(&app, Some("anything")).await;
    assert_eq!(status, Status::NotFound);
}

#[rocket::async_test]
async fn metrics_need_the_token_and_count_what_happens() {
    let app =
        spawn_app_with(|figment| figment.merge(Serialized::default("metrics_token", TOKEN))).await;
    assert_eq!(scrape(&app, None).await.0, Status::Unauthorized);
    assert_eq!(
        scrape(&app, Some("wrong-token")).await.0,
        Status::Unauthorized
    );
    let (status, kind, before) = scrape(&app, Some(TOKEN)).await;
    assert_eq!(status, Status::Ok);
    assert!(
        kind.is_some_and(|kind| kind.starts_with("application/openmetrics-text")),
        "{before}"
    );

    // A sign-up opens a session; a purchase; a failed login, then a
    // throttled one; a database error once the pool is gone.
    app.login_admin("metrics_admin").await;
    let product = new_product(&app, "MET-1", "Metric", 100, 10).await;
    let (status, body) = buy(&app, &[(product, 1)]).await;
    assert_eq!(status, Status::Created, "{body}");
    let stranger = app
        .second_instance_with(|figment| {
            figment.merge(Serialized::default("login_account_max_failures", 1))
        })
        .await;
    stranger.signup_api("metrics_user").await;
    for _ in 0..2 {
        stranger.login_api("metrics_user", "not the password").await;
    }
    assert_eq!(app.get("/healthz").await.status(), Status::Ok);

    let (_, _, after) = scrape(&app, Some(TOKEN)).await;
    let grew = |series: &str| value(&after, series) - value(&before, series);
    assert!(grew("portero_sessions_created_total") >= 2.0, "{after}");
    assert!(grew("portero_purchases_total") >= 1.0, "{after}");
    assert!(grew("portero_logins_failed_total") >= 1.0, "{after}");
    assert!(grew("portero_logins_throttled_total") >= 1.0, "{after}");
    let healthz = r#"portero_http_requests_total{method="GET",route="/healthz",status="200"}"#;
    assert!(grew(healthz) >= 1.0, "{after}");
    let created = r#"portero_http_request_duration_seconds_count{method="POST",route="/api/sales",status="201"}"#;
    assert!(grew(created) >= 1.0, "{after}");
    assert!(after.contains("portero_db_pool_connections "), "{after}");
    assert!(after.contains("portero_db_pool_waiting "), "{after}");
    assert!(
        value(&after, "portero_db_pool_connections ") >= 1.0,
        "{after}"
    );

    app.pool().shutdown().await;
    assert_eq!(
        app.get("/api/products").await.status(),
        Status::ServiceUnavailable
    );
    let (_, _, last) = scrape(&app, Some(TOKEN)).await;
    let errors = r#"portero_database_errors_total{kind="unavailable"}"#;
    assert!(
        value(&last, errors) - value(&after, errors) >= 1.0,
        "{last}"
    );
    // The token is never echoed.
    assert!(!last.contains(TOKEN));
}
