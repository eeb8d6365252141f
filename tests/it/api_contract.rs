//! The API's contract: problem details for every error, body rules,
//! cross-site protection, the OpenAPI document, and the shared cookie.

use std::collections::BTreeSet;

use portero::domain::Role;
use rocket::http::{ContentType, Header, Status};
use serde_json::{Value, json};

use crate::helpers::*;

fn signup_body(username: &str) -> Value {
    json!({
        "username": username,
        "email": format!("{username}@example.com"),
        "password": PASSWORD,
        "first_name": "Test",
        "last_name": "User",
    })
}

#[rocket::async_test]
async fn malformed_json_is_400_problem() {
    let app = spawn_app().await;
    let response = app
        .client
        .post("/api/auth/signup")
        .header(ContentType::JSON)
        .body("{\"username\": \"half")
        .dispatch()
        .await;
    let problem = expect_problem(response, Status::BadRequest).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("JSON"),
        "{problem}"
    );
    assert!(app.session_cookie().is_none());
}

#[rocket::async_test]
async fn unknown_json_field_is_422_problem() {
    let app = spawn_app().await;
    let mut body = signup_body("uriel");
    body["role"] = json!("admin");
    let response = app
        .client
        .post("/api/auth/signup")
        .header(ContentType::JSON)
        .body(body.to_string())
        .dispatch()
        .await;
    let problem = expect_problem(response, Status::UnprocessableEntity).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("role"),
        "{problem}"
    );
    // Nothing was created: the same name signs up fine without the extra field.
    app.signup_api("uriel").await;
    let (_, me) = app.get_json("/api/me").await;
    assert_eq!(me["role"], "user");

    let response = app
        .client
        .post("/api/auth/login")
        .header(ContentType::JSON)
        .body(json!({ "login": "uriel", "password": PASSWORD, "remember": true }).to_string())
        .dispatch()
        .await;
    expect_problem(response, Status::UnprocessableEntity).await;
    // A missing member or a wrong type is 422 as well.
    let response = app
        .client
        .post("/api/auth/login")
        .header(ContentType::JSON)
        .body(json!({ "login": 5 }).to_string())
        .dispatch()
        .await;
    expect_problem(response, Status::UnprocessableEntity).await;
}

#[rocket::async_test]
async fn wrong_content_type_is_415_problem() {
    let app = spawn_app().await;
    for content_type in [ContentType::Plain, ContentType::Form] {
        let response = app
            .client
            .post("/api/auth/signup")
            .header(content_type.clone())
            .body(signup_body("victor").to_string())
            .dispatch()
            .await;
        expect_problem(response, Status::UnsupportedMediaType).await;
    }
    let response = app
        .client
        .post("/api/auth/signup")
        .body(signup_body("victor").to_string())
        .dispatch()
        .await;
    expect_problem(response, Status::UnsupportedMediaType).await;
    assert!(app.session_cookie().is_none());
}

#[rocket::async_test]
async fn body_over_64_kib_is_413_problem() {
    let app = spawn_app().await;
    let mut body = signup_body("wendy");
    body["address"] = json!("a".repeat(70 * 1024));
    let response = app
        .client
        .post("/api/auth/signup")
        .header(ContentType::JSON)
        .body(body.to_string())
        .dispatch()
        .await;
    expect_problem(response, Status::PayloadTooLarge).await;
    // Just under the limit is read (and then refused by validation, not size).
    body["address"] = json!("a".repeat(60 * 1024));
    let (status, problem) = app.post_json("/api/auth/signup", &body).await;
    assert_eq!(status, Status::UnprocessableEntity, "{problem}");
    assert_eq!(error_fields(&problem), ["address"]);
}

#[rocket::async_test]
async fn auth_errors_are_problems() {
    let app = spawn_app().await;
    expect_problem(app.get("/api/me").await, Status::Unauthorized).await;
    expect_problem(app.get("/api/users").await, Status::Unauthorized).await;
    let response = app
        .client
        .post("/api/auth/login")
        .header(ContentType::JSON)
        .body(json!({ "login": "nobody", "password": "whatever it is" }).to_string())
        .dispatch()
        .await;
    expect_problem(response, Status::Unauthorized).await;
    app.login_user("yusuf").await;
    expect_problem(app.get("/api/users").await, Status::Forbidden).await;
}

#[rocket::async_test]
async fn unknown_api_paths_are_404_problems_not_html() {
    let app = spawn_app().await;
    app.login_user("yves").await;
    for path in [
        "/api/nope",
        "/api/me/sessions/1/more",
        "/api",
        "/api/users/1/sessions/extra",
    ] {
        let response = app.get(path).await;
        expect_problem(response, Status::NotFound).await;
    }
    // A path parameter that does not parse is a problem as well (Rocket says 404 or 422).
    let response = app.get("/api/users/not-a-number").await;
    let status = response.status();
    assert!(
        status == Status::NotFound || status == Status::UnprocessableEntity,
        "{status}"
    );
    expect_problem(response, status).await;
    // An unrouted method: Rocket 0.5 answers 404 (it has no 405), as a problem.
    let response = app
        .client
        .put("/api/auth/login")
        .header(ContentType::JSON)
        .body("{}")
        .dispatch()
        .await;
    let status = response.status();
    assert!(
        status == Status::NotFound || status == Status::MethodNotAllowed,
        "{status}"
    );
    expect_problem(response, status).await;
}

#[rocket::async_test]
async fn foreign_origin_on_writes_is_403_problem() {
    let app = spawn_app().await;
    app.create_user("zoe", Role::User).await;
    let response = app
        .client
        .post("/api/auth/login")
        .header(ContentType::JSON)
        .header(Header::new("Origin", "https://evil.example"))
        .body(json!({ "login": "zoe", "password": PASSWORD }).to_string())
        .dispatch()
        .await;
    let problem = expect_problem(response, Status::Forbidden).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("Cross-site"),
        "{problem}"
    );
    assert!(
        app.session_cookie().is_none(),
        "a cross-site login set a session"
    );

    // The same request from the site itself works.
    let response = app
        .client
        .post("/api/auth/login")
        .header(ContentType::JSON)
        .header(Header::new("Host", "portero.test"))
        .header(Header::new("Origin", "http://portero.test"))
        .body(json!({ "login": "zoe", "password": PASSWORD }).to_string())
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);

    for (method, path) in [
        ("PATCH", "/api/me"),
        ("PUT", "/api/me/password"),
        ("DELETE", "/api/me/sessions"),
    ] {
        let request = match method {
            "PATCH" => app.client.patch(path),
            "PUT" => app.client.put(path),
            _ => app.client.delete(path),
        };
        let response = request
            .header(ContentType::JSON)
            .header(Header::new("Host", "portero.test"))
            .header(Header::new("Origin", "https://evil.example"))
            .body(json!({ "first_name": "Hacked" }).to_string())
            .dispatch()
            .await;
        expect_problem(response, Status::Forbidden).await;
    }
    let (_, me) = app.get_json("/api/me").await;
    assert_eq!(me["first_name"], "Test");
}

#[rocket::async_test]
async fn no_user_object_carries_a_password_hash() {
    let app = spawn_app().await;
    let mut seen = vec![app.signup_api("alma").await];
    seen.push(app.login_api("alma", PASSWORD).await.1);
    seen.push(app.get_json("/api/me").await.1);
    seen.push(
        app.patch_json("/api/me", &json!({ "first_name": "Alma" }))
            .await
            .1,
    );
    let admin = app.other_browser().await;
    admin.login_admin("root").await;
    let (_, list) = admin.get_json("/api/users").await;
    seen.extend(list["items"].as_array().expect("items").iter().cloned());
    let id = seen[0]["id"].clone();
    seen.push(admin.get_json(&format!("/api/users/{id}")).await.1);
    seen.push(
        admin
            .patch_json(&format!("/api/users/{id}"), &json!({ "last_name": "B" }))
            .await
            .1,
    );
    let mut created = signup_body("bruno");
    created["role"] = json!("user");
    seen.push(admin.post_json("/api/users", &created).await.1);
    assert_eq!(seen.len(), 9);
    for user in &seen {
        assert_no_secrets(user);
        assert!(!user.to_string().contains("$argon2"), "{user}");
    }
}

#[rocket::async_test]
async fn timestamps_are_rfc3339_utc() {
    let app = spawn_app().await;
    app.signup_api("cyrus").await;
    let (_, me) = app.get_json("/api/me").await;
    let created = rfc3339_utc(&me["created_at"]);
    let updated = rfc3339_utc(&me["updated_at"]);
    let last_login = rfc3339_utc(&me["last_login_at"]);
    assert!(updated >= created);
    assert!((last_login - created).whole_seconds().abs() < 60);
    assert!(me["email_verified_at"].is_null());
    let now = time::OffsetDateTime::now_utc();
    assert!(
        (now - created).whole_seconds().abs() < 120,
        "created_at {created} is not now"
    );
    let (_, sessions) = app.get_json("/api/me/sessions").await;
    let session = &sessions["items"][0];
    let started = rfc3339_utc(&session["created_at"]);
    let expires = rfc3339_utc(&session["expires_at"]);
    rfc3339_utc(&session["last_seen_at"]);
    // The default absolute lifetime is 7 days.
    assert_eq!((expires - started).whole_seconds(), 7 * 24 * 3600);
}

#[rocket::async_test]
async fn api_answers_are_not_cached_and_carry_security_headers() {
    let app = spawn_app().await;
    app.signup_api("dina").await;
    for path in ["/api/me", "/api/nope"] {
        let response = app.get(path).await;
        let headers = response.headers();
        assert_eq!(headers.get_one("Cache-Control"), Some("no-store"), "{path}");
        assert_eq!(
            headers.get_one("X-Content-Type-Options"),
            Some("nosniff"),
            "{path}"
        );
        assert!(
            headers.get_one("X-Frame-Options").is_some()
                || headers
                    .get_one("Content-Security-Policy")
                    .is_some_and(|csp| csp.contains("frame-ancestors")),
            "{path}: no frame protection"
        );
    }
}

/// `/api/users/<id>` (Rocket) → `/users/{id}` (OpenAPI, relative to `/api`).
fn openapi_path(rocket_path: &str) -> String {
    let relative = rocket_path.strip_prefix("/api").unwrap_or(rocket_path);
    let segments: Vec<String> = relative
        .split('/')
        .map(
            |segment| match segment.strip_prefix('<').and_then(|s| s.strip_suffix('>')) {
                Some(name) => format!("{{{}}}", name.trim_end_matches("..")),
                None => segment.to_owned(),
            },
        )
        .collect();
    normalize(&segments.join("/"))
}

fn normalize(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        "/".to_owned()
    } else {
        trimmed.to_owned()
    }
}

#[rocket::async_test]
async fn every_api_route_is_in_the_openapi_document() {
    let app = spawn_app().await;
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), Status::Ok);
    let spec: Value = response.into_json().await.expect("json");
    assert!(
        spec["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.")),
        "not OpenAPI 3"
    );
    assert_eq!(spec["servers"][0]["url"], "/api");
    let paths = spec["paths"].as_object().expect("paths");
    let documented: BTreeSet<(String, String)> = paths
        .iter()
        .flat_map(|(path, item)| {
            let path = normalize(path);
            item.as_object()
                .into_iter()
                .flat_map(|ops| ops.keys().cloned())
                .map(move |method| (method.to_lowercase(), path.clone()))
        })
        .collect();

    let mut checked = 0;
    let mut missing = Vec::new();
    for route in app.client.rocket().routes() {
        let path = route.uri.path();
        if !(path == "/api" || path.starts_with("/api/")) || path == "/api/openapi.json" {
            continue;
        }
        let method = route.method.as_str().to_lowercase();
        checked += 1;
        if !documented.contains(&(method.clone(), openapi_path(path))) {
            missing.push(format!("{} {path}", route.method));
        }
    }
    assert!(
        missing.is_empty(),
        "routes missing from /api/openapi.json: {missing:?}\ndocumented: {documented:?}"
    );
    // Every endpoint of the API tables (auth 3, me 6, users 6) was looked at.
    assert!(checked >= 15, "only {checked} /api routes found");
    for (method, path) in [
        ("post", "/auth/signup"),
        ("post", "/auth/login"),
        ("post", "/auth/logout"),
        ("get", "/me"),
        ("patch", "/me"),
        ("put", "/me/password"),
        ("get", "/me/sessions"),
        ("delete", "/me/sessions/{id}"),
        ("get", "/users"),
        ("post", "/users"),
        ("get", "/users/{id}"),
        ("patch", "/users/{id}"),
        ("delete", "/users/{id}"),
    ] {
        assert!(
            documented.contains(&(method.to_owned(), path.to_owned())),
            "{method} {path} undocumented"
        );
    }
}

#[rocket::async_test]
async fn openapi_documents_the_cookie_scheme_and_problem_responses() {
    let app = spawn_app().await;
    let (status, spec) = app.get_json("/api/openapi.json").await;
    assert_eq!(status, Status::Ok);
    let schemes = spec["components"]["securitySchemes"]
        .as_object()
        .expect("securitySchemes");
    let cookie = schemes
        .values()
        .find(|scheme| scheme["type"] == "apiKey" && scheme["in"] == "cookie")
        .unwrap_or_else(|| panic!("no cookie scheme in {schemes:?}"));
    assert!(
        cookie["name"]
            .as_str()
            .is_some_and(|n| n.contains("portero_session")),
        "{cookie}"
    );
    // Every operation behind the cookie documents its 401 as a problem.
    let mut secured = 0;
    let mut undocumented = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            if operation["security"].as_array().is_none_or(Vec::is_empty) {
                continue;
            }
            secured += 1;
            if operation["responses"]["401"]["content"]
                .get("application/problem+json")
                .is_none()
            {
                undocumented.push(format!("{method} {path}"));
            }
        }
    }
    assert!(
        secured >= 12,
        "only {secured} operations declare the cookie scheme"
    );
    assert!(
        undocumented.is_empty(),
        "401 problem not documented for {undocumented:?}"
    );
    let signup = &spec["paths"]["/auth/signup"]["post"];
    assert!(
        signup["requestBody"]["content"]["application/json"].is_object(),
        "{signup}"
    );
    for code in ["201", "409", "422"] {
        assert!(
            signup["responses"][code].is_object(),
            "signup does not document {code}: {signup}"
        );
    }
}

#[rocket::async_test]
async fn one_cookie_for_api_and_pages_api_login_opens_account_page() {
    let app = spawn_app().await;
    app.login_user("elsa").await;
    let response = app.get("/account").await;
    assert_eq!(
        response.status(),
        Status::Ok,
        "the API session does not open /account"
    );
    let html = response.into_string().await.unwrap_or_default();
    assert!(
        html.contains("elsa"),
        "the account page does not show the user"
    );
}

#[rocket::async_test]
async fn one_cookie_for_api_and_pages_page_login_opens_api_me() {
    let app = spawn_app().await;
    app.create_user("finn", Role::User).await;
    let (status, location) = app.page_login("finn", PASSWORD, None).await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(location.as_deref(), Some("/account"));
    let (status, me) = app.get_json("/api/me").await;
    assert_eq!(status, Status::Ok, "{me}");
    assert_eq!(me["username"], "finn");
}
