//! Admin forms report every error at once; prices take a decimal comma;
//! the audit log reads as sentences (issue 16).

use portero::domain::Role;
use rocket::http::Status;

use crate::helpers::*;

#[rocket::async_test]
async fn the_product_form_reports_every_error_in_one_round() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;
    let token = admin.page_csrf("/admin/products/new").await;
    let bad = [
        ("csrf_token", token.as_str()),
        ("sku", ""),
        ("name", ""),
        ("price", "twelve"),
        ("stock", "-3"),
    ];
    let response = admin.post_form("/admin/products/new", &bad).await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let page = response.into_string().await.unwrap_or_default();
    for field in ["sku", "name", "price", "stock"] {
        assert!(
            page.contains(&format!("id=\"{field}-error-1\"")),
            "no error on {field} in the first round"
        );
    }

    let good = [
        ("csrf_token", token.as_str()),
        ("sku", "MUG-1"),
        ("name", "Mug"),
        ("price", "12,50"),
        ("stock", "3"),
        ("is_active", "true"),
    ];
    let response = admin.post_form("/admin/products/new", &good).await;
    assert_eq!(response.status(), Status::SeeOther);
    let (_, list) = admin.get_json("/api/products?q=MUG-1").await;
    assert_eq!(list["items"][0]["price_cents"], 1250, "{list}");
}

#[rocket::async_test]
async fn the_audit_log_says_who_did_what_to_whom_with_links() {
    let app = spawn_app().await;
    let (admin, root) = admin_browser(&app, "root").await;
    let ada = new_user(&app, "ada", Role::User).await;
    let token = admin.page_csrf("/admin/users").await;
    let fields = [
        ("csrf_token", token.as_str()),
        ("action", "deactivate"),
        ("ids", &ada.to_string()),
        ("confirmed", "true"),
    ];
    admin.post_form("/admin/users/bulk", &fields).await;

    let (_, page) = html(&admin, "/admin/audit?action=user_deactivate").await;
    let rows = table_rows(&page);
    assert_eq!(rows[0][1], "root deactivated ada", "{rows:?}");
    assert!(!page.contains("user:ada"), "a raw code is shown");
    let links = hrefs(&page);
    for href in [
        format!("/admin/users/{root}"),
        format!("/admin/users/{ada}"),
    ] {
        assert!(links.contains(&href), "no link to {href}");
    }
}

#[rocket::async_test]
async fn products_sort_filter_by_status_and_deactivate_in_one_click() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;
    let mug = new_product(&admin, "MUG-1", "Mug", 1250, 9).await;
    new_product(&admin, "POT-1", "Teapot", 3000, 2).await;
    new_product(&admin, "CUP-1", "Cup", 500, 5).await;

    let (_, page) = html(&admin, "/admin/products?sort=price_desc").await;
    assert_eq!(first_column(&page), ["POT-1", "MUG-1", "CUP-1"]);
    let (_, page) = html(&admin, "/admin/products?sort=stock").await;
    assert_eq!(first_column(&page), ["POT-1", "CUP-1", "MUG-1"]);

    let token = admin.page_csrf("/admin/products").await;
    let back = "/admin/products?sort=stock&page=1";
    let fields = [
        ("csrf_token", token.as_str()),
        ("active", "false"),
        ("back", back),
    ];
    let response = admin
        .post_form(&format!("/admin/products/{mug}/active"), &fields)
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response).as_deref(), Some(back));
    let (_, page) = html(&admin, back).await;
    assert!(flash_text(&page).is_some_and(|f| f.contains("Mug (MUG-1) deactivated")));
    assert_eq!(audit_events(&app, "product_update").await.len(), 1);

    let (_, page) = html(&admin, "/admin/products?status=inactive").await;
    assert_eq!(first_column(&page), ["MUG-1"]);
    let (_, page) = html(&admin, "/admin/products?status=active&sort=name").await;
    assert_eq!(first_column(&page), ["CUP-1", "POT-1"]);
    let (_, page) = html(&admin, "/admin/products?status=broken&sort=shoe").await;
    assert!(page.contains("id=\"status-error-1\"") && page.contains("id=\"sort-error-1\""));
    assert!(!page.contains("<tbody>"));
}
