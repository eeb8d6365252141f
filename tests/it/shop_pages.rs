//! Pages people enjoy using (issue 16, the shopper's side): money with its
//! currency and separators, the current page marked in the navigation,
//! focus on the error summary, a dark theme and narrow screens.

use portero::domain::Role;
use rocket::figment::providers::Serialized;
use rocket::http::Status;

use crate::helpers::*;

#[rocket::async_test]
async fn money_shows_the_configured_currency_with_separators() {
    for (currency, expected) in [(None, "€1,234.56"), (Some("USD"), "$1,234.56")] {
        let app = spawn_app_with(|figment| match currency {
            Some(code) => figment.merge(Serialized::default("currency", code)),
            None => figment,
        })
        .await;
        let (admin, _) = admin_browser(&app, "root").await;
        let id = new_product(&admin, "BIG-1", "Big thing", 123_456, 5).await;
        for path in ["/products".to_owned(), format!("/products/{id}")] {
            let (status, page) = html(&app, &path).await;
            assert_eq!(status, Status::Ok);
            assert!(page.contains(expected), "{path}: no {expected}");
        }
    }
    // In Spanish, the same amounts are written the Spanish way (CLDR: no
    // group separator below five digits, the sign after the amount).
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;
    new_product(&admin, "BIG-1", "Big thing", 123_456, 5).await;
    new_product(&admin, "HUGE-1", "Huge thing", 1_234_567, 5).await;
    let response = app
        .client
        .get("/products")
        .header(rocket::http::Header::new("Accept-Language", "es"))
        .dispatch()
        .await;
    let page = response.into_string().await.unwrap_or_default();
    for expected in ["1234,56\u{a0}€", "12.345,67\u{a0}€"] {
        assert!(
            page.contains(expected),
            "no {expected:?} in the Spanish catalog"
        );
    }
    assert!(
        !page.contains("€1,234.56"),
        "English money on a Spanish page"
    );

    // A currency that is no ISO code is a start-up error naming the key.
    let figment = test_figment("sqlite://unused.db").merge(Serialized::default("currency", "euro"));
    let error = portero::config::validate(&figment).expect_err("bad currency");
    assert!(error.contains("currency"), "{error}");
}

#[rocket::async_test]
async fn the_navigation_marks_the_current_page() {
    let app = spawn_app().await;
    let browser = app.other_browser().await;
    sign_in(&browser, "shopper", Role::User).await;
    for (path, href) in [
        ("/products", "/products"),
        ("/cart", "/cart"),
        ("/sales", "/sales"),
        ("/account", "/account"),
        ("/account/sessions", "/account/sessions"),
        ("/account/data", "/account"),
    ] {
        let (status, page) = html(&browser, path).await;
        assert_eq!(status, Status::Ok, "{path}");
        let marked: Vec<&str> = page
            .split("<a href=\"")
            .skip(1)
            .filter(|link| {
                link.contains("aria-current=\"page\"") && link.find('>') > link.find("aria-current")
            })
            .filter_map(|link| link.split('"').next())
            .collect();
        assert_eq!(marked, [href], "{path}");
    }
    let (_, page) = html(&browser, "/").await;
    assert!(
        !page.contains("aria-current=\"page\""),
        "home marks nothing"
    );
}

#[rocket::async_test]
async fn a_failed_form_puts_the_focus_on_its_error_summary() {
    let app = spawn_app().await;
    let token = app.csrf_token("/signup").await;
    let response = app
        .post_form(
            "/signup",
            &[("username", "x"), ("email", "nope"), ("csrf_token", &token)],
        )
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let page = response.into_string().await.unwrap_or_default();
    assert!(
        page.contains("role=\"alert\" tabindex=\"-1\" autofocus"),
        "no focused summary"
    );
    // No inline script is needed for it (the CSP forbids them).
    assert!(!page.contains("<script"));
}

#[rocket::async_test]
async fn the_stylesheet_has_a_dark_theme_and_fits_narrow_screens() {
    let app = spawn_app().await;
    let response = app.get("/static/css/portero.css").await;
    assert_eq!(response.status(), Status::Ok);
    let css = response.into_string().await.unwrap_or_default();
    assert!(css.contains("@media (prefers-color-scheme: dark)"));
    assert!(css.contains("color-scheme: light dark"));
    // Hidden text inside a scrolling table stays inside it (issue 16:
    // /account/sessions was 877 px wide on a 390 px phone).
    assert!(css.contains(".table-wrap { position: relative; }"));
    assert!(css.contains("@media (max-width: 480px)"));
}
