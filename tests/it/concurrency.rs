//! Rules that must hold under any interleaving (SPEC.md "Atomic
//! operations", issue 11): login limits under concurrent attempts, the last
//! active administrator under racing demotions, and a change that happens
//! with its audit event or not at all. Races run on a multi-threaded
//! runtime, released by a barrier (`helpers::race`); faults are injected
//! with database triggers (`helpers::sql`).

use portero::domain::Role;
use portero::state::AppState;
use rocket::figment::Figment;
use rocket::figment::providers::Serialized;
use rocket::http::Status;
use serde_json::{Value, json};

use crate::helpers::*;

const WRONG: &str = "not the password";

/// The default `login_account_max_failures`.
const ACCOUNT_LIMIT: usize = 5;

fn active_admins_sql() -> &'static str {
    "SELECT COUNT(*) FROM users WHERE role = 'admin' AND is_active = TRUE"
}

// ---------------------------------------------------------------------------
// Login limits.

#[test]
fn concurrent_wrong_passwords_stop_at_the_account_limit() {
    run_threaded(async {
        let app = spawn_app().await;
        new_user(&app, "target", Role::User).await;
        let client = untracked(&app).await;

        let calls = (0..150).map(|_| Call::login("target", WRONG)).collect();
        let answers = at_once(&client, calls).await;
        let unauthorized = count_status(&answers, Status::Unauthorized);
        let throttled = count_status(&answers, Status::TooManyRequests);
        assert_eq!(
            unauthorized + throttled,
            answers.len(),
            "other answers: {:?}",
            answers
                .iter()
                .filter(|a| a.status.code != 401 && a.status.code != 429)
                .collect::<Vec<_>>()
        );
        assert_eq!(
            unauthorized, ACCOUNT_LIMIT,
            "401s out of 150 (429s: {throttled})"
        );
        for answer in answers.iter().filter(|a| a.status.code == 429) {
            assert!(answer.retry_after.is_some(), "429 without Retry-After");
        }
        assert_eq!(
            scalar(&app, "SELECT COUNT(*) FROM login_failures").await,
            ACCOUNT_LIMIT as i64
        );

        // The right password after the limit is still refused.
        let answer = send(&client, Call::login("target", PASSWORD)).await;
        assert_eq!(answer.status, Status::TooManyRequests, "{:?}", answer.body);
        assert!(answer.session.is_none());
    });
}

#[rocket::async_test]
async fn wrong_current_passwords_count_with_the_login_failures() {
    let app = spawn_app().await;
    app.login_user("pat").await;
    let wrong = json!({ "current_password": WRONG, "new_password": NEW_PASSWORD });
    for _ in 0..3 {
        let (status, problem) = app.put_json("/api/me/password", &wrong).await;
        assert_eq!(status, Status::UnprocessableEntity, "{problem}");
        assert_eq!(error_fields(&problem), ["current_password"]);
    }
    // The page's form counts the same way.
    for _ in 0..2 {
        let token = app.page_csrf("/account").await;
        let response = app
            .post_form(
                "/account/password",
                &[
                    ("current_password", WRONG),
                    ("new_password", NEW_PASSWORD),
                    ("new_password_confirm", NEW_PASSWORD),
                    ("csrf_token", &token),
                ],
            )
            .await;
        assert_eq!(response.status(), Status::UnprocessableEntity);
    }
    assert_eq!(audit_events(&app, "password_change_failed").await.len(), 5);

    // Over the limit, even the right current password waits.
    let response = app
        .client
        .put("/api/me/password")
        .header(rocket::http::ContentType::JSON)
        .body(json!({ "current_password": PASSWORD, "new_password": NEW_PASSWORD }).to_string())
        .dispatch()
        .await;
    assert!(response.headers().get_one("Retry-After").is_some());
    expect_problem(response, Status::TooManyRequests).await;
    let token = app.page_csrf("/account").await;
    let response = app
        .post_form(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
                ("new_password_confirm", NEW_PASSWORD),
                ("csrf_token", &token),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::TooManyRequests);

    // They are the account's login failures: logging in waits too.
    let other = app.other_browser().await;
    assert_eq!(
        other.login_api("pat", PASSWORD).await.0,
        Status::TooManyRequests
    );
    // And the password did not change.
    app.clock.advance(15 * 60 + 1);
    assert_eq!(other.login_api("pat", PASSWORD).await.0, Status::Ok);
}

#[test]
fn a_thousand_throttled_logins_make_one_audit_event() {
    run_threaded(async {
        let three_per_address =
            |figment: Figment| figment.merge(Serialized::default("login_ip_max_failures", 3));
        let app = spawn_app_with(three_per_address).await;
        new_user(&app, "quinn", Role::User).await;
        let client = untracked_with(&app, three_per_address).await;
        const FROM: &str = "198.51.100.77:4000";
        for n in 0..3 {
            let answer = send(
                &client,
                Call::login(&format!("nobody{n}"), WRONG).sent_from(FROM),
            )
            .await;
            assert_eq!(answer.status, Status::Unauthorized);
        }
        let mut refused = 0;
        for batch in 0..20 {
            let calls = (0..50)
                .map(|n| {
                    let (login, password) = if n % 2 == 0 {
                        ("quinn".to_owned(), PASSWORD)
                    } else {
                        (format!("guess{batch}-{n}"), WRONG)
                    };
                    Call::login(&login, password).sent_from(FROM)
                })
                .collect();
            refused += count_status(&at_once(&client, calls).await, Status::TooManyRequests);
        }
        assert_eq!(refused, 1000);
        let events = audit_events(&app, "login_throttled").await;
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0].ip.as_deref(), Some("198.51.100.77"));

        // A new window gets a new event.
        app.clock.advance(3601);
        for n in 0..3 {
            send(
                &client,
                Call::login(&format!("again{n}"), WRONG).sent_from(FROM),
            )
            .await;
        }
        let answer = send(&client, Call::login("quinn", PASSWORD).sent_from(FROM)).await;
        assert_eq!(answer.status, Status::TooManyRequests);
        assert_eq!(audit_events(&app, "login_throttled").await.len(), 2);
    });
}

// ---------------------------------------------------------------------------
// The last active administrator.

/// Two administrators send `change` for each other at the same moment, 20
/// times; after every round at least one active administrator is left.
async fn admins_race(change: Value) {
    let app = spawn_app().await;
    let ann = new_user(&app, "ann", Role::Admin).await;
    let bob = new_user(&app, "bob", Role::Admin).await;
    let client = untracked(&app).await;
    for round in 0..20 {
        let ann_cookie = session_of(&client, "ann").await;
        let bob_cookie = session_of(&client, "bob").await;
        let calls = vec![
            Call::patch(&format!("/api/users/{bob}"), change.clone()).with_cookie(&ann_cookie),
            Call::patch(&format!("/api/users/{ann}"), change.clone()).with_cookie(&bob_cookie),
        ];
        let answers = at_once(&client, calls).await;
        let statuses: Vec<u16> = answers.iter().map(|a| a.status.code).collect();
        assert!(
            scalar(&app, active_admins_sql()).await >= 1,
            "round {round}: no active administrator left ({statuses:?})"
        );
        assert_eq!(
            count_status(&answers, Status::Ok),
            1,
            "round {round}: {statuses:?}"
        );
        for answer in &answers {
            // The loser is refused by the rule, or finds its own session ended.
            assert!(
                [200, 401, 409].contains(&answer.status.code),
                "round {round}: {:?}",
                answer.body
            );
        }
        execute(
            &app,
            "UPDATE users SET role = 'admin', is_active = TRUE WHERE username IN ('ann', 'bob')",
        )
        .await;
    }
}

#[test]
fn admins_deactivating_each_other_at_once_leave_an_active_admin() {
    run_threaded(admins_race(json!({ "is_active": false })));
}

#[test]
fn admins_demoting_each_other_at_once_leave_an_active_admin() {
    run_threaded(admins_race(json!({ "role": "user" })));
}

// ---------------------------------------------------------------------------
// A change and its audit event: both or neither.

#[rocket::async_test]
async fn a_deactivation_whose_event_fails_changes_nothing() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;
    let victim = app.other_browser().await;
    let id = sign_in(&victim, "vic", Role::User).await;
    fail_audit_events(&app, "user_deactivate").await;

    let (status, _) = admin
        .patch_json(&format!("/api/users/{id}"), &json!({ "is_active": false }))
        .await;
    assert_eq!(status, Status::InternalServerError);
    assert_eq!(api_user(&admin, id).await["is_active"], true);
    assert_eq!(victim.me_status().await, Status::Ok, "the session ended");
}

#[rocket::async_test]
async fn a_password_change_whose_event_fails_changes_nothing() {
    let app = spawn_app().await;
    app.login_user("pia").await;
    let other = app.other_browser().await;
    other.login_as("pia").await;
    fail_audit_events(&app, "password_change").await;

    let (status, _) = app
        .put_json(
            "/api/me/password",
            &json!({ "current_password": PASSWORD, "new_password": NEW_PASSWORD }),
        )
        .await;
    assert_eq!(status, Status::InternalServerError);
    assert_eq!(
        other.me_status().await,
        Status::Ok,
        "the other session ended"
    );
    let third = app.other_browser().await;
    assert_eq!(
        third.login_api("pia", NEW_PASSWORD).await.0,
        Status::Unauthorized
    );
    assert_eq!(third.login_api("pia", PASSWORD).await.0, Status::Ok);
}

#[rocket::async_test]
async fn a_deletion_whose_event_fails_changes_nothing() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;
    let id = new_user(&app, "dee", Role::User).await;
    fail_audit_events(&app, "user_delete").await;

    let (status, _) = admin.delete(&format!("/api/users/{id}")).await;
    assert_eq!(status, Status::InternalServerError);
    assert_eq!(api_user(&admin, id).await["username"], "dee");
}

#[rocket::async_test]
async fn a_purchase_whose_event_fails_changes_nothing() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;
    let lamp = new_product(&admin, "LAMP-1", "Lamp", 1500, 4).await;
    let shopper = app.other_browser().await;
    sign_in(&shopper, "sam", Role::User).await;
    fail_audit_events(&app, "sale_create").await;

    let (status, _) = buy(&shopper, &[(lamp, 3)]).await;
    assert_eq!(status, Status::InternalServerError);
    assert_eq!(stock(&admin, lamp).await, 4);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM sales").await, 0);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM sale_items").await, 0);
}

#[rocket::async_test]
async fn create_admin_whose_event_fails_changes_nothing() {
    let app = spawn_app().await;
    let riley = app.other_browser().await;
    sign_in(&riley, "riley", Role::User).await;
    fail_audit_events(&app, "user_create").await;
    fail_audit_events(&app, "role_change").await;
    let create = [
        "create-admin",
        "--username",
        "chief",
        "--email",
        "chief@example.com",
    ];
    let output = portero(&app.url, &create, &[("PORTERO_ADMIN_PASSWORD", PASSWORD)]).await;
    assert!(!output.status.success(), "{:?}", text(&output));
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM users WHERE username = 'chief'").await,
        0
    );

    let promote = [
        "create-admin",
        "--username",
        "riley",
        "--email",
        "riley@example.com",
    ];
    let output = portero(&app.url, &promote, &[]).await;
    assert!(!output.status.success(), "{:?}", text(&output));
    assert_eq!(scalar(&app, active_admins_sql()).await, 0);
    assert_eq!(riley.me_status().await, Status::Ok, "riley's session ended");
}

// ---------------------------------------------------------------------------
// The sweeper.

#[rocket::async_test]
async fn the_sweeper_prunes_old_audit_events_failures_and_sessions() {
    let app =
        spawn_app_with(|figment| figment.merge(Serialized::default("audit_retention_days", 30)))
            .await;
    app.login_user("old").await;
    assert_eq!(app.login_api("ghost", WRONG).await.0, Status::Unauthorized);
    app.clock.advance(31 * 24 * 60 * 60);
    let recent = app.other_browser().await;
    recent.login_user("new").await;
    let cutoff = app.clock.now() - time::Duration::days(30);

    let state = app.client.rocket().state::<AppState>().expect("state");
    portero::sweep(app.pool(), &state.config, &app.clock).await;

    let logins = audit_events(&app, "login").await;
    assert_eq!(logins.len(), 1, "{logins:?}");
    assert_eq!(logins[0].actor_name.as_deref(), Some("new"));
    assert!(audit_events(&app, "login_failed").await.is_empty());
    for action in ["login", "login_failed", "user_create", "signup"] {
        for event in audit_events(&app, action).await {
            assert!(event.at > cutoff, "{event:?} is older than the retention");
        }
    }
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM login_failures").await, 0);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM sessions").await, 1);
    assert_eq!(recent.me_status().await, Status::Ok);
}
