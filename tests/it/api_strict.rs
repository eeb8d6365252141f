//! The strict API contract (issue 15): 405 with `Allow` from the route table.

use rocket::http::{ContentType, Method, Status};

use crate::helpers::*;

async fn allow_of(app: &TestApp, method: Method, path: &str) -> (Status, Option<String>) {
    let response = app
        .client
        .req(method, path.to_owned())
        .header(ContentType::JSON)
        .body("{}")
        .dispatch()
        .await;
    let status = response.status();
    let allow = response.headers().get_one("Allow").map(str::to_owned);
    if status.code >= 400 {
        let problem = expect_problem(response, status).await;
        if status == Status::MethodNotAllowed {
            assert!(
                problem["detail"]
                    .as_str()
                    .unwrap_or_default()
                    .contains(method.as_str()),
                "{problem}"
            );
        }
    }
    (status, allow)
}

#[rocket::async_test]
async fn a_known_path_with_a_wrong_method_is_405_with_allow() {
    let app = spawn_app().await;
    let cases = [
        (Method::Put, "/api/auth/login", "POST"),
        (Method::Get, "/api/auth/logout", "POST"),
        (Method::Get, "/api/auth/token", "POST"),
        (Method::Delete, "/api/products", "GET, HEAD, POST"),
        (Method::Put, "/api/users/7", "DELETE, GET, HEAD, PATCH"),
        (Method::Post, "/api/me/password", "PUT"),
        (Method::Patch, "/api/me/tokens", "GET, HEAD, POST"),
        (Method::Options, "/api/sales", "GET, HEAD, POST"),
    ];
    for (method, path, allow) in cases {
        let (status, header) = allow_of(&app, method, path).await;
        assert_eq!(status, Status::MethodNotAllowed, "{method} {path}");
        assert_eq!(header.as_deref(), Some(allow), "{method} {path}");
    }
    // Unknown paths stay 404, with no Allow.
    for path in ["/api/nothing", "/api/users/7/nothing", "/api"] {
        let (status, header) = allow_of(&app, Method::Get, path).await;
        assert_eq!((status, header), (Status::NotFound, None), "{path}");
    }
}

#[rocket::async_test]
async fn administrators_rename_users() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "ines").await;
    let id = app.create_user("hugo", portero::domain::Role::User).await;
    app.create_user("taken", portero::domain::Role::User).await;

    let (status, user) = admin
        .patch_json(
            &format!("/api/users/{id}"),
            &serde_json::json!({ "username": "Hugo_2" }),
        )
        .await;
    assert_eq!(status, Status::Ok, "{user}");
    assert_eq!(user["username"], "hugo_2");
    let renamed = audit_events(&app, "user_update").await;
    assert_eq!(renamed[0].detail.as_deref(), Some("renamed hugo -> hugo_2"));
    let browser = app.other_browser().await;
    assert_eq!(browser.login_api("hugo_2", PASSWORD).await.0, Status::Ok);
    assert_eq!(
        browser.login_api("hugo", PASSWORD).await.0,
        Status::Unauthorized
    );

    let (status, problem) = admin
        .patch_json(
            &format!("/api/users/{id}"),
            &serde_json::json!({ "username": "TAKEN" }),
        )
        .await;
    assert_eq!(status, Status::Conflict, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "username");

    let (status, problem) = admin
        .patch_json(
            &format!("/api/users/{id}"),
            &serde_json::json!({ "username": "x", "email": "not an address" }),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["username", "email"], "{problem}");

    let (status, _) = browser
        .patch_json(
            &format!("/api/users/{id}"),
            &serde_json::json!({ "username": "mine" }),
        )
        .await;
    assert_eq!(status, Status::Forbidden);
}
