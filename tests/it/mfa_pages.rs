//! Two-factor sign-in in the pages, without JavaScript: set-up on
//! `/account/security` (QR code and secret shown, confirmed by a code,
//! recovery codes shown once), the login's code step with "use a recovery
//! code", turning it off, and the administrator's reset button.

use rocket::http::Status;

use crate::helpers::*;

/// The secret the set-up page shows.
fn shown_secret(html: &str) -> String {
    let marker = "data-secret=\"";
    let start = html.find(marker).expect("the secret on the page") + marker.len();
    html[start..].split('"').next().expect("secret").to_owned()
}

fn shown_codes(html: &str) -> Vec<String> {
    let Some(start) = html.find("id=\"recovery-codes\"") else {
        return Vec::new();
    };
    let list = &html[start
        ..html[start..]
            .find("</ul>")
            .map_or(html.len(), |e| e + start)];
    list.split("<code>")
        .skip(1)
        .filter_map(|rest| rest.split("</code>").next())
        .map(str::to_owned)
        .collect()
}

/// Sets up two-factor sign-in through the pages; returns the secret and
/// the recovery codes shown.
async fn enrol_in_pages(app: &TestApp) -> (String, Vec<String>) {
    let (status, text) = html(app, "/account/security").await;
    assert_eq!(status, Status::Ok);
    assert!(text.contains("Set up two-factor sign-in"), "{text}");
    let token = csrf_from(&text).expect("csrf");
    let response = app
        .post_form("/account/security/mfa/start", &[("csrf_token", &token)])
        .await;
    assert_eq!(response.status(), Status::SeeOther);

    let (status, text) = html(app, "/account/security").await;
    assert_eq!(status, Status::Ok);
    assert!(text.contains("<svg role=\"img\""), "a QR code: {text}");
    assert!(!text.contains("<script"), "no script");
    let secret = shown_secret(&text);

    let wrong = app
        .post_form(
            "/account/security/mfa/confirm",
            &[("csrf_token", &token), ("code", &app.code_in(&secret, 3))],
        )
        .await;
    assert_eq!(wrong.status(), Status::UnprocessableEntity);
    let body = wrong.into_string().await.unwrap_or_default();
    assert!(body.contains("field-error"), "{body}");

    let right = app
        .post_form(
            "/account/security/mfa/confirm",
            &[("csrf_token", &token), ("code", &app.code_in(&secret, 0))],
        )
        .await;
    assert_eq!(right.status(), Status::Ok);
    let body = right.into_string().await.unwrap_or_default();
    let codes = shown_codes(&body);
    assert_eq!(codes.len(), 10, "{body}");
    app.clock.advance(30);
    (secret, codes)
}

async fn log_out(app: &TestApp) {
    let token = app.page_csrf("/account").await;
    let response = app.post_form("/logout", &[("csrf_token", &token)]).await;
    assert_eq!(response.status(), Status::SeeOther);
}

#[rocket::async_test]
async fn set_up_then_log_in_with_a_code_and_with_a_recovery_code() {
    let app = spawn_app().await;
    app.pin_clock();
    app.login_user("ada").await;
    let (secret, codes) = enrol_in_pages(&app).await;
    let (_, text) = html(&app, "/account/security").await;
    assert!(
        text.contains("Recovery codes left: <strong>10</strong>"),
        "{text}"
    );
    assert!(shown_codes(&text).is_empty(), "codes are shown once");
    log_out(&app).await;

    // The password leads to the code step, with no session yet.
    let (status, target) = app.page_login("ada", PASSWORD, Some("/sales")).await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(target.as_deref(), Some("/login/code?next=%2Fsales"));
    assert!(app.session_cookie().is_none());
    let (status, page) = html(&app, "/login/code?next=%2Fsales").await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("Use a recovery code"), "{page}");
    let token = csrf_from(&page).expect("csrf");

    let wrong = app
        .post_form(
            "/login/code",
            &[
                ("csrf_token", &token),
                ("code", "000000"),
                ("next", "/sales"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), Status::UnprocessableEntity);
    let right = app
        .post_form(
            "/login/code",
            &[
                ("csrf_token", &token),
                ("code", &app.code_in(&secret, 0)),
                ("next", "/sales"),
            ],
        )
        .await;
    assert_eq!(right.status(), Status::SeeOther);
    assert_eq!(location(&right).as_deref(), Some("/sales"));
    assert_eq!(app.me_status().await, Status::Ok);
    log_out(&app).await;

    // A recovery code instead.
    let (status, _) = app.page_login("ada", PASSWORD, None).await;
    assert_eq!(status, Status::SeeOther);
    let (_, page) = html(&app, "/login/code?next=%2Faccount&recovery=true").await;
    assert!(page.contains("Recovery code"), "{page}");
    let token = csrf_from(&page).expect("csrf");
    let response = app
        .post_form(
            "/login/code",
            &[
                ("csrf_token", &token),
                ("code", &codes[0]),
                ("recovery", "true"),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response).as_deref(), Some("/account"));
    let (_, text) = html(&app, "/account/security").await;
    assert!(
        text.contains("Recovery codes left: <strong>9</strong>"),
        "{text}"
    );
}

#[rocket::async_test]
async fn the_code_step_without_a_pending_login_goes_back_to_the_password() {
    let app = spawn_app().await;
    let response = app.get("/login/code?next=%2Fsales").await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response).as_deref(), Some("/login?next=%2Fsales"));
    let token = app.page_csrf("/login").await;
    let response = app
        .post_form("/login/code", &[("csrf_token", &token), ("code", "123456")])
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert!(location(&response).is_some_and(|l| l.starts_with("/login")));
}

#[rocket::async_test]
async fn turn_off_in_the_pages_and_an_administrator_resets_in_the_pages() {
    let app = spawn_app().await;
    app.pin_clock();
    let ada = app.login_user("ada").await;
    let (secret, _) = enrol_in_pages(&app).await;
    let token = app.page_csrf("/account/security").await;
    let wrong = app
        .post_form(
            "/account/security/mfa/disable",
            &[
                ("csrf_token", &token),
                ("password", PASSWORD),
                ("code", "000000"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), Status::UnprocessableEntity);
    let regenerated = app
        .post_form(
            "/account/security/mfa/recovery-codes",
            &[
                ("csrf_token", &token),
                ("password", PASSWORD),
                ("code", &app.code_in(&secret, 0)),
            ],
        )
        .await;
    assert_eq!(regenerated.status(), Status::Ok);
    let codes = shown_codes(&regenerated.into_string().await.unwrap_or_default());
    assert_eq!(codes.len(), 10);
    let off = app
        .post_form(
            "/account/security/mfa/disable",
            &[
                ("csrf_token", &token),
                ("password", PASSWORD),
                ("code", &codes[9]),
            ],
        )
        .await;
    assert_eq!(off.status(), Status::SeeOther);
    let (_, text) = html(&app, "/account/security").await;
    assert!(text.contains("Set up two-factor sign-in"), "{text}");

    // On again, then reset by an administrator from the user's page.
    enrol_in_pages(&app).await;
    let (admin, _) = admin_browser(&app, "root").await;
    let (_, page) = html(&admin, &format!("/admin/users/{ada}")).await;
    assert!(page.contains("/mfa/reset"), "{page}");
    let (_, list) = html(&admin, "/admin/users").await;
    assert!(list.contains(">2FA<"), "{list}");
    let token = csrf_from(&page).expect("csrf");
    let response = admin
        .post_form(
            &format!("/admin/users/{ada}/mfa/reset"),
            &[("csrf_token", &token)],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let (_, page) = html(&admin, &format!("/admin/users/{ada}")).await;
    assert!(!page.contains("/mfa/reset"), "{page}");
    let (status, target) = app
        .other_browser()
        .await
        .page_login("ada", PASSWORD, None)
        .await;
    assert_eq!(
        (status, target.as_deref()),
        (Status::SeeOther, Some("/account"))
    );
}
