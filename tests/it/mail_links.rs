//! Password reset and e-mail verification through the API (issue 14):
//! single-use, expiring, purpose-bound tokens, the same answer for unknown
//! accounts, silent throttling, notices, and the sessions a reset ends.

use portero::db::AppPool;
use portero::domain::Role;
use rocket::http::Status;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, scalar, sign_in, spawn_app, token_in};

const NEW_PASSWORD: &str = "another fine passphrase";

/// The newest queued message of `kind` to `to`: its plain-text body.
pub(crate) async fn latest_text(app: &TestApp, kind: &str, to: &str) -> Option<String> {
    let sql = "SELECT body_text FROM mail_outbox WHERE kind = $1 AND recipient = $2 \
               ORDER BY id DESC LIMIT 1";
    match app.pool() {
        AppPool::Sqlite(pool) => {
            sqlx::query_scalar::<_, String>(sql)
                .bind(kind)
                .bind(to)
                .fetch_optional(pool)
                .await
        }
        AppPool::Postgres(pool) => {
            sqlx::query_scalar::<_, String>(sql)
                .bind(kind)
                .bind(to)
                .fetch_optional(pool)
                .await
        }
    }
    .expect("read the outbox")
}

pub(crate) async fn latest_token(app: &TestApp, kind: &str, to: &str) -> String {
    let text = latest_text(app, kind, to)
        .await
        .unwrap_or_else(|| panic!("no {kind} message to {to}"));
    token_in(&text)
}

pub(crate) async fn count_mail(app: &TestApp, kind: &str) -> i64 {
    scalar(
        app,
        &format!("SELECT COUNT(*) FROM mail_outbox WHERE kind = '{kind}'"),
    )
    .await
}

async fn request_reset(app: &TestApp, login: &str) {
    let (status, body) = app
        .post_json("/api/auth/password-reset", &json!({ "login": login }))
        .await;
    assert_eq!(status, Status::Accepted, "{body}");
}

async fn confirm(app: &TestApp, token: &str, password: &str) -> (Status, Value) {
    app.post_json(
        "/api/auth/password-reset/confirm",
        &json!({ "token": token, "new_password": password }),
    )
    .await
}

fn assert_token_refused((status, body): (Status, Value)) {
    assert_eq!(status, Status::UnprocessableEntity, "{body}");
    assert!(body.to_string().contains("\"token\""), "{body}");
}

#[rocket::async_test]
async fn a_reset_link_sets_a_new_password_once_and_ends_every_session() {
    let app = spawn_app().await;
    sign_in(&app, "ana", Role::User).await;
    let other = app.other_browser().await;
    other.login_as("ana").await;
    let bearer = app.bearer_for("ana").await;

    request_reset(&app, "ANA@example.com").await;
    let text = latest_text(&app, "password_reset", "ana@example.com")
        .await
        .expect("a reset message");
    assert!(
        text.contains("http://127.0.0.1:8000/password/reset?token="),
        "{text}"
    );
    let token = token_in(&text);
    // Stored only as its hash.
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM link_tokens WHERE purpose = 'password_reset'"
        )
        .await,
        1
    );

    // A weak password is refused without using the token up.
    let (status, body) = confirm(&app, &token, "password").await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(body.to_string().contains("new_password"), "{body}");

    assert_eq!(
        confirm(&app, &token, NEW_PASSWORD).await.0,
        Status::NoContent
    );
    assert_token_refused(confirm(&app, &token, "yet another passphrase").await);

    assert_eq!(other.get("/api/me").await.status(), Status::Unauthorized);
    let response = app
        .bearer(rocket::http::Method::Get, "/api/me", &bearer, None)
        .await;
    assert_eq!(response.status(), Status::Unauthorized);
    assert_eq!(app.get("/api/me").await.status(), Status::Unauthorized);
    assert_eq!(app.login_api("ana", PASSWORD).await.0, Status::Unauthorized);
    assert_eq!(app.login_api("ana", NEW_PASSWORD).await.0, Status::Ok);
    assert_eq!(count_mail(&app, "password_was_reset").await, 1);
    let actions = app.audit_actions().await;
    for action in ["password_reset_request", "password_reset"] {
        assert!(actions.contains(&action.to_owned()), "{actions:?}");
    }
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM link_tokens WHERE purpose = 'password_reset'"
        )
        .await,
        0
    );
}

#[rocket::async_test]
async fn unknown_expired_voided_and_wrong_purpose_tokens_are_422_on_token() {
    let app = spawn_app().await;
    app.signup_api("ana").await;

    // The same answer, and no message, for an account that does not exist.
    request_reset(&app, "nobody").await;
    request_reset(&app, "nobody@example.com").await;
    assert_eq!(count_mail(&app, "password_reset").await, 0);

    assert_token_refused(confirm(&app, "not-a-token", NEW_PASSWORD).await);
    let verification = latest_token(&app, "verify_email", "ana@example.com").await;
    assert_token_refused(confirm(&app, &verification, NEW_PASSWORD).await);

    request_reset(&app, "ana").await;
    let older = latest_token(&app, "password_reset", "ana@example.com").await;
    request_reset(&app, "ana").await;
    let newer = latest_token(&app, "password_reset", "ana@example.com").await;
    assert_ne!(older, newer);
    assert_token_refused(confirm(&app, &older, NEW_PASSWORD).await);

    app.clock.advance(30 * 60);
    assert_token_refused(confirm(&app, &newer, NEW_PASSWORD).await);
    assert_eq!(app.login_api("ana", PASSWORD).await.0, Status::Ok);

    // A reset token does not verify an address either.
    request_reset(&app, "ana").await;
    let reset = latest_token(&app, "password_reset", "ana@example.com").await;
    let (status, body) = app
        .post_json("/api/auth/verify-email", &json!({ "token": reset }))
        .await;
    assert_token_refused((status, body));
}

#[rocket::async_test]
async fn reset_requests_past_the_limit_are_dropped_silently() {
    let app = spawn_app().await;
    app.signup_api("ana").await;
    for _ in 0..5 {
        request_reset(&app, "ana").await;
    }
    assert_eq!(count_mail(&app, "password_reset").await, 3);
    app.clock.advance(15 * 60 + 1);
    request_reset(&app, "ana").await;
    assert_eq!(count_mail(&app, "password_reset").await, 4);
}

#[rocket::async_test]
async fn a_verification_link_verifies_the_address_it_was_sent_to_once() {
    let app = spawn_app().await;
    app.signup_api("ana").await;
    let first = latest_token(&app, "verify_email", "ana@example.com").await;

    // Sending again voids the first link.
    let response = app.client.post("/api/me/verify-email").dispatch().await;
    assert_eq!(response.status(), Status::Accepted);
    let second = latest_token(&app, "verify_email", "ana@example.com").await;
    let verify = |token: String| {
        let app = &app;
        async move {
            app.post_json("/api/auth/verify-email", &json!({ "token": token }))
                .await
        }
    };
    assert_token_refused(verify(first).await);
    assert_eq!(verify(second.clone()).await.0, Status::NoContent);
    assert_token_refused(verify(second).await);
    let (_, me) = app.get_json("/api/me").await;
    assert!(me["email_verified_at"].is_string(), "{me}");
    assert!(
        app.audit_actions()
            .await
            .contains(&"email_verified".to_owned())
    );

    // A verified address needs no new link.
    let before = count_mail(&app, "verify_email").await;
    let response = app.client.post("/api/me/verify-email").dispatch().await;
    assert_eq!(response.status(), Status::Accepted);
    assert_eq!(count_mail(&app, "verify_email").await, before);

    // A new address is unverified until its own link is used, and the old
    // address is told; a link to the old address no longer verifies anything.
    let (status, me) = app
        .patch_json("/api/me", &json!({ "email": "ana.new@example.com" }))
        .await;
    assert_eq!(status, Status::Ok, "{me}");
    assert!(me["email_verified_at"].is_null(), "{me}");
    let notice = latest_text(&app, "email_changed", "ana@example.com")
        .await
        .expect("a notice to the old address");
    assert!(notice.contains("ana.new@example.com"), "{notice}");
    let token = latest_token(&app, "verify_email", "ana.new@example.com").await;
    assert_eq!(verify(token).await.0, Status::NoContent);
    let (_, me) = app.get_json("/api/me").await;
    assert!(me["email_verified_at"].is_string(), "{me}");
}

#[rocket::async_test]
async fn a_password_change_sends_a_notice() {
    let app = spawn_app().await;
    sign_in(&app, "ana", Role::User).await;
    let (status, body) = app
        .put_json(
            "/api/me/password",
            &json!({ "current_password": PASSWORD, "new_password": NEW_PASSWORD }),
        )
        .await;
    assert_eq!(status, Status::NoContent, "{body}");
    let notice = latest_text(&app, "password_changed", "ana@example.com")
        .await
        .expect("a notice");
    assert!(notice.contains("ana"), "{notice}");
}

#[rocket::async_test]
async fn administrators_send_reset_links_and_users_cannot() {
    let app = spawn_app().await;
    sign_in(&app, "boss", Role::Admin).await;
    let ana = app.create_user("ana", Role::User).await;
    let path = format!("/api/users/{ana}/password-reset");
    assert_eq!(
        app.client.post(path.clone()).dispatch().await.status(),
        Status::Accepted
    );
    let token = latest_token(&app, "password_reset", "ana@example.com").await;
    assert_eq!(
        confirm(&app, &token, NEW_PASSWORD).await.0,
        Status::NoContent
    );
    let missing = app
        .client
        .post("/api/users/999999/password-reset")
        .dispatch()
        .await;
    assert_eq!(missing.status(), Status::NotFound);

    let user = app.other_browser().await;
    sign_in(&user, "bob", Role::User).await;
    assert_eq!(
        user.client.post(path).dispatch().await.status(),
        Status::Forbidden
    );
}

#[rocket::async_test]
async fn with_require_verified_email_an_account_logs_in_only_once_verified() {
    let app = crate::helpers::spawn_app_with(|figment| {
        figment.merge(rocket::figment::providers::Serialized::default(
            "require_verified_email",
            true,
        ))
    })
    .await;
    app.signup_api("ana").await;
    assert_eq!(app.get("/api/me").await.status(), Status::Unauthorized);
    let (status, body) = app.login_api("ana", PASSWORD).await;
    assert_eq!(status, Status::Forbidden, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("Confirm")),
        "{body}"
    );
    // A wrong password tells nothing about the address.
    assert_eq!(
        app.login_api("ana", "wrong password!").await.0,
        Status::Unauthorized
    );

    // The login page offers to send the link again; the answer is the same
    // for an account that does not exist.
    let csrf = app.csrf_token("/login").await;
    let response = app
        .post_form(
            "/login",
            &[
                ("csrf_token", &csrf),
                ("login", "ana"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::Forbidden);
    let page = response.into_string().await.unwrap_or_default();
    assert!(page.contains("action=\"/verify-email/resend\""), "{page}");
    let before = count_mail(&app, "verify_email").await;
    for login in ["ana", "nobody"] {
        let response = app
            .post_form(
                "/verify-email/resend",
                &[("csrf_token", &csrf), ("login", login)],
            )
            .await;
        assert_eq!(response.status(), Status::SeeOther);
    }
    assert_eq!(count_mail(&app, "verify_email").await, before + 1);

    let token = latest_token(&app, "verify_email", "ana@example.com").await;
    let (status, _) = app
        .post_json("/api/auth/verify-email", &json!({ "token": token }))
        .await;
    assert_eq!(status, Status::NoContent);
    assert_eq!(app.login_api("ana", PASSWORD).await.0, Status::Ok);
}
