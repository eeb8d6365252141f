//! CSV exports of the admin lists (issue 16): the list's filters, every
//! row, streamed; audited; unusable filters go back to the form, which
//! names them.

use portero::domain::Role;
use rocket::http::{ContentType, Status};

use crate::helpers::*;

/// Downloads `path` and parses it: the header and the records.
async fn csv_of(admin: &TestApp, path: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let response = admin.get(path).await;
    assert_eq!(response.status(), Status::Ok, "{path}");
    let content_type = response.content_type().expect("a content type");
    assert_eq!(
        (content_type.top().as_str(), content_type.sub().as_str()),
        ("text", "csv")
    );
    let disposition = response
        .headers()
        .get_one("Content-Disposition")
        .unwrap_or_default()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=") && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    let body = response.into_bytes().await.unwrap_or_default();
    let mut reader = csv::Reader::from_reader(body.as_slice());
    let header = reader
        .headers()
        .expect("a header row")
        .iter()
        .map(str::to_owned)
        .collect();
    let records = reader
        .records()
        .map(|r| {
            r.expect("a valid record")
                .iter()
                .map(str::to_owned)
                .collect()
        })
        .collect();
    (header, records)
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

#[rocket::async_test]
async fn users_export_follows_the_filters_and_quotes_safely() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;
    person(
        &app,
        "ann",
        "ann@example.com",
        "=HYPERLINK(\"x\")",
        "Lee, \"Jr\"",
        Role::User,
    )
    .await;
    person(
        &app,
        "anna",
        "anna@example.com",
        "Anna",
        "Smith",
        Role::Admin,
    )
    .await;
    person(&app, "bob", "bob@example.com", "Bob", "Stone", Role::User).await;

    let (_, page) = html(&admin, "/admin/users?q=ann&sort=username").await;
    assert!(
        hrefs(&page).contains(&"/admin/users.csv?q=ann&sort=username".to_owned()),
        "no export link keeping the filters"
    );
    let (header, rows) = csv_of(&admin, "/admin/users.csv?q=ann&sort=username").await;
    let (username, first, last) = (
        column(&header, "username"),
        column(&header, "first_name"),
        column(&header, "last_name"),
    );
    let names: Vec<&str> = rows.iter().map(|r| r[username].as_str()).collect();
    assert_eq!(names, ["ann", "anna"]);
    // A formula is defused; commas and quotes survive the round trip.
    assert_eq!(rows[0][first], "'=HYPERLINK(\"x\")");
    assert_eq!(rows[0][last], "Lee, \"Jr\"");
    assert!(!header.iter().any(|h| h.contains("password")));

    let (_, rows) = csv_of(&admin, "/admin/users.csv?role=admin&sort=username_desc").await;
    let names: Vec<&str> = rows.iter().map(|r| r[username].as_str()).collect();
    assert_eq!(names, ["root", "anna"]);

    let exports = audit_events(&app, "export").await;
    assert_eq!(exports.len(), 2, "{exports:?}");
    assert!(
        exports.iter().all(
            |e| e.actor_name.as_deref() == Some("root") && e.target.as_deref() == Some("users")
        )
    );
    assert!(
        exports
            .iter()
            .any(|e| e.detail.as_deref() == Some("q=ann&sort=username"))
    );
}

#[rocket::async_test]
async fn a_large_export_arrives_whole() {
    let app = spawn_app().await;
    let output = portero(
        &app.url,
        &["seed-demo", "--users", "3000", "--products", "0"],
        &[],
    )
    .await;
    assert!(output.status.success(), "{:?}", text(&output));
    let (admin, _) = admin_browser(&app, "root").await;
    let (header, rows) = csv_of(&admin, "/admin/users.csv?sort=username").await;
    assert_eq!(rows.len(), 3001, "every row, across many chunks");
    let username = column(&header, "username");
    assert_eq!(rows[0][username], "root");
    assert_eq!(rows[1][username], "user0000001");
    assert_eq!(rows[3000][username], "user0003000");
    assert!(rows.iter().all(|r| r.len() == header.len()));
}

#[rocket::async_test]
async fn sales_and_audit_exports_follow_their_filters() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;
    let mug = new_product(&admin, "MUG-1", "Mug", 1250, 10).await;
    let pot = new_product(&admin, "POT-1", "Teapot", 3000, 10).await;
    let ann = app.other_browser().await;
    sign_in(&ann, "ann", Role::User).await;
    let bob = app.other_browser().await;
    sign_in(&bob, "bob", Role::User).await;
    assert_eq!(buy(&ann, &[(mug, 2), (pot, 1)]).await.0, Status::Created);
    assert_eq!(buy(&bob, &[(mug, 1)]).await.0, Status::Created);

    let (header, rows) = csv_of(&admin, "/admin/sales.csv?user=ann").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    assert_eq!(row[column(&header, "username")], "ann");
    assert_eq!(row[column(&header, "items")], "2");
    assert_eq!(row[column(&header, "units")], "3");
    assert_eq!(row[column(&header, "total")], "55.00");
    assert_eq!(row[column(&header, "total_cents")], "5500");
    let (_, rows) = csv_of(&admin, "/admin/sales.csv").await;
    assert_eq!(rows.len(), 2);

    let (header, rows) = csv_of(&admin, "/admin/audit.csv?action=sale_create").await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    let actors: Vec<&str> = rows
        .iter()
        .map(|r| r[column(&header, "actor")].as_str())
        .collect();
    assert_eq!(actors, ["bob", "ann"], "newest first");
}

#[rocket::async_test]
async fn bad_filters_are_errors_on_the_form_and_exports_go_back_to_it() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;
    new_user(&app, "ann", Role::User).await;

    let (status, page) = html(&admin, "/admin/users?role=emperor&active=maybe&sort=shoe").await;
    assert_eq!(status, Status::Ok);
    for field in ["role", "active", "sort"] {
        assert!(
            page.contains(&format!("id=\"{field}-error-1\"")),
            "no error on {field}"
        );
    }
    assert!(!page.contains("<tbody>"), "a list that ignores the filters");

    let (_, page) = html(&admin, "/admin/sales?from=2026-13-45&user=nobody").await;
    assert!(page.contains("id=\"from-error-1\"") && page.contains("id=\"user-error-1\""));
    assert!(page.contains("value=\"2026-13-45\"") || page.contains("value=\"nobody\""));
    let (_, page) = html(&admin, "/admin/audit?action=explode&to=yesterday").await;
    assert!(page.contains("id=\"action-error-1\"") && page.contains("id=\"to-error-1\""));

    let response = admin.get("/admin/users.csv?role=emperor").await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(
        location(&response).as_deref(),
        Some("/admin/users?role=emperor")
    );
    let response = admin.get("/admin/sales.csv?from=2026-13-45").await;
    assert_eq!(
        location(&response).as_deref(),
        Some("/admin/sales?from=2026-13-45")
    );
    let response = admin.get("/admin/audit.csv?action=explode").await;
    assert_eq!(
        location(&response).as_deref(),
        Some("/admin/audit?action=explode")
    );
    assert!(audit_events(&app, "export").await.is_empty());
}

#[rocket::async_test]
async fn exports_are_for_administrators_only() {
    let app = spawn_app().await;
    let user = app.other_browser().await;
    sign_in(&user, "plain", Role::User).await;
    for path in ["/admin/users.csv", "/admin/sales.csv", "/admin/audit.csv"] {
        let response = user.get(path).await;
        assert_eq!(response.status(), Status::Forbidden, "{path}");
        assert_eq!(response.content_type(), Some(ContentType::HTML));
        let response = app.get(path).await;
        assert_eq!(response.status(), Status::SeeOther, "anonymous {path}");
    }
}
