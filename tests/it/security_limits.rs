//! Input limits (ASVS V5.1.4, V13.1.3, V13.2.5): body sizes, field lengths,
//! page sizes and depths, search length, JSON depth. Every rejection is a
//! clear 4xx (a problem document under `/api`, a page elsewhere), never a 500.

use portero::domain::Role;
use rocket::figment::providers::Serialized;
use rocket::http::{ContentType, Method, Status};
use rocket::local::asynchronous::LocalResponse;
use serde_json::{Value, json};

use crate::helpers::{
    NEW_PASSWORD, PASSWORD, TestApp, assert_problem_body, error_fields, expect_problem, spawn_app,
    spawn_app_with,
};

const KIB: usize = 1024;

async fn send_raw<'a>(
    app: &'a TestApp,
    method: Method,
    path: &str,
    body: String,
) -> LocalResponse<'a> {
    app.client
        .req(method, path.to_owned())
        .header(ContentType::JSON)
        .body(body)
        .dispatch()
        .await
}

/// Asserts a 4xx problem document and returns its status and body.
async fn expect_client_problem(what: &str, response: LocalResponse<'_>) -> (Status, Value) {
    let status = response.status();
    assert!(
        (400..500).contains(&status.code),
        "{what}: expected a 4xx, got {status}"
    );
    let content_type = response
        .content_type()
        .map(|ct| ct.to_string())
        .unwrap_or_default();
    assert!(
        content_type.starts_with("application/problem+json"),
        "{what}: {status} with content type {content_type:?}"
    );
    let text = response.into_string().await.unwrap_or_default();
    let body: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{what}: problem body is not JSON ({e}): {text}"));
    assert_problem_body(&body, status);
    (status, body)
}

fn signup_body(overrides: Value) -> Value {
    let mut body = json!({
        "username": "limits",
        "email": "limits@example.com",
        "password": PASSWORD,
        "first_name": "Lim",
        "last_name": "Its",
    });
    if let (Some(body), Some(more)) = (body.as_object_mut(), overrides.as_object()) {
        for (key, value) in more {
            body.insert(key.clone(), value.clone());
        }
    }
    body
}

#[rocket::async_test]
async fn a_json_body_over_64_kib_is_413_problem() {
    let app = spawn_app().await;
    let big = signup_body(json!({ "first_name": "x".repeat(65 * KIB) })).to_string();
    let response = send_raw(&app, Method::Post, "/api/auth/signup", big).await;
    let body = expect_problem(response, Status::PayloadTooLarge).await;
    assert!(
        body["detail"].as_str().is_some_and(|d| d.contains("limit")),
        "{body}"
    );

    // Logged in, on every JSON write.
    app.login_admin("bigadmin").await;
    let filler = "y".repeat(70 * KIB);
    for (method, path, body) in [
        (Method::Patch, "/api/me", json!({ "address": filler })),
        (
            Method::Put,
            "/api/me/password",
            json!({ "current_password": PASSWORD, "new_password": filler }),
        ),
        (
            Method::Post,
            "/api/users",
            signup_body(json!({ "address": filler })),
        ),
        (Method::Patch, "/api/users/1", json!({ "address": filler })),
        (
            Method::Post,
            "/api/products",
            json!({ "description": filler }),
        ),
        (
            Method::Patch,
            "/api/products/1",
            json!({ "description": filler }),
        ),
        (
            Method::Post,
            "/api/sales",
            json!({ "items": vec![json!({ "product_id": 1, "quantity": 1 }); 6000] }),
        ),
        (
            Method::Post,
            "/api/auth/login",
            json!({ "login": filler, "password": "x" }),
        ),
    ] {
        let response = send_raw(&app, method, path, body.to_string()).await;
        let what = format!("{method} {path}");
        let (status, _) = expect_client_problem(&what, response).await;
        assert_eq!(status, Status::PayloadTooLarge, "{what}");
    }
    // Still logged in: none of that reached a handler.
    assert_eq!(app.me_status().await, Status::Ok);

    // Just under the limit the body is read and the field is refused.
    let near = signup_body(json!({ "first_name": "x".repeat(60 * KIB) })).to_string();
    let anonymous = app.other_browser().await;
    let response = send_raw(&anonymous, Method::Post, "/api/auth/signup", near).await;
    let body = expect_problem(response, Status::UnprocessableEntity).await;
    assert_eq!(error_fields(&body), ["first_name"]);
}

#[rocket::async_test]
async fn a_form_body_over_64_kib_is_a_413_page() {
    let app = spawn_app().await;
    let token = app.page_csrf("/login").await;
    let huge = "a".repeat(70 * KIB);
    for path in ["/login", "/signup"] {
        let response = app
            .post_form(
                path,
                &[
                    ("login", huge.as_str()),
                    ("username", huge.as_str()),
                    ("password", "x"),
                    ("csrf_token", token.as_str()),
                ],
            )
            .await;
        assert_eq!(response.status(), Status::PayloadTooLarge, "{path}");
        assert_eq!(response.content_type(), Some(ContentType::HTML), "{path}");
        let html = response.into_string().await.unwrap_or_default();
        assert!(html.contains("too large"), "{path}: no clear message");
    }

    app.login_user("formuser").await;
    let token = app.page_csrf("/account").await;
    for path in ["/account", "/account/password", "/sales", "/logout"] {
        let response = app
            .post_form(
                path,
                &[("address", huge.as_str()), ("csrf_token", token.as_str())],
            )
            .await;
        assert_eq!(response.status(), Status::PayloadTooLarge, "{path}");
    }
    assert_eq!(app.me_status().await, Status::Ok, "a huge form logged out");

    // Just under the limit the form is read and the field is refused.
    let near = "b".repeat(60 * KIB);
    let response = app
        .post_form(
            "/account",
            &[
                ("email", "formuser@example.com"),
                ("first_name", near.as_str()),
                ("last_name", "User"),
                ("csrf_token", token.as_str()),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
}

#[rocket::async_test]
async fn per_page_and_page_depth_are_capped() {
    let app = spawn_app().await;
    app.login_admin("pager").await;
    for list in [
        "/api/users",
        "/api/products",
        "/api/sales",
        "/api/me/sessions",
    ] {
        for (query, field) in [
            ("per_page=101", "per_page"),
            ("per_page=0", "per_page"),
            ("per_page=-5", "per_page"),
            ("per_page=100000000000", "per_page"),
            ("page=0", "page"),
            ("page=-1", "page"),
            ("page=10001", "page"),
            ("page=9223372036854775807", "page"),
        ] {
            let path = format!("{list}?{query}");
            let body = expect_problem(app.get(&path).await, Status::UnprocessableEntity).await;
            assert!(
                error_fields(&body).contains(&field.to_owned()),
                "{path}: {body}"
            );
        }
        for query in [
            "per_page=100",
            "per_page=1",
            "page=10000",
            "page=1&per_page=100",
        ] {
            let path = format!("{list}?{query}");
            let (status, body) = app.get_json(&path).await;
            assert_eq!(status, Status::Ok, "{path}: {body}");
            assert!(
                body["per_page"].as_i64().is_some_and(|n| n <= 100),
                "{body}"
            );
        }
        // Numbers that do not parse are not a server error.
        for query in ["page=abc", "per_page=1.5", "page=99999999999999999999999"] {
            let path = format!("{list}?{query}");
            let status = app.get(&path).await.status();
            assert!(status.code < 500, "{path}: {status}");
        }
    }
    // Pages clamp rather than fail.
    for path in [
        "/admin/users?page=10001",
        "/admin/users?per_page=100000",
        "/admin/audit?page=9223372036854775807",
        "/products?page=9223372036854775807",
        "/admin/products?page=-3",
        "/admin/sales?page=0",
        "/sales?page=99999",
    ] {
        let status = app.get(path).await.status();
        assert_eq!(status, Status::Ok, "{path}");
    }
}

#[rocket::async_test]
async fn the_caps_are_configurable() {
    let app = spawn_app_with(|figment| {
        figment
            .merge(Serialized::default("max_page", 5))
            .merge(Serialized::default("max_per_page", 10))
    })
    .await;
    app.login_admin("capper").await;
    let body = expect_problem(
        app.get("/api/users?page=6&per_page=10").await,
        Status::UnprocessableEntity,
    )
    .await;
    assert_eq!(error_fields(&body), ["page"]);
    let body = expect_problem(
        app.get("/api/products?per_page=11").await,
        Status::UnprocessableEntity,
    )
    .await;
    assert_eq!(error_fields(&body), ["per_page"]);
    assert_eq!(
        app.get_json("/api/users?page=5&per_page=10").await.0,
        Status::Ok
    );
    // The lists' default page size (20) is above this cap: a list asked for
    // without `per_page` must still answer, with at most the cap.
    for path in [
        "/api/users",
        "/api/products",
        "/api/sales",
        "/api/me/sessions",
    ] {
        let (status, body) = app.get_json(path).await;
        assert_eq!(status, Status::Ok, "{path} without per_page: {body}");
        assert!(body["per_page"].as_i64().is_some_and(|n| n <= 10), "{body}");
    }
    for path in [
        "/products",
        "/sales",
        "/admin/users",
        "/admin/products",
        "/admin/sales",
        "/admin/audit",
    ] {
        assert_eq!(app.get(path).await.status(), Status::Ok, "{path}");
    }
}

#[rocket::async_test]
async fn an_over_long_search_is_422() {
    let app = spawn_app().await;
    app.login_admin("searcher").await;
    for (list, max) in [("/api/users", 254), ("/api/products", 120)] {
        for text in ["q".repeat(max + 1), "é".repeat(max + 1), "q".repeat(10_000)] {
            let path = format!("{list}?q={}", crate::helpers::urlencode(&text));
            let body = expect_problem(app.get(&path).await, Status::UnprocessableEntity).await;
            assert_eq!(error_fields(&body), ["q"], "{list}");
        }
        for text in ["q".repeat(max), "é".repeat(max)] {
            let path = format!("{list}?q={}", crate::helpers::urlencode(&text));
            let (status, body) = app.get_json(&path).await;
            assert_eq!(status, Status::Ok, "{list}: {body}");
            assert_eq!(body["total"], 0, "{list}: {body}");
        }
    }
    // Pages cut an over-long search instead of failing.
    let long = crate::helpers::urlencode(&"z".repeat(10_000));
    for page in ["/admin/users", "/products", "/admin/products"] {
        let path = format!("{page}?q={long}");
        assert_eq!(app.get(&path).await.status(), Status::Ok, "{page}");
    }
    for (page, key) in [("/admin/audit", "actor"), ("/admin/sales", "user")] {
        let path = format!("{page}?{key}={long}");
        assert_eq!(app.get(&path).await.status(), Status::Ok, "{page}");
    }
}

fn nested_arrays(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

fn nested_objects(depth: usize) -> String {
    format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth))
}

#[rocket::async_test]
async fn deeply_nested_json_is_a_4xx_problem() {
    let app = spawn_app().await;
    app.login_admin("nester").await;
    let anonymous = app.other_browser().await;
    for depth in [100, 1_000, 10_000] {
        for nested in [nested_arrays(depth), nested_objects(depth)] {
            let bodies = [
                (
                    Method::Post,
                    "/api/auth/signup",
                    format!("{{\"username\":{nested}}}"),
                ),
                (
                    Method::Post,
                    "/api/auth/login",
                    format!("{{\"login\":{nested},\"password\":\"x\"}}"),
                ),
                (Method::Post, "/api/auth/login", nested.clone()),
                (
                    Method::Patch,
                    "/api/me",
                    format!("{{\"first_name\":{nested}}}"),
                ),
                (Method::Post, "/api/users", format!("{{\"role\":{nested}}}")),
                (
                    Method::Post,
                    "/api/products",
                    format!("{{\"name\":{nested}}}"),
                ),
                (
                    Method::Post,
                    "/api/sales",
                    format!("{{\"items\":{nested}}}"),
                ),
            ];
            for (method, path, body) in bodies {
                let client = if path.starts_with("/api/auth") {
                    &anonymous
                } else {
                    &app
                };
                let response = send_raw(client, method, path, body).await;
                expect_client_problem(&format!("{method} {path} depth {depth}"), response).await;
            }
        }
    }
    assert_eq!(app.me_status().await, Status::Ok);
}

#[rocket::async_test]
async fn over_long_fields_are_422_never_500() {
    let app = spawn_app().await;
    let long = "x".repeat(10_000);
    let long_email = format!("{}@example.com", "e".repeat(10_000));
    for (field, value) in [
        ("username", json!(long)),
        ("password", json!(long)),
        ("email", json!(long_email)),
        ("first_name", json!(long)),
        ("last_name", json!(long)),
        ("address", json!(long)),
        ("phone", json!("1".repeat(10_000))),
    ] {
        let body = signup_body(json!({ field: value }));
        let response = send_raw(&app, Method::Post, "/api/auth/signup", body.to_string()).await;
        let problem = expect_problem(response, Status::UnprocessableEntity).await;
        assert_eq!(error_fields(&problem), [field], "{problem}");
    }
    // Logins of any length are just wrong.
    for (login, password) in [
        (long.as_str(), "x"),
        ("someone", long.as_str()),
        (long.as_str(), long.as_str()),
    ] {
        let (status, body) = app.login_api(login, password).await;
        assert_eq!(status, Status::Unauthorized, "{body}");
    }

    app.create_user("longer", Role::User).await;
    app.login_as("longer").await;
    for (field, value) in [
        ("first_name", json!(long)),
        ("last_name", json!(long)),
        ("address", json!(long)),
        ("email", json!(long_email)),
        ("phone", json!(long)),
    ] {
        let (status, body) = app.patch_json("/api/me", &json!({ field: value })).await;
        assert_eq!(status, Status::UnprocessableEntity, "{field}: {body}");
        assert_eq!(error_fields(&body), [field], "{body}");
    }
    for (current, new, field) in [
        (PASSWORD, long.as_str(), "new_password"),
        (long.as_str(), NEW_PASSWORD, "current_password"),
    ] {
        let (status, body) = app
            .put_json(
                "/api/me/password",
                &json!({ "current_password": current, "new_password": new }),
            )
            .await;
        assert_eq!(status, Status::UnprocessableEntity, "{body}");
        assert_eq!(error_fields(&body), [field], "{body}");
    }
    // Forms too.
    let token = app.page_csrf("/account").await;
    let response = app
        .post_form(
            "/account",
            &[
                ("email", "longer@example.com"),
                ("first_name", long.as_str()),
                ("last_name", "User"),
                ("csrf_token", token.as_str()),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let response = app
        .post_form(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", long.as_str()),
                ("new_password_confirm", long.as_str()),
                ("csrf_token", token.as_str()),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);

    let anonymous = app.other_browser().await;
    let token = anonymous.page_csrf("/signup").await;
    let response = anonymous
        .post_form(
            "/signup",
            &[
                ("username", long.as_str()),
                ("email", "ok@example.com"),
                ("first_name", "A"),
                ("last_name", "B"),
                ("password", long.as_str()),
                ("password_confirm", long.as_str()),
                ("csrf_token", token.as_str()),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let response = anonymous
        .post_form(
            "/login",
            &[
                ("login", long.as_str()),
                ("password", long.as_str()),
                ("csrf_token", token.as_str()),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::Unauthorized);
}

#[rocket::async_test]
async fn over_long_product_fields_and_orders_are_422() {
    let app = spawn_app().await;
    app.login_admin("shopkeeper").await;
    let long = "x".repeat(10_000);
    let base = json!({ "sku": "LIM-1", "name": "Lim", "price_cents": 100, "stock": 5 });
    for (field, value) in [
        ("sku", json!(long)),
        ("name", json!(long)),
        ("description", json!(long)),
        ("price_cents", json!(i64::MAX)),
        ("price_cents", json!(-1)),
        ("stock", json!(i64::MIN)),
    ] {
        let mut body = base.clone();
        body[field] = value;
        let (status, problem) = app.post_json("/api/products", &body).await;
        assert_eq!(status, Status::UnprocessableEntity, "{field}: {problem}");
        assert_eq!(error_fields(&problem), [field], "{problem}");
    }
    // Numbers beyond i64 or of the wrong kind are refused by the parser.
    for value in [
        json!(1e300),
        json!(18_446_744_073_709_551_615u64),
        json!("12"),
    ] {
        let mut body = base.clone();
        body["price_cents"] = value;
        let response = send_raw(&app, Method::Post, "/api/products", body.to_string()).await;
        expect_client_problem("odd price", response).await;
    }

    let (status, product) = app.post_json("/api/products", &base).await;
    assert_eq!(status, Status::Created, "{product}");
    let id = product["id"].as_i64().expect("product id");
    let too_many: Vec<Value> = (0..101)
        .map(|i| json!({ "product_id": id + i, "quantity": 1 }))
        .collect();
    for (body, field) in [
        (json!({ "items": too_many }), "items"),
        (json!({ "items": [] }), "items"),
        (
            json!({ "items": [{ "product_id": id, "quantity": i64::MAX }] }),
            "items[0].quantity",
        ),
        (
            json!({ "items": [{ "product_id": i64::MIN, "quantity": 1 }] }),
            "items[0].product_id",
        ),
        (
            json!({ "items": [{ "product_id": id, "quantity": 600 }, { "product_id": id, "quantity": 600 }] }),
            "items[0].quantity",
        ),
    ] {
        let (status, problem) = app.post_json("/api/sales", &body).await;
        assert_eq!(status, Status::UnprocessableEntity, "{problem}");
        assert!(
            error_fields(&problem).contains(&field.to_owned()),
            "{field}: {problem}"
        );
    }
}

#[rocket::async_test]
async fn methods_without_a_route_are_refused() {
    let app = spawn_app().await;
    app.login_admin("methodical").await;
    for (method, path) in [
        (Method::Trace, "/"),
        (Method::Put, "/"),
        (Method::Delete, "/account"),
        (Method::Patch, "/login"),
        (Method::Connect, "/api/me"),
        (Method::Trace, "/api/users"),
        (Method::Put, "/api/users/1"),
        (Method::Post, "/api/me"),
    ] {
        let response = app.client.req(method, path).dispatch().await;
        let status = response.status();
        assert!(
            (400..500).contains(&status.code),
            "{method} {path}: {status}"
        );
        if path.starts_with("/api") {
            expect_client_problem(&format!("{method} {path}"), response).await;
        }
    }
    assert_eq!(app.me_status().await, Status::Ok);
}
