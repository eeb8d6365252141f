//! `/api/auth`: sign-up, login, logout, the session cookie and its attributes.

use portero::domain::Role;
use rocket::figment::providers::Serialized;
use rocket::http::{ContentType, Header, SameSite, Status};
use serde_json::{Value, json};

use crate::helpers::*;

fn signup_body(username: &str) -> Value {
    json!({
        "username": username,
        "email": format!("{username}@example.com"),
        "password": PASSWORD,
        "first_name": "Test",
        "last_name": "User",
    })
}

/// A sign-up body with one member replaced.
fn signup_with(username: &str, field: &str, value: Value) -> Value {
    let mut body = signup_body(username);
    body[field] = value;
    body
}

#[rocket::async_test]
async fn signup_logs_in_and_me_returns_the_user() {
    let app = spawn_app().await;
    let user = app.signup_api("alice").await;
    assert_eq!(user["username"], "alice");
    assert!(user.get("password_hash").is_none());
    let (status, me) = app.get_json("/api/me").await;
    assert_eq!(status, Status::Ok);
    assert_eq!(me["id"], user["id"]);
}

#[rocket::async_test]
async fn signup_answers_201_with_location_and_a_session_cookie() {
    let app = spawn_app().await;
    let response = app
        .client
        .post("/api/auth/signup")
        .header(ContentType::JSON)
        .body(signup_body("Alice_01").to_string())
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Created);
    let location = location(&response).expect("Location header");
    let cookies = set_cookies(&response);
    assert!(
        cookies.iter().any(|c| c.name() == "portero_session"),
        "{cookies:?}"
    );
    let user: Value = response.into_json().await.expect("json body");
    assert_eq!(location, format!("/api/users/{}", user["id"]));
    // Upper case is folded, the e-mail stored lower-case.
    assert_eq!(user["username"], "alice_01");
    assert_eq!(user["email"], "alice_01@example.com");
    assert_eq!(user["role"], "user");
    assert_eq!(user["is_active"], true);
    assert_no_secrets(&user);
    // The cookie is a live session, and Location names the new account.
    let (status, fetched) = app.get_json(&location).await;
    assert_eq!(status, Status::Ok, "{fetched}");
    assert_eq!(fetched["id"], user["id"]);
}

#[rocket::async_test]
async fn signup_reports_each_invalid_field() {
    let app = spawn_app().await;
    let cases: Vec<(&str, Value, &str)> = vec![
        ("username", json!("ab"), "username"),
        ("username", json!("a".repeat(33)), "username"),
        ("username", json!("bad name!"), "username"),
        ("username", json!("émile"), "username"),
        ("username", json!(""), "username"),
        ("email", json!("not-an-address"), "email"),
        ("email", json!("a@localhost"), "email"),
        ("password", json!("short7!"), "password"),
        ("password", json!("x".repeat(129)), "password"),
        ("password", json!("password1234"), "password"),
        ("password", json!("iloveyou1"), "password"),
        ("password", json!("PassWord1234"), "password"),
        ("password", json!("carol_the_user"), "password"),
        ("password", json!("Carol_The_User@Example.com"), "password"),
        ("first_name", json!(""), "first_name"),
        ("first_name", json!("   "), "first_name"),
        ("last_name", json!(""), "last_name"),
        ("phone", json!("call me"), "phone"),
    ];
    for (field, value, expected) in cases {
        let mut body = signup_with("carol_the_user", field, value.clone());
        if field == "password" {
            body["email"] = json!("carol_the_user@example.com");
        }
        let response = app
            .client
            .post("/api/auth/signup")
            .header(ContentType::JSON)
            .body(body.to_string())
            .dispatch()
            .await;
        let problem = expect_problem(response, Status::UnprocessableEntity).await;
        assert_eq!(
            error_fields(&problem),
            vec![expected.to_owned()],
            "{field}={value}: {problem}"
        );
        assert!(
            app.session_cookie().is_none(),
            "{field}={value} logged the client in"
        );
    }
    // None of the attempts created the account.
    app.signup_api("carol_the_user").await;
}

#[rocket::async_test]
async fn signup_reports_every_invalid_field_at_once() {
    let app = spawn_app().await;
    let body = json!({
        "username": "x", "email": "nope", "password": "short", "first_name": "", "last_name": "",
    });
    let (status, problem) = app.post_json("/api/auth/signup", &body).await;
    assert_eq!(status, Status::UnprocessableEntity);
    let mut fields = error_fields(&problem);
    fields.sort();
    assert_eq!(
        fields,
        ["email", "first_name", "last_name", "password", "username"],
        "{problem}"
    );
}

#[rocket::async_test]
async fn signup_with_a_taken_name_or_email_in_any_case_is_409() {
    let app = spawn_app().await;
    app.signup_api("alice").await;
    let other = app.other_browser().await;

    let (status, problem) = other
        .post_json(
            "/api/auth/signup",
            &signup_with("ALICE", "email", json!("new@example.com")),
        )
        .await;
    assert_eq!(status, Status::Conflict, "{problem}");
    assert_problem_body(&problem, Status::Conflict);
    assert_eq!(error_fields(&problem), ["username"]);

    let (status, problem) = other
        .post_json(
            "/api/auth/signup",
            &signup_with("alice2", "email", json!("Alice@EXAMPLE.com")),
        )
        .await;
    assert_eq!(status, Status::Conflict, "{problem}");
    assert_eq!(error_fields(&problem), ["email"]);
    assert!(other.session_cookie().is_none());

    // A free name and e-mail still work.
    other.signup_api("alice2").await;
}

#[rocket::async_test]
async fn concurrent_signups_with_one_name_give_one_201_and_one_409() {
    let app = spawn_app().await;
    let first = app.other_browser().await;
    let second = app.other_browser().await;
    let a = signup_with("racer", "email", json!("racer.one@example.com"));
    let b = signup_with("RACER", "email", json!("racer.two@example.com"));
    let request_a = first
        .client
        .post("/api/auth/signup")
        .header(ContentType::JSON)
        .body(a.to_string());
    let request_b = second
        .client
        .post("/api/auth/signup")
        .header(ContentType::JSON)
        .body(b.to_string());
    let (ra, rb) = tokio::join!(request_a.dispatch(), request_b.dispatch());
    let mut statuses = vec![ra.status().code, rb.status().code];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409]);

    // The same on one server process with the same e-mail.
    let c = signup_with("racer_c", "email", json!("same@example.com"));
    let d = signup_with("racer_d", "email", json!("SAME@example.com"));
    let request_c = app
        .client
        .post("/api/auth/signup")
        .header(ContentType::JSON)
        .body(c.to_string());
    let request_d = app
        .client
        .post("/api/auth/signup")
        .header(ContentType::JSON)
        .body(d.to_string());
    let (rc, rd) = tokio::join!(request_c.dispatch(), request_d.dispatch());
    let mut statuses = vec![rc.status().code, rd.status().code];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409]);
}

#[rocket::async_test]
async fn login_by_username_or_email_in_any_case() {
    let app = spawn_app().await;
    let id = app.create_user("dora", Role::User).await;
    for login in ["dora", "Dora", "dora@example.com", " DORA@Example.COM "] {
        let browser = app.other_browser().await;
        let (status, user) = browser.login_api(login, PASSWORD).await;
        assert_eq!(status, Status::Ok, "{login}: {user}");
        assert_eq!(user["id"], json!(id));
        assert_no_secrets(&user);
        let (status, me) = browser.get_json("/api/me").await;
        assert_eq!(status, Status::Ok);
        assert_eq!(me["username"], "dora");
        assert!(me["last_login_at"].is_string(), "{me}");
    }
}

#[rocket::async_test]
async fn unknown_user_and_wrong_password_get_the_same_answer() {
    let app = spawn_app().await;
    app.signup_api("bob").await;
    let fresh = app.other_browser().await;
    let (s1, b1) = fresh.login_api("bob", "wrong password here").await;
    let (s2, b2) = fresh.login_api("nobody", "wrong password here").await;
    assert_eq!(s1, Status::Unauthorized);
    assert_eq!((s1, sans_request_id(b1)), (s2, sans_request_id(b2)));
    let (status, _) = fresh.login_api("bob@example.com", PASSWORD).await;
    assert_eq!(status, Status::Ok);
}

#[rocket::async_test]
async fn inactive_user_cannot_log_in_and_gets_the_same_answer() {
    let app = spawn_app().await;
    let id = app.create_user("ivy", Role::User).await;
    app.create_user("jay", Role::User).await;
    app.deactivate_in_db(id).await;
    let response = app
        .client
        .post("/api/auth/login")
        .header(ContentType::JSON)
        .body(json!({ "login": "ivy", "password": PASSWORD }).to_string())
        .dispatch()
        .await;
    assert!(
        set_cookies(&response)
            .iter()
            .all(|c| c.name() != "portero_session" || c.value().is_empty())
    );
    let inactive = expect_problem(response, Status::Unauthorized).await;
    let (status, wrong) = app.login_api("jay", "not the password").await;
    assert_eq!(status, Status::Unauthorized);
    let (status, unknown) = app.login_api("ghost", PASSWORD).await;
    assert_eq!(status, Status::Unauthorized);
    let inactive = sans_request_id(inactive);
    assert_eq!(inactive, sans_request_id(wrong));
    assert_eq!(inactive, sans_request_id(unknown));
    assert_eq!(app.me_status().await, Status::Unauthorized);
}

#[rocket::async_test]
async fn login_sets_a_fresh_session_id_and_kills_the_previous_one() {
    let app = spawn_app().await;
    app.create_user("erin", Role::User).await;
    app.create_user("fred", Role::User).await;
    app.login_as("erin").await;
    let first = app.session_cookie().expect("session cookie");
    app.login_as("erin").await;
    let second = app.session_cookie().expect("session cookie");
    assert_ne!(first.value(), second.value(), "login reused the session id");
    assert_eq!(
        app.me_status_with(first.clone()).await,
        Status::Unauthorized
    );
    assert_eq!(app.me_status_with(second.clone()).await, Status::Ok);

    // Logging in as someone else replaces the session too.
    app.login_as("fred").await;
    let third = app.session_cookie().expect("session cookie");
    assert_ne!(third.value(), second.value());
    assert_eq!(app.me_status_with(second).await, Status::Unauthorized);
    let (_, me) = app.get_json("/api/me").await;
    assert_eq!(me["username"], "fred");
}

#[rocket::async_test]
async fn a_planted_session_id_never_becomes_authenticated() {
    let app = spawn_app().await;
    app.create_user("gina", Role::User).await;
    let planted = rocket::http::Cookie::new("portero_session", "attacker-chosen-session-id");
    // The attacker's id is sent with the login request itself.
    let response = app
        .client
        .post("/api/auth/login")
        .private_cookie(planted.clone())
        .header(ContentType::JSON)
        .body(json!({ "login": "gina", "password": PASSWORD }).to_string())
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let issued = app.session_cookie().expect("session cookie");
    assert_ne!(issued.value(), planted.value());
    assert_eq!(app.me_status_with(planted).await, Status::Unauthorized);
    assert_eq!(app.me_status_with(issued).await, Status::Ok);
}

#[rocket::async_test]
async fn session_cookie_attributes_by_default() {
    let app = spawn_app().await;
    app.create_user("hank", Role::User).await;
    let response = app
        .client
        .post("/api/auth/login")
        .header(ContentType::JSON)
        .body(json!({ "login": "hank", "password": PASSWORD }).to_string())
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let cookies = set_cookies(&response);
    let session = cookies
        .iter()
        .find(|c| c.name() == "portero_session")
        .unwrap_or_else(|| panic!("no session cookie in {cookies:?}"));
    assert_eq!(session.http_only(), Some(true), "{session}");
    assert!(
        matches!(session.same_site(), Some(SameSite::Lax | SameSite::Strict)),
        "{session}"
    );
    assert_eq!(session.same_site(), Some(SameSite::Lax), "{session}");
    assert_eq!(session.path(), Some("/"), "{session}");
    assert_ne!(
        session.secure(),
        Some(true),
        "Secure without https: {session}"
    );
    assert!(session.domain().is_none(), "{session}");
    // A private cookie: what travels is not the id the server decrypts.
    let id = app.session_cookie().expect("decrypts");
    assert_ne!(session.value(), id.value());
    assert!(
        id.value().len() >= 22,
        "id shorter than 128 bits: {}",
        id.value().len()
    );
}

#[rocket::async_test]
async fn logout_answers_204_then_401() {
    let app = spawn_app().await;
    app.signup_api("kate").await;
    let cookie = app.session_cookie().expect("session cookie");
    let response = app.client.post("/api/auth/logout").dispatch().await;
    assert_eq!(response.status(), Status::NoContent);
    assert_eq!(app.me_status().await, Status::Unauthorized);
    // A copy of the old cookie is dead on the server, not only in this jar.
    assert_eq!(app.me_status_with(cookie).await, Status::Unauthorized);
    let again = app.client.post("/api/auth/logout").dispatch().await;
    expect_problem(again, Status::Unauthorized).await;
}

#[rocket::async_test]
async fn logout_with_a_foreign_origin_is_refused() {
    let app = spawn_app().await;
    app.signup_api("lena").await;
    let response = app
        .client
        .post("/api/auth/logout")
        .header(Header::new("Origin", "https://evil.example"))
        .dispatch()
        .await;
    expect_problem(response, Status::Forbidden).await;
    assert_eq!(
        app.me_status().await,
        Status::Ok,
        "a cross-site logout ended the session"
    );
}

#[rocket::async_test]
async fn spoofed_x_real_ip_is_ignored_by_default() {
    let app = spawn_app().await;
    app.create_user("mona", Role::User).await;
    let response = app
        .client
        .post("/api/auth/login")
        .header(ContentType::JSON)
        .header(Header::new("X-Real-IP", "203.0.113.66"))
        .header(Header::new("User-Agent", "spoof-test/1.0"))
        .body(json!({ "login": "mona", "password": PASSWORD }).to_string())
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let (status, sessions) = app.get_json("/api/me/sessions").await;
    assert_eq!(status, Status::Ok);
    let session = &sessions["items"][0];
    assert_eq!(session["user_agent"], "spoof-test/1.0", "{sessions}");
    assert_ne!(session["ip"], "203.0.113.66", "{sessions}");
}

#[rocket::async_test]
async fn repeated_failed_logins_are_throttled_with_429() {
    let app = spawn_app().await;
    app.create_user("nina", Role::User).await;
    // `login_account_max_failures` defaults to 5 within 15 minutes.
    for _ in 0..5 {
        let (status, _) = app.login_api("nina", "not the password").await;
        assert_eq!(status, Status::Unauthorized);
    }
    let response = app
        .client
        .post("/api/auth/login")
        .header(ContentType::JSON)
        .body(json!({ "login": "nina", "password": PASSWORD }).to_string())
        .dispatch()
        .await;
    let retry_after = response.headers().get_one("Retry-After").map(str::to_owned);
    let throttled = expect_problem(response, Status::TooManyRequests).await;
    assert!(
        retry_after
            .as_deref()
            .and_then(|s| s.parse::<u64>().ok())
            .is_some_and(|s| s >= 1),
        "{retry_after:?}"
    );
    assert!(
        app.session_cookie().is_none(),
        "a throttled login logged in"
    );

    // An unknown login is throttled alike, so 429 does not reveal accounts.
    for _ in 0..5 {
        let (status, _) = app.login_api("ghost", "not the password").await;
        assert_eq!(status, Status::Unauthorized);
    }
    let (status, ghost) = app.login_api("ghost", "not the password").await;
    assert_eq!(status, Status::TooManyRequests);
    assert_eq!(sans_request_id(ghost), sans_request_id(throttled));
    assert!(
        app.audit_actions()
            .await
            .contains(&"login_throttled".to_owned())
    );

    // Other accounts are not affected; after the window the right password works again.
    app.create_user("omar", Role::User).await;
    assert_eq!(app.login_api("omar", PASSWORD).await.0, Status::Ok);
    app.clock.advance(16 * 60);
    let (status, body) = app.login_api("nina", PASSWORD).await;
    assert_eq!(status, Status::Ok, "{body}");
}

#[rocket::async_test]
async fn failed_logins_from_one_address_are_throttled() {
    let app =
        spawn_app_with(|figment| figment.merge(Serialized::default("login_ip_max_failures", 3)))
            .await;
    for name in ["ann1", "ann2", "ann3", "ann4"] {
        app.create_user(name, Role::User).await;
    }
    let attempt = |login: &'static str, password: &'static str, ip: &'static str| {
        let app = &app;
        async move {
            app.client
                .post("/api/auth/login")
                .remote(ip.parse().expect("socket address"))
                .header(ContentType::JSON)
                .body(json!({ "login": login, "password": password }).to_string())
                .dispatch()
                .await
                .status()
        }
    };
    for name in ["ann1", "ann2", "ann3"] {
        assert_eq!(
            attempt(name, "not the password", "198.51.100.7:4000").await,
            Status::Unauthorized
        );
    }
    // A fourth account from the same address must wait, even with the right password.
    assert_eq!(
        attempt("ann4", PASSWORD, "198.51.100.7:4001").await,
        Status::TooManyRequests
    );
    // Another address is not affected.
    assert_eq!(
        attempt("ann4", PASSWORD, "198.51.100.8:4000").await,
        Status::Ok
    );
}

#[rocket::async_test]
async fn auth_events_are_audited() {
    let app = spawn_app().await;
    app.signup_api("olga").await;
    let (status, _) = app.login_api("olga", "not the password").await;
    assert_eq!(status, Status::Unauthorized);
    app.login_as("olga").await;
    let (status, _) = app
        .put_json(
            "/api/me/password",
            &json!({ "current_password": PASSWORD, "new_password": NEW_PASSWORD }),
        )
        .await;
    assert_eq!(status, Status::NoContent);
    assert_eq!(
        app.client
            .post("/api/auth/logout")
            .dispatch()
            .await
            .status(),
        Status::NoContent
    );
    let actions = app.audit_actions().await;
    assert_eq!(
        actions,
        [
            "signup",
            "login_failed",
            "login",
            "password_change",
            "logout"
        ]
    );
}
