//! Sign-up, login and logout pages: forms, field errors, CSRF, `?next=`.

use portero::domain::Role;
use rocket::http::{ContentType, Status};

use crate::helpers::*;

/// The sign-up form's fields, valid unless overridden.
fn signup_fields<'a>(token: &'a str, overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("username", "pagey"),
        ("email", "pagey@example.com"),
        ("first_name", "Page"),
        ("last_name", "Person"),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
        ("csrf_token", token),
    ];
    for (name, value) in overrides {
        match fields.iter_mut().find(|(field, _)| field == name) {
            Some(field) => field.1 = value,
            None => fields.push((name, value)),
        }
    }
    fields
}

fn has_field_error(html: &str, field: &str) -> bool {
    html.contains(&format!("id=\"{field}-error-1\""))
}

#[rocket::async_test]
async fn signup_and_login_pages_render_forms_with_a_csrf_token() {
    let app = spawn_app().await;
    for path in ["/signup", "/login"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), Status::Ok, "{path}");
        assert_eq!(response.content_type(), Some(ContentType::HTML), "{path}");
        let html = response.into_string().await.unwrap_or_default();
        assert!(
            html.contains(&format!("action=\"{path}\"")),
            "{path} has no form"
        );
        let token = csrf_from(&html).unwrap_or_else(|| panic!("{path} has no csrf_token"));
        assert!(token.len() >= 22, "{path}: short token");
    }
}

#[rocket::async_test]
async fn signup_page_creates_the_account_and_logs_in() {
    let app = spawn_app().await;
    let token = app.page_csrf("/signup").await;
    let response = app
        .post_form("/signup", &signup_fields(&token, &[("username", "PageY")]))
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response).as_deref(), Some("/account"));
    assert!(app.session_cookie().is_some());
    let (status, me) = app.get_json("/api/me").await;
    assert_eq!(status, Status::Ok);
    assert_eq!(me["username"], "pagey");
    // The account page greets with a flash message once.
    let html = app
        .get("/account")
        .await
        .into_string()
        .await
        .unwrap_or_default();
    assert!(html.contains("Welcome"), "no flash message");
    let html = app
        .get("/account")
        .await
        .into_string()
        .await
        .unwrap_or_default();
    assert!(!html.contains("Welcome"), "the flash message came back");
    // A logged-in visitor to /signup goes to the account page.
    let response = app.get("/signup").await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response).as_deref(), Some("/account"));
}

#[rocket::async_test]
async fn signup_page_shows_a_message_per_invalid_field_and_keeps_values() {
    let app = spawn_app().await;
    let long_name = "a".repeat(33);
    let cases: Vec<(&str, &str, &str)> = vec![
        ("username", "no", "username"),
        ("username", long_name.as_str(), "username"),
        ("username", "bad name!", "username"),
        ("email", "not-an-address", "email"),
        ("password", "short", "password"),
        ("password", "password1234", "password"),
        ("password", "iloveyou1", "password"),
        ("password", "pagey", "password"),
        ("password", "pagey@example.com", "password"),
        ("first_name", "", "first_name"),
        ("last_name", " ", "last_name"),
    ];
    for (field, value, expected) in cases {
        let token = app.page_csrf("/signup").await;
        let mut overrides = vec![(field, value)];
        if field == "password" {
            overrides.push(("password_confirm", value));
        }
        let response = app
            .post_form("/signup", &signup_fields(&token, &overrides))
            .await;
        assert_eq!(
            response.status(),
            Status::UnprocessableEntity,
            "{field}={value}"
        );
        let html = response.into_string().await.unwrap_or_default();
        assert!(
            has_field_error(&html, expected),
            "{field}={value}: no message for {expected}"
        );
        for other in ["username", "email", "password", "first_name", "last_name"] {
            if other != expected {
                assert!(
                    !has_field_error(&html, other),
                    "{field}={value}: unexpected message for {other}"
                );
            }
        }
        // Entered values come back, the password never does.
        let kept = if field == "email" {
            "value=\"Page\""
        } else {
            "value=\"pagey@example.com\""
        };
        assert!(
            html.contains(kept),
            "{field}={value}: entered values not kept"
        );
        if field != "password" {
            assert!(!html.contains(PASSWORD), "the password was echoed");
        }
        assert!(app.session_cookie().is_none());
    }
    let token = app.page_csrf("/signup").await;
    let response = app
        .post_form(
            "/signup",
            &signup_fields(&token, &[("password_confirm", "something else entirely")]),
        )
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let html = response.into_string().await.unwrap_or_default();
    assert!(has_field_error(&html, "password_confirm"));
    // After all that, the account does not exist yet.
    assert_eq!(
        app.login_api("pagey", PASSWORD).await.0,
        Status::Unauthorized
    );
}

#[rocket::async_test]
async fn signup_page_duplicate_name_or_email_in_any_case_is_a_field_error() {
    let app = spawn_app().await;
    app.create_user("pagey", Role::User).await;
    let token = app.page_csrf("/signup").await;
    let response = app
        .post_form(
            "/signup",
            &signup_fields(
                &token,
                &[("username", "PAGEY"), ("email", "new@example.com")],
            ),
        )
        .await;
    assert_eq!(response.status(), Status::Conflict);
    let html = response.into_string().await.unwrap_or_default();
    assert!(has_field_error(&html, "username"), "no username message");

    let token = app.page_csrf("/signup").await;
    let response = app
        .post_form(
            "/signup",
            &signup_fields(
                &token,
                &[("username", "pagey2"), ("email", "PageY@Example.com")],
            ),
        )
        .await;
    assert_eq!(response.status(), Status::Conflict);
    let html = response.into_string().await.unwrap_or_default();
    assert!(has_field_error(&html, "email"), "no email message");
    assert!(app.session_cookie().is_none());
}

#[rocket::async_test]
async fn login_page_by_username_and_by_email() {
    let app = spawn_app().await;
    app.create_user("lina", Role::User).await;
    for login in ["lina", "LINA@example.com"] {
        let browser = app.other_browser().await;
        let (status, target) = browser.page_login(login, PASSWORD, None).await;
        assert_eq!(status, Status::SeeOther, "{login}");
        assert_eq!(target.as_deref(), Some("/account"));
        let (_, me) = browser.get_json("/api/me").await;
        assert_eq!(me["username"], "lina");
    }
}

#[rocket::async_test]
async fn login_page_gives_one_answer_for_unknown_user_wrong_password_and_inactive() {
    let app = spawn_app().await;
    app.create_user("mark", Role::User).await;
    let inactive = app.create_user("olly", Role::User).await;
    app.deactivate_in_db(inactive).await;
    let mut pages = Vec::new();
    for (login, password) in [
        ("mark", "wrong password!"),
        ("nobody", "wrong password!"),
        ("olly", PASSWORD),
    ] {
        let token = app.page_csrf("/login").await;
        let response = app
            .post_form(
                "/login",
                &[
                    ("login", login),
                    ("password", password),
                    ("csrf_token", &token),
                ],
            )
            .await;
        assert_eq!(response.status(), Status::Unauthorized, "{login}");
        let html = response.into_string().await.unwrap_or_default();
        assert!(
            html.contains("Wrong username, e-mail or password"),
            "{login}"
        );
        assert!(
            html.contains(&format!("value=\"{login}\"")),
            "{login}: login not kept"
        );
        assert!(!html.contains(password), "{login}: password echoed");
        // Compare the pages without the per-request token and the login echo.
        pages.push(html.replace(&token, "TOKEN").replace(login, "LOGIN"));
        assert!(app.session_cookie().is_none());
    }
    assert_eq!(pages[0], pages[1]);
    assert_eq!(pages[0], pages[2]);
}

#[rocket::async_test]
async fn page_login_replaces_the_pre_login_session_id() {
    let app = spawn_app().await;
    app.create_user("pete", Role::User).await;
    app.create_user("quin", Role::User).await;
    // A planted id that the server never issued is not adopted.
    let token = app.page_csrf("/login").await;
    let planted = rocket::http::Cookie::new("portero_session", "planted-by-an-attacker");
    let response = app
        .client
        .post("/login")
        .private_cookie(planted.clone())
        .header(ContentType::Form)
        .body(format!(
            "login=quin&password={}&csrf_token={}",
            urlencode(PASSWORD),
            urlencode(&token)
        ))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let before = app.session_cookie().expect("cookie");
    assert_ne!(before.value(), planted.value());
    assert_eq!(app.me_status_with(planted).await, Status::Unauthorized);

    // Logging in again from a live session (the login form posted with this
    // session's token) issues a new id and ends the previous session.
    let token = app.page_csrf("/account").await;
    let response = app
        .post_form(
            "/login",
            &[
                ("login", "pete"),
                ("password", PASSWORD),
                ("csrf_token", &token),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let after = app.session_cookie().expect("cookie");
    assert_ne!(after.value(), before.value());
    assert_eq!(app.me_status_with(before).await, Status::Unauthorized);
    assert_eq!(app.me_status_with(after).await, Status::Ok);
    let (_, me) = app.get_json("/api/me").await;
    assert_eq!(me["username"], "pete");
}

#[rocket::async_test]
async fn login_and_signup_forms_without_a_valid_csrf_token_are_403() {
    let app = spawn_app().await;
    app.create_user("sara", Role::User).await;
    let _ = app.page_csrf("/login").await; // the browser has its anonymous token cookie
    for token in [None, Some(""), Some("forged-token-value")] {
        let mut fields = vec![("login", "sara"), ("password", PASSWORD)];
        if let Some(token) = token {
            fields.push(("csrf_token", token));
        }
        let response = app.post_form("/login", &fields).await;
        assert_eq!(
            response.status(),
            Status::Forbidden,
            "login with token {token:?}"
        );
        assert!(
            app.session_cookie().is_none(),
            "logged in without a valid token"
        );

        let mut fields = signup_fields("", &[]);
        fields.retain(|(name, _)| *name != "csrf_token");
        if let Some(token) = token {
            fields.push(("csrf_token", token));
        }
        let response = app.post_form("/signup", &fields).await;
        assert_eq!(
            response.status(),
            Status::Forbidden,
            "signup with token {token:?}"
        );
    }
    assert_eq!(
        app.login_api("pagey", PASSWORD).await.0,
        Status::Unauthorized,
        "signed up without a token"
    );

    // Another browser's anonymous token does not fit this browser's cookie.
    let attacker = app.other_browser().await;
    let foreign = attacker.page_csrf("/login").await;
    let response = app
        .post_form(
            "/login",
            &[
                ("login", "sara"),
                ("password", PASSWORD),
                ("csrf_token", &foreign),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::Forbidden);
    // A token with no cookie at all (a cross-site form) is refused too.
    let fresh = app.other_browser().await;
    let response = fresh
        .post_form(
            "/login",
            &[
                ("login", "sara"),
                ("password", PASSWORD),
                ("csrf_token", &foreign),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::Forbidden);
    // The right token works.
    let (status, _) = app.page_login("sara", PASSWORD, None).await;
    assert_eq!(status, Status::SeeOther);
}

#[rocket::async_test]
async fn logout_page_needs_the_csrf_token_and_ends_the_session() {
    let app = spawn_app().await;
    app.create_user("tess", Role::User).await;
    app.page_login("tess", PASSWORD, None).await;
    let cookie = app.session_cookie().expect("cookie");
    for token in [None, Some("forged")] {
        let fields: Vec<(&str, &str)> = token.map(|t| vec![("csrf_token", t)]).unwrap_or_default();
        let response = app.post_form("/logout", &fields).await;
        assert_eq!(
            response.status(),
            Status::Forbidden,
            "logout with {token:?}"
        );
        assert_eq!(
            app.me_status().await,
            Status::Ok,
            "logged out without a valid token"
        );
    }
    let token = app.page_csrf("/account").await;
    let response = app.post_form("/logout", &[("csrf_token", &token)]).await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response).as_deref(), Some("/"));
    assert_eq!(app.me_status().await, Status::Unauthorized);
    assert_eq!(
        app.me_status_with(cookie).await,
        Status::Unauthorized,
        "the old cookie still works"
    );
    // The home page shows the visitor as anonymous again.
    let html = app.get("/").await.into_string().await.unwrap_or_default();
    assert!(!html.contains("Logged in as"));
}

#[rocket::async_test]
async fn next_is_honoured_for_same_site_paths_only() {
    let app = spawn_app().await;
    app.create_user("uli", Role::User).await;
    for next in [
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "http:evil.example",
        "javascript:alert(1)",
        "/\t/evil.example",
    ] {
        let browser = app.other_browser().await;
        let (status, target) = browser.page_login("uli", PASSWORD, Some(next)).await;
        assert_eq!(status, Status::SeeOther, "{next}");
        assert_eq!(
            target.as_deref(),
            Some("/account"),
            "next={next:?} sent the user to {target:?}"
        );
        // Already logged in, GET /login?next=… is no open redirect either.
        let response = browser
            .get(&format!("/login?next={}", urlencode(next)))
            .await;
        assert_eq!(
            location(&response).as_deref(),
            Some("/account"),
            "GET /login?next={next:?}"
        );
    }
    let browser = app.other_browser().await;
    let (status, target) = browser
        .page_login("uli", PASSWORD, Some("/account/sessions"))
        .await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(target.as_deref(), Some("/account/sessions"));
    let response = browser.get("/login?next=%2Faccount%2Fsessions").await;
    assert_eq!(location(&response).as_deref(), Some("/account/sessions"));
}

#[rocket::async_test]
async fn anonymous_visitors_to_user_pages_go_to_login_with_next() {
    let app = spawn_app().await;
    for path in ["/account", "/account/sessions"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), Status::SeeOther, "{path}");
        let target = location(&response).expect("Location");
        let next = target
            .strip_prefix("/login?next=")
            .unwrap_or_else(|| panic!("{path} -> {target}"));
        assert_eq!(percent_decode(next), path);
    }
    // Following the redirect through the login form lands on the page asked for.
    app.create_user("vlad", Role::User).await;
    let (status, location) = app
        .page_login("vlad", PASSWORD, Some("/account/sessions"))
        .await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(location.as_deref(), Some("/account/sessions"));
    assert_eq!(app.get("/account/sessions").await.status(), Status::Ok);
}

#[rocket::async_test]
async fn home_page_shows_who_is_logged_in() {
    let app = spawn_app().await;
    let html = app.get("/").await.into_string().await.unwrap_or_default();
    assert!(!html.contains("wilma"));
    app.create_user("wilma", Role::User).await;
    app.page_login("wilma", PASSWORD, None).await;
    let response = app.get("/").await;
    assert_eq!(response.status(), Status::Ok);
    let html = response.into_string().await.unwrap_or_default();
    assert!(
        html.contains("wilma"),
        "the home page does not show the user"
    );
}
