//! The admin user list's bulk actions and the "Add user" page (issue 16).

use portero::domain::Role;
use rocket::http::Status;

use crate::helpers::*;

/// Posts the bulk form: without `confirmed` it answers the confirmation page.
async fn bulk(
    admin: &TestApp,
    action: &str,
    ids: &[i64],
    confirmed: bool,
) -> (Status, Option<String>, String) {
    let token = admin.page_csrf("/admin/users").await;
    let mut fields = vec![
        ("csrf_token".to_owned(), token),
        ("action".to_owned(), action.to_owned()),
        ("back".to_owned(), "?q=bulk&page=1".to_owned()),
    ];
    for id in ids {
        fields.push(("ids".to_owned(), id.to_string()));
    }
    if confirmed {
        fields.push(("confirmed".to_owned(), "true".to_owned()));
    }
    post_fields(admin, "/admin/users/bulk", &fields).await
}

async fn flash_after(admin: &TestApp, target: Option<String>) -> String {
    let target = target.expect("a redirect");
    let (_, page) = html(admin, &target).await;
    flash_text(&page).unwrap_or_default()
}

#[rocket::async_test]
async fn bulk_deactivate_confirms_then_changes_all_in_one_go() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;
    let mut browsers = Vec::new();
    let mut ids = Vec::new();
    for name in ["bulk_ann", "bulk_bob", "bulk_cy"] {
        let browser = app.other_browser().await;
        ids.push(sign_in(&browser, name, Role::User).await);
        browsers.push(browser);
    }
    let (_, list) = html(&admin, "/admin/users?q=bulk").await;
    for id in &ids {
        assert!(
            list.contains(&format!("name=\"ids\" value=\"{id}\"")),
            "{list}"
        );
    }

    // First the confirmation page, which changes nothing.
    let (status, _, page) = bulk(&admin, "deactivate", &ids, false).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("Deactivate 3 users?"), "{page}");
    for name in ["bulk_ann", "bulk_bob", "bulk_cy"] {
        assert!(page.contains(name), "{name} missing from the confirmation");
    }
    assert!(audit_events(&app, "user_deactivate").await.is_empty());
    assert_eq!(browsers[0].me_status().await, Status::Ok);

    let (status, target, _) = bulk(&admin, "deactivate", &ids, true).await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(target.as_deref(), Some("/admin/users?q=bulk&page=1"));
    let flash = flash_after(&admin, target).await;
    assert!(
        flash.contains("Deactivated 3 users: bulk_ann, bulk_bob, bulk_cy"),
        "{flash}"
    );
    for browser in &browsers {
        assert_eq!(browser.me_status().await, Status::Unauthorized);
    }
    let events = audit_events(&app, "user_deactivate").await;
    assert_eq!(events.len(), 3, "{events:?}");
    assert!(
        events
            .iter()
            .all(|e| e.actor_name.as_deref() == Some("root"))
    );

    // Again: nothing to do, nothing audited; then activate them back.
    let (_, target, _) = bulk(&admin, "deactivate", &ids, true).await;
    let flash = flash_after(&admin, target).await;
    assert!(
        flash.contains("Deactivated no user. Already inactive"),
        "{flash}"
    );
    assert_eq!(audit_events(&app, "user_deactivate").await.len(), 3);
    let (_, target, _) = bulk(&admin, "activate", &ids[..2], true).await;
    let flash = flash_after(&admin, target).await;
    assert!(flash.contains("Activated 2 users"), "{flash}");
    assert_eq!(audit_events(&app, "user_activate").await.len(), 2);
    assert_eq!(app.login_api("bulk_ann", PASSWORD).await.0, Status::Ok);
    assert_eq!(
        app.login_api("bulk_cy", PASSWORD).await.0,
        Status::Unauthorized
    );
}

#[rocket::async_test]
async fn bulk_delete_removes_the_accounts_and_keeps_an_administrator() {
    let app = spawn_app().await;
    let (admin, root) = admin_browser(&app, "root").await;
    let other_admin = new_user(&app, "bulk_boss", Role::Admin).await;
    let ann = new_user(&app, "bulk_ann", Role::User).await;

    let (_, _, page) = bulk(&admin, "delete", &[ann, other_admin], false).await;
    assert!(page.contains("cannot be undone"), "{page}");
    assert!(
        page.contains("1 of them is an active administrator"),
        "{page}"
    );

    // Every active administrator selected: refused as a whole.
    let (status, target, _) = bulk(&admin, "delete", &[root, other_admin, ann], true).await;
    assert_eq!(status, Status::SeeOther);
    let flash = flash_after(&admin, target).await;
    assert!(flash.contains("no active administrator"), "{flash}");
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM users").await, 3);
    assert!(audit_events(&app, "user_delete").await.is_empty());
    let (_, target, _) = bulk(&admin, "deactivate", &[root, other_admin], true).await;
    assert!(
        flash_after(&admin, target)
            .await
            .contains("no active administrator")
    );

    let (_, target, _) = bulk(&admin, "delete", &[ann, other_admin], true).await;
    let flash = flash_after(&admin, target).await;
    assert!(
        flash.contains("Deleted 2 users: bulk_ann, bulk_boss"),
        "{flash}"
    );
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM users").await, 1);
    assert_eq!(audit_events(&app, "user_delete").await.len(), 2);
}

#[rocket::async_test]
async fn bulk_refuses_bad_requests_and_non_admins() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;
    let ann = new_user(&app, "bulk_ann", Role::User).await;
    let (_, target, _) = bulk(&admin, "explode", &[ann], true).await;
    assert!(
        flash_after(&admin, target)
            .await
            .contains("Choose what to do")
    );
    let (_, target, _) = bulk(&admin, "deactivate", &[], false).await;
    assert!(
        flash_after(&admin, target)
            .await
            .contains("Select at least one")
    );
    let (_, target, _) = bulk(&admin, "deactivate", &[ann + 1000], false).await;
    assert!(
        flash_after(&admin, target)
            .await
            .contains("exists any more")
    );
    let many: Vec<i64> = (1..=101).collect();
    let (_, target, _) = bulk(&admin, "delete", &many, true).await;
    assert!(flash_after(&admin, target).await.contains("at most 100"));
    // A `back` that leaves the list is ignored.
    let token = admin.page_csrf("/admin/users").await;
    let fields = [
        ("csrf_token", token.as_str()),
        ("action", "activate"),
        ("ids", "1"),
        ("back", "//evil.example/"),
    ];
    let response = admin.post_form("/admin/users/bulk", &fields).await;
    let page = response.into_string().await.unwrap_or_default();
    assert!(page.contains("href=\"/admin/users\""), "{page}");

    let user = app.other_browser().await;
    sign_in(&user, "plain", Role::User).await;
    let token = user.page_csrf("/account").await;
    let fields = [
        ("csrf_token", token.as_str()),
        ("action", "delete"),
        ("ids", "1"),
        ("confirmed", "true"),
    ];
    let response = user.post_form("/admin/users/bulk", &fields).await;
    assert_eq!(response.status(), Status::Forbidden);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM users").await, 3);
}

#[rocket::async_test]
async fn add_user_reports_every_error_at_once_then_creates() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;
    let (status, page) = html(&admin, "/admin/users/new").await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("action=\"/admin/users/new\""), "{page}");
    let (_, list) = html(&admin, "/admin/users").await;
    assert!(list.contains("href=\"/admin/users/new\""));

    let token = admin.page_csrf("/admin/users/new").await;
    let bad = [
        ("csrf_token", token.as_str()),
        ("username", "x"),
        ("email", "not-an-address"),
        ("password", "short"),
        ("first_name", ""),
        ("last_name", "Lovelace"),
        ("role", "emperor"),
    ];
    let response = admin.post_form("/admin/users/new", &bad).await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let page = response.into_string().await.unwrap_or_default();
    for field in ["username", "email", "password", "first_name", "role"] {
        assert!(
            page.contains(&format!("id=\"{field}-error-1\"")),
            "no error on {field}"
        );
    }
    assert!(!page.contains("id=\"last_name-error-1\""));
    assert!(page.contains("value=\"Lovelace\""), "values are kept");
    assert!(!page.contains("short"), "the password came back");

    let good = [
        ("csrf_token", token.as_str()),
        ("username", "ada"),
        ("email", "ada@example.com"),
        ("password", PASSWORD),
        ("first_name", "Ada"),
        ("last_name", "Lovelace"),
        ("phone", ""),
        ("role", "admin"),
    ];
    let response = admin.post_form("/admin/users/new", &good).await;
    assert_eq!(response.status(), Status::SeeOther);
    let target = location(&response);
    assert!(
        flash_after(&admin, target)
            .await
            .contains("Created the admin ada")
    );
    let created = audit_events(&app, "user_create").await;
    assert!(created.iter().any(
        |e| e.target.as_deref() == Some("user:ada") && e.actor_name.as_deref() == Some("root")
    ));
    assert_eq!(app.login_api("ada", PASSWORD).await.0, Status::Ok);

    // The same name again: a conflict on the form, not a crash.
    let response = admin.post_form("/admin/users/new", &good).await;
    assert_eq!(response.status(), Status::Conflict);
    let page = response.into_string().await.unwrap_or_default();
    assert!(page.contains("class=\"field-error\""), "{page}");
    assert!(page.contains("already registered") || page.contains("taken"));
}
