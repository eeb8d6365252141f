//! One's own account and data (issue 16, SPEC "One's own account and
//! data"): the JSON export (API and download page) and deleting one's own
//! account with the password, the last-admin rule kept, audited; the
//! account's cookie and tokens dead at once.

use portero::domain::Role;
use rocket::http::{Method, Status};
use serde_json::{Value, json};

use crate::helpers::*;

/// A shopper who signed up, bought one Apple and holds a bearer token.
async fn shopper_with_a_purchase(app: &TestApp) -> (TestApp, TestApp, i64, String) {
    let (admin, _) = admin_browser(app, "root").await;
    let apple = new_product(&admin, "APL-1", "Apple", 250, 10).await;
    let shopper = app.other_browser().await;
    let id = shopper.signup_api("shopper").await["id"]
        .as_i64()
        .expect("id");
    let (status, _) = buy(&shopper, &[(apple, 2)]).await;
    assert_eq!(status, Status::Created);
    let token = app.bearer_for("shopper").await;
    (admin, shopper, id, token)
}

#[rocket::async_test]
async fn the_export_holds_profile_sessions_purchases_and_events_without_secrets() {
    let app = spawn_app().await;
    let (_admin, shopper, id, token) = shopper_with_a_purchase(&app).await;

    let (status, pat) = shopper
        .post_json(
            "/api/me/tokens",
            &json!({ "name": "backup script", "scopes": ["read"], "expires_in_days": 30 }),
        )
        .await;
    assert_eq!(status, Status::Created, "{pat}");
    let pat_secret = pat["token"].as_str().expect("token shown once").to_owned();

    let (status, export) = shopper.get_json("/api/me/export").await;
    assert_eq!(status, Status::Ok, "{export}");
    assert_eq!(export["profile"]["id"], id);
    assert_eq!(export["profile"]["username"], "shopper");
    assert_no_secrets(&export["profile"]);
    rfc3339_utc(&export["exported_at"]);
    let sessions = export["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 2, "the browser and the bearer session");
    assert_eq!(
        sessions.iter().filter(|s| s["current"] == true).count(),
        1,
        "{sessions:?}"
    );
    assert_eq!(export["tokens"][0]["name"], "backup script", "{export}");
    assert_eq!(export["tokens"][0]["scopes"], json!(["read"]));
    let purchases = export["purchases"].as_array().expect("purchases");
    assert_eq!(purchases.len(), 1);
    assert_eq!(purchases[0]["total_cents"], 500);
    assert_eq!(purchases[0]["items"][0]["name"], "Apple");
    let actions: Vec<&str> = export["audit_events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for action in ["signup", "sale_create"] {
        assert!(actions.contains(&action), "{action}: {actions:?}");
    }
    // No secret of any kind in the whole document.
    let text = export.to_string();
    for secret in [
        PASSWORD,
        "argon2",
        token.as_str(),
        pat_secret.as_str(),
        "password_hash",
        "token_hash",
    ] {
        assert!(!text.contains(secret), "{secret} leaked");
    }

    // The same through a bearer token; anonymous: 401.
    let (status, by_token) = app
        .bearer_json(Method::Get, "/api/me/export", &token, None)
        .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(by_token["profile"]["id"], id);
    let (status, _) = app.other_browser().await.get_json("/api/me/export").await;
    assert_eq!(status, Status::Unauthorized);
}

#[rocket::async_test]
async fn the_data_page_offers_the_export_as_a_download() {
    let app = spawn_app().await;
    let (_admin, shopper, id, _) = shopper_with_a_purchase(&app).await;
    let (status, page) = html(&shopper, "/account/data").await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("href=\"/account/data/download\""));
    assert!(page.contains("href=\"/account/delete\""));
    let (_, profile) = html(&shopper, "/account").await;
    assert!(profile.contains("href=\"/account/data\""));

    let response = shopper.get("/account/data/download").await;
    assert_eq!(response.status(), Status::Ok);
    let disposition = response
        .headers()
        .get_one("Content-Disposition")
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        disposition,
        "attachment; filename=\"portero-shopper-data.json\""
    );
    assert_eq!(
        response.content_type().map(|c| c.to_string()).as_deref(),
        Some("application/json")
    );
    let body: Value = response.into_json().await.expect("JSON");
    assert_eq!(body["profile"]["id"], id);
    assert_eq!(body["purchases"].as_array().map(Vec::len), Some(1));

    let anonymous = app.other_browser().await;
    let response = anonymous.get("/account/data/download").await;
    assert_eq!(response.status(), Status::SeeOther, "anonymous: to login");
}

#[rocket::async_test]
async fn deleting_ones_account_needs_the_password_and_ends_everything_at_once() {
    let app = spawn_app().await;
    let (admin, shopper, id, token) = shopper_with_a_purchase(&app).await;
    let other_browser = app.other_browser().await;
    other_browser.login_as("shopper").await;
    let (_, sales) = admin.get_json(&format!("/api/sales?user_id={id}")).await;
    let sale_id = sales["items"][0]["id"].as_i64().expect("sale");

    // A wrong password: 422 on `password`, nothing happens.
    let (status, problem) = shopper
        .send_json(
            Method::Delete,
            "/api/me",
            &json!({ "password": "not it at all" }),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{problem}");
    assert_eq!(error_fields(&problem), ["password"]);
    assert_eq!(shopper.me_status().await, Status::Ok);
    let (status, problem) = shopper
        .send_json(Method::Delete, "/api/me", &json!({ "pass": PASSWORD }))
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{problem}");

    let (status, body) = shopper
        .send_json(Method::Delete, "/api/me", &json!({ "password": PASSWORD }))
        .await;
    assert_eq!(status, Status::NoContent, "{body}");
    // Dead at once: this cookie, another browser's, the bearer token.
    assert_eq!(shopper.me_status().await, Status::Unauthorized);
    assert_eq!(other_browser.me_status().await, Status::Unauthorized);
    let (status, _) = app.bearer_json(Method::Get, "/api/me", &token, None).await;
    assert_eq!(status, Status::Unauthorized);
    // The account and its purchases are gone; the products stay.
    let (status, _) = admin.get_json(&format!("/api/users/{id}")).await;
    assert_eq!(status, Status::NotFound);
    let (status, _) = admin.get_json(&format!("/api/sales/{sale_id}")).await;
    assert_eq!(status, Status::NotFound);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM products").await, 1);
    // Logging in again fails like any unknown account.
    let (status, _) = app.login_api("shopper", PASSWORD).await;
    assert_eq!(status, Status::Unauthorized);

    // Audited: who left, by id and username only.
    let events = audit_events(&app, "account_delete").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].target_user_id, Some(id));
    assert_eq!(events[0].target.as_deref(), Some("user:shopper"));
    assert_eq!(events[0].detail, None);
    assert_eq!(audit_events(&app, "account_delete_failed").await.len(), 1);
}

#[rocket::async_test]
async fn the_last_active_administrator_cannot_leave() {
    let app = spawn_app().await;
    let (root, _) = admin_browser(&app, "root").await;
    let (status, problem) = root
        .send_json(Method::Delete, "/api/me", &json!({ "password": PASSWORD }))
        .await;
    assert_eq!(status, Status::Conflict, "{problem}");
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("last active administrator"),
        "{problem}"
    );
    assert_eq!(root.me_status().await, Status::Ok);

    // With a second administrator, the first may go.
    let second = app.other_browser().await;
    sign_in(&second, "second", Role::Admin).await;
    let (status, _) = root
        .send_json(Method::Delete, "/api/me", &json!({ "password": PASSWORD }))
        .await;
    assert_eq!(status, Status::NoContent);
    let (status, problem) = second
        .send_json(Method::Delete, "/api/me", &json!({ "password": PASSWORD }))
        .await;
    assert_eq!(status, Status::Conflict, "{problem}");
}

#[rocket::async_test]
async fn the_delete_page_asks_for_the_password() {
    let app = spawn_app().await;
    let browser = app.other_browser().await;
    let id = sign_in(&browser, "leaver", Role::User).await;
    let (status, page) = html(&browser, "/account/delete").await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("type=\"password\""));
    let token = csrf_from(&page).expect("csrf");

    let response = browser
        .post_form(
            "/account/delete",
            &[("password", "wrong wrong wrong"), ("csrf_token", &token)],
        )
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let page = response.into_string().await.unwrap_or_default();
    assert!(page.contains("class=\"error-summary\""), "{page}");
    assert!(page.contains("autofocus"));
    assert!(page.contains("The password is not correct."));
    assert!(
        !page.contains("wrong wrong wrong"),
        "the password echoed back"
    );
    assert_eq!(browser.me_status().await, Status::Ok);

    // Without the token: refused.
    let response = browser
        .post_form("/account/delete", &[("password", PASSWORD)])
        .await;
    assert_eq!(response.status(), Status::Forbidden);

    let response = browser
        .post_form(
            "/account/delete",
            &[("password", PASSWORD), ("csrf_token", &token)],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response).as_deref(), Some("/"));
    let (_, home) = html(&browser, "/").await;
    assert!(
        flash_text(&home).unwrap_or_default().contains("deleted"),
        "{:?}",
        flash_text(&home)
    );
    assert_eq!(browser.me_status().await, Status::Unauthorized);
    assert_eq!(
        scalar(&app, &format!("SELECT COUNT(*) FROM users WHERE id = {id}")).await,
        0
    );
}

#[rocket::async_test]
async fn the_api_documents_export_and_self_deletion() {
    let app = spawn_app().await;
    let (status, spec) = app.get_json("/api/openapi.json").await;
    assert_eq!(status, Status::Ok);
    let paths = &spec["paths"];
    assert!(
        paths["/me/export"]["get"].is_object(),
        "{}",
        paths["/me/export"]
    );
    assert!(paths["/me"]["delete"].is_object(), "{}", paths["/me"]);
    assert!(
        paths["/me"]["get"].is_object(),
        "GET /me kept: {}",
        paths["/me"]
    );
    assert!(paths["/me"]["patch"].is_object(), "PATCH /me kept");
}
