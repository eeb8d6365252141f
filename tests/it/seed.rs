//! The command line (issue 5): `seed-demo`, `create-admin` and `--help`.
//! These run the real `portero` binary against the test's own database.

use std::time::{Duration, Instant};

use portero::clock::Clock;
use portero::domain::Role;
use rocket::http::Status;
use rocket::local::asynchronous::Client;

use crate::helpers::*;

/// The application on an existing test database (for checking what the CLI did).
async fn app_on(db: TestDb, url: String) -> TestApp {
    let clock = Clock::default();
    let rocket = portero::build(test_figment(&url), clock.clone()).expect("build app");
    let client = Client::tracked(rocket).await.expect("valid rocket");
    TestApp {
        client,
        clock,
        url,
        db: std::sync::Arc::new(db),
    }
}

#[rocket::async_test]
async fn seed_demo_creates_numbered_users_once() {
    let (db, url) = TestDb::new().await;
    let started = Instant::now();
    let output = portero(
        &url,
        &["seed-demo", "--users", "300", "--products", "10"],
        &[],
    )
    .await;
    let (stdout, stderr) = text(&output);
    assert!(
        output.status.success(),
        "seed-demo failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("300"), "{stdout}");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "seeding 300 users took {:?}",
        started.elapsed()
    );

    // A second run skips, and says so.
    let again = portero(
        &url,
        &["seed-demo", "--users", "300", "--products", "10"],
        &[],
    )
    .await;
    let (stdout, stderr) = text(&again);
    assert!(
        again.status.success(),
        "second run failed:\n{stdout}\n{stderr}"
    );
    let said = format!("{stdout}{stderr}").to_lowercase();
    assert!(
        said.contains("already") && said.contains("skip"),
        "the second run does not say it skipped: {said}"
    );

    let app = app_on(db, url).await;
    new_user(&app, "root", Role::Admin).await;
    app.login_as("root").await;
    let (status, list) = app.get_json("/api/users?role=user&per_page=100").await;
    assert_eq!(status, Status::Ok, "{list}");
    assert_eq!(list["total"], 300, "demo users after two runs");
    let (_, list) = app.get_json("/api/users?per_page=3").await;
    assert_eq!(
        usernames(&list),
        ["root", "user0000001", "user0000002"],
        "{list}"
    );
    let (_, one) = app.get_json("/api/users?q=user0000001").await;
    assert_eq!(one["total"], 1);
    let first = &one["items"][0];
    assert_eq!(first["username"], "user0000001");
    assert_eq!(first["email"], "user0000001@example.com");
    assert_eq!(first["role"], "user");
    assert_eq!(first["is_active"], true);
    assert!(first["first_name"].as_str().is_some_and(|n| !n.is_empty()));
    assert!(first["last_name"].as_str().is_some_and(|n| !n.is_empty()));
    let (_, last) = app.get_json("/api/users?q=user0000300").await;
    assert_eq!(last["items"][0]["email"], "user0000300@example.com");
    assert_ne!(
        first["created_at"], last["items"][0]["created_at"],
        "sign-up dates should vary"
    );
    let (_, none) = app.get_json("/api/users?q=user0000301").await;
    assert_eq!(none["total"], 0);

    // The benchmark query: q=user00001 is user0000100 … user0000199.
    let (_, list) = app
        .get_json("/api/users?q=user00001&per_page=100&sort=username")
        .await;
    assert_eq!(list["total"], 100, "{}", list["total"]);
    let names = usernames(&list);
    assert_eq!(names.first().map(String::as_str), Some("user0000100"));
    assert_eq!(names.last().map(String::as_str), Some("user0000199"));
    let (_, page) = html(&app, "/admin/users?q=user00001").await;
    assert_eq!(status_count(&page), 100);

    // The demo password logs in.
    let (status, _) = app
        .login_api("user0000042", portero::seed::DEMO_PASSWORD)
        .await;
    assert_eq!(status, Status::Ok);

    // Products and sales by demo users, each product once.
    let (_, products) = app.get_json("/api/products?per_page=100").await;
    assert_eq!(products["total"], 10, "{products}");
    app.login_as("root").await;
    let (_, sales) = app.get_json("/api/sales?per_page=1").await;
    assert!(
        sales["total"].as_i64().is_some_and(|n| n > 0),
        "no demo sales: {sales}"
    );
}

#[rocket::async_test]
async fn create_admin_promotes_an_existing_user_or_creates_one() {
    let (db, url) = TestDb::new().await;
    let output = portero(&url, &["seed-demo", "--users", "3"], &[]).await;
    assert!(output.status.success(), "{:?}", text(&output));

    let output = portero(
        &url,
        &[
            "create-admin",
            "--username",
            "user0000002",
            "--email",
            "user0000002@example.com",
        ],
        &[],
    )
    .await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("made an administrator"), "{stdout}");

    let output = portero(
        &url,
        &[
            "create-admin",
            "--username",
            "Boss",
            "--email",
            "Boss@Example.com",
        ],
        &[("PORTERO_ADMIN_PASSWORD", PASSWORD)],
    )
    .await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(!stdout.contains(PASSWORD) && !stderr.contains(PASSWORD));

    // A weak password is refused with a message, and nothing is created.
    let output = portero(
        &url,
        &[
            "create-admin",
            "--username",
            "weak",
            "--email",
            "weak@example.com",
            "--password",
            "short",
        ],
        &[],
    )
    .await;
    assert!(
        !output.status.success(),
        "a 5-character password was accepted"
    );
    assert!(!text(&output).1.is_empty(), "no message");

    let app = app_on(db, url).await;
    app.login_as("boss").await;
    let (_, me) = app.get_json("/api/me").await;
    assert_eq!(me["role"], "admin");
    assert_eq!(me["email"], "boss@example.com");
    let (_, list) = app.get_json("/api/users?role=admin").await;
    assert_eq!(usernames(&list), ["boss", "user0000002"]);
    let (_, list) = app.get_json("/api/users?q=weak").await;
    assert_eq!(list["total"], 0);
    let actions = app.audit_actions().await;
    assert!(actions.contains(&"role_change".to_owned()), "{actions:?}");
    assert!(actions.contains(&"user_create".to_owned()), "{actions:?}");
}

#[rocket::async_test]
async fn help_lists_the_commands() {
    let output = portero("sqlite://unused.db", &["--help"], &[]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    for command in ["serve", "migrate", "create-admin", "seed-demo"] {
        assert!(
            stdout.contains(command),
            "--help lacks {command}:\n{stdout}"
        );
    }
    let output = portero("sqlite://unused.db", &["create-admin", "--help"], &[]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    for flag in ["--username", "--email", "--password"] {
        assert!(
            stdout.contains(flag),
            "create-admin --help lacks {flag}:\n{stdout}"
        );
    }
    let output = portero("sqlite://unused.db", &["seed-demo", "--help"], &[]).await;
    let (stdout, _) = text(&output);
    assert!(output.status.success());
    assert!(stdout.contains("--users") && stdout.contains("--products"));
    let output = portero("sqlite://unused.db", &["no-such-command"], &[]).await;
    assert!(!output.status.success());
    assert!(
        !std::path::Path::new("unused.db").exists(),
        "help created a database"
    );
}
