//! Login throttling (ASVS V2.2.1): per account and per client address,
//! counted in the database, with `Retry-After`, the same answer whether the
//! account exists or not, and client addresses that a header cannot forge.

use portero::domain::Role;
use rocket::figment::providers::Serialized;
use rocket::http::{ContentType, Header, Status};
use serde_json::{Value, json};

use crate::helpers::{
    PASSWORD, TestApp, assert_problem_body, audit_events, sans_request_id, spawn_app,
    spawn_app_with,
};

const WRONG: &str = "not the password";

/// What a login attempt through the API answered.
#[derive(Debug)]
struct Attempt {
    status: Status,
    retry_after: Option<i64>,
    content_type: String,
    body: Value,
}

/// `POST /api/auth/login`, from `remote` (a socket address) when given,
/// with extra headers.
async fn login(
    app: &TestApp,
    login: &str,
    password: &str,
    remote: Option<&str>,
    headers: &[(&str, &str)],
) -> Attempt {
    let mut request = app
        .client
        .post("/api/auth/login")
        .header(ContentType::JSON)
        .body(json!({ "login": login, "password": password }).to_string());
    if let Some(remote) = remote {
        request = request.remote(remote.parse().expect("socket address"));
    }
    for (name, value) in headers {
        request = request.header(Header::new(name.to_string(), value.to_string()));
    }
    let response = request.dispatch().await;
    let status = response.status();
    let retry_after = response
        .headers()
        .get_one("Retry-After")
        .map(|value| value.parse::<i64>().expect("Retry-After is whole seconds"));
    let content_type = response
        .content_type()
        .map(|ct| ct.to_string())
        .unwrap_or_default();
    let body = response.into_json::<Value>().await.unwrap_or(Value::Null);
    Attempt {
        status,
        retry_after,
        content_type,
        body,
    }
}

/// `n` failed logins for `name`, each answered 401.
async fn fail(app: &TestApp, name: &str, n: usize) {
    for i in 0..n {
        let attempt = login(app, name, WRONG, None, &[]).await;
        assert_eq!(
            attempt.status,
            Status::Unauthorized,
            "failure {} of {n} for {name}: {attempt:?}",
            i + 1
        );
    }
}

/// Asserts a 429 problem with a sane `Retry-After` and returns the seconds.
fn assert_throttled(attempt: &Attempt, max_wait: i64) -> i64 {
    assert_eq!(attempt.status, Status::TooManyRequests, "{attempt:?}");
    assert!(
        attempt.content_type.starts_with("application/problem+json"),
        "{attempt:?}"
    );
    assert_problem_body(&attempt.body, Status::TooManyRequests);
    let wait = attempt.retry_after.expect("429 without Retry-After");
    assert!(
        (1..=max_wait).contains(&wait),
        "Retry-After {wait} not in 1..={max_wait}"
    );
    wait
}

#[rocket::async_test]
async fn sixth_attempt_after_five_failures_is_429_even_with_the_right_password() {
    let app = spawn_app().await;
    app.create_user("thea", Role::User).await;
    fail(&app, "thea", 5).await;

    let attempt = login(&app, "thea", PASSWORD, None, &[]).await;
    // The first lockout is 30 s; it never exceeds the 15-minute window.
    assert_throttled(&attempt, 30);
    assert!(
        app.session_cookie().is_none(),
        "a throttled login set a session"
    );
    assert_eq!(app.me_status().await, Status::Unauthorized);

    // The e-mail address names the same account, so it is locked too.
    let attempt = login(&app, "thea@example.com", PASSWORD, None, &[]).await;
    assert_throttled(&attempt, 30);

    // Another account is not affected.
    app.create_user("theo", Role::User).await;
    assert_eq!(
        login(&app, "theo", PASSWORD, None, &[]).await.status,
        Status::Ok
    );
}

#[rocket::async_test]
async fn throttled_answer_is_the_same_for_existing_and_unknown_accounts() {
    let app = spawn_app().await;
    app.create_user("ursula", Role::User).await;

    // Failures look alike, too.
    let existing = login(&app, "ursula", WRONG, None, &[]).await;
    let unknown = login(&app, "nobody-here", WRONG, None, &[]).await;
    assert_eq!(existing.status, Status::Unauthorized);
    assert_eq!(
        (
            existing.status,
            sans_request_id(existing.body.clone()),
            &existing.content_type
        ),
        (
            unknown.status,
            sans_request_id(unknown.body.clone()),
            &unknown.content_type
        )
    );

    fail(&app, "ursula", 4).await;
    fail(&app, "nobody-here", 4).await;
    let existing = login(&app, "ursula", WRONG, None, &[]).await;
    let unknown = login(&app, "nobody-here", WRONG, None, &[]).await;
    let existing_wait = assert_throttled(&existing, 30);
    let unknown_wait = assert_throttled(&unknown, 30);
    assert_eq!(
        sans_request_id(existing.body.clone()),
        sans_request_id(unknown.body.clone())
    );
    assert_eq!(existing.content_type, unknown.content_type);
    assert!(
        (existing_wait - unknown_wait).abs() <= 2,
        "Retry-After differs: {existing_wait} vs {unknown_wait}"
    );

    // An unknown e-mail address is throttled alike.
    fail(&app, "ghost@example.com", 5).await;
    let ghost = login(&app, "ghost@example.com", PASSWORD, None, &[]).await;
    assert_throttled(&ghost, 30);
    assert_eq!(
        sans_request_id(ghost.body.clone()),
        sans_request_id(existing.body.clone())
    );
}

#[rocket::async_test]
async fn a_successful_login_resets_the_account_counter() {
    let app = spawn_app().await;
    app.create_user("vera", Role::User).await;
    fail(&app, "vera", 4).await;
    assert_eq!(
        login(&app, "vera", PASSWORD, None, &[]).await.status,
        Status::Ok
    );
    // Five fresh failures are allowed again before the lockout.
    fail(&app, "vera", 5).await;
    let attempt = login(&app, "vera", PASSWORD, None, &[]).await;
    assert_throttled(&attempt, 30);
}

#[rocket::async_test]
async fn the_login_page_explains_the_lockout_with_429() {
    let app = spawn_app().await;
    app.create_user("wanda", Role::User).await;
    for _ in 0..5 {
        let (status, _) = app.page_login("wanda", WRONG, None).await;
        assert_eq!(status, Status::Unauthorized);
    }
    let token = app.page_csrf("/login").await;
    let response = app
        .post_form(
            "/login",
            &[
                ("login", "wanda"),
                ("password", PASSWORD),
                ("csrf_token", token.as_str()),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::TooManyRequests);
    assert!(
        response
            .content_type()
            .is_some_and(|ct| ct == ContentType::HTML),
        "the throttled login page is not HTML"
    );
    let html = response.into_string().await.unwrap_or_default();
    assert!(
        html.contains("Too many failed attempts"),
        "no clear message on the throttled login page"
    );
    assert!(
        html.contains("minute"),
        "the page does not say how long to wait"
    );
    assert!(
        app.session_cookie().is_none(),
        "a throttled login set a session"
    );

    // The page answer for an unknown login is the same message.
    for _ in 0..5 {
        app.page_login("nobody-at-all", WRONG, None).await;
    }
    let (status, _) = app.page_login("nobody-at-all", WRONG, None).await;
    assert_eq!(status, Status::TooManyRequests);
}

#[rocket::async_test]
async fn the_per_address_limit_spans_accounts_and_ignores_successes() {
    let app =
        spawn_app_with(|figment| figment.merge(Serialized::default("login_ip_max_failures", 3)))
            .await;
    for name in ["xena1", "xena2", "xena3", "xena4"] {
        app.create_user(name, Role::User).await;
    }
    const ATTACKER: &str = "198.51.100.20:40000";
    // Successes never count: many of them from one address are all fine.
    for _ in 0..8 {
        let attempt = login(&app, "xena4", PASSWORD, Some(ATTACKER), &[]).await;
        assert_eq!(attempt.status, Status::Ok, "{attempt:?}");
    }
    for name in ["xena1", "xena2", "xena3"] {
        let attempt = login(&app, name, WRONG, Some(ATTACKER), &[]).await;
        assert_eq!(attempt.status, Status::Unauthorized, "{attempt:?}");
    }
    // Each account has one failure only, yet the address is now locked out,
    // whatever the account and even with the right password.
    let attempt = login(&app, "xena4", PASSWORD, Some("198.51.100.20:40001"), &[]).await;
    let wait = assert_throttled(&attempt, 3600);
    assert!(wait > 3000, "the address waits for its window: {wait}");
    let attempt = login(&app, "unknown-user", WRONG, Some(ATTACKER), &[]).await;
    assert_throttled(&attempt, 3600);

    // Another address is not affected.
    let attempt = login(&app, "xena4", PASSWORD, Some("198.51.100.21:40000"), &[]).await;
    assert_eq!(attempt.status, Status::Ok, "{attempt:?}");

    // After the window the address may try again.
    app.clock.advance(3601);
    let attempt = login(&app, "xena4", PASSWORD, Some(ATTACKER), &[]).await;
    assert_eq!(attempt.status, Status::Ok, "{attempt:?}");
}

#[rocket::async_test]
async fn a_spoofed_x_real_ip_does_not_dodge_the_per_address_limit() {
    let app =
        spawn_app_with(|figment| figment.merge(Serialized::default("login_ip_max_failures", 3)))
            .await;
    app.create_user("yael", Role::User).await;
    for (i, fake) in ["1.1.1.1", "2.2.2.2", "3.3.3.3"].iter().enumerate() {
        let name = format!("target{i}");
        let attempt = login(
            &app,
            &name,
            WRONG,
            Some("192.0.2.50:1234"),
            &[("X-Real-IP", fake)],
        )
        .await;
        assert_eq!(attempt.status, Status::Unauthorized, "{attempt:?}");
    }
    let attempt = login(
        &app,
        "yael",
        PASSWORD,
        Some("192.0.2.50:1234"),
        &[("X-Real-IP", "4.4.4.4")],
    )
    .await;
    assert_throttled(&attempt, 3600);
}

#[rocket::async_test]
async fn failures_on_one_instance_count_on_another() {
    let a = spawn_app().await;
    let b = a.second_instance().await;
    a.create_user("zora", Role::User).await;
    fail(&a, "zora", 3).await;
    fail(&b, "zora", 2).await;
    // Five failures in all, spread over two processes: both refuse.
    assert_throttled(&login(&b, "zora", PASSWORD, None, &[]).await, 30);
    assert_throttled(&login(&a, "zora", PASSWORD, None, &[]).await, 30);

    // A success on one instance resets the counter for both.
    a.clock.advance(31);
    assert_eq!(
        login(&b, "zora", PASSWORD, None, &[]).await.status,
        Status::Ok
    );
    fail(&a, "zora", 4).await;
    assert_eq!(
        login(&a, "zora", PASSWORD, None, &[]).await.status,
        Status::Ok
    );
}

#[rocket::async_test]
async fn failures_from_one_address_on_two_instances_add_up() {
    let configure = |figment: rocket::figment::Figment| {
        figment.merge(Serialized::default("login_ip_max_failures", 2))
    };
    let a = spawn_app_with(configure).await;
    let b = a.second_instance_with(configure).await;
    a.create_user("amos", Role::User).await;
    const FROM: &str = "203.0.113.9:5555";
    assert_eq!(
        login(&a, "one", WRONG, Some(FROM), &[]).await.status,
        Status::Unauthorized
    );
    assert_eq!(
        login(&b, "two", WRONG, Some(FROM), &[]).await.status,
        Status::Unauthorized
    );
    assert_throttled(&login(&a, "amos", PASSWORD, Some(FROM), &[]).await, 3600);
    assert_throttled(&login(&b, "amos", PASSWORD, Some(FROM), &[]).await, 3600);
}

#[rocket::async_test]
async fn the_lockout_ends_with_time_and_grows_with_more_failures() {
    let app = spawn_app().await;
    app.create_user("bruno", Role::User).await;
    fail(&app, "bruno", 5).await;
    let first = assert_throttled(&login(&app, "bruno", PASSWORD, None, &[]).await, 30);

    // Just before the end of the lockout it still holds.
    if first > 1 {
        app.clock.advance(first - 1);
        assert_throttled(&login(&app, "bruno", PASSWORD, None, &[]).await, 1);
        app.clock.advance(1);
    } else {
        app.clock.advance(first);
    }
    // Past it, one more failure locks the account for twice as long.
    assert_eq!(
        login(&app, "bruno", WRONG, None, &[]).await.status,
        Status::Unauthorized
    );
    let second = assert_throttled(&login(&app, "bruno", PASSWORD, None, &[]).await, 60);
    assert!(second > 30, "no exponential back-off: {second} s");

    app.clock.advance(second);
    let attempt = login(&app, "bruno", PASSWORD, None, &[]).await;
    assert_eq!(attempt.status, Status::Ok, "{attempt:?}");
    assert_eq!(app.me_status().await, Status::Ok);
}

#[rocket::async_test]
async fn failures_leave_the_window() {
    let app = spawn_app().await;
    app.create_user("carla", Role::User).await;
    fail(&app, "carla", 5).await;
    // After the 15-minute window the old failures no longer count.
    app.clock.advance(15 * 60 + 1);
    fail(&app, "carla", 4).await;
    assert_eq!(
        login(&app, "carla", PASSWORD, None, &[]).await.status,
        Status::Ok
    );
}

#[rocket::async_test]
async fn a_throttled_attempt_is_audited() {
    let app = spawn_app().await;
    app.create_user("dora", Role::User).await;
    fail(&app, "dora", 5).await;
    assert_eq!(audit_events(&app, "login_failed").await.len(), 5);
    assert!(audit_events(&app, "login_throttled").await.is_empty());

    let attempt = login(&app, "dora", PASSWORD, Some("192.0.2.7:999"), &[]).await;
    assert_throttled(&attempt, 30);
    let throttled = audit_events(&app, "login_throttled").await;
    assert_eq!(throttled.len(), 1, "{throttled:?}");
    let event = &throttled[0];
    assert_eq!(event.target.as_deref(), Some("login:dora"), "{event:?}");
    assert_eq!(event.ip.as_deref(), Some("192.0.2.7"), "{event:?}");
    assert_eq!(event.actor_id, None, "{event:?}");
    // The attempt neither logged in nor counted as a success.
    assert!(audit_events(&app, "login").await.is_empty());
}

/// The IP recorded for a login: the session's and the audit event's.
async fn recorded_ip(app: &TestApp) -> (Value, Option<String>) {
    let (status, sessions) = app.get_json("/api/me/sessions").await;
    assert_eq!(status, Status::Ok, "{sessions}");
    let session_ip = sessions["items"][0]["ip"].clone();
    let logins = audit_events(app, "login").await;
    let audit_ip = logins.first().and_then(|event| event.ip.clone());
    (session_ip, audit_ip)
}

#[rocket::async_test]
async fn x_real_ip_is_ignored_by_default() {
    let app = spawn_app().await;
    app.create_user("edna", Role::User).await;
    let attempt = login(
        &app,
        "edna",
        PASSWORD,
        Some("127.0.0.1:5000"),
        &[("X-Real-IP", "6.6.6.6")],
    )
    .await;
    assert_eq!(attempt.status, Status::Ok, "{attempt:?}");
    let (session_ip, audit_ip) = recorded_ip(&app).await;
    assert_eq!(session_ip, json!("127.0.0.1"));
    assert_eq!(audit_ip.as_deref(), Some("127.0.0.1"));
}

#[rocket::async_test]
async fn x_real_ip_is_used_when_an_operator_trusts_it() {
    let app =
        spawn_app_with(|figment| figment.merge(Serialized::default("ip_header", "X-Real-IP")))
            .await;
    app.create_user("fina", Role::User).await;
    let attempt = login(
        &app,
        "fina",
        PASSWORD,
        Some("127.0.0.1:5000"),
        &[("X-Real-IP", "6.6.6.6")],
    )
    .await;
    assert_eq!(attempt.status, Status::Ok, "{attempt:?}");
    let (session_ip, audit_ip) = recorded_ip(&app).await;
    assert_eq!(session_ip, json!("6.6.6.6"));
    assert_eq!(audit_ip.as_deref(), Some("6.6.6.6"));
}

/// A write is visible to the very next request. (On SQLite, sqlx 0.7 may
/// answer an `INSERT … RETURNING` through `fetch_one` before the statement
/// commits, so another pooled connection may not see the new row yet: a new
/// account then fails its first login, a new session its first request.)
#[rocket::async_test]
async fn new_accounts_and_sessions_are_usable_at_once() {
    let app = spawn_app().await;
    const ROUNDS: usize = 300;
    let mut failures = Vec::new();
    for i in 0..ROUNDS {
        let name = format!("fresh{i}");
        app.create_user(&name, Role::User).await;
        let attempt = login(&app, &name, PASSWORD, None, &[]).await;
        if attempt.status != Status::Ok {
            let why = audit_events(&app, "login_failed").await;
            let why = why.first().and_then(|e| e.detail.clone());
            failures.push(format!(
                "login of new account {name}: {} ({why:?})",
                attempt.status
            ));
            continue;
        }
        let status = app.me_status().await;
        if status != Status::Ok {
            failures.push(format!("first request of {name}'s new session: {status}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {ROUNDS}: {failures:#?}",
        failures.len()
    );
}
