//! Every page form is checked for its CSRF token before its handler runs:
//! the route table is walked, so a new POST page cannot escape the check.

use portero::db::AppPool;
use portero::domain::Role;
use rocket::http::{ContentType, Method, Status};
use serde_json::{Value, json};

use crate::helpers::*;

/// Everything a forged form could change, read back through the API and
/// the row counts of the tables no list shows in full.
async fn fingerprint(admin: &TestApp) -> Value {
    let mut counts = Vec::new();
    for table in [
        "users",
        "sessions",
        "products",
        "sales",
        "audit_events",
        "login_failures",
        "mail_outbox",
        "link_tokens",
    ] {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let count = match admin.pool() {
            AppPool::Sqlite(pool) => sqlx::query_scalar::<_, i64>(&sql).fetch_one(pool).await,
            AppPool::Postgres(pool) => sqlx::query_scalar::<_, i64>(&sql).fetch_one(pool).await,
        }
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
        counts.push(json!([table, count]));
    }
    let users = admin.get_json("/api/users?per_page=100").await.1;
    let products = admin
        .get_json("/api/products?include_inactive=true&per_page=100")
        .await
        .1;
    json!({ "counts": counts, "users": users["items"], "products": products["items"] })
}

/// The page POST routes, as mounted.
fn page_post_routes(app: &TestApp) -> Vec<String> {
    let mut paths: Vec<String> = app
        .client
        .rocket()
        .routes()
        .filter(|route| route.method == Method::Post)
        .map(|route| route.uri.path().to_string())
        .filter(|path| !path.starts_with("/api"))
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

/// Real ids for a route's dynamic segments, so each request reaches its handler.
struct Targets {
    user: i64,
    user_session: i64,
    own_session: i64,
    product: i64,
}

fn concrete(path: &str, targets: &Targets) -> String {
    let segments: Vec<String> = path
        .split('/')
        .map(|segment| match segment {
            "<id>" if path.starts_with("/admin/users/") => targets.user.to_string(),
            "<id>" if path.starts_with("/admin/products/") => targets.product.to_string(),
            "<id>" if path.starts_with("/account/sessions/") => targets.own_session.to_string(),
            // Any message: the token is checked before the id is looked up.
            "<id>" if path.starts_with("/admin/mail/") => "1".to_owned(),
            "<session_id>" => targets.user_session.to_string(),
            // No token needs to exist: the form is refused before any lookup.
            "<id>" if path.starts_with("/account/tokens/") => "1".to_owned(),
            "<token_id>" => "1".to_owned(),
            "<product_id>" => targets.product.to_string(),
            dynamic if dynamic.starts_with('<') => {
                panic!("no test value for {dynamic} in {path}: extend `concrete`")
            }
            fixed => fixed.to_owned(),
        })
        .collect();
    segments.join("/")
}

async fn session_ids(browser: &TestApp) -> Vec<i64> {
    let (status, body) = browser.get_json("/api/me/sessions").await;
    assert_eq!(status, Status::Ok, "{body}");
    body["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|s| s["id"].as_i64()).collect())
        .unwrap_or_default()
}

/// Bodies no page form may act on: no token, an empty one, a forged one,
/// and each of those beside fields that do not parse (which used to be
/// answered 422 before the token was looked at).
const FORGED_BODIES: &[&str] = &[
    "",
    "first_name=Forged&email=forged%40example.com&role=user&name=Forged&price=1&stock=1&qty%5B1%5D=1&login=ada&password=x",
    "csrf_token=&first_name=Forged",
    "csrf_token=forged-token-value&first_name=Forged",
    "is_active=maybe&email_verified=perhaps&qty%5Bnot-a-number%5D=1",
    "csrf_token=forged&is_active=maybe",
];

#[rocket::async_test]
async fn every_page_post_route_refuses_a_form_without_its_token() {
    let app = spawn_app().await;
    app.login_admin("ada").await;
    // The admin's second session, a user with a session, a product: each
    // route's ids point at something its handler would change.
    let second = app.other_browser().await;
    second.login_as("ada").await;
    let user = app.create_user("bob", Role::User).await;
    let bob = app.other_browser().await;
    bob.login_as("bob").await;
    let (status, product) = app
        .post_json(
            "/api/products",
            &json!({ "sku": "P-1", "name": "Pear", "price_cents": 250, "stock": 5 }),
        )
        .await;
    assert_eq!(status, Status::Created, "{product}");
    let own_sessions = session_ids(&app).await;
    let targets = Targets {
        user,
        user_session: session_ids(&bob).await[0],
        own_session: *own_sessions.iter().max().expect("a session"),
        product: product["id"].as_i64().expect("product id"),
    };

    let routes = page_post_routes(&app);
    assert!(
        routes.len() >= 14,
        "the route table lost page forms: {routes:?}"
    );
    let before = fingerprint(&app).await;
    for route in &routes {
        let path = concrete(route, &targets);
        for body in FORGED_BODIES {
            let response = app
                .client
                .post(path.clone())
                .header(ContentType::Form)
                .body(*body)
                .dispatch()
                .await;
            assert_eq!(
                response.status(),
                Status::Forbidden,
                "POST {path} with {body:?}"
            );
            let html = response.into_string().await.unwrap_or_default();
            assert!(
                html.contains("The form expired or came from another site"),
                "POST {path} with {body:?} did not explain the refusal: {html}"
            );
        }
        // A body that is not a form at all carries no token either.
        let response = app
            .client
            .post(path.clone())
            .header(ContentType::JSON)
            .body(r#"{"first_name":"Forged"}"#)
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::Forbidden, "JSON to {path}");
    }
    assert_eq!(
        fingerprint(&app).await,
        before,
        "a forged form changed data"
    );
    assert_eq!(
        app.me_status().await,
        Status::Ok,
        "the admin was logged out"
    );
    assert_eq!(bob.me_status().await, Status::Ok, "bob was logged out");
    assert_eq!(second.me_status().await, Status::Ok);
}

#[rocket::async_test]
async fn a_form_with_its_token_but_bad_fields_is_still_422() {
    let app = spawn_app().await;
    app.login_admin("dora").await;
    let user = app.create_user("eve", Role::User).await;
    let token = app.page_csrf(&format!("/admin/users/{user}")).await;
    let response = app
        .post_form(
            &format!("/admin/users/{user}"),
            &[("csrf_token", &token), ("is_active", "maybe")],
        )
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let (_, eve) = app.get_json(&format!("/api/users/{user}")).await;
    assert_eq!(eve["is_active"], true, "{eve}");
}

/// A multipart body (which a cross-site form can send too) with the given
/// text fields and one file part.
fn multipart(fields: &[(&str, &str)]) -> (ContentType, String) {
    const BOUNDARY: &str = "portero-test-boundary";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"attachment\"; \
         filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nforged\r\n--{BOUNDARY}--\r\n"
    ));
    let content_type =
        ContentType::new("multipart", "form-data").with_params(("boundary", BOUNDARY));
    (content_type, body)
}

#[rocket::async_test]
async fn a_multipart_form_is_checked_the_same_way() {
    let app = spawn_app().await;
    app.login_user("fay").await;
    let token = app.page_csrf("/account").await;
    for (path, fields) in [
        ("/logout", vec![("csrf_token", "forged")]),
        ("/account", vec![("first_name", "Forged")]),
    ] {
        let (content_type, body) = multipart(&fields);
        let response = app
            .client
            .post(path)
            .header(content_type)
            .body(body)
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::Forbidden, "{path}");
    }
    let (_, me) = app.get_json("/api/me").await;
    assert_eq!(me["first_name"], "Test");

    // With the token, the same kind of body is an ordinary form.
    let (content_type, body) = multipart(&[("csrf_token", &token)]);
    let response = app
        .client
        .post("/logout")
        .header(content_type)
        .body(body)
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(app.me_status().await, Status::Unauthorized);
}
