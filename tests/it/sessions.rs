//! Server-side sessions: expiry, revocation, inactive users, several processes.

use portero::domain::Role;
use rocket::figment::providers::Serialized;
use rocket::http::Status;
use serde_json::{Value, json};

use crate::helpers::*;

async fn current_session(app: &TestApp) -> Value {
    let (status, list) = app.get_json("/api/me/sessions").await;
    assert_eq!(status, Status::Ok, "{list}");
    list["items"]
        .as_array()
        .and_then(|items| items.iter().find(|s| s["current"] == true).cloned())
        .unwrap_or_else(|| panic!("no current session in {list}"))
}

#[rocket::async_test]
async fn idle_sessions_expire() {
    let app = spawn_app().await;
    app.login_user("idle").await;
    // Used before the idle timeout (2 hours by default): still alive, and
    // the use counts as activity.
    app.clock.advance(7000);
    assert_eq!(app.me_status().await, Status::Ok);
    app.clock.advance(7000);
    assert_eq!(app.me_status().await, Status::Ok);
    // Left alone for longer than the idle timeout: gone.
    app.clock.advance(7201);
    assert_eq!(app.me_status().await, Status::Unauthorized);
    // Also in a listing of the user's sessions from another browser.
    let other = app.other_browser().await;
    other.login_as("idle").await;
    let (_, list) = other.get_json("/api/me/sessions").await;
    assert_eq!(
        list["total"], 1,
        "an idle-expired session is still listed: {list}"
    );
}

#[rocket::async_test]
async fn idle_timeout_is_configurable() {
    let app =
        spawn_app_with(|figment| figment.merge(Serialized::default("session_idle_timeout", 300)))
            .await;
    app.login_user("brief").await;
    app.clock.advance(290);
    assert_eq!(app.me_status().await, Status::Ok);
    app.clock.advance(310);
    assert_eq!(app.me_status().await, Status::Unauthorized);
}

#[rocket::async_test]
async fn sessions_end_at_the_absolute_timeout_even_when_used() {
    let app = spawn_app_with(|figment| {
        figment.merge(Serialized::default("session_absolute_timeout", 600))
    })
    .await;
    app.login_user("busy").await;
    let session = current_session(&app).await;
    let lifetime = rfc3339_utc(&session["expires_at"]) - rfc3339_utc(&session["created_at"]);
    assert_eq!(lifetime.whole_seconds(), 600);
    for _ in 0..5 {
        app.clock.advance(110);
        assert_eq!(app.me_status().await, Status::Ok);
    }
    // 550 s in, active all along; past 600 s it ends anyway.
    app.clock.advance(60);
    assert_eq!(app.me_status().await, Status::Unauthorized);
    // Logging in again starts a new, full-length session.
    app.login_as("busy").await;
    assert_eq!(app.me_status().await, Status::Ok);
}

#[rocket::async_test]
async fn last_seen_at_is_written_at_most_once_per_interval() {
    let app = spawn_app().await;
    app.login_user("seen").await;
    let start = current_session(&app).await;
    let created = rfc3339_utc(&start["created_at"]);
    assert_eq!(rfc3339_utc(&start["last_seen_at"]), created);

    // Within the 60 s touch interval requests do not write last_seen_at.
    app.clock.advance(30);
    assert_eq!(app.me_status().await, Status::Ok);
    let session = current_session(&app).await;
    assert_eq!(
        rfc3339_utc(&session["last_seen_at"]),
        created,
        "touched within the interval"
    );

    // Past the interval the next request records its time.
    app.clock.advance(31);
    let session = current_session(&app).await;
    let touched = rfc3339_utc(&session["last_seen_at"]);
    assert!(
        (touched - created).whole_seconds() >= 61,
        "not touched after the interval: {session}"
    );

    // And then not again until another interval has passed.
    app.clock.advance(20);
    assert_eq!(app.me_status().await, Status::Ok);
    let session = current_session(&app).await;
    assert_eq!(
        rfc3339_utc(&session["last_seen_at"]),
        touched,
        "touched twice in one interval"
    );
}

#[rocket::async_test]
async fn an_inactive_users_session_is_rejected() {
    let app = spawn_app().await;
    let id = app.login_user("sleepy").await;
    assert_eq!(app.me_status().await, Status::Ok);
    // Only the flag changes here; the session row stays.
    app.deactivate_in_db(id).await;
    assert_eq!(app.me_status().await, Status::Unauthorized);
}

#[rocket::async_test]
async fn deactivating_through_the_api_rejects_the_session_on_the_next_request() {
    let app = spawn_app().await;
    app.login_admin("root").await;
    let user = app.other_browser().await;
    let id = user.login_user("target").await;
    let (status, body) = app
        .patch_json(&format!("/api/users/{id}"), &json!({ "is_active": false }))
        .await;
    assert_eq!(status, Status::Ok, "{body}");
    assert_eq!(user.me_status().await, Status::Unauthorized);
}

#[rocket::async_test]
async fn changing_the_password_revokes_other_sessions_but_keeps_this_one() {
    let app = spawn_app().await;
    app.login_user("pwd").await;
    let other = app.other_browser().await;
    other.login_as("pwd").await;
    let bystander = app.other_browser().await;
    bystander.login_user("someone").await;

    let (status, body) = app
        .put_json(
            "/api/me/password",
            &json!({ "current_password": PASSWORD, "new_password": NEW_PASSWORD }),
        )
        .await;
    assert_eq!(status, Status::NoContent, "{body}");
    assert_eq!(app.me_status().await, Status::Ok);
    assert_eq!(other.me_status().await, Status::Unauthorized);
    assert_eq!(bystander.me_status().await, Status::Ok);
    let (_, list) = app.get_json("/api/me/sessions").await;
    assert_eq!(list["total"], 1);
}

#[rocket::async_test]
async fn a_failed_password_change_revokes_nothing() {
    let app = spawn_app().await;
    app.login_user("careful").await;
    let other = app.other_browser().await;
    other.login_as("careful").await;
    let (status, _) = app
        .put_json(
            "/api/me/password",
            &json!({ "current_password": "wrong password!", "new_password": NEW_PASSWORD }),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(other.me_status().await, Status::Ok);
}

#[rocket::async_test]
async fn processes_sharing_a_database_share_sessions_and_their_end() {
    let app =
        spawn_app_with(|figment| figment.merge(Serialized::default("secret_key", SECRET_KEY)))
            .await;
    let peer = app
        .second_instance_with(|figment| {
            figment.merge(Serialized::default("secret_key", SECRET_KEY))
        })
        .await;
    app.login_user("roamer").await;
    let cookie = app.session_cookie().expect("cookie");
    // The other process serves the same session.
    assert_eq!(peer.me_status_with(cookie.clone()).await, Status::Ok);
    // Logging out on the first ends it on the second at once.
    assert_eq!(
        app.client
            .post("/api/auth/logout")
            .dispatch()
            .await
            .status(),
        Status::NoContent
    );
    assert_eq!(peer.me_status_with(cookie).await, Status::Unauthorized);
}

#[rocket::async_test]
async fn a_cookie_from_another_key_is_not_a_session() {
    let app = spawn_app().await;
    app.create_user("keyed", Role::User).await;
    app.login_as("keyed").await;
    let cookie = app.session_cookie().expect("cookie");
    // Sealed with a different key: the other process cannot open it.
    let stranger = app
        .second_instance_with(|figment| {
            figment.merge(Serialized::default("secret_key", SECRET_KEY))
        })
        .await;
    let sealed = app.get("/api/me").await;
    assert_eq!(sealed.status(), Status::Ok);
    let raw = app
        .client
        .cookies()
        .get("portero_session")
        .map(|c| rocket::http::Cookie::new("portero_session", c.value().to_owned()))
        .expect("raw cookie");
    let response = stranger.client.get("/api/me").cookie(raw).dispatch().await;
    assert_eq!(response.status(), Status::Unauthorized);
    // Nor does the plain id, unsealed, work anywhere.
    let plain = rocket::http::Cookie::new("portero_session", cookie.value().to_owned());
    let response = app.client.get("/api/me").cookie(plain).dispatch().await;
    assert_eq!(response.status(), Status::Unauthorized);
}
