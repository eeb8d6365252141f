use rocket::http::Status;
use serde_json::json;

use crate::helpers::*;

#[rocket::async_test]
async fn signup_logs_in_and_me_returns_the_user() {
    let app = spawn_app().await;
    let user = app.signup_api("alice").await;
    assert_eq!(user["username"], "alice");
    assert!(user.get("password_hash").is_none());
    let (status, me) = app.get_json("/api/me").await;
    assert_eq!(status, Status::Ok);
    assert_eq!(me["id"], user["id"]);
}

#[rocket::async_test]
async fn unknown_user_and_wrong_password_get_the_same_answer() {
    let app = spawn_app().await;
    app.signup_api("bob").await;
    let fresh = app.other_browser().await;
    let (s1, b1) = fresh.login_api("bob", "wrong password here").await;
    let (s2, b2) = fresh.login_api("nobody", "wrong password here").await;
    assert_eq!(s1, Status::Unauthorized);
    assert_eq!((s1, b1), (s2, b2));
    let (status, _) = fresh.login_api("bob@example.com", PASSWORD).await;
    assert_eq!(status, Status::Ok);
    let _ = json!({});
}
