//! The pages of e-mailed links (issue 14): forgot password, the reset form,
//! the verification link, "send it again", the admin's "send a reset link",
//! `/admin/mail` with "retry", and `portero reset-link`.

use portero::domain::Role;
use rocket::http::Status;

use crate::helpers::{
    PASSWORD, execute, html, portero, post_fields, scalar, sign_in, spawn_app, text, token_in,
};
use crate::mail_links::{count_mail, latest_token};

const NEW_PASSWORD: &str = "another fine passphrase";

fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[rocket::async_test]
async fn forgot_then_reset_through_the_pages() {
    let app = spawn_app().await;
    app.create_user("ana", Role::User).await;
    let (status, login) = html(&app, "/login").await;
    assert_eq!(status, Status::Ok);
    assert!(login.contains("href=\"/password/forgot\""));

    let csrf = app.csrf_token("/password/forgot").await;
    for name in ["nobody", "ana"] {
        let (status, _, page) = post_fields(
            &app,
            "/password/forgot",
            &fields(&[("csrf_token", &csrf), ("login", name)]),
        )
        .await;
        assert_eq!(status, Status::Ok);
        assert!(page.contains("If an account matches"), "{page}");
    }
    assert_eq!(count_mail(&app, "password_reset").await, 1);
    let token = latest_token(&app, "password_reset", "ana@example.com").await;

    let (status, page) = html(&app, &format!("/password/reset?token={token}")).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains(&format!("value=\"{token}\"")));
    let csrf = app.csrf_token("/password/reset").await;
    let (status, _, page) = post_fields(
        &app,
        "/password/reset",
        &fields(&[
            ("csrf_token", &csrf),
            ("token", &token),
            ("new_password", NEW_PASSWORD),
            ("new_password_confirm", "something else entirely"),
        ]),
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains("The two passwords differ"), "{page}");
    let good = fields(&[
        ("csrf_token", &csrf),
        ("token", &token),
        ("new_password", NEW_PASSWORD),
        ("new_password_confirm", NEW_PASSWORD),
    ]);
    let (status, to, _) = post_fields(&app, "/password/reset", &good).await;
    assert_eq!((status, to.as_deref()), (Status::SeeOther, Some("/login")));
    let (status, _, page) = post_fields(&app, "/password/reset", &good).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains("href=\"/password/forgot\""), "{page}");
    assert_eq!(app.login_api("ana", NEW_PASSWORD).await.0, Status::Ok);
}

#[rocket::async_test]
async fn the_verification_link_and_send_it_again_pages() {
    let app = spawn_app().await;
    app.signup_api("ana").await;
    let (_, profile) = html(&app, "/account").await;
    assert!(
        profile.contains("action=\"/account/verify-email\""),
        "{profile}"
    );
    let first = latest_token(&app, "verify_email", "ana@example.com").await;

    let csrf = app.csrf_token("/account").await;
    let (status, to, _) = post_fields(
        &app,
        "/account/verify-email",
        &fields(&[("csrf_token", &csrf)]),
    )
    .await;
    assert_eq!(
        (status, to.as_deref()),
        (Status::SeeOther, Some("/account"))
    );
    let second = latest_token(&app, "verify_email", "ana@example.com").await;

    let response = app.get(&format!("/verify-email?token={first}")).await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let response = app.get(&format!("/verify-email?token={second}")).await;
    assert_eq!(response.status(), Status::SeeOther);
    let (_, profile) = html(&app, "/account").await;
    assert!(profile.contains("(verified "), "{profile}");
    assert!(!profile.contains("action=\"/account/verify-email\""));
    let response = app.get("/verify-email").await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
}

#[rocket::async_test]
async fn administrators_send_reset_links_and_retry_given_up_mail() {
    let app = spawn_app().await;
    sign_in(&app, "boss", Role::Admin).await;
    let ana = app.create_user("ana", Role::User).await;
    let user_page = format!("/admin/users/{ana}");
    let (_, page) = html(&app, &user_page).await;
    assert!(page.contains(&format!("action=\"/admin/users/{ana}/password-reset\"")));
    let csrf = app.csrf_token(&user_page).await;
    let (status, to, _) = post_fields(
        &app,
        &format!("/admin/users/{ana}/password-reset"),
        &fields(&[("csrf_token", &csrf)]),
    )
    .await;
    assert_eq!((status, to), (Status::SeeOther, Some(user_page)));
    assert_eq!(count_mail(&app, "password_reset").await, 1);

    execute(
        &app,
        "UPDATE mail_outbox SET status = 'failed', attempts = 8, last_error = '550 no such user'",
    )
    .await;
    let (status, page) = html(&app, "/admin/mail?status=failed").await;
    assert_eq!(status, Status::Ok);
    assert!(
        page.contains("ana@example.com") && page.contains("550 no such user"),
        "{page}"
    );
    assert!(!page.contains("token="), "the page never shows a link");
    let id = scalar(&app, "SELECT MIN(id) FROM mail_outbox").await;
    let retry = format!("/admin/mail/{id}/retry");
    let (status, _, _) = post_fields(&app, &retry, &fields(&[("csrf_token", &csrf)])).await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM mail_outbox WHERE status = 'queued' AND attempts = 0"
        )
        .await,
        1
    );
    assert!(app.audit_actions().await.contains(&"mail_retry".to_owned()));
    // Only a given-up message can be retried.
    let (status, _, _) = post_fields(&app, &retry, &fields(&[("csrf_token", &csrf)])).await;
    assert_eq!(status, Status::NotFound);

    let user = app.other_browser().await;
    sign_in(&user, "bob", Role::User).await;
    let (status, _) = html(&user, "/admin/mail").await;
    assert_eq!(status, Status::Forbidden);
}

#[rocket::async_test]
async fn the_command_line_prints_a_one_time_reset_link() {
    let app = spawn_app().await;
    app.create_user("ana", Role::User).await;
    let env = [("ROCKET_PUBLIC_URL", "https://shop.example.com")];
    let output = portero(&app.url, &["reset-link", "--username", "ana"], &env).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stdout
            .trim()
            .starts_with("https://shop.example.com/password/reset?token="),
        "{stdout}"
    );
    let token = token_in(&stdout);
    let (status, body) = app
        .post_json(
            "/api/auth/password-reset/confirm",
            &serde_json::json!({ "token": token, "new_password": NEW_PASSWORD }),
        )
        .await;
    assert_eq!(status, Status::NoContent, "{body}");
    assert_eq!(app.login_api("ana", PASSWORD).await.0, Status::Unauthorized);

    let output = portero(&app.url, &["reset-link", "--username", "nobody"], &[]).await;
    assert!(!output.status.success());
    assert!(text(&output).1.contains("nobody"));
}
