//! The admin console (issue 5): access to every `/admin` path, the user list
//! (search, filters, sorting, pages), editing with CSRF and validation, the
//! last-admin rule, session revocation, deletion with confirmation, and the
//! audit log.

use std::net::SocketAddr;

use portero::domain::Role;
use rocket::http::{ContentType, Status};
use serde_json::{Value, json};

use crate::helpers::*;

fn query_value(href: &str, key: &str) -> Option<String> {
    query_pairs(href)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// The admin edit form for `user` (an API user object), as the page would send it.
fn edit_fields(user: &Value, token: &str) -> Vec<(String, String)> {
    let text = |key: &str| user[key].as_str().unwrap_or_default().to_owned();
    let mut fields = vec![
        ("email".to_owned(), text("email")),
        ("first_name".to_owned(), text("first_name")),
        ("last_name".to_owned(), text("last_name")),
        ("address".to_owned(), text("address")),
        ("phone".to_owned(), text("phone")),
        ("role".to_owned(), text("role")),
        ("csrf_token".to_owned(), token.to_owned()),
    ];
    if user["is_active"] == json!(true) {
        fields.push(("is_active".to_owned(), "true".to_owned()));
    }
    if !user["email_verified_at"].is_null() {
        fields.push(("email_verified".to_owned(), "true".to_owned()));
    }
    fields
}

fn with(fields: &[(String, String)], key: &str, value: Option<&str>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = fields.iter().filter(|(k, _)| k != key).cloned().collect();
    if let Some(value) = value {
        out.push((key.to_owned(), value.to_owned()));
    }
    out
}

/// A JSON POST from the address `ip`.
fn send<'c>(
    client: &'c TestApp,
    path: &str,
    body: Value,
    ip: &str,
) -> rocket::local::asynchronous::LocalRequest<'c> {
    client
        .client
        .post(path.to_owned())
        .remote(remote(ip))
        .header(ContentType::JSON)
        .body(body.to_string())
}

fn remote(ip: &str) -> SocketAddr {
    format!("{ip}:41000").parse().expect("socket address")
}

// ---------------------------------------------------------------------------
// Access to every admin path.

#[rocket::async_test]
async fn every_admin_path_anonymous_redirect_user_403_admin_200() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;
    let target = new_user(&app, "target", Role::User).await;
    let product = new_product(&admin, "ACC-1", "Access mug", 500, 3).await;
    let paths = [
        "/admin".to_owned(),
        "/admin/users".to_owned(),
        format!("/admin/users/{target}"),
        format!("/admin/users/{target}/delete"),
        "/admin/audit".to_owned(),
        "/admin/products".to_owned(),
        "/admin/products/new".to_owned(),
        format!("/admin/products/{product}"),
        "/admin/sales".to_owned(),
        "/admin/users?q=ta&sort=email_desc&page=1".to_owned(),
    ];

    // Anonymous: to the login page, coming back here afterwards.
    for path in &paths {
        let response = app.get(path).await;
        assert_eq!(response.status(), Status::SeeOther, "anonymous {path}");
        let to = location(&response).unwrap_or_default();
        let next = to
            .strip_prefix("/login?next=")
            .unwrap_or_else(|| panic!("anonymous {path} -> {to}"));
        assert_eq!(percent_decode(next), *path, "anonymous {path} -> {to}");
    }

    // A plain user: the friendly 403 page.
    let user = app.other_browser().await;
    sign_in(&user, "plain", Role::User).await;
    for path in &paths {
        let response = user.get(path).await;
        assert_eq!(response.status(), Status::Forbidden, "user {path}");
        assert_eq!(response.content_type(), Some(ContentType::HTML), "{path}");
        let page = response.into_string().await.unwrap_or_default();
        assert!(page.contains("403"), "user {path}: not the friendly page");
    }

    // The administrator: every page renders.
    for path in &paths {
        let response = admin.get(path).await;
        assert_eq!(response.status(), Status::Ok, "admin {path}");
        assert_eq!(response.content_type(), Some(ContentType::HTML), "{path}");
    }
}

#[rocket::async_test]
async fn admin_forms_refuse_users_and_anonymous_visitors() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;
    let target = new_user(&app, "target", Role::User).await;
    let product = new_product(&admin, "FRM-1", "Form mug", 500, 3).await;
    let user = app.other_browser().await;
    sign_in(&user, "plain", Role::User).await;
    let token = user.page_csrf("/account").await;
    let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            format!("/admin/users/{target}"),
            vec![
                ("email", "t@example.com"),
                ("first_name", "T"),
                ("last_name", "T"),
                ("role", "admin"),
                ("is_active", "true"),
            ],
        ),
        (format!("/admin/users/{target}/delete"), vec![]),
        (format!("/admin/users/{target}/sessions/revoke-all"), vec![]),
        (
            "/admin/products/new".to_owned(),
            vec![
                ("sku", "EVIL-1"),
                ("name", "Evil"),
                ("price", "1"),
                ("stock", "1"),
            ],
        ),
        (
            format!("/admin/products/{product}"),
            vec![
                ("sku", "FRM-1"),
                ("name", "Renamed"),
                ("price", "0"),
                ("stock", "999"),
            ],
        ),
        (format!("/admin/products/{product}/delete"), vec![]),
    ];
    for (path, fields) in &posts {
        let mut fields = fields.clone();
        fields.push(("csrf_token", token.as_str()));
        let response = user.post_form(path, &fields).await;
        assert_eq!(response.status(), Status::Forbidden, "user POST {path}");
        let response = app.post_form(path, &fields).await;
        assert_eq!(response.status(), Status::SeeOther, "anonymous POST {path}");
        let to = location(&response).unwrap_or_default();
        assert!(to.starts_with("/login"), "anonymous POST {path} -> {to}");
    }
    // Nothing changed.
    let target_user = api_user(&admin, target).await;
    assert_eq!(target_user["role"], "user");
    let (_, product) = admin.get_json(&format!("/api/products/{product}")).await;
    assert_eq!(product["name"], "Form mug");
    assert_eq!(product["stock"], 3);
    let (_, list) = admin.get_json("/api/products?include_inactive=true").await;
    assert_eq!(list["total"], 1, "{list}");
}

// ---------------------------------------------------------------------------
// The user list.

/// The search fixture: who matches `ann` and why, in creation order.
struct Fixture {
    admin: TestApp,
}

async fn search_fixture(app: &TestApp) -> Fixture {
    person(app, "root", "root@example.com", "Rhea", "Root", Role::Admin).await;
    let admin = app.other_browser().await;
    admin.login_as("root").await;
    let mut ids = std::collections::HashMap::new();
    // (username, email, first name, last name); created one second apart in
    // this order, which is neither alphabetical nor by e-mail.
    let people: [(&'static str, &str, &str, &str); 9] = [
        ("edgar", "edgar@example.com", "Annette", "Wu"), // first name
        ("carl", "annual.carl@example.com", "Carl", "Jones"), // e-mail
        ("annabel", "annabel@example.com", "Annabel", "Lee"), // username
        ("dana", "dana@example.com", "Dana", "Annan"),   // last name
        ("anne", "a.smith@example.com", "Anne", "Smith"), // username, first name
        // No "ann" anywhere (substring search is tested in shop_search.rs).
        ("joel", "joel@example.com", "Jo", "Anderson"),
        ("bob", "bob@example.org", "Bob", "Hale"),
        ("hilda", "hilda@example.com", "Hilda", "Brown"),
        ("zed", "zed@example.com", "Zed", "Zulu"),
    ];
    for (username, email, first, last) in people {
        app.clock.advance(1);
        let id = person(app, username, email, first, last, Role::User).await;
        ids.insert(username, id);
    }
    for n in 1..=23 {
        app.clock.advance(1);
        let name = format!("fill{n:02}");
        person(
            app,
            &name,
            &format!("{name}@example.com"),
            "Pat",
            "Quinn",
            Role::User,
        )
        .await;
    }
    // Role, status and verification, through the API.
    for (name, patch) in [
        ("anne", json!({ "role": "admin" })),
        ("bob", json!({ "is_active": false })),
        ("dana", json!({ "is_active": false })),
        ("annabel", json!({ "email_verified": true })),
        ("carl", json!({ "email_verified": true })),
    ] {
        let (status, body) = admin
            .patch_json(&format!("/api/users/{}", ids[name]), &patch)
            .await;
        assert_eq!(status, Status::Ok, "{name}: {body}");
    }
    // Logins at different times: carl, then anne, then edgar.
    let scratch = app.other_browser().await;
    for name in ["carl", "anne", "edgar"] {
        app.clock.advance(120);
        scratch.login_as(name).await;
    }
    Fixture { admin }
}

const ANN: [&str; 5] = ["annabel", "anne", "carl", "dana", "edgar"];

#[rocket::async_test]
async fn user_list_page_searches_filters_and_sorts() {
    let app = spawn_app().await;
    let Fixture { admin, .. } = search_fixture(&app).await;

    // q: found anywhere in username, e-mail, first or last name, in any case.
    for q in ["ann", "ANN", "Ann"] {
        let (status, page) = html(&admin, &format!("/admin/users?q={q}")).await;
        assert_eq!(status, Status::Ok);
        assert_eq!(first_column(&page), ANN, "q={q}");
        assert_eq!(status_count(&page), 5, "q={q}: {}", status_line(&page));
        // The search box keeps the query.
        assert!(page.contains(&format!("value=\"{q}\"")), "q={q} not echoed");
    }
    let (_, page) = html(&admin, "/admin/users?q=nobody-like-this").await;
    assert_eq!(status_count(&page), 0);
    assert!(first_column(&page).is_empty());
    // LIKE wildcards in q are literal.
    let (_, page) = html(&admin, "/admin/users?q=%25").await;
    assert_eq!(
        status_count(&page),
        0,
        "q=% matched {:?}",
        first_column(&page)
    );
    let (_, page) = html(&admin, "/admin/users?q=_").await;
    assert_eq!(
        status_count(&page),
        0,
        "q=_ matched {:?}",
        first_column(&page)
    );

    // Filters, alone and with q.
    let cases: [(&str, &[&str]); 8] = [
        ("role=admin", &["anne", "root"]),
        ("q=ann&role=user", &["annabel", "carl", "dana", "edgar"]),
        ("active=false", &["bob", "dana"]),
        ("q=ann&active=true", &["annabel", "anne", "carl", "edgar"]),
        ("verified=true", &["annabel", "carl"]),
        ("q=ann&verified=false", &["anne", "dana", "edgar"]),
        ("q=ann&role=admin&active=true", &["anne"]),
        ("q=ann&active=false&verified=true", &[]),
    ];
    for (query, expected) in cases {
        let (status, page) = html(&admin, &format!("/admin/users?{query}")).await;
        assert_eq!(status, Status::Ok, "{query}");
        assert_eq!(first_column(&page), expected, "{query}");
        assert_eq!(status_count(&page), expected.len() as i64, "{query}");
    }

    // Sorting.
    let sorts: [(&str, [&str; 5]); 6] = [
        ("username", ["annabel", "anne", "carl", "dana", "edgar"]),
        (
            "username_desc",
            ["edgar", "dana", "carl", "anne", "annabel"],
        ),
        // a.smith@ < annabel@ < annual.carl@ < dana@ < edgar@
        ("email", ["anne", "annabel", "carl", "dana", "edgar"]),
        ("email_desc", ["edgar", "dana", "carl", "annabel", "anne"]),
        ("created", ["edgar", "carl", "annabel", "dana", "anne"]),
        ("created_desc", ["anne", "dana", "annabel", "carl", "edgar"]),
    ];
    for (sort, expected) in sorts {
        let (_, page) = html(&admin, &format!("/admin/users?q=ann&sort={sort}")).await;
        assert_eq!(first_column(&page), expected, "sort={sort}");
    }
}

#[rocket::async_test]
async fn user_list_sorts_by_last_login() {
    let app = spawn_app().await;
    let Fixture { admin, .. } = search_fixture(&app).await;
    let logged_in = ["carl", "anne", "edgar"]; // oldest login first
    let never = ["annabel", "dana"];

    for (via, path) in [
        ("page", "/admin/users?q=ann&sort=last_login_desc"),
        ("api", "/api/users?q=ann&sort=last_login_desc"),
    ] {
        let rows = if via == "page" {
            first_column(&html(&admin, path).await.1)
        } else {
            usernames(&admin.get_json(path).await.1)
        };
        assert_eq!(rows.len(), 5, "{via}: {rows:?}");
        // "Recent login first": the latest login heads the list and users
        // who never logged in come last.
        assert_eq!(
            rows[..3],
            ["edgar", "anne", "carl"],
            "{via} last_login_desc: {rows:?}"
        );
        assert!(
            never.iter().all(|n| rows[3..].contains(&n.to_string())),
            "{via}: {rows:?}"
        );
    }
    for (via, path) in [
        ("page", "/admin/users?q=ann&sort=last_login"),
        ("api", "/api/users?q=ann&sort=last_login"),
    ] {
        let rows = if via == "page" {
            first_column(&html(&admin, path).await.1)
        } else {
            usernames(&admin.get_json(path).await.1)
        };
        assert_eq!(rows.len(), 5, "{via}: {rows:?}");
        let order: Vec<&String> = rows
            .iter()
            .filter(|r| logged_in.contains(&r.as_str()))
            .collect();
        assert_eq!(order, logged_in, "{via} last_login: {rows:?}");
    }
}

#[rocket::async_test]
async fn user_list_page_paginates_with_links_that_keep_the_state() {
    let app = spawn_app().await;
    let Fixture { admin, .. } = search_fixture(&app).await;
    let all: Vec<String> = (1..=23).map(|n| format!("fill{n:02}")).collect();

    let mut seen = Vec::new();
    for page_number in 1..=5 {
        let path = format!("/admin/users?q=fill&sort=username&per_page=5&page={page_number}");
        let (status, page) = html(&admin, &path).await;
        assert_eq!(status, Status::Ok, "{path}");
        assert_eq!(status_count(&page), 23, "{path}");
        assert!(
            status_line(&page).contains(&format!("page {page_number} of 5")),
            "{path}: {}",
            status_line(&page)
        );
        let rows = first_column(&page);
        let expected = if page_number < 5 { 5 } else { 3 };
        assert_eq!(rows.len(), expected, "{path}: {rows:?}");
        seen.extend(rows);

        // Page links carry q, sort and per_page, and point at real pages.
        let links: Vec<String> = hrefs(&page)
            .into_iter()
            .filter(|h| h.starts_with('?') || h.starts_with("/admin/users?"))
            .filter(|h| query_value(h, "page").is_some())
            .collect();
        assert!(!links.is_empty(), "{path}: no page links");
        for link in &links {
            if query_value(link, "q").is_none() {
                continue; // column headers and the like are checked below
            }
            assert_eq!(query_value(link, "q").as_deref(), Some("fill"), "{link}");
            assert_eq!(
                query_value(link, "per_page").as_deref(),
                Some("5"),
                "{link}"
            );
            let p: i64 = query_value(link, "page")
                .and_then(|p| p.parse().ok())
                .unwrap_or(0);
            assert!((1..=5).contains(&p), "{link}");
        }
        let numbered: Vec<i64> = links
            .iter()
            .filter(|l| query_value(l, "sort").as_deref() == Some("username"))
            .filter_map(|l| query_value(l, "page").and_then(|p| p.parse().ok()))
            .collect();
        for other in 1..=5 {
            if other != page_number {
                assert!(
                    numbered.contains(&other),
                    "{path}: no link to page {other} in {numbered:?}"
                );
            }
        }
        assert!(
            page.contains(&format!(
                "<span class=\"current\" aria-current=\"page\"><span class=\"visually-hidden\">Page </span>{page_number}</span>"
            )),
            "{path}: current page not marked"
        );
        assert_eq!(page.contains("rel=\"next\""), page_number < 5, "{path}");
        assert_eq!(page.contains("rel=\"prev\""), page_number > 1, "{path}");
    }
    assert_eq!(seen, all, "pages overlap or skip users");

    // The column headers re-sort from page 1, keeping the filters.
    let (_, page) = html(
        &admin,
        "/admin/users?q=fill&sort=username&per_page=5&page=3",
    )
    .await;
    let email_header = hrefs(&page)
        .into_iter()
        .find(|h| query_value(h, "sort").as_deref() == Some("email"))
        .expect("a link sorting by e-mail");
    assert_eq!(query_value(&email_header, "q").as_deref(), Some("fill"));
    assert_eq!(query_value(&email_header, "page").as_deref(), Some("1"));
    let (_, page) = html(&admin, "/admin/users?q=fill&sort=username_desc&per_page=5").await;
    assert_eq!(
        first_column(&page),
        ["fill23", "fill22", "fill21", "fill20", "fill19"]
    );
    // A page past the end is empty but still counts everyone.
    let (status, page) = html(&admin, "/admin/users?q=fill&per_page=5&page=9").await;
    assert_eq!(status, Status::Ok);
    assert!(first_column(&page).is_empty());
    assert_eq!(status_count(&page), 23);
}

#[rocket::async_test]
async fn user_api_shares_the_search_sort_and_paging() {
    let app = spawn_app().await;
    let Fixture { admin, .. } = search_fixture(&app).await;

    let (status, list) = admin.get_json("/api/users?q=ANN").await;
    assert_eq!(status, Status::Ok, "{list}");
    assert_eq!(usernames(&list), ANN);
    assert_eq!(list["total"], 5);
    let (_, list) = admin.get_json("/api/users?q=ann&role=admin").await;
    assert_eq!(usernames(&list), ["anne"]);
    let (_, list) = admin.get_json("/api/users?q=ann&active=false").await;
    assert_eq!(usernames(&list), ["dana"]);
    for (sort, expected) in [
        ("email", ["anne", "annabel", "carl", "dana", "edgar"]),
        ("email_desc", ["edgar", "dana", "carl", "annabel", "anne"]),
        ("created", ["edgar", "carl", "annabel", "dana", "anne"]),
        ("created_desc", ["anne", "dana", "annabel", "carl", "edgar"]),
        (
            "username_desc",
            ["edgar", "dana", "carl", "anne", "annabel"],
        ),
    ] {
        let (_, list) = admin
            .get_json(&format!("/api/users?q=ann&sort={sort}"))
            .await;
        assert_eq!(usernames(&list), expected, "sort={sort}");
    }
    // Pages: disjoint, complete, with the total on each.
    let mut seen = Vec::new();
    for page in 1..=3 {
        let (status, list) = admin
            .get_json(&format!(
                "/api/users?q=fill&sort=created_desc&per_page=10&page={page}"
            ))
            .await;
        assert_eq!(status, Status::Ok, "{list}");
        assert_eq!(list["total"], 23);
        assert_eq!(list["page"], page);
        assert_eq!(list["per_page"], 10);
        seen.extend(usernames(&list));
    }
    let expected: Vec<String> = (1..=23).rev().map(|n| format!("fill{n:02}")).collect();
    assert_eq!(seen, expected);
}

/// An account the administrator has just created can log in at once, also
/// while other requests keep several pooled connections busy: every
/// connection of the pool must read the latest commit.
#[rocket::async_test]
async fn users_created_by_an_admin_can_log_in_at_once() {
    let app = spawn_app().await;
    new_user(&app, "root", Role::Admin).await;
    let mut failures = Vec::new();
    for n in 0..30 {
        app.login_as("root").await;
        let busy: Vec<_> = (0..8)
            .map(|_| app.client.get("/api/me").dispatch())
            .collect();
        rocket::futures::future::join_all(busy).await;
        let name = format!("new{n:02}");
        let (status, body) = app
            .post_json(
                "/api/users",
                &json!({
                    "username": name,
                    "email": format!("{name}@example.com"),
                    "password": PASSWORD,
                    "first_name": "New",
                    "last_name": "Comer",
                }),
            )
            .await;
        assert_eq!(status, Status::Created, "{body}");
        let (status, _) = app.login_api(&name, PASSWORD).await;
        if status != Status::Ok {
            failures.push(format!("{name}: login {status}"));
        }
    }
    assert!(
        failures.is_empty(),
        "just-created users could not log in: {failures:?}"
    );
}

/// A write that a service call has returned is visible to the very next
/// request, on any pooled connection (read-your-writes). On SQLite this
/// fails while single-row queries (`fetch_one`/`fetch_optional`, e.g. the
/// `INSERT … RETURNING` of `db::users::insert`) return before sqlx has
/// stepped their statement to the end and reset it: the row is committed a
/// moment later, so an immediate login finds no such user.
#[rocket::async_test]
async fn an_account_is_visible_to_the_next_request_at_once() {
    let app = spawn_app().await;
    let browser = app.other_browser().await;
    let mut failures = Vec::new();
    for n in 0..300 {
        let name = format!("fresh{n:03}");
        app.create_user(&name, Role::User).await;
        let (status, _) = browser.login_api(&name, PASSWORD).await;
        if status != Status::Ok {
            failures.push(format!("{name}: {status}"));
        }
    }
    assert!(
        failures.is_empty(),
        "logins right after the account was created failed: {failures:?}"
    );
}

// ---------------------------------------------------------------------------
// Editing a user.

#[rocket::async_test]
async fn admin_edits_a_user_with_csrf_and_validation() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;
    let id = person(
        &app,
        "frank",
        "frank@example.com",
        "Frank",
        "Ocean",
        Role::User,
    )
    .await;
    new_user(&app, "taken", Role::User).await;
    let path = format!("/admin/users/{id}");
    let before = api_user(&admin, id).await;
    let token = admin.page_csrf(&path).await;
    let fields = edit_fields(&before, &token);

    // Without or with a wrong CSRF token: 403, nothing saved.
    let changed = with(&fields, "first_name", Some("Francis"));
    for bad in [None, Some(""), Some("not-the-token")] {
        let (status, _, _) = post_fields(&admin, &path, &with(&changed, "csrf_token", bad)).await;
        assert_eq!(status, Status::Forbidden, "csrf {bad:?}");
    }
    assert_eq!(api_user(&admin, id).await["first_name"], "Frank");

    // Invalid values: the form again (422), values kept, one message per field.
    let invalid = with(&changed, "email", Some("not-an-email"));
    let (status, _, page) = post_fields(&admin, &path, &invalid).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(
        page.contains("value=\"not-an-email\""),
        "entered value not kept"
    );
    assert!(page.contains("id=\"email-error-1\""), "no e-mail error");
    assert!(page.contains("value=\"Francis\""), "other values not kept");
    let (status, _, page) =
        post_fields(&admin, &path, &with(&changed, "first_name", Some(" "))).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(
        page.contains("id=\"first_name-error-1\""),
        "no first-name error"
    );
    let (status, _, page) =
        post_fields(&admin, &path, &with(&changed, "role", Some("superuser"))).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains("id=\"role-error-1\""), "no role error");
    // A taken e-mail: 409, re-rendered.
    let (status, _, page) = post_fields(
        &admin,
        &path,
        &with(&changed, "email", Some("TAKEN@example.com")),
    )
    .await;
    assert_eq!(status, Status::Conflict);
    assert!(page.contains("id=\"email-error-1\""), "no conflict message");
    let after = api_user(&admin, id).await;
    assert_eq!(
        after["first_name"], "Frank",
        "an invalid form changed the user"
    );
    assert_eq!(after["email"], "frank@example.com");
    assert_eq!(after["role"], "user");

    // A valid edit: redirect back with a flash message; saved.
    let good = with(
        &with(&changed, "email", Some("Frank.New@Example.com")),
        "email_verified",
        Some("true"),
    );
    let (status, to, _) = post_fields(&admin, &path, &good).await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(to.as_deref(), Some(path.as_str()));
    let (_, page) = html(&admin, &path).await;
    let flash = flash_text(&page).unwrap_or_default();
    assert!(flash.contains("Saved"), "flash: {flash:?}");
    let after = api_user(&admin, id).await;
    assert_eq!(after["first_name"], "Francis");
    assert_eq!(after["email"], "frank.new@example.com");
    assert!(after["email_verified_at"].is_string(), "{after}");
    assert_eq!(after["is_active"], true);
    let actions = app.audit_actions().await;
    assert!(actions.contains(&"user_update".to_owned()), "{actions:?}");
}

// ---------------------------------------------------------------------------
// The last administrator.

#[rocket::async_test]
async fn the_only_admin_cannot_demote_deactivate_or_delete_themselves() {
    let app = spawn_app().await;
    let (admin, root) = admin_browser(&app, "root").await;
    let path = format!("/admin/users/{root}");
    let me = api_user(&admin, root).await;
    let token = admin.page_csrf(&path).await;
    let fields = edit_fields(&me, &token);

    for (what, attempt) in [
        ("demote", with(&fields, "role", Some("user"))),
        ("deactivate", with(&fields, "is_active", None)),
        (
            "demote and deactivate",
            with(&with(&fields, "is_active", None), "role", Some("user")),
        ),
    ] {
        let (status, _, page) = post_fields(&admin, &path, &attempt).await;
        assert_eq!(status, Status::Conflict, "{what}");
        assert!(
            page.contains("last active administrator"),
            "{what}: no clear message"
        );
        assert_eq!(admin.me_status().await, Status::Ok, "{what}: logged out");
        let now = api_user(&admin, root).await;
        assert_eq!(now["role"], "admin", "{what}");
        assert_eq!(now["is_active"], true, "{what}");
    }

    // Delete: the confirmation page, then a clear refusal.
    let delete = format!("/admin/users/{root}/delete");
    let (status, _) = html(&admin, &delete).await;
    assert_eq!(status, Status::Ok);
    let token = admin.page_csrf(&delete).await;
    let response = admin.post_form(&delete, &[("csrf_token", &token)]).await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response).as_deref(), Some(path.as_str()));
    let (_, page) = html(&admin, &path).await;
    let flash = flash_text(&page).unwrap_or_default();
    assert!(flash.contains("last active administrator"), "{flash:?}");
    assert_eq!(api_user(&admin, root).await["is_active"], true);

    // The API applies the same rule.
    let (status, _) = admin
        .patch_json(&format!("/api/users/{root}"), &json!({ "role": "user" }))
        .await;
    assert_eq!(status, Status::Conflict);
    let (status, _) = admin.delete(&format!("/api/users/{root}")).await;
    assert_eq!(status, Status::Conflict);

    // An inactive second admin does not count.
    let other = new_user(&app, "sleeping", Role::Admin).await;
    admin
        .patch_json(
            &format!("/api/users/{other}"),
            &json!({ "is_active": false }),
        )
        .await;
    let (status, _, _) = post_fields(&admin, &path, &with(&fields, "role", Some("user"))).await;
    assert_eq!(status, Status::Conflict);
    assert_eq!(api_user(&admin, root).await["role"], "admin");

    // With another active administrator, stepping down works and logs out.
    admin
        .patch_json(
            &format!("/api/users/{other}"),
            &json!({ "is_active": true }),
        )
        .await;
    let (status, _, _) = post_fields(&admin, &path, &with(&fields, "role", Some("user"))).await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(admin.me_status().await, Status::Unauthorized);
    let checker = app.other_browser().await;
    checker.login_as("sleeping").await;
    assert_eq!(api_user(&checker, root).await["role"], "user");
}

#[rocket::async_test]
async fn the_last_admin_cannot_be_demoted_by_an_admin_being_demoted() {
    // Two admins: one demotes the other (fine), then the last one is protected.
    let app = spawn_app().await;
    let (first, first_id) = admin_browser(&app, "first").await;
    let second_id = new_user(&app, "second", Role::Admin).await;
    let (status, _) = first
        .patch_json(
            &format!("/api/users/{second_id}"),
            &json!({ "role": "user" }),
        )
        .await;
    assert_eq!(status, Status::Ok);
    let path = format!("/admin/users/{first_id}");
    let token = first.page_csrf(&path).await;
    let me = api_user(&first, first_id).await;
    let (status, _, _) = post_fields(
        &first,
        &path,
        &with(&edit_fields(&me, &token), "role", Some("user")),
    )
    .await;
    assert_eq!(status, Status::Conflict);
    assert_eq!(api_user(&first, first_id).await["role"], "admin");
}

// ---------------------------------------------------------------------------
// Sessions.

#[rocket::async_test]
async fn deactivating_or_changing_the_role_revokes_all_sessions() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;
    let bob = new_user(&app, "bob", Role::User).await;
    let carol = new_user(&app, "carol", Role::User).await;
    let bob_phone = app.other_browser().await;
    let bob_laptop = app.other_browser().await;
    bob_phone.login_as("bob").await;
    bob_laptop.login_as("bob").await;
    let carol_browser = app.other_browser().await;
    carol_browser.login_as("carol").await;
    assert_eq!(bob_phone.me_status().await, Status::Ok);
    assert_eq!(bob_laptop.me_status().await, Status::Ok);

    // Deactivate bob from his admin page.
    let path = format!("/admin/users/{bob}");
    let token = admin.page_csrf(&path).await;
    let fields = edit_fields(&api_user(&admin, bob).await, &token);
    let (status, _, _) = post_fields(&admin, &path, &with(&fields, "is_active", None)).await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(bob_phone.me_status().await, Status::Unauthorized);
    assert_eq!(bob_laptop.me_status().await, Status::Unauthorized);
    let (status, _) = bob_phone.login_api("bob", PASSWORD).await;
    assert_eq!(status, Status::Unauthorized, "an inactive user logged in");
    assert_eq!(
        carol_browser.me_status().await,
        Status::Ok,
        "carol lost hers"
    );

    // Promote carol: her role changed, her sessions end too.
    let path = format!("/admin/users/{carol}");
    let fields = edit_fields(&api_user(&admin, carol).await, &token);
    let (status, _, _) = post_fields(&admin, &path, &with(&fields, "role", Some("admin"))).await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(carol_browser.me_status().await, Status::Unauthorized);
    let events = audit_events(&app, "role_change").await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].target_user_id, Some(carol));
    let events = audit_events(&app, "user_deactivate").await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].target_user_id, Some(bob));
    assert_eq!(events[0].actor_name.as_deref(), Some("root"));
    // A plain profile edit leaves sessions alone.
    carol_browser.login_as("carol").await;
    let fields = edit_fields(&api_user(&admin, carol).await, &token);
    let (status, _, _) = post_fields(
        &admin,
        &path,
        &with(&fields, "first_name", Some("Caroline")),
    )
    .await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(carol_browser.me_status().await, Status::Ok);
}

#[rocket::async_test]
async fn admin_revokes_one_session_or_all_from_the_user_page() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;
    let dave = new_user(&app, "dave", Role::User).await;
    let one = app.other_browser().await;
    let two = app.other_browser().await;
    let three = app.other_browser().await;
    one.login_as("dave").await;
    two.login_as("dave").await;
    three.login_as("dave").await;
    let (_, sessions) = one.get_json("/api/me/sessions").await;
    let one_id = sessions["items"]
        .as_array()
        .and_then(|items| items.iter().find(|s| s["current"] == true))
        .and_then(|s| s["id"].as_i64())
        .unwrap_or_else(|| panic!("no current session in {sessions}"));

    let path = format!("/admin/users/{dave}");
    let (_, page) = html(&admin, &path).await;
    let revoke_one = format!("/admin/users/{dave}/sessions/{one_id}/revoke");
    assert!(
        page.contains(&format!("action=\"{revoke_one}\"")),
        "no revoke form"
    );
    assert_eq!(
        page.matches("/revoke\"").count(),
        3,
        "three sessions listed"
    );
    let token = csrf_from(&page).expect("csrf token");

    // Without the token: refused, nothing revoked.
    let response = admin.post_form(&revoke_one, &[]).await;
    assert_eq!(response.status(), Status::Forbidden);
    let all = format!("/admin/users/{dave}/sessions/revoke-all");
    let response = admin.post_form(&all, &[("csrf_token", "nope")]).await;
    assert_eq!(response.status(), Status::Forbidden);
    for browser in [&one, &two, &three] {
        assert_eq!(browser.me_status().await, Status::Ok);
    }

    // One session.
    let response = admin
        .post_form(&revoke_one, &[("csrf_token", &token)])
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response).as_deref(), Some(path.as_str()));
    assert_eq!(one.me_status().await, Status::Unauthorized);
    assert_eq!(two.me_status().await, Status::Ok);
    assert_eq!(three.me_status().await, Status::Ok);
    // The same one again, or another user's: not found.
    let response = admin
        .post_form(&revoke_one, &[("csrf_token", &token)])
        .await;
    assert_eq!(response.status(), Status::NotFound);
    let (_, root_sessions) = admin.get_json("/api/me/sessions").await;
    let root_session = root_sessions["items"][0]["id"].as_i64().expect("id");
    let response = admin
        .post_form(
            &format!("/admin/users/{dave}/sessions/{root_session}/revoke"),
            &[("csrf_token", &token)],
        )
        .await;
    assert_eq!(response.status(), Status::NotFound);
    assert_eq!(admin.me_status().await, Status::Ok);

    // All of them.
    let response = admin.post_form(&all, &[("csrf_token", &token)]).await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(two.me_status().await, Status::Unauthorized);
    assert_eq!(three.me_status().await, Status::Unauthorized);
    assert_eq!(admin.me_status().await, Status::Ok);
    let (_, page) = html(&admin, &path).await;
    assert!(
        page.contains("is not logged in anywhere"),
        "sessions still listed"
    );
    let actions = app.audit_actions().await;
    assert!(
        actions.contains(&"session_revoke".to_owned()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"sessions_revoke_all".to_owned()),
        "{actions:?}"
    );
}

// ---------------------------------------------------------------------------
// Deleting a user.

#[rocket::async_test]
async fn deleting_a_user_asks_for_confirmation_then_removes_them_and_their_sales() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;
    let product = new_product(&admin, "DEL-1", "Delete mug", 700, 10).await;
    let erin = app.other_browser().await;
    let erin_id = sign_in(&erin, "erin", Role::User).await;
    let (status, sale) = buy(&erin, &[(product, 2)]).await;
    assert_eq!(status, Status::Created, "{sale}");
    let sale_id = sale["id"].as_i64().expect("sale id");

    // The confirmation page changes nothing.
    let confirm = format!("/admin/users/{erin_id}/delete");
    let (status, page) = html(&admin, &confirm).await;
    assert_eq!(status, Status::Ok);
    assert!(
        page.contains("Delete the user erin"),
        "not the confirmation page"
    );
    assert!(
        page.contains(&format!("action=\"{confirm}\"")),
        "no delete form"
    );
    let token = csrf_from(&page).expect("csrf token");
    assert_eq!(api_user(&admin, erin_id).await["username"], "erin");
    assert_eq!(erin.me_status().await, Status::Ok);

    // Without the token: refused.
    let response = admin.post_form(&confirm, &[]).await;
    assert_eq!(response.status(), Status::Forbidden);
    assert_eq!(api_user(&admin, erin_id).await["username"], "erin");

    // Confirmed.
    let response = admin.post_form(&confirm, &[("csrf_token", &token)]).await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response).as_deref(), Some("/admin/users"));
    let (_, page) = html(&admin, "/admin/users").await;
    assert!(
        flash_text(&page).unwrap_or_default().contains("deleted"),
        "no flash message"
    );
    assert!(!first_column(&page).contains(&"erin".to_owned()));
    let (status, _) = admin.get_json(&format!("/api/users/{erin_id}")).await;
    assert_eq!(status, Status::NotFound);
    let (status, _) = html(&admin, &format!("/admin/users/{erin_id}")).await;
    assert_eq!(status, Status::NotFound);
    assert_eq!(erin.me_status().await, Status::Unauthorized);
    // Their sales went with them; the product stayed.
    let (status, _) = admin.get_json(&format!("/api/sales/{sale_id}")).await;
    assert_eq!(status, Status::NotFound);
    let (_, sales) = admin
        .get_json(&format!("/api/sales?user_id={erin_id}"))
        .await;
    assert_eq!(sales["total"], 0, "{sales}");
    let (status, product) = admin.get_json(&format!("/api/products/{product}")).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(product["stock"], 8);
    let events = audit_events(&app, "user_delete").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].actor_name.as_deref(), Some("root"));
    assert_eq!(events[0].target.as_deref(), Some("user:erin"));
    // Deleting again: not found.
    let response = admin.post_form(&confirm, &[("csrf_token", &token)]).await;
    assert_eq!(response.status(), Status::NotFound);
}

// ---------------------------------------------------------------------------
// The audit log.

#[rocket::async_test]
async fn account_actions_write_audit_events_with_actor_target_and_ip() {
    let app = spawn_app().await;
    let alice_id = new_user(&app, "alice", Role::User).await;
    let root_id = new_user(&app, "root", Role::Admin).await;
    let alice_ip = "198.51.100.7";
    let admin_ip = "203.0.113.9";
    let wrong = "not the password at all";

    // alice: a failed login, a login, a password change, a logout.
    let alice = app.other_browser().await;
    let response = send(
        &alice,
        "/api/auth/login",
        json!({ "login": "alice", "password": wrong }),
        alice_ip,
    )
    .dispatch()
    .await;
    assert_eq!(response.status(), Status::Unauthorized);
    let response = send(
        &alice,
        "/api/auth/login",
        json!({ "login": "alice", "password": PASSWORD }),
        alice_ip,
    )
    .dispatch()
    .await;
    assert_eq!(response.status(), Status::Ok);
    let session_id = alice
        .session_cookie()
        .expect("session cookie")
        .value()
        .to_owned();
    let raw_cookie = alice
        .client
        .cookies()
        .get("portero_session")
        .map(|c| c.value().to_owned())
        .expect("raw cookie");
    let response = alice
        .client
        .put("/api/me/password")
        .remote(remote(alice_ip))
        .header(ContentType::JSON)
        .body(json!({ "current_password": PASSWORD, "new_password": NEW_PASSWORD }).to_string())
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::NoContent);
    let response = alice
        .client
        .post("/api/auth/logout")
        .remote(remote(alice_ip))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::NoContent);

    // root: promotes, deactivates, then deletes alice.
    let admin = app.other_browser().await;
    let response = send(
        &admin,
        "/api/auth/login",
        json!({ "login": "root", "password": PASSWORD }),
        admin_ip,
    )
    .dispatch()
    .await;
    assert_eq!(response.status(), Status::Ok);
    let admin_session = admin
        .session_cookie()
        .expect("admin cookie")
        .value()
        .to_owned();
    for patch in [json!({ "role": "admin" }), json!({ "is_active": false })] {
        let response = admin
            .client
            .patch(format!("/api/users/{alice_id}"))
            .remote(remote(admin_ip))
            .header(ContentType::JSON)
            .body(patch.to_string())
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::Ok, "{patch}");
    }
    let response = admin
        .client
        .delete(format!("/api/users/{alice_id}"))
        .remote(remote(admin_ip))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::NoContent);

    // Each event: actor, action, target, ip.
    let app_ref = &app;
    let expect = |action: &'static str,
                  actor: Option<&'static str>,
                  target_id: i64,
                  ip: &'static str| async move {
        let events = audit_events(app_ref, action).await;
        let event = events
            .iter()
            .find(|e| e.target_user_id == Some(target_id))
            .unwrap_or_else(|| panic!("no {action} event about {target_id}: {events:?}"));
        assert_eq!(event.actor_name.as_deref(), actor, "{action} actor");
        if actor.is_some() {
            assert!(event.actor_id.is_some(), "{action} actor id");
        }
        assert_eq!(event.ip.as_deref(), Some(ip), "{action} ip");
        assert!(event.target.is_some(), "{action} target");
        event.clone()
    };
    expect("login_failed", None, alice_id, alice_ip).await;
    expect("login", Some("alice"), alice_id, alice_ip).await;
    expect("login", Some("root"), root_id, admin_ip).await;
    expect("password_change", Some("alice"), alice_id, alice_ip).await;
    expect("logout", Some("alice"), alice_id, alice_ip).await;
    let role = expect("role_change", Some("root"), alice_id, admin_ip).await;
    assert!(
        role.detail.as_deref().unwrap_or("").contains("admin"),
        "{role:?}"
    );
    expect("user_deactivate", Some("root"), alice_id, admin_ip).await;
    let deleted = expect("user_delete", Some("root"), alice_id, admin_ip).await;
    assert_eq!(deleted.target.as_deref(), Some("user:alice"));

    // The audit page: filters by actor and action; no secret anywhere.
    let (status, page) = html(&admin, "/admin/audit").await;
    assert_eq!(status, Status::Ok);
    let rows = table_rows(&page);
    assert!(rows.len() >= 8, "{rows:?}");
    // Newest first: the deletion heads the list.
    // Columns: when, what happened (in words), details, IP, code.
    assert_eq!(rows[0][4], "user_delete", "{:?}", rows[0]);
    assert_eq!(rows[0][1], "root deleted the account alice");
    assert_eq!(rows[0][3], admin_ip);
    for secret in [
        PASSWORD,
        NEW_PASSWORD,
        wrong,
        session_id.as_str(),
        raw_cookie.as_str(),
        admin_session.as_str(),
        "$argon2",
    ] {
        assert!(!page.contains(secret), "the audit page shows {secret:?}");
    }

    let (_, page) = html(&admin, "/admin/audit?actor=alice").await;
    let rows = table_rows(&page);
    let mut actions: Vec<&str> = rows.iter().map(|r| r[4].as_str()).collect();
    actions.sort_unstable();
    assert_eq!(actions, ["login", "logout", "password_change"], "{rows:?}");
    assert!(rows.iter().all(|r| r[1].starts_with("alice ")), "{rows:?}");
    assert_eq!(status_count(&page), 3);
    // The actor filter ignores case and surrounding spaces.
    let (_, page) = html(&admin, "/admin/audit?actor=%20ALICE%20").await;
    assert_eq!(status_count(&page), 3);

    let (_, page) = html(&admin, "/admin/audit?action=login").await;
    let rows = table_rows(&page);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows.iter().all(|r| r[4] == "login"), "{rows:?}");
    assert_eq!(rows[0][1], "root logged in", "newest first");
    let (_, page) = html(&admin, "/admin/audit?action=login_failed").await;
    let rows = table_rows(&page);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0][1], "Someone tried and failed to log in as alice");
    assert_eq!(rows[0][3], alice_ip);
    assert!(!page.contains(wrong));
    let (_, page) = html(&admin, "/admin/audit?actor=root&action=user_deactivate").await;
    assert_eq!(table_rows(&page).len(), 1);
    let (_, page) = html(&admin, "/admin/audit?actor=alice&action=user_delete").await;
    assert_eq!(status_count(&page), 0);

    // The deleted user's page is gone, but the events stay.
    let (_, page) = html(&admin, "/admin/audit?action=user_delete").await;
    assert_eq!(status_count(&page), 1);
}

#[rocket::async_test]
async fn audit_log_filters_by_date_range_and_paginates() {
    let app = spawn_app().await;
    new_user(&app, "root", Role::Admin).await;
    new_user(&app, "early", Role::User).await;
    new_user(&app, "late", Role::User).await;
    let admin = app.other_browser().await;
    let scratch = app.other_browser().await;
    let day_one = app.clock.now().date();
    scratch.login_as("early").await; // a login on day one
    // Two days later (sessions have expired by then: log in again).
    app.clock.advance(2 * 24 * 3600);
    let day_three = app.clock.now().date();
    scratch.login_as("late").await;
    admin.login_as("root").await;

    let (_, page) = html(
        &admin,
        &format!("/admin/audit?action=login&from={day_three}"),
    )
    .await;
    let rows = table_rows(&page);
    let actors: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(
        actors,
        ["root logged in", "late logged in"],
        "from {day_three}"
    );
    assert!(
        rows.iter()
            .all(|r| r[0].starts_with(&day_three.to_string()))
    );
    // `to` includes the whole day.
    let (_, page) = html(&admin, &format!("/admin/audit?action=login&to={day_one}")).await;
    let rows = table_rows(&page);
    let actors: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(actors, ["early logged in"], "to {day_one}");
    assert!(rows[0][0].starts_with(&day_one.to_string()), "{rows:?}");
    let (_, page) = html(
        &admin,
        &format!("/admin/audit?action=login&from={day_one}&to={day_three}"),
    )
    .await;
    assert_eq!(status_count(&page), 3);
    let day_two = day_one.next_day().expect("a next day");
    let (_, page) = html(&admin, &format!("/admin/audit?from={day_two}&to={day_two}")).await;
    assert_eq!(status_count(&page), 0, "nothing happened on day two");
    // The form keeps the filter.
    let (_, page) = html(&admin, &format!("/admin/audit?actor=root&from={day_three}")).await;
    assert!(
        page.contains(&format!("value=\"{day_three}\"")),
        "from not kept"
    );
    assert!(page.contains("value=\"root\""), "actor not kept");

    // 60 more events: two pages of 50, newest first, links keep the filter.
    for _ in 0..30 {
        scratch.login_as("late").await;
        let response = scratch.client.post("/api/auth/logout").dispatch().await;
        assert_eq!(response.status(), Status::NoContent);
    }
    let (_, first) = html(&admin, "/admin/audit?actor=late").await;
    assert_eq!(status_count(&first), 61);
    assert_eq!(table_rows(&first).len(), 50);
    assert_eq!(table_rows(&first)[0][4], "logout", "newest first");
    let next = hrefs(&first)
        .into_iter()
        .find(|h| query_value(h, "page").as_deref() == Some("2"))
        .expect("a link to page 2");
    assert_eq!(query_value(&next, "actor").as_deref(), Some("late"));
    let (status, second) = html(&admin, &format!("/admin/audit{next}")).await;
    assert_eq!(status, Status::Ok, "{next}");
    assert_eq!(table_rows(&second).len(), 11);
    assert_eq!(table_rows(&second).last().expect("a row")[4], "login");
}
