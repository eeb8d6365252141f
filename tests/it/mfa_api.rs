//! Two-factor sign-in through the API (SPEC "Two-factor sign-in"), on a
//! pinned clock: enrolment, the two-step login, replay and drift, recovery
//! codes, the login limits, turning it off, the administrator's reset,
//! `require_admin_mfa` and the password grant.

use portero::db::AppPool;
use rocket::http::{Method, Status};
use serde_json::json;

use crate::helpers::*;

async fn mfa_mail(app: &TestApp, to: &str) -> i64 {
    scalar(
        app,
        &format!(
            "SELECT COUNT(*) FROM mail_outbox WHERE kind = 'mfa_changed' AND recipient = '{to}'"
        ),
    )
    .await
}

async fn sealed_secret(app: &TestApp, user_id: i64) -> Vec<u8> {
    let sql = "SELECT sealed FROM mfa_secrets WHERE user_id = $1";
    match app.pool() {
        AppPool::Sqlite(pool) => {
            sqlx::query_scalar::<_, Vec<u8>>(sql)
                .bind(user_id)
                .fetch_one(pool)
                .await
        }
        AppPool::Postgres(pool) => {
            sqlx::query_scalar::<_, Vec<u8>>(sql)
                .bind(user_id)
                .fetch_one(pool)
                .await
        }
    }
    .expect("a stored secret")
}

/// A fresh app on a pinned clock, with `name` logged in.
async fn pinned_user(name: &str) -> (TestApp, i64) {
    let app = spawn_app().await;
    app.pin_clock();
    let id = app.login_user(name).await;
    (app, id)
}

#[rocket::async_test]
async fn enrolment_needs_a_right_code_and_keeps_the_secret_sealed() {
    let (app, id) = pinned_user("ada").await;
    let other = app.other_browser().await;
    other.login_as("ada").await;

    let (status, body) = app
        .post_json("/api/me/mfa/confirm", &json!({ "code": "123456" }))
        .await;
    assert_eq!(status, Status::Conflict, "nothing pending yet: {body}");

    let (status, enrolment) = app.post_json("/api/me/mfa", &json!({})).await;
    assert_eq!(status, Status::Ok, "{enrolment}");
    let secret = enrolment["secret"].as_str().expect("secret").to_owned();
    let uri = enrolment["otpauth_uri"].as_str().expect("uri");
    assert!(uri.starts_with("otpauth://totp/Portero:ada?"), "{uri}");
    assert!(uri.contains(&format!("secret={secret}")), "{uri}");
    let (_, state) = app.get_json("/api/me/mfa").await;
    assert_eq!(state["pending"], json!(true), "{state}");
    assert_eq!(state["enabled"], json!(false), "{state}");

    // At rest the secret is sealed: neither its bytes nor its text are stored.
    let raw = totp_rs::Secret::Encoded(secret.clone())
        .to_bytes()
        .expect("base32");
    let sealed = sealed_secret(&app, id).await;
    assert!(!sealed.windows(raw.len()).any(|w| w == raw.as_slice()));
    assert!(!sealed.windows(secret.len()).any(|w| w == secret.as_bytes()));

    // Pending only: the password alone still logs in, the wrong code is refused.
    let (status, body) = app
        .post_json(
            "/api/me/mfa/confirm",
            &json!({ "code": app.code_in(&secret, 2) }),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");
    assert_eq!(error_fields(&body), ["code"]);
    assert_eq!(mfa_mail(&app, "ada@example.com").await, 0);

    let (status, body) = app
        .post_json(
            "/api/me/mfa/confirm",
            &json!({ "code": app.code_in(&secret, 0) }),
        )
        .await;
    assert_eq!(status, Status::Ok, "{body}");
    let codes = body["recovery_codes"].as_array().expect("codes");
    assert_eq!(codes.len(), 10);
    let (_, state) = app.get_json("/api/me/mfa").await;
    assert_eq!(state["enabled"], json!(true), "{state}");
    assert_eq!(state["recovery_codes_left"], json!(10), "{state}");
    let (_, me) = app.get_json("/api/me").await;
    assert_eq!(me["mfa_enabled"], json!(true), "{me}");

    // The other session ended; this one goes on. Audited and notified.
    assert_eq!(other.me_status().await, Status::Unauthorized);
    assert_eq!(app.me_status().await, Status::Ok);
    assert!(app.audit_actions().await.contains(&"mfa_enable".to_owned()));
    assert_eq!(mfa_mail(&app, "ada@example.com").await, 1);
    // Recovery codes are stored as keyed hashes only.
    let stored = scalar(
        &app,
        &format!("SELECT COUNT(*) FROM mfa_recovery_codes WHERE user_id = {id}"),
    )
    .await;
    assert_eq!(stored, 10);

    let (status, _) = app.post_json("/api/me/mfa", &json!({})).await;
    assert_eq!(status, Status::Conflict, "already on");
}

#[rocket::async_test]
async fn login_needs_the_code_and_a_code_works_once() {
    let (app, _) = pinned_user("ada").await;
    let (secret, _) = app.enable_mfa().await;
    let (status, _) = app.post_json("/api/auth/logout", &json!({})).await;
    assert_eq!(status, Status::NoContent);

    // The password step makes no session.
    let token = app.password_step("ada").await;
    assert!(app.session_cookie().is_none());
    assert_eq!(app.me_status().await, Status::Unauthorized);

    let code = app.code_in(&secret, 0);
    let (status, body) = app.code_step(&token, "000000").await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");
    assert_eq!(error_fields(&body), ["code"]);
    let (status, user) = app.code_step(&token, &code).await;
    assert_eq!(status, Status::Ok, "{user}");
    assert_eq!(user["username"], json!("ada"));
    assert_eq!(app.me_status().await, Status::Ok);

    // The token was used up.
    let (status, _) = app.code_step(&token, &app.code_in(&secret, 1)).await;
    assert_eq!(status, Status::Unauthorized);

    // The same code again, on a new login in the same step: a replay.
    let browser = app.other_browser().await;
    let token = browser.password_step("ada").await;
    let (status, body) = browser.code_step(&token, &code).await;
    assert_eq!(status, Status::UnprocessableEntity, "replay: {body}");
    // The next step's code is fresh.
    app.clock.advance(30);
    let (status, body) = browser.code_step(&token, &app.code_in(&secret, 0)).await;
    assert_eq!(status, Status::Ok, "{body}");
}

#[rocket::async_test]
async fn codes_one_step_off_are_accepted_and_two_steps_off_are_not() {
    let (app, _) = pinned_user("ada").await;
    let (secret, _) = app.enable_mfa().await;
    // One more step, so the previous step is not the one enrolment used.
    app.clock.advance(30);
    let browser = app.other_browser().await;
    let token = browser.password_step("ada").await;
    for far in [-2, 2] {
        let (status, body) = browser.code_step(&token, &app.code_in(&secret, far)).await;
        assert_eq!(status, Status::UnprocessableEntity, "{far} steps: {body}");
    }
    let (status, body) = browser.code_step(&token, &app.code_in(&secret, -1)).await;
    assert_eq!(status, Status::Ok, "previous step: {body}");

    let browser = app.other_browser().await;
    let token = browser.password_step("ada").await;
    let (status, body) = browser.code_step(&token, &app.code_in(&secret, 1)).await;
    assert_eq!(status, Status::Ok, "next step: {body}");
    // Once the next step's code is used, the current one is older: refused.
    let browser = app.other_browser().await;
    let token = browser.password_step("ada").await;
    let (status, _) = browser.code_step(&token, &app.code_in(&secret, 0)).await;
    assert_eq!(status, Status::UnprocessableEntity);
}

#[rocket::async_test]
async fn a_recovery_code_logs_in_once_and_ends_the_other_sessions() {
    let (app, _) = pinned_user("ada").await;
    let (_, codes) = app.enable_mfa().await;
    let notices = mfa_mail(&app, "ada@example.com").await;

    let browser = app.other_browser().await;
    let token = browser.password_step("ada").await;
    let typed = codes[3].to_uppercase().replace('-', " ");
    let (status, body) = browser.code_step(&token, &typed).await;
    assert_eq!(status, Status::Ok, "{body}");
    assert_eq!(
        app.me_status().await,
        Status::Unauthorized,
        "other session ended"
    );
    let (_, state) = browser.get_json("/api/me/mfa").await;
    assert_eq!(state["recovery_codes_left"], json!(9), "{state}");
    assert!(
        app.audit_actions()
            .await
            .contains(&"mfa_recovery_used".to_owned())
    );
    assert_eq!(mfa_mail(&app, "ada@example.com").await, notices + 1);

    let again = app.other_browser().await;
    let token = again.password_step("ada").await;
    let (status, body) = again.code_step(&token, &codes[3]).await;
    assert_eq!(
        status,
        Status::UnprocessableEntity,
        "a used code is dead: {body}"
    );
    let (status, _) = again.code_step(&token, &codes[4]).await;
    assert_eq!(status, Status::Ok);
}

#[rocket::async_test]
async fn wrong_codes_count_towards_the_login_limit() {
    let (app, _) = pinned_user("ada").await;
    let (secret, _) = app.enable_mfa().await;
    let browser = app.other_browser().await;
    let token = browser.password_step("ada").await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let (status, _) = browser.code_step(&token, "000000").await;
        statuses.push(status);
    }
    // The password attempt and four wrong codes reach the limit of five.
    assert_eq!(
        statuses[..4],
        [Status::UnprocessableEntity; 4],
        "{statuses:?}"
    );
    assert_eq!(statuses[4..], [Status::TooManyRequests; 2], "{statuses:?}");
    // Held back even with the right code, and through a new password step.
    let (status, _) = browser.code_step(&token, &app.code_in(&secret, 0)).await;
    assert_eq!(status, Status::TooManyRequests);
    let (status, _) = browser.login_api("ada", PASSWORD).await;
    assert_eq!(status, Status::TooManyRequests);
    assert!(
        app.audit_actions()
            .await
            .iter()
            .filter(|a| *a == "login_failed")
            .count()
            >= 4
    );
}

#[rocket::async_test]
async fn the_pending_login_is_short_lived_and_bound_to_its_account() {
    let (app, _) = pinned_user("ada").await;
    let (ada_secret, _) = app.enable_mfa().await;
    let bob = app.other_browser().await;
    bob.login_user("bob").await;
    let (bob_secret, _) = bob.enable_mfa().await;

    let browser = app.other_browser().await;
    let token = browser.password_step("ada").await;
    // Bob's code does not open Ada's pending login.
    let (status, _) = browser
        .code_step(&token, &app.code_in(&bob_secret, 0))
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    let (status, _) = browser
        .code_step("not-a-token", &app.code_in(&ada_secret, 0))
        .await;
    assert_eq!(status, Status::Unauthorized);

    app.clock.advance(5 * 60 + 1);
    let (status, body) = browser
        .code_step(&token, &app.code_in(&ada_secret, 0))
        .await;
    assert_eq!(status, Status::Unauthorized, "expired: {body}");
    assert_eq!(browser.me_status().await, Status::Unauthorized);
}

#[rocket::async_test]
async fn the_password_grant_is_refused_and_personal_tokens_keep_working() {
    let (app, _) = pinned_user("ada").await;
    let (status, made) = app
        .post_json(
            "/api/me/tokens",
            &json!({ "name": "script", "scopes": ["read"] }),
        )
        .await;
    assert_eq!(status, Status::Created, "{made}");
    let pat = made["token"].as_str().expect("token").to_owned();
    app.enable_mfa().await;

    let response = app
        .token_form(&[
            ("grant_type", "password"),
            ("username", "ada"),
            ("password", PASSWORD),
        ])
        .await;
    let problem = expect_problem(response, Status::Unauthorized).await;
    assert_eq!(problem["mfa_required"], json!(true), "{problem}");
    assert!(problem.get("access_token").is_none() && problem.get("mfa_token").is_none());
    // A wrong password is still the plain answer.
    let response = app
        .token_form(&[("username", "ada"), ("password", "wrong password")])
        .await;
    let problem = expect_problem(response, Status::Unauthorized).await;
    assert!(problem.get("mfa_required").is_none(), "{problem}");

    let (status, me) = app.bearer_json(Method::Get, "/api/me", &pat, None).await;
    assert_eq!(status, Status::Ok, "{me}");
}

#[rocket::async_test]
async fn turning_it_off_needs_the_password_and_a_code() {
    let (app, _) = pinned_user("ada").await;
    let (secret, codes) = app.enable_mfa().await;
    let delete = |body: serde_json::Value| {
        let app = &app;
        async move { app.send_json(Method::Delete, "/api/me/mfa", &body).await }
    };
    let (status, body) =
        delete(json!({ "password": "wrong password", "code": app.code_in(&secret, 0) })).await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");
    assert_eq!(error_fields(&body), ["password"]);
    let (status, body) = delete(json!({ "password": PASSWORD, "code": "000000" })).await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");
    assert_eq!(error_fields(&body), ["code"]);
    assert!(
        app.audit_actions()
            .await
            .contains(&"mfa_change_failed".to_owned())
    );

    // New recovery codes: the old ones die.
    let (status, body) = app
        .post_json(
            "/api/me/mfa/recovery-codes",
            &json!({ "password": PASSWORD, "code": codes[0] }),
        )
        .await;
    assert_eq!(status, Status::Ok, "{body}");
    let fresh = body["recovery_codes"][0].as_str().expect("code").to_owned();
    let (status, _) = delete(json!({ "password": PASSWORD, "code": codes[1] })).await;
    assert_eq!(status, Status::UnprocessableEntity, "old codes are void");

    let notices = mfa_mail(&app, "ada@example.com").await;
    let (status, body) = delete(json!({ "password": PASSWORD, "code": fresh })).await;
    assert_eq!(status, Status::NoContent, "{body}");
    assert_eq!(mfa_mail(&app, "ada@example.com").await, notices + 1);
    let actions = app.audit_actions().await;
    assert!(actions.contains(&"mfa_disable".to_owned()));
    assert!(actions.contains(&"mfa_recovery_codes".to_owned()));

    // The password alone logs in again.
    let browser = app.other_browser().await;
    browser.login_as("ada").await;
    let (status, _) = delete(json!({ "password": PASSWORD, "code": "000000" })).await;
    assert_eq!(status, Status::Conflict, "nothing to turn off");
}

#[rocket::async_test]
async fn an_administrator_resets_a_lost_second_factor() {
    let app = spawn_app().await;
    app.pin_clock();
    let ada = app.login_user("ada").await;
    app.enable_mfa().await;
    let (admin, _) = admin_browser(&app, "root").await;

    let (status, user) = admin.get_json(&format!("/api/users/{ada}")).await;
    assert_eq!((status, &user["mfa_enabled"]), (Status::Ok, &json!(true)));
    let (status, _) = app.delete(&format!("/api/users/{ada}/mfa")).await;
    assert_eq!(status, Status::Forbidden, "not an administrator");

    let (status, body) = admin.delete(&format!("/api/users/{ada}/mfa")).await;
    assert_eq!(status, Status::NoContent, "{body}");
    assert_eq!(
        app.me_status().await,
        Status::Unauthorized,
        "her sessions ended"
    );
    assert!(app.audit_actions().await.contains(&"mfa_reset".to_owned()));
    assert_eq!(mfa_mail(&app, "ada@example.com").await, 2);
    app.login_as("ada").await;

    let (status, _) = admin.delete(&format!("/api/users/{ada}/mfa")).await;
    assert_eq!(status, Status::Conflict);
    let (status, _) = admin.delete("/api/users/999999/mfa").await;
    assert_eq!(status, Status::NotFound);
}

#[rocket::async_test]
async fn require_admin_mfa_holds_administrators_until_they_enrol() {
    let app = spawn_app_with(|figment| {
        figment.merge(rocket::figment::providers::Serialized::default(
            "require_admin_mfa",
            true,
        ))
    })
    .await;
    app.pin_clock();
    app.login_admin("root").await;
    let response = app.get("/api/users").await;
    let problem = expect_problem(response, Status::Forbidden).await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("require_admin_mfa")),
        "{problem}"
    );
    let (status, _) = app.get_json("/api/me").await;
    assert_eq!(status, Status::Forbidden);
    let response = app.get("/admin").await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response).as_deref(), Some("/account/security"));
    assert_eq!(app.get("/account/security").await.status(), Status::Ok);

    // Plain users are not held.
    let user = app.other_browser().await;
    user.login_user("ada").await;
    assert_eq!(user.me_status().await, Status::Ok);

    app.enable_mfa().await;
    let (status, _) = app.get_json("/api/users").await;
    assert_eq!(status, Status::Ok);
    assert_eq!(app.get("/admin").await.status(), Status::Ok);
}
