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

/// `(path, the parameter a 422 must name)` for values that do not parse.
const BAD_QUERIES: &[(&str, &str)] = &[
    ("/api/users?page=abc", "page"),
    ("/api/users?page=99999999999999999999", "page"),
    ("/api/users?page=0", "page"),
    ("/api/users?per_page=101", "per_page"),
    ("/api/users?per_page=", "per_page"),
    ("/api/users?sort=bogus", "sort"),
    ("/api/users?role=superuser", "role"),
    ("/api/users?active=maybe", "active"),
    ("/api/users?page=1&page=2", "page"),
    ("/api/sales?from=2026-13-45", "from"),
    ("/api/sales?to=yesterday", "to"),
    ("/api/sales?from=9999-12-31T23:59:59-23:59", "from"),
    ("/api/sales?user_id=me", "user_id"),
    ("/api/sales?page=1.5", "page"),
    ("/api/products?include_inactive=2", "include_inactive"),
    ("/api/products?per_page=-1", "per_page"),
    ("/api/me/sessions?per_page=abc", "per_page"),
    ("/api/me/tokens?page=x", "page"),
];

#[rocket::async_test]
async fn query_values_that_do_not_parse_are_422_naming_the_parameter() {
    let app = spawn_app().await;
    let (admin, id) = admin_browser(&app, "quinn").await;
    let tokens = format!("/api/users/{id}/tokens?page=two");
    for (path, field) in BAD_QUERIES
        .iter()
        .copied()
        .chain([(tokens.as_str(), "page")])
    {
        let response = admin.get(path).await;
        let problem = expect_problem(response, Status::UnprocessableEntity).await;
        assert_eq!(error_fields(&problem), [field], "{path}: {problem}");
    }

    // Every bad parameter at once, in the order of the route.
    let (status, problem) = admin
        .get_json("/api/users?page=abc&sort=bogus&role=superuser&active=1")
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(
        error_fields(&problem),
        ["role", "active", "sort", "page"],
        "{problem}"
    );
    let sort = problem["errors"][2]["message"].as_str().unwrap_or_default();
    assert!(sort.contains("last_login_desc"), "{sort}");

    // Good values still work.
    for path in [
        "/api/users?role=admin&active=true&sort=email_desc&page=1&per_page=5&q=qu",
        "/api/sales?from=2026-01-01&to=2026-02-01T00:00:00Z&user_id=1",
        "/api/products?include_inactive=false&q=&per_page=100",
        "/api/me/sessions?page=1",
    ] {
        let (status, body) = admin.get_json(path).await;
        assert_eq!(status, Status::Ok, "{path}: {body}");
    }
    let (_, users) = admin
        .get_json("/api/users?role=admin&active=true&q=quinn")
        .await;
    assert_eq!(users["total"], serde_json::json!(1), "{users}");
}

#[rocket::async_test]
async fn a_body_must_be_an_object_and_every_bad_field_is_named() {
    let app = spawn_app().await;
    // An array is refused where an object is expected, even one that
    // serde would read as the fields in order.
    let response = app
        .client
        .post("/api/auth/login")
        .header(ContentType::JSON)
        .body(r#"["someone", "a password that is long"]"#)
        .dispatch()
        .await;
    let problem = expect_problem(response, Status::UnprocessableEntity).await;
    assert_eq!(error_fields(&problem), ["body"], "{problem}");

    let (status, problem) = app
        .post_json("/api/auth/signup", &serde_json::json!({}))
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    let mut fields = error_fields(&problem);
    fields.sort();
    assert_eq!(
        fields,
        ["email", "first_name", "last_name", "password", "username"],
        "{problem}"
    );
    assert!(
        problem["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .all(|e| e["message"] == "This field is required."),
        "{problem}"
    );

    let (status, problem) = app
        .post_json(
            "/api/auth/signup",
            &serde_json::json!({
                "username": 7,
                "email": "x@example.com",
                "password": ["secret"],
                "first_name": "A",
                "nickname": "Al",
            }),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    let mut fields = error_fields(&problem);
    fields.sort();
    assert_eq!(
        fields,
        ["last_name", "nickname", "password", "username"],
        "{problem}"
    );
    assert!(!problem.to_string().contains("secret"), "{problem}");

    // Nested members are named with the index the client sent.
    app.login_user("rosa").await;
    let (status, problem) = app
        .post_json(
            "/api/sales",
            &serde_json::json!({ "items": [
                { "product_id": 1, "quantity": 1 },
                { "product_id": "one", "quantity": 1 },
                { "product_id": 2 },
            ]}),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(
        error_fields(&problem),
        ["items[1].product_id", "items[2].quantity"],
        "{problem}"
    );
}

fn operations(spec: &serde_json::Value) -> Vec<(String, &serde_json::Value)> {
    let mut found = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            found.push((format!("{} {path}", method.to_uppercase()), operation));
        }
    }
    found
}

#[rocket::async_test]
async fn the_openapi_document_is_complete_and_readable() {
    let app = spawn_app().await;
    let (status, spec) = app.get_json("/api/openapi.json").await;
    assert_eq!(status, Status::Ok);

    for (name, operation) in operations(&spec) {
        let summary = operation["summary"].as_str().unwrap_or_default();
        let description = operation["description"].as_str().unwrap_or_default();
        assert!(!summary.is_empty() && !description.is_empty(), "{name}");
        assert!(summary.len() <= description.len(), "{name}");
    }

    let schemas = spec["components"]["schemas"].as_object().expect("schemas");
    for name in schemas.keys() {
        assert!(
            !name.contains("_for_") && !name.ends_with("View"),
            "generated schema name {name}"
        );
    }
    assert!(schemas.contains_key("UserPage"), "{:?}", schemas.keys());

    // Limits come from the domain types.
    let signup = &schemas["SignupRequest"]["properties"];
    let username = signup["username"]["pattern"].as_str().unwrap_or_default();
    assert!(username.contains("[A-Za-z0-9_.-]{3,32}"), "{username}");
    assert_eq!(signup["password"]["minLength"], 8);
    assert_eq!(signup["password"]["maxLength"], 128);
    assert_eq!(signup["first_name"]["maxLength"], 64);
    assert_eq!(signup["email"]["maxLength"], 254);
    let product = &schemas["NewProduct"];
    assert_eq!(
        product["required"],
        serde_json::json!(["name", "price_cents", "sku", "stock"])
    );
    assert_eq!(
        product["properties"]["price_cents"]["maximum"],
        100_000_000.0
    );
    let line = &schemas["OrderLineBody"]["properties"]["quantity"];
    assert_eq!(
        (line["minimum"].as_f64(), line["maximum"].as_f64()),
        (Some(1.0), Some(1000.0))
    );
    assert_eq!(schemas["OrderBody"]["properties"]["items"]["maxItems"], 100);

    // Query parameters: typed, optional, with the configured limits.
    let list_users = &spec["paths"]["/users"]["get"]["parameters"];
    let parameter = |name: &str| {
        list_users
            .as_array()
            .expect("parameters")
            .iter()
            .find(|p| p["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no parameter {name}"))
    };
    let per_page = parameter("per_page");
    assert_ne!(per_page["required"], true, "{per_page}");
    assert_eq!(per_page["schema"]["maximum"], 100.0);
    assert_eq!(per_page["schema"]["minimum"], 1.0);
    assert!(per_page["schema"].get("nullable").is_none(), "{per_page}");
    assert_eq!(
        parameter("role")["schema"]["enum"],
        serde_json::json!(["user", "admin"])
    );
    assert!(
        parameter("sort")["schema"]["enum"]
            .as_array()
            .is_some_and(|values| values.len() == 8)
    );

    // Cookie, bearer and the OAuth2 password flow.
    let schemes = spec["components"]["securitySchemes"]
        .as_object()
        .expect("security schemes");
    assert_eq!(schemes.len(), 3, "{schemes:?}");
    let flow = schemes
        .values()
        .find(|s| s["type"] == "oauth2")
        .expect("an OAuth2 scheme");
    assert_eq!(flow["flows"]["password"]["tokenUrl"], "/api/auth/token");
}

#[rocket::async_test]
async fn the_docs_pages_ask_for_nothing_missing_or_foreign() {
    let app = spawn_app().await;
    for path in ["/docs/favicon-32x32.png", "/docs/favicon-16x16.png"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), Status::Ok, "{path}");
        assert_eq!(response.content_type(), Some(ContentType::PNG), "{path}");
        let bytes = response.into_bytes().await.unwrap_or_default();
        assert!(bytes.starts_with(b"\x89PNG"), "{path}");
    }
    assert_eq!(
        app.get("/docs/favicon-64x64.png").await.status(),
        Status::NotFound
    );
    let bundle = app
        .get("/static/redoc/redoc.standalone.js")
        .await
        .into_string()
        .await
        .unwrap_or_default();
    assert!(!bundle.contains("cdn.redoc.ly"));
    assert!(bundle.contains("/static/redoc/logo-mini.svg"));
    let logo = app.get("/static/redoc/logo-mini.svg").await;
    assert_eq!(logo.status(), Status::Ok);
}

/// Methods Rocket does not know never reach its router (Rocket answers 400
/// before routing), so this takes a real server and a raw request.
#[rocket::async_test]
async fn an_unknown_method_at_a_known_path_is_405_with_allow() {
    use crate::platform::{Server, free_port, http};
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let env = [
        ("ROCKET_ADDRESS", "127.0.0.1".to_owned()),
        ("ROCKET_PORT", port.to_string()),
        (
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("methods.db").display()),
        ),
        ("ROCKET_SECRET_KEY", SECRET_KEY.to_owned()),
    ];
    let server = Server::start(dir.path(), &env, "127.0.0.1", port);
    for (method, path, allow) in [
        ("QUERY", "/api/me", "DELETE, GET, HEAD, PATCH"),
        ("PROPFIND", "/api/users/7", "DELETE, GET, HEAD, PATCH"),
        ("QUERY", "/api/auth/token", "POST"),
    ] {
        let (status, headers, body) =
            http("127.0.0.1", port, method, path, &[], None).expect("an answer");
        assert_eq!(status, 405, "{method} {path}: {body}\n{}", server.log());
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(header("allow"), Some(allow), "{method} {path}");
        assert!(
            header("content-type").is_some_and(|t| t.starts_with("application/problem+json")),
            "{headers:?}"
        );
    }
    let (status, _, _) =
        http("127.0.0.1", port, "QUERY", "/api/nothing", &[], None).expect("an answer");
    assert_eq!(status, 400);
}

#[rocket::async_test]
async fn an_id_that_is_not_a_number_is_422_naming_it() {
    let app = spawn_app().await;
    let (admin, id) = admin_browser(&app, "pia").await;
    for (method, path, field) in [
        (Method::Delete, "/api/me/sessions/abc".to_owned(), "id"),
        (
            Method::Get,
            "/api/users/9223372036854775808".to_owned(),
            "id",
        ),
        (
            Method::Delete,
            format!("/api/users/{id}/tokens/x"),
            "token_id",
        ),
    ] {
        let response = admin.client.req(method, path.clone()).dispatch().await;
        let problem = expect_problem(response, Status::UnprocessableEntity).await;
        assert_eq!(
            error_fields(&problem),
            [field],
            "{method} {path}: {problem}"
        );
        assert!(
            !problem["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("body"),
            "{problem}"
        );
    }
}

/// Schemathesis (all checks) sent `"time_zone": ""` to `PATCH /api/me`,
/// which the document admitted as any string (or `null`) and the server
/// refused: the document now lists the names the server takes, and `null`
/// is refused like every other optional member that cannot be cleared.
#[rocket::async_test]
async fn the_time_zone_schema_lists_exactly_the_accepted_names() {
    let app = spawn_app().await;
    let (_, spec) = app.get_json("/api/openapi.json").await;
    let zone = &spec["components"]["schemas"]["ProfilePatch"]["properties"]["time_zone"];
    assert!(zone.get("nullable").is_none(), "{zone}");
    let listed: Vec<&str> = zone["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("no enum: {zone}"))
        .iter()
        .filter_map(serde_json::Value::as_str)
        .collect();
    let choices: Vec<&str> = portero::domain::time_zone::choices()
        .iter()
        .map(String::as_str)
        .collect();
    assert_eq!(listed, choices);
    assert!(!listed.contains(&""));

    app.signup_api("tz_schema").await;
    for name in [
        listed[0],
        listed[listed.len() / 2],
        listed[listed.len() - 1],
    ] {
        let (status, me) = app
            .patch_json("/api/me", &serde_json::json!({ "time_zone": name }))
            .await;
        assert_eq!(status, Status::Ok, "{name}: {me}");
        assert_eq!(me["time_zone"], name);
    }
    for refused in [serde_json::json!(""), serde_json::Value::Null] {
        let (status, problem) = app
            .patch_json("/api/me", &serde_json::json!({ "time_zone": refused }))
            .await;
        assert_eq!(status, Status::UnprocessableEntity, "{refused}: {problem}");
        assert_eq!(error_fields(&problem), ["time_zone"], "{refused}");
    }
}
