//! Injection (ASVS V5.2, V5.3): SQL metacharacters, LIKE wildcards and
//! Unicode in every text field and search parameter are stored and returned
//! byte for byte and match only literally; Tera escapes every user-controlled
//! value on every page that shows it.

use portero::domain::Role;
use rocket::http::{ContentType, Header, Status};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, error_fields, spawn_app, urlencode};

/// Hostile or unusual text. All but the last are valid names, addresses,
/// product names and descriptions.
const PAYLOADS: &[&str] = &[
    "' OR 1=1 --",
    "\"; DROP TABLE users; --",
    "%",
    "_",
    "\\",
    "😀",
    "Ñandú",
    "<script>alert(1)</script>",
    "Robert'); DELETE FROM sessions;--",
    "x%_\\%y",
    "\u{202e}txt.exe",
    "a\u{0}b",
];

const XSS: &str = "<script>alert(1)</script>";

fn is_valid_text(payload: &str) -> bool {
    !payload.chars().any(char::is_control)
}

/// What Tera's autoescape makes of `text`.
fn tera_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            '/' => out.push_str("&#x2F;"),
            c => out.push(c),
        }
    }
    out
}

/// The number in a list page's `<p role="status">N …</p>`.
fn status_total(html: &str) -> Option<i64> {
    let marker = "<p role=\"status\">";
    let start = html.find(marker)? + marker.len();
    let digits: String = html[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

async fn page(app: &TestApp, path: &str) -> String {
    let response = app.get(path).await;
    let status = response.status();
    let html = response.into_string().await.unwrap_or_default();
    assert_eq!(status, Status::Ok, "{path}");
    html
}

#[rocket::async_test]
async fn profile_fields_round_trip_byte_for_byte() {
    let app = spawn_app().await;
    let id = app.login_user("roundtrip").await;
    let admin = app.other_browser().await;
    admin.login_admin("rtadmin").await;
    let mut last_valid = json!("Test");
    for payload in PAYLOADS {
        let body = json!({ "first_name": payload, "last_name": payload, "address": payload });
        let (status, user) = app.patch_json("/api/me", &body).await;
        if !is_valid_text(payload) {
            assert_eq!(status, Status::UnprocessableEntity, "{payload:?}: {user}");
            let mut fields = error_fields(&user);
            fields.sort();
            assert_eq!(fields, ["address", "first_name", "last_name"], "{user}");
            let (_, me) = app.get_json("/api/me").await;
            assert_eq!(me["first_name"], last_valid, "a refused value was stored");
            continue;
        }
        assert_eq!(status, Status::Ok, "{payload:?}: {user}");
        for field in ["first_name", "last_name", "address"] {
            assert_eq!(user[field], json!(payload), "PATCH answer, {field}");
        }
        let (_, me) = app.get_json("/api/me").await;
        let (_, seen) = admin.get_json(&format!("/api/users/{id}")).await;
        for field in ["first_name", "last_name", "address"] {
            assert_eq!(me[field], json!(payload), "GET /api/me, {field}");
            assert_eq!(seen[field], json!(payload), "admin GET, {field}");
        }
        // The edit form shows exactly the stored value, escaped.
        let html = page(&app, "/account").await;
        assert!(
            html.contains(&format!("value=\"{}\"", tera_escape(payload))),
            "/account does not echo {payload:?} exactly"
        );
        last_valid = json!(payload);
    }

    // A phone number only takes digits and separators: the rest is 422.
    for payload in PAYLOADS {
        let (status, body) = app
            .patch_json("/api/me", &json!({ "phone": payload }))
            .await;
        assert_eq!(status, Status::UnprocessableEntity, "{payload:?}: {body}");
        assert_eq!(error_fields(&body), ["phone"]);
    }
    for phone in ["+34 (600) 123-456", "555.123.4567"] {
        let (status, body) = app.patch_json("/api/me", &json!({ "phone": phone })).await;
        assert_eq!(status, Status::Ok, "{body}");
        assert_eq!(body["phone"], phone);
    }
}

#[rocket::async_test]
async fn sign_up_and_forms_store_the_payloads_unchanged() {
    let app = spawn_app().await;
    for (i, payload) in PAYLOADS.iter().enumerate() {
        let client = app.other_browser().await;
        let body = json!({
            "username": format!("inj{i}"),
            "email": format!("inj{i}@example.com"),
            "password": PASSWORD,
            "first_name": payload,
            "last_name": payload,
            "address": payload,
        });
        let (status, user) = client.post_json("/api/auth/signup", &body).await;
        if is_valid_text(payload) {
            assert_eq!(status, Status::Created, "{payload:?}: {user}");
            assert_eq!(user["first_name"], json!(payload));
            assert_eq!(user["address"], json!(payload));
        } else {
            assert_eq!(status, Status::UnprocessableEntity, "{payload:?}: {user}");
        }
    }

    // The profile form.
    let id = app.login_user("formjack").await;
    let token = app.page_csrf("/account").await;
    for payload in PAYLOADS {
        let response = app
            .post_form(
                "/account",
                &[
                    ("email", "formjack@example.com"),
                    ("first_name", payload),
                    ("last_name", payload),
                    ("address", payload),
                    ("phone", ""),
                    ("csrf_token", token.as_str()),
                ],
            )
            .await;
        let status = response.status();
        if is_valid_text(payload) {
            assert_eq!(status, Status::SeeOther, "{payload:?}");
            let (_, me) = app.get_json("/api/me").await;
            assert_eq!(me["id"], id);
            assert_eq!(me["first_name"], json!(payload));
            assert_eq!(me["address"], json!(payload));
        } else {
            assert_eq!(status, Status::UnprocessableEntity, "{payload:?}");
        }
    }
}

#[rocket::async_test]
async fn product_fields_round_trip_byte_for_byte() {
    let app = spawn_app().await;
    app.login_admin("catalogadmin").await;
    let anonymous = app.other_browser().await;
    for (i, payload) in PAYLOADS.iter().enumerate() {
        let body = json!({
            "sku": format!("INJ-{i}"),
            "name": payload,
            "description": payload,
            "price_cents": 100,
            "stock": 3,
        });
        let (status, product) = app.post_json("/api/products", &body).await;
        if !is_valid_text(payload) {
            assert_eq!(
                status,
                Status::UnprocessableEntity,
                "{payload:?}: {product}"
            );
            let mut fields = error_fields(&product);
            fields.sort();
            assert_eq!(fields, ["description", "name"], "{product}");
            continue;
        }
        assert_eq!(status, Status::Created, "{payload:?}: {product}");
        let id = product["id"].as_i64().expect("id");
        let (_, seen) = anonymous.get_json(&format!("/api/products/{id}")).await;
        assert_eq!(seen["name"], json!(payload));
        assert_eq!(seen["description"], json!(payload));
        let (status, patched) = app
            .patch_json(
                &format!("/api/products/{id}"),
                &json!({ "name": format!("{payload}{payload}") }),
            )
            .await;
        assert_eq!(status, Status::Ok, "{patched}");
        assert_eq!(patched["name"], json!(format!("{payload}{payload}")));
        assert_eq!(patched["description"], json!(payload));
    }
    // A SKU is letters, digits, '-', '_' and '.': a payload is either such a
    // SKU (stored upper-case) or a 422, never anything else.
    for (i, payload) in PAYLOADS.iter().enumerate() {
        let body = json!({ "sku": payload, "name": format!("Sku test {i}"), "price_cents": 1, "stock": 1 });
        let (status, product) = app.post_json("/api/products", &body).await;
        if status == Status::Created {
            assert_eq!(product["sku"], json!(payload.trim().to_uppercase()));
        } else {
            assert_eq!(
                status,
                Status::UnprocessableEntity,
                "{payload:?}: {product}"
            );
            assert_eq!(error_fields(&product), ["sku"]);
        }
    }
}

/// The ids in a list response.
fn ids(list: &Value) -> Vec<i64> {
    list["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|i| i["id"].as_i64()).collect())
        .unwrap_or_default()
}

#[rocket::async_test]
async fn user_search_matches_only_the_literal_text() {
    let app = spawn_app().await;
    let admin_id = app.login_admin("searchadmin").await;
    let mut others = vec![admin_id];
    for name in ["alice", "bob", "carol"] {
        others.push(app.create_user(name, Role::User).await);
    }
    let target = app.create_user("target", Role::User).await;
    let mut failures = Vec::new();
    for payload in PAYLOADS {
        let q = urlencode(payload);
        let api = format!("/api/users?q={q}");
        let html_path = format!("/admin/users?q={q}");
        let (status, before) = app.get_json(&api).await;
        if !is_valid_text(payload) {
            if status.code >= 500 {
                failures.push(format!("{api}: {status}"));
            }
            let status = app.get(&html_path).await.status();
            if status.code >= 500 {
                failures.push(format!("{html_path}: {status}"));
            }
            continue;
        }
        // Nobody's name starts with the payload yet: nothing matches.
        if status != Status::Ok || before["total"] != 0 {
            failures.push(format!("before: {api} -> {status} {}", before["total"]));
        }
        let html = page(&app, &html_path).await;
        if status_total(&html) != Some(0) {
            failures.push(format!("before: {html_path} -> {:?}", status_total(&html)));
        }
        let (status, body) = app
            .patch_json(
                &format!("/api/users/{target}"),
                &json!({ "first_name": payload }),
            )
            .await;
        assert_eq!(status, Status::Ok, "{body}");
        // Now exactly the target matches, under its exact spelling.
        let (status, after) = app.get_json(&api).await;
        if status != Status::Ok || ids(&after) != [target] {
            failures.push(format!("after: {api} -> {status} ids {:?}", ids(&after)));
        }
        let html = page(&app, &html_path).await;
        if status_total(&html) != Some(1) || !html.contains(&format!("/admin/users/{target}\"")) {
            failures.push(format!("after: {html_path} -> {:?}", status_total(&html)));
        }
        for other in &others {
            if html.contains(&format!("/admin/users/{other}\"")) {
                failures.push(format!("{html_path} lists user {other}"));
            }
        }
        // The search box shows the search as typed.
        if !html.contains(&format!("value=\"{}\"", tera_escape(payload.trim()))) {
            failures.push(format!("{html_path} does not echo the search exactly"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[rocket::async_test]
async fn product_search_matches_only_the_literal_text() {
    let app = spawn_app().await;
    app.login_admin("productsearch").await;
    let anonymous = app.other_browser().await;
    for (sku, name) in [("ALPHA-1", "Alpha tea"), ("BETA-1", "Beta mug")] {
        let (status, body) = app
            .post_json(
                "/api/products",
                &json!({ "sku": sku, "name": name, "price_cents": 100, "stock": 5 }),
            )
            .await;
        assert_eq!(status, Status::Created, "{body}");
    }
    let (_, target) = app
        .post_json(
            "/api/products",
            &json!({ "sku": "TGT-1", "name": "Target", "price_cents": 100, "stock": 5 }),
        )
        .await;
    let target = target["id"].as_i64().expect("target id");
    let mut failures = Vec::new();
    for payload in PAYLOADS {
        let q = urlencode(payload);
        let paths = [
            format!("/api/products?q={q}"),
            format!("/products?q={q}"),
            format!("/admin/products?q={q}"),
        ];
        if !is_valid_text(payload) {
            for path in &paths {
                let status = app.get(path).await.status();
                if status.code >= 500 {
                    failures.push(format!("{path}: {status}"));
                }
            }
            continue;
        }
        let count = |expected: i64| {
            let (app, anonymous, paths) = (&app, &anonymous, &paths);
            async move {
                let mut wrong = Vec::new();
                let (status, list) = anonymous.get_json(&paths[0]).await;
                let want: Vec<i64> = if expected == 1 { vec![target] } else { vec![] };
                if status != Status::Ok || ids(&list) != want {
                    wrong.push(format!("{} -> {status} {:?}", paths[0], ids(&list)));
                }
                for path in &paths[1..] {
                    let response = app.get(path).await;
                    let status = response.status();
                    let html = response.into_string().await.unwrap_or_default();
                    if status != Status::Ok || status_total(&html) != Some(expected) {
                        wrong.push(format!("{path} -> {status} {:?}", status_total(&html)));
                    }
                }
                wrong
            }
        };
        for wrong in count(0).await {
            failures.push(format!("before: {wrong}"));
        }
        let (status, body) = app
            .patch_json(
                &format!("/api/products/{target}"),
                &json!({ "name": payload }),
            )
            .await;
        assert_eq!(status, Status::Ok, "{body}");
        for wrong in count(1).await {
            failures.push(format!("after: {wrong}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[rocket::async_test]
async fn audit_and_sales_filters_match_only_the_literal_text() {
    let app = spawn_app().await;
    app.login_admin("filteradmin").await;
    let buyer = app.other_browser().await;
    buyer.login_user("buyer").await;
    let (_, product) = app
        .post_json(
            "/api/products",
            &json!({ "sku": "FLT-1", "name": "Filter", "price_cents": 100, "stock": 5 }),
        )
        .await;
    let (status, sale) = buyer
        .post_json(
            "/api/sales",
            &json!({ "items": [{ "product_id": product["id"], "quantity": 1 }] }),
        )
        .await;
    assert_eq!(status, Status::Created, "{sale}");

    // The filters work at all.
    let html = page(&app, "/admin/audit?actor=buyer").await;
    assert!(status_total(&html).is_some_and(|n| n >= 1), "actor=buyer");
    let html = page(&app, "/admin/sales?user=buyer").await;
    assert_eq!(status_total(&html), Some(1), "user=buyer");

    let mut failures = Vec::new();
    for payload in PAYLOADS {
        let q = urlencode(payload);
        for (path, key) in [
            (format!("/admin/audit?actor={q}"), "actor"),
            (format!("/admin/sales?user={q}"), "user"),
        ] {
            let response = app.get(&path).await;
            let status = response.status();
            let html = response.into_string().await.unwrap_or_default();
            if !is_valid_text(payload) {
                if status.code >= 500 {
                    failures.push(format!("{path}: {status}"));
                }
                continue;
            }
            if status != Status::Ok || status_total(&html) != Some(0) {
                failures.push(format!("{path} -> {status} {:?}", status_total(&html)));
            }
            let shown = tera_escape(&payload.trim().to_lowercase());
            if !html.contains(&format!("name=\"{key}\" value=\"{shown}\"")) {
                failures.push(format!("{path} does not echo the filter exactly"));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[rocket::async_test]
async fn logins_with_hostile_text_are_plain_failures() {
    let app = spawn_app().await;
    app.create_user("victim", Role::User).await;
    let mut failures = Vec::new();
    for payload in PAYLOADS {
        // One failure per payload on the account: keep clear of its lockout.
        app.clock.advance(901);
        for (login, password) in [
            (*payload, "whatever"),
            ("victim", *payload),
            (&*format!("victim{payload}"), PASSWORD),
            (&*format!("{payload}@example.com"), PASSWORD),
        ] {
            let (status, body) = app.login_api(login, password).await;
            if status != Status::Unauthorized {
                failures.push(format!("login {login:?} / {password:?}: {status} {body}"));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    // The account itself is intact and still reachable.
    app.clock.advance(901);
    app.login_as("victim").await;
}

/// Every page that shows a user-controlled value shows it as text.
#[rocket::async_test]
async fn autoescape_holds_on_every_page() {
    let app = spawn_app().await;
    let admin = app.other_browser().await;
    admin.login_admin("escadmin").await;

    // A user whose name, address and browser are script tags.
    let response = app
        .client
        .post("/api/auth/signup")
        .header(ContentType::JSON)
        .header(Header::new("User-Agent", XSS))
        .body(
            json!({
                "username": "mallory",
                "email": "mallory@example.com",
                "password": PASSWORD,
                "first_name": XSS,
                "last_name": XSS,
                "address": XSS,
            })
            .to_string(),
        )
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Created);
    let mallory: Value = response.into_json().await.expect("user");
    let mallory_id = mallory["id"].as_i64().expect("id");
    assert_eq!(
        mallory["first_name"], XSS,
        "the API must return the raw value"
    );

    // A product named and described as a script tag, bought by that user.
    let (status, product) = admin
        .post_json(
            "/api/products",
            &json!({ "sku": "XSS-1", "name": XSS, "description": XSS, "price_cents": 100, "stock": 9 }),
        )
        .await;
    assert_eq!(status, Status::Created, "{product}");
    let product_id = product["id"].as_i64().expect("product id");
    let (status, sale) = app
        .post_json(
            "/api/sales",
            &json!({ "items": [{ "product_id": product_id, "quantity": 1 }] }),
        )
        .await;
    assert_eq!(status, Status::Created, "{sale}");
    let sale_id = sale["id"].as_i64().expect("sale id");

    // A failed login whose name is a script tag lands in the audit log.
    let anonymous = app.other_browser().await;
    assert_eq!(
        anonymous.login_api(XSS, "whatever").await.0,
        Status::Unauthorized
    );

    let escaped = tera_escape(XSS);
    let q = urlencode(XSS);
    let mut failures = Vec::new();
    let mut check = |who: &str, path: &str, status: Status, html: &str| {
        if status != Status::Ok {
            failures.push(format!("{who} {path}: {status}"));
        }
        if html.to_ascii_lowercase().contains("<script") {
            failures.push(format!("{who} {path}: a raw <script> tag"));
        }
        if !html.contains(&escaped) {
            failures.push(format!("{who} {path}: the escaped value is missing"));
        }
    };
    let user_pages = [
        "/".to_owned(),
        "/account".to_owned(),
        "/account/sessions".to_owned(),
        "/products".to_owned(),
        format!("/products/{product_id}"),
        "/sales".to_owned(),
        format!("/sales/{sale_id}"),
        format!("/products?q={q}"),
    ];
    for path in &user_pages {
        let response = app.get(path).await;
        let status = response.status();
        let html = response.into_string().await.unwrap_or_default();
        check("mallory", path, status, &html);
    }
    let admin_pages = [
        "/admin".to_owned(),
        "/admin/users".to_owned(),
        format!("/admin/users/{mallory_id}"),
        format!("/admin/users/{mallory_id}/delete"),
        "/admin/audit".to_owned(),
        "/admin/sales".to_owned(),
        "/admin/products".to_owned(),
        format!("/admin/products/{product_id}"),
        format!("/sales/{sale_id}"),
        format!("/admin/users?q={q}"),
        format!("/admin/audit?actor={q}"),
        format!("/admin/sales?user={q}"),
        format!("/admin/products?q={q}"),
    ];
    for path in &admin_pages {
        let response = admin.get(path).await;
        let status = response.status();
        let html = response.into_string().await.unwrap_or_default();
        check("admin", path, status, &html);
    }
    for path in ["/products".to_owned(), format!("/products/{product_id}")] {
        let response = anonymous.get(&path).await;
        let status = response.status();
        let html = response.into_string().await.unwrap_or_default();
        check("anonymous", &path, status, &html);
    }
    // `<` cannot be in a URI reference, so such a `next` is not even echoed.
    let next = urlencode(&format!("/{XSS}"));
    let response = anonymous.get(&format!("/login?next={next}")).await;
    assert_eq!(response.status(), Status::Ok);
    let html = response.into_string().await.unwrap_or_default();
    assert!(!html.to_ascii_lowercase().contains("<script"), "{html}");
    assert!(!html.contains(&escaped), "an invalid next was kept: {html}");

    // Forms re-rendered with errors echo the input escaped.
    let token = anonymous.page_csrf("/signup").await;
    let response = anonymous
        .post_form(
            "/signup",
            &[
                ("username", XSS),
                ("email", XSS),
                ("first_name", XSS),
                ("last_name", XSS),
                ("password", "short"),
                ("password_confirm", "short"),
                ("csrf_token", token.as_str()),
            ],
        )
        .await;
    let status = response.status();
    let html = response.into_string().await.unwrap_or_default();
    check("anonymous", "POST /signup", Status::Ok, &html);
    assert_eq!(status, Status::UnprocessableEntity);
    let token = anonymous.page_csrf("/login").await;
    let response = anonymous
        .post_form(
            "/login",
            &[
                ("login", XSS),
                ("password", "x"),
                ("next", &format!("/{XSS}")),
                ("csrf_token", token.as_str()),
            ],
        )
        .await;
    let html = response.into_string().await.unwrap_or_default();
    check("anonymous", "POST /login", Status::Ok, &html);
    let token = app.page_csrf("/account").await;
    let response = app
        .post_form(
            "/account",
            &[
                ("email", XSS),
                ("first_name", XSS),
                ("last_name", XSS),
                ("address", XSS),
                ("phone", XSS),
                ("csrf_token", token.as_str()),
            ],
        )
        .await;
    let html = response.into_string().await.unwrap_or_default();
    check("mallory", "POST /account", Status::Ok, &html);

    assert!(failures.is_empty(), "{failures:#?}");
}
