//! `?next=` after login: only a valid same-site URI reference is followed,
//! anything else is ignored, and no value can turn a login into a 500.

use portero::domain::Role;
use rocket::http::Status;
use rocket::http::uri::Reference;

use crate::helpers::*;

/// Texts that are not valid URI references as they stand.
const INVALID_NEXT: &[&str] = &[
    "/a b",
    "/a\u{2039}b",
    "/a\"b",
    "/caf\u{e9}",
    "/a\u{3000}b",
    "/a<b>",
    "/a%zzb",
    "/a\u{7f}b",
];

fn assert_valid_location(location: &str) {
    assert!(
        Reference::parse(location).is_ok(),
        "Location {location:?} is not a valid URI reference"
    );
}

#[rocket::async_test]
async fn a_logged_in_visit_to_login_with_a_strange_next_goes_to_the_account() {
    let app = spawn_app().await;
    app.login_user("lena").await;
    for next in INVALID_NEXT {
        let path = format!("/login?next={}", urlencode(next));
        let response = app.get(&path).await;
        assert_eq!(response.status(), Status::SeeOther, "GET {path}");
        let location = location(&response).unwrap_or_default();
        assert_eq!(location, "/account", "GET {path}");
    }
    // A valid reference, percent-encoded as a browser sends it, is kept.
    let kept = "/products?q=caf%C3%A9&page=2";
    let response = app.get(&format!("/login?next={}", urlencode(kept))).await;
    assert_eq!(location(&response).as_deref(), Some(kept));
}

#[rocket::async_test]
async fn login_with_a_strange_next_logs_in_and_goes_to_the_account() {
    let app = spawn_app().await;
    app.create_user("mona", Role::User).await;
    for next in INVALID_NEXT {
        let browser = app.other_browser().await;
        let (status, location) = browser.page_login("mona", PASSWORD, Some(next)).await;
        assert_eq!(status, Status::SeeOther, "next={next:?}");
        let location = location.unwrap_or_default();
        assert_valid_location(&location);
        assert_eq!(location, "/account", "next={next:?}");
        assert_eq!(
            browser.me_status().await,
            Status::Ok,
            "next={next:?}: the login set no cookie"
        );
    }
    let browser = app.other_browser().await;
    let (_, location) = browser
        .page_login("mona", PASSWORD, Some("/sales?page=2#top"))
        .await;
    assert_eq!(location.as_deref(), Some("/sales?page=2#top"));
}

#[rocket::async_test]
async fn the_login_page_keeps_only_a_usable_next_in_its_form() {
    let app = spawn_app().await;
    let html = app
        .get(&format!("/login?next={}", urlencode("/a b")))
        .await
        .into_string()
        .await
        .unwrap_or_default();
    assert!(
        html.contains("name=\"next\" value=\"&#x2F;account\""),
        "the form carries an unusable next: {html}"
    );
}
