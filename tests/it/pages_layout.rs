//! The layout around every page: error pages keep the header of whoever is
//! logged in (issue 16).

use rocket::http::{ContentType, Status};

use crate::helpers::*;

/// The page's HTML with entities decoded (Tera writes `/` as `&#x2F;`).
async fn page(app: &TestApp, path: &str, status: Status) -> String {
    let response = app.get(path).await;
    assert_eq!(response.status(), status, "{path}");
    assert_eq!(response.content_type(), Some(ContentType::HTML), "{path}");
    unescape(&response.into_string().await.unwrap_or_default())
}

#[rocket::async_test]
async fn error_pages_keep_the_header_of_who_is_logged_in() {
    let app = spawn_app().await;
    app.login_user("header_kept").await;
    let token = app.page_csrf("/account").await;
    for (path, status) in [
        ("/no/such/page", Status::NotFound),
        ("/products/987654", Status::NotFound),
        ("/sales/987654", Status::NotFound),
        ("/admin", Status::Forbidden),
        ("/admin/users", Status::Forbidden),
    ] {
        let html = page(&app, path, status).await;
        let header = html.split("class=\"nav-user\"").nth(1).unwrap_or_default();
        let header = header.split("</div>").next().unwrap_or_default();
        assert!(
            header.contains("Logged in as") && header.contains("header_kept"),
            "{path}: {html}"
        );
        // The header's log-out form works from an error page too.
        assert!(
            html.contains(&format!("value=\"{token}\"")),
            "{path}: no CSRF token"
        );
        assert!(html.contains("href=\"/account\""), "{path}");
        assert!(html.contains(&format!("({})", status.code)), "{path}");
    }
    // A 403's own reason is still there.
    let html = page(&app, "/admin", Status::Forbidden).await;
    assert!(html.contains("ask an administrator"), "{html}");
}

#[rocket::async_test]
async fn an_anonymous_error_page_offers_log_in_and_sign_up() {
    let app = spawn_app().await;
    let html = page(&app, "/no/such/page", Status::NotFound).await;
    assert!(!html.contains("Logged in as"), "{html}");
    assert!(html.contains("href=\"/login\""), "{html}");
    assert!(html.contains("href=\"/signup\""), "{html}");
}

#[rocket::async_test]
async fn with_the_database_down_the_error_page_falls_back_to_anonymous_links() {
    let app = spawn_app().await;
    app.login_user("db_down").await;
    app.pool().shutdown().await;
    let html = page(&app, "/account", Status::ServiceUnavailable).await;
    assert!(html.contains("temporarily unavailable"), "{html}");
    assert!(!html.contains("Logged in as"), "{html}");
    assert!(
        !html.contains("href=\"/login\""),
        "no guess about who is there"
    );
    assert!(html.contains(">Your account</a>"), "{html}");
}

fn profile_form<'a>(token: &'a str, time_zone: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("email", "zoned@example.com"),
        ("first_name", "Zoe"),
        ("last_name", "Zoned"),
        ("address", ""),
        ("phone", ""),
        ("time_zone", time_zone),
        ("csrf_token", token),
    ]
}

/// The "Member since" value of the profile page.
fn member_since(html: &str) -> String {
    let after = html
        .split("<dt>Member since</dt>")
        .nth(1)
        .unwrap_or_default();
    let value = after.split("<dd>").nth(1).unwrap_or_default();
    value
        .split("</dd>")
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned()
}

#[rocket::async_test]
async fn dates_are_shown_in_the_time_zone_chosen_in_the_profile() {
    let app = spawn_app().await;
    app.login_user("zoned").await;
    let html = page(&app, "/account", Status::Ok).await;
    assert!(
        member_since(&html).ends_with(" UTC"),
        "{}",
        member_since(&html)
    );
    assert!(
        html.contains("<option value=\"UTC\" selected>UTC</option>"),
        "UTC is the default"
    );
    assert!(html.contains("<option value=\"Europe/Zurich\">Europe/Zurich</option>"));

    // A name that is not on the list: the field says so, nothing is saved.
    let token = app.page_csrf("/account").await;
    let response = app
        .post_form("/account", &profile_form(&token, "Mars/Olympus_Mons"))
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let html = unescape(&response.into_string().await.unwrap_or_default());
    assert!(html.contains("id=\"time_zone-error-1\""), "{html}");
    assert!(html.contains("Choose a time zone from the list"), "{html}");
    assert!(html.contains("value=\"Zoe\""), "what was typed is kept");
    let stored = stored_user(&app).await;
    assert_ne!(
        stored.first_name, "Zoe",
        "the other fields are not saved either"
    );
    assert_eq!(stored.time_zone, "UTC");

    let response = app
        .post_form("/account", &profile_form(&token, "europe/zurich"))
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let html = page(&app, "/account", Status::Ok).await;
    assert!(
        html.contains("<option value=\"Europe/Zurich\" selected>"),
        "stored as listed"
    );
    let since = member_since(&html);
    assert!(
        since.ends_with(" CET") || since.ends_with(" CEST"),
        "{since}"
    );

    // The same instant, an hour or two later than in UTC, on the other pages too.
    let sessions = page(&app, "/account/sessions", Status::Ok).await;
    assert!(
        sessions.contains(" CET") || sessions.contains(" CEST"),
        "{sessions}"
    );
    assert_eq!(stored_user(&app).await.time_zone, "Europe/Zurich");

    // A form without the field (an older page) leaves the zone alone.
    let mut fields = profile_form(&token, "");
    fields.retain(|(name, _)| *name != "time_zone");
    let response = app.post_form("/account", &fields).await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(stored_user(&app).await.time_zone, "Europe/Zurich");
}

async fn stored_user(app: &TestApp) -> portero::db::users::User {
    portero::db::users::find_by_username(&mut app.conn().await, "zoned")
        .await
        .expect("query")
        .expect("user")
}
