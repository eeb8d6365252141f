//! Database outages (issue 13): every database-unavailable answer is 503
//! with `Retry-After`, as problem+json under /api and a friendly page
//! elsewhere; a server started while its database is down waits for it.

use std::time::Duration;

use portero::clock::Clock;
use rocket::figment::providers::Serialized;
use rocket::http::{ContentType, Status};
use rocket::local::asynchronous::{Client, LocalResponse};

use crate::helpers::*;

fn retry_after(response: &LocalResponse<'_>) -> Option<u64> {
    response
        .headers()
        .get_one("Retry-After")
        .and_then(|value| value.parse().ok())
}

async fn expect_unavailable_problem(response: LocalResponse<'_>) {
    assert!(
        retry_after(&response).is_some_and(|s| s >= 1),
        "Retry-After"
    );
    expect_problem(response, Status::ServiceUnavailable).await;
}

#[rocket::async_test]
async fn every_route_answers_503_with_retry_after_when_the_pool_is_gone() {
    let app = spawn_app().await;
    app.signup_api("outage").await;
    app.pool().shutdown().await;

    for path in ["/api/me", "/api/products", "/api/sales"] {
        expect_unavailable_problem(app.get(path).await).await;
    }
    let login = app
        .client
        .post("/api/auth/login")
        .header(ContentType::JSON)
        .body(r#"{"login":"outage","password":"whatever it is"}"#)
        .dispatch()
        .await;
    expect_unavailable_problem(login).await;

    // Pages: the friendly page, also with Retry-After.
    for path in ["/products", "/account", "/login"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), Status::ServiceUnavailable, "{path}");
        assert!(retry_after(&response).is_some(), "{path}: Retry-After");
        assert_eq!(response.content_type(), Some(ContentType::HTML), "{path}");
        let html = response.into_string().await.unwrap_or_default();
        assert!(html.contains("temporarily unavailable"), "{path}: {html}");
    }
    let readyz = app.get("/readyz").await;
    assert_eq!(readyz.status(), Status::ServiceUnavailable);
    assert!(retry_after(&readyz).is_some());
    assert_eq!(app.get("/healthz").await.status(), Status::Ok);
}

#[rocket::async_test]
async fn an_exhausted_pool_answers_503_after_the_acquire_timeout() {
    let app = spawn_app_with(|figment| {
        figment
            .merge(Serialized::default("databases.portero.max_connections", 1))
            .merge(Serialized::default("databases.portero.connect_timeout", 1))
    })
    .await;
    let held = app.conn().await;
    expect_unavailable_problem(app.get("/api/products").await).await;
    drop(held);
    assert_eq!(app.get("/api/products").await.status(), Status::Ok);
}

#[test]
fn the_acquire_timeout_defaults_to_two_seconds() {
    let settings =
        portero::config::database_settings(&portero::config::figment()).expect("settings");
    assert_eq!(settings.connect_timeout, 2);
}

#[rocket::async_test]
async fn readyz_turns_503_as_soon_as_shutdown_starts() {
    let app = spawn_app().await;
    assert_eq!(app.get("/readyz").await.status(), Status::Ok);
    app.client.rocket().shutdown().notify();
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), Status::ServiceUnavailable);
    // The database itself still serves the requests in flight.
    assert_eq!(app.get("/api/products").await.status(), Status::Ok);
}

#[rocket::async_test]
async fn rocket_db_pools_closing_the_pool_at_shutdown_leaves_it_open() {
    let app = spawn_app().await;
    rocket_db_pools::Pool::close(app.pool()).await;
    assert_eq!(app.get("/api/products").await.status(), Status::Ok);
}

/// A local port with nothing listening on it.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

#[rocket::async_test]
async fn a_database_that_stays_down_fails_the_start_after_start_timeout() {
    let url = format!("postgres://postgres@127.0.0.1:{}/none", free_port());
    let figment = test_figment(&url)
        .merge(Serialized::default("databases.portero.connect_timeout", 1))
        .merge(Serialized::default("databases.portero.start_timeout", 1));
    let rocket = portero::build(figment, Clock::default()).expect("build");
    let Err(error) = Client::tracked(rocket).await else {
        panic!("started without a database");
    };
    // Reading the kind marks the error handled (Rocket panics otherwise).
    assert!(matches!(
        error.kind(),
        rocket::error::ErrorKind::FailedFairings(_)
    ));
}

/// Forwards `port` to `target` once `delay` has passed: a database that
/// comes up while the server waits for it.
fn forward_later(port: u16, target: String, delay: Duration) {
    rocket::tokio::spawn(async move {
        rocket::tokio::time::sleep(delay).await;
        let listener = rocket::tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind the forwarder");
        while let Ok((mut client, _)) = listener.accept().await {
            let target = target.clone();
            rocket::tokio::spawn(async move {
                if let Ok(mut server) = rocket::tokio::net::TcpStream::connect(target).await {
                    let _ = rocket::tokio::io::copy_bidirectional(&mut client, &mut server).await;
                }
            });
        }
    });
}

#[rocket::async_test]
async fn a_server_started_while_postgres_is_down_waits_and_then_serves() {
    let (db, url) = TestDb::new().await;
    if !db.is_postgres() {
        return; // SQLite is a file: there is no server to wait for.
    }
    // postgres://user@host:port/name → the same through a port that opens later.
    let rest = url.split_once('@').map_or(url.as_str(), |(_, rest)| rest);
    let (authority, name) = rest.split_once('/').expect("database name");
    let user = url
        .trim_start_matches("postgres://")
        .split('@')
        .next()
        .unwrap_or("postgres");
    let port = free_port();
    forward_later(port, authority.to_owned(), Duration::from_millis(1500));
    let delayed = format!("postgres://{user}@127.0.0.1:{port}/{name}");
    let figment = test_figment(&delayed)
        .merge(Serialized::default("databases.portero.connect_timeout", 1))
        .merge(Serialized::default("databases.portero.start_timeout", 30));
    let rocket = portero::build(figment, Clock::default()).expect("build");
    let client = Client::tracked(rocket)
        .await
        .expect("starts once the database is up");
    assert_eq!(client.get("/readyz").dispatch().await.status(), Status::Ok);
    assert_eq!(
        client.get("/api/products").dispatch().await.status(),
        Status::Ok
    );
}

/// `portero serve` started while PostgreSQL is down: `/healthz` 200 and
/// `/readyz` 503 (with `Retry-After`) while it waits, then the application
/// itself on the same port once the database answers, without a restart.
#[rocket::async_test]
async fn while_the_database_is_awaited_healthz_is_200_and_readyz_503() {
    let (db, url) = TestDb::new().await;
    if !db.is_postgres() {
        return; // SQLite is a file: there is no server to wait for.
    }
    let rest = url.split_once('@').map_or(url.as_str(), |(_, rest)| rest);
    let (authority, name) = rest.split_once('/').expect("database name");
    let user = url
        .trim_start_matches("postgres://")
        .split('@')
        .next()
        .unwrap_or("postgres");
    let db_port = free_port();
    let delayed = format!("postgres://{user}@127.0.0.1:{db_port}/{name}");
    let dir = tempfile::tempdir().expect("temp dir");
    let port = crate::platform::free_port();
    let env = [
        ("ROCKET_PORT", port.to_string()),
        ("DATABASE_URL", delayed),
        ("ROCKET_SECRET_KEY", SECRET_KEY.to_owned()),
        ("ROCKET_MAIL_POLL_INTERVAL_MS", "0".to_owned()),
    ];
    let dir_path = dir.path().to_owned();
    let server = rocket::tokio::task::spawn_blocking(move || {
        crate::platform::Server::start(&dir_path, &env, "127.0.0.1", port)
    })
    .await
    .expect("start");
    let get = |path: &'static str| {
        rocket::tokio::task::spawn_blocking(move || {
            crate::platform::http("127.0.0.1", port, "GET", path, &[], None)
        })
    };
    let (status, headers, _) = get("/readyz").await.expect("join").expect("readyz");
    assert_eq!(status, 503, "{}", server.log());
    assert!(headers.iter().any(|(k, v)| k == "retry-after" && v == "2"));
    let (status, _, _) = get("/api/products").await.expect("join").expect("products");
    assert_eq!(status, 503);
    let (status, _, _) = get("/healthz").await.expect("join").expect("healthz");
    assert_eq!(status, 200);

    forward_later(db_port, authority.to_owned(), Duration::ZERO);
    let started = std::time::Instant::now();
    loop {
        if let Ok((200, _, _)) = get("/readyz").await.expect("join") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "not ready 30 s after the database came up:\n{}",
            server.log()
        );
        rocket::tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (status, _, body) = get("/api/products").await.expect("join").expect("products");
    assert_eq!(status, 200, "{body}");
    assert!(server.log().contains("while the database is awaited"));
}
