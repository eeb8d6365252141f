//! Languages (issue 17): which language a page is written in, and the
//! switcher that changes it.

use portero::domain::Role;
use rocket::http::{Cookie, Header, Status};

use crate::helpers::*;

const LANG_COOKIE: &str = "portero_lang";

async fn page_in(app: &TestApp, path: &str, accept: Option<&str>) -> String {
    let mut request = app.client.get(path.to_owned());
    if let Some(accept) = accept {
        request = request.header(Header::new("Accept-Language", accept.to_owned()));
    }
    let response = request.dispatch().await;
    assert_eq!(response.status(), Status::Ok, "{path}");
    response.into_string().await.unwrap_or_default()
}

fn html_lang(html: &str) -> &str {
    let start = html.find("<html lang=\"").map(|at| at + 12).unwrap_or(0);
    let end = html[start..].find('"').map_or(start, |len| start + len);
    &html[start..end]
}

async fn switch_to(app: &TestApp, lang: &str, next: &str) -> (Status, Option<String>) {
    let token = app.page_csrf("/login").await;
    let response = app
        .post_form(
            "/language",
            &[("csrf_token", &token), ("lang", lang), ("next", next)],
        )
        .await;
    (response.status(), location(&response))
}

async fn stored_locale(app: &TestApp, username: &str) -> Option<String> {
    let mut conn = app.conn().await;
    portero::db::users::find_by_username(&mut conn, username)
        .await
        .expect("read user")
        .and_then(|user| user.locale)
}

#[rocket::async_test]
async fn accept_language_picks_the_page_language_with_quality_values() {
    let app = spawn_app().await;
    let english = page_in(&app, "/login", None).await;
    assert_eq!(html_lang(&english), "en");
    assert!(english.contains(">Products</a>"), "English navigation");
    let spanish = page_in(&app, "/login", Some("en;q=0.4, es-ES;q=0.9")).await;
    assert_eq!(html_lang(&spanish), "es");
    assert!(spanish.contains(">Productos</a>"), "Spanish navigation");
    let refused = page_in(&app, "/login", Some("es;q=0, fr")).await;
    assert_eq!(html_lang(&refused), "en");
}

#[rocket::async_test]
async fn the_switcher_is_a_plain_form_on_every_page() {
    let app = spawn_app().await;
    for path in ["/", "/login", "/signup", "/products"] {
        let html = unescape(&page_in(&app, path, None).await);
        assert!(
            html.contains("action=\"/language\""),
            "{path} has no switcher"
        );
        assert!(html.contains("name=\"lang\" value=\"es\""), "{path}");
        assert!(
            html.contains(&format!("name=\"next\" value=\"{path}\"")),
            "{path} comes back to itself"
        );
    }
}

#[rocket::async_test]
async fn the_switcher_sets_a_cookie_that_outranks_accept_language() {
    let app = spawn_app().await;
    let (status, next) = switch_to(&app, "es", "/products?page=1").await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(next.as_deref(), Some("/products?page=1"));
    assert_eq!(
        app.client
            .cookies()
            .get(LANG_COOKIE)
            .map(|c| c.value().to_owned()),
        Some("es".to_owned())
    );
    let html = page_in(&app, "/login", Some("en")).await;
    assert_eq!(html_lang(&html), "es");
    // And back.
    switch_to(&app, "en", "/").await;
    assert_eq!(html_lang(&page_in(&app, "/login", Some("es")).await), "en");
}

#[rocket::async_test]
async fn the_switcher_ignores_unknown_languages_and_foreign_destinations() {
    let app = spawn_app().await;
    let (status, next) = switch_to(&app, "fr", "/login").await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(next.as_deref(), Some("/login"));
    assert!(app.client.cookies().get(LANG_COOKIE).is_none());
    let (_, next) = switch_to(&app, "es", "https://evil.example/").await;
    assert_eq!(next.as_deref(), Some("/"));
    // Without the form's token nothing changes.
    let other = app.other_browser().await;
    let response = other
        .post_form("/language", &[("lang", "es"), ("next", "/")])
        .await;
    assert_eq!(response.status(), Status::Forbidden);
    assert!(other.client.cookies().get(LANG_COOKIE).is_none());
}

#[rocket::async_test]
async fn the_choice_survives_login_and_follows_the_user() {
    let app = spawn_app().await;
    app.create_user("lucia", Role::User).await;
    // Chosen before logging in…
    switch_to(&app, "es", "/login").await;
    let (status, _) = app.page_login("lucia", PASSWORD, None).await;
    assert_eq!(status, Status::SeeOther);
    let html = page_in(&app, "/account", Some("en")).await;
    assert_eq!(html_lang(&html), "es");
    assert_eq!(stored_locale(&app, "lucia").await.as_deref(), Some("es"));
    // …it is the profile's now: another browser that prefers English
    // shows Spanish once logged in.
    let laptop = app.other_browser().await;
    assert_eq!(
        html_lang(&page_in(&laptop, "/login", Some("en")).await),
        "en"
    );
    laptop.page_login("lucia", PASSWORD, None).await;
    assert_eq!(
        html_lang(&page_in(&laptop, "/account", Some("en")).await),
        "es"
    );
    // Switching while logged in changes the profile too.
    let token = laptop.page_csrf("/account").await;
    laptop
        .post_form(
            "/language",
            &[("csrf_token", &token), ("lang", "en"), ("next", "/account")],
        )
        .await;
    assert_eq!(stored_locale(&app, "lucia").await.as_deref(), Some("en"));
    // The first browser's cookie still says Spanish; the profile wins.
    app.client.cookies().add(Cookie::new(LANG_COOKIE, "es"));
    assert_eq!(html_lang(&page_in(&app, "/account", None).await), "en");
}
