//! `/api/me`: the caller's profile, password and sessions.

use portero::domain::Role;
use rocket::http::{ContentType, Header, Status};
use serde_json::{Value, json};
use sha2::Digest;

use crate::helpers::*;

/// A user object without the members a change is expected to touch.
fn without(user: &Value, keys: &[&str]) -> Value {
    let mut user = user.clone();
    if let Some(object) = user.as_object_mut() {
        for key in keys {
            object.remove(*key);
        }
    }
    user
}

#[rocket::async_test]
async fn me_needs_a_session() {
    let app = spawn_app().await;
    expect_problem(app.get("/api/me").await, Status::Unauthorized).await;
    let response = app
        .client
        .patch("/api/me")
        .header(ContentType::JSON)
        .body(json!({ "first_name": "X" }).to_string())
        .dispatch()
        .await;
    expect_problem(response, Status::Unauthorized).await;
    let response = app
        .client
        .put("/api/me/password")
        .header(ContentType::JSON)
        .body(json!({ "current_password": PASSWORD, "new_password": NEW_PASSWORD }).to_string())
        .dispatch()
        .await;
    expect_problem(response, Status::Unauthorized).await;
    expect_problem(app.get("/api/me/sessions").await, Status::Unauthorized).await;
    expect_problem(
        app.client.delete("/api/me/sessions").dispatch().await,
        Status::Unauthorized,
    )
    .await;
    expect_problem(
        app.client.delete("/api/me/sessions/1").dispatch().await,
        Status::Unauthorized,
    )
    .await;
}

#[rocket::async_test]
async fn me_returns_the_callers_account() {
    let app = spawn_app().await;
    let id = app.login_user("paul").await;
    let (status, me) = app.get_json("/api/me").await;
    assert_eq!(status, Status::Ok);
    assert_eq!(me["id"], json!(id));
    assert_eq!(me["username"], "paul");
    assert_eq!(me["email"], "paul@example.com");
    assert_eq!(me["first_name"], "Test");
    assert_eq!(me["role"], "user");
    assert_no_secrets(&me);
}

#[rocket::async_test]
async fn patch_me_changes_only_the_fields_sent() {
    let app = spawn_app().await;
    app.login_user("quinn").await;
    let (_, before) = app.get_json("/api/me").await;

    let (status, after) = app
        .patch_json("/api/me", &json!({ "first_name": "Quincy" }))
        .await;
    assert_eq!(status, Status::Ok, "{after}");
    assert_eq!(after["first_name"], "Quincy");
    assert_eq!(
        without(&after, &["first_name", "updated_at"]),
        without(&before, &["first_name", "updated_at"])
    );

    let (status, after) = app
        .patch_json("/api/me", &json!({ "address": "1 Main St\nTown", "phone": "+34 600 123 456", "email": "Q@Example.org" }))
        .await;
    assert_eq!(status, Status::Ok, "{after}");
    assert_eq!(after["address"], "1 Main St\nTown");
    assert_eq!(after["phone"], "+34 600 123 456");
    assert_eq!(after["email"], "q@example.org");
    assert_eq!(after["first_name"], "Quincy");

    // An empty patch changes nothing; an absent member keeps its value.
    let (status, same) = app.patch_json("/api/me", &json!({})).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(
        without(&same, &["updated_at"]),
        without(&after, &["updated_at"])
    );

    // null clears an optional member, and only that one.
    let (status, cleared) = app.patch_json("/api/me", &json!({ "address": null })).await;
    assert_eq!(status, Status::Ok, "{cleared}");
    assert!(cleared["address"].is_null(), "{cleared}");
    assert_eq!(cleared["phone"], "+34 600 123 456");
    let (_, me) = app.get_json("/api/me").await;
    assert!(me["address"].is_null());
    assert_eq!(me["email"], "q@example.org");
}

#[rocket::async_test]
async fn patch_me_with_a_taken_email_is_409() {
    let app = spawn_app().await;
    app.create_user("rita", Role::User).await;
    app.login_user("sam").await;
    let (status, problem) = app
        .patch_json("/api/me", &json!({ "email": "RITA@example.com" }))
        .await;
    assert_eq!(status, Status::Conflict, "{problem}");
    assert_problem_body(&problem, Status::Conflict);
    assert_eq!(error_fields(&problem), ["email"]);
    let (_, me) = app.get_json("/api/me").await;
    assert_eq!(me["email"], "sam@example.com");
}

#[rocket::async_test]
async fn patch_me_with_invalid_values_is_422_per_field() {
    let app = spawn_app().await;
    app.login_user("tina").await;
    for (body, field) in [
        (json!({ "email": "nope" }), "email"),
        (json!({ "first_name": "" }), "first_name"),
        (json!({ "last_name": "x".repeat(65) }), "last_name"),
        (json!({ "phone": "call me maybe" }), "phone"),
        (json!({ "address": "a".repeat(201) }), "address"),
    ] {
        let (status, problem) = app.patch_json("/api/me", &body).await;
        assert_eq!(status, Status::UnprocessableEntity, "{body}: {problem}");
        assert_eq!(error_fields(&problem), [field], "{body}: {problem}");
    }
    // Unknown members (role, say) are refused, not ignored.
    let (status, problem) = app.patch_json("/api/me", &json!({ "role": "admin" })).await;
    assert_eq!(status, Status::UnprocessableEntity, "{problem}");
    let (_, me) = app.get_json("/api/me").await;
    assert_eq!(me["role"], "user");
    assert_eq!(me["first_name"], "Test");
}

#[rocket::async_test]
async fn change_password_answers_204_and_the_new_password_works() {
    let app = spawn_app().await;
    app.login_user("uma").await;
    let (status, body) = app
        .put_json(
            "/api/me/password",
            &json!({ "current_password": PASSWORD, "new_password": NEW_PASSWORD }),
        )
        .await;
    assert_eq!(status, Status::NoContent, "{body}");
    assert_eq!(
        app.me_status().await,
        Status::Ok,
        "the current session must survive"
    );
    let other = app.other_browser().await;
    assert_eq!(
        other.login_api("uma", PASSWORD).await.0,
        Status::Unauthorized
    );
    assert_eq!(other.login_api("uma", NEW_PASSWORD).await.0, Status::Ok);
}

#[rocket::async_test]
async fn change_password_with_a_wrong_current_password_is_422_on_current_password() {
    let app = spawn_app().await;
    app.login_user("vera").await;
    let (status, problem) = app
        .put_json(
            "/api/me/password",
            &json!({ "current_password": "not my password", "new_password": NEW_PASSWORD }),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{problem}");
    assert_problem_body(&problem, Status::UnprocessableEntity);
    assert_eq!(error_fields(&problem), ["current_password"]);
    // Nothing changed.
    let other = app.other_browser().await;
    assert_eq!(other.login_api("vera", PASSWORD).await.0, Status::Ok);
}

#[rocket::async_test]
async fn change_password_applies_the_password_policy() {
    let app = spawn_app().await;
    app.login_user("walt").await;
    for new_password in [
        "short",
        "password1234",
        "walt",
        "walt@example.com",
        "WALT@EXAMPLE.COM",
    ] {
        let (status, problem) = app
            .put_json(
                "/api/me/password",
                &json!({ "current_password": PASSWORD, "new_password": new_password }),
            )
            .await;
        assert_eq!(
            status,
            Status::UnprocessableEntity,
            "{new_password}: {problem}"
        );
        assert_eq!(
            error_fields(&problem),
            ["new_password"],
            "{new_password}: {problem}"
        );
    }
    let (status, problem) = app
        .put_json("/api/me/password", &json!({ "current_password": PASSWORD }))
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{problem}");
}

#[rocket::async_test]
async fn sessions_are_listed_in_the_envelope_with_public_ids() {
    let app = spawn_app().await;
    app.login_user("xena").await;
    let other = app.other_browser().await;
    other.login_as("xena").await;

    let response = app
        .client
        .get("/api/me/sessions")
        .header(Header::new("User-Agent", "lister/2"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let list: Value = response.into_json().await.expect("json");
    assert_eq!(list["page"], 1);
    assert!(list["per_page"].as_i64().is_some_and(|n| n >= 2), "{list}");
    assert_eq!(list["total"], 2, "{list}");
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(
        items.iter().filter(|s| s["current"] == true).count(),
        1,
        "{list}"
    );
    for item in items {
        assert!(item["id"].is_i64(), "{item}");
        for key in ["created_at", "last_seen_at", "expires_at"] {
            rfc3339_utc(&item[key]);
        }
    }

    // No member is the secret in the cookie, or its SHA-256.
    let secrets: Vec<String> = [app.session_cookie(), other.session_cookie()]
        .into_iter()
        .map(|cookie| cookie.expect("cookie").value().to_owned())
        .collect();
    let mut forbidden = secrets.clone();
    for secret in &secrets {
        let digest = sha2::Sha256::digest(secret.as_bytes());
        forbidden.push(hex::encode(digest));
        forbidden.push(base64_std(&digest));
    }
    let text = list.to_string();
    for secret in &forbidden {
        assert!(
            !text.contains(secret.as_str()),
            "the session list leaks a secret"
        );
    }

    // per_page is bounded here too.
    let (status, problem) = app.get_json("/api/me/sessions?per_page=101").await;
    assert_eq!(status, Status::UnprocessableEntity, "{problem}");
    let (status, page) = app.get_json("/api/me/sessions?per_page=1&page=2").await;
    assert_eq!(status, Status::Ok);
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(page["total"], 2);
}

fn base64_std(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[rocket::async_test]
async fn revoking_one_session_by_id() {
    let app = spawn_app().await;
    app.login_user("yara").await;
    let other = app.other_browser().await;
    other.login_as("yara").await;
    let (_, list) = app.get_json("/api/me/sessions").await;
    let items = list["items"].as_array().expect("items").clone();
    let theirs = items
        .iter()
        .find(|s| s["current"] == false)
        .expect("the other session")["id"]
        .clone();

    let (status, _) = app.delete(&format!("/api/me/sessions/{theirs}")).await;
    assert_eq!(status, Status::NoContent);
    assert_eq!(other.me_status().await, Status::Unauthorized);
    assert_eq!(app.me_status().await, Status::Ok);

    // Gone now, and ids that never existed: 404.
    expect_problem(
        app.client
            .delete(format!("/api/me/sessions/{theirs}"))
            .dispatch()
            .await,
        Status::NotFound,
    )
    .await;
    expect_problem(
        app.client
            .delete("/api/me/sessions/999999")
            .dispatch()
            .await,
        Status::NotFound,
    )
    .await;
}

#[rocket::async_test]
async fn another_users_session_id_is_404_and_survives() {
    let app = spawn_app().await;
    app.login_user("zack").await;
    let victim = app.other_browser().await;
    victim.login_user("abby").await;
    let (_, list) = victim.get_json("/api/me/sessions").await;
    let victim_session = list["items"][0]["id"].clone();
    assert!(victim_session.is_i64());

    let response = app
        .client
        .delete(format!("/api/me/sessions/{victim_session}"))
        .dispatch()
        .await;
    expect_problem(response, Status::NotFound).await;
    assert_eq!(victim.me_status().await, Status::Ok);
}

#[rocket::async_test]
async fn revoking_the_current_session_by_id_logs_out() {
    let app = spawn_app().await;
    app.login_user("bert").await;
    let (_, list) = app.get_json("/api/me/sessions").await;
    let current = list["items"][0]["id"].clone();
    let (status, _) = app.delete(&format!("/api/me/sessions/{current}")).await;
    assert_eq!(status, Status::NoContent);
    assert_eq!(app.me_status().await, Status::Unauthorized);
}

#[rocket::async_test]
async fn revoking_other_sessions_keeps_this_one() {
    let app = spawn_app().await;
    app.login_user("cleo").await;
    let second = app.other_browser().await;
    second.login_as("cleo").await;
    let third = app.other_browser().await;
    third.login_as("cleo").await;
    let bystander = app.other_browser().await;
    bystander.login_user("dirk").await;

    let (status, _) = app.delete("/api/me/sessions").await;
    assert_eq!(status, Status::NoContent);
    assert_eq!(app.me_status().await, Status::Ok);
    assert_eq!(second.me_status().await, Status::Unauthorized);
    assert_eq!(third.me_status().await, Status::Unauthorized);
    assert_eq!(
        bystander.me_status().await,
        Status::Ok,
        "another user's session was revoked"
    );
    let (_, list) = app.get_json("/api/me/sessions").await;
    assert_eq!(list["total"], 1);
}

#[rocket::async_test]
async fn the_time_zone_is_read_and_changed_through_the_api() {
    let app = spawn_app().await;
    app.signup_api("zoe_api").await;
    let (_, me) = app.get_json("/api/me").await;
    assert_eq!(me["time_zone"], "UTC", "the default");

    let (status, problem) = app
        .patch_json("/api/me", &json!({ "time_zone": "Mars/Olympus_Mons" }))
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(error_fields(&problem), ["time_zone"]);

    let (status, me) = app
        .patch_json("/api/me", &json!({ "time_zone": "asia/tokyo" }))
        .await;
    assert_eq!(status, Status::Ok, "{me}");
    assert_eq!(me["time_zone"], "Asia/Tokyo", "stored as listed");
    // Left out: unchanged.
    let (_, me) = app
        .patch_json("/api/me", &json!({ "first_name": "Zoe" }))
        .await;
    assert_eq!(me["time_zone"], "Asia/Tokyo");
}
