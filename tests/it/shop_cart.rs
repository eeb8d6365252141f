//! The basket (issue 16): kept on the server, filled from several catalog
//! pages and product pages, checked out as one purchase; a checkout that
//! cannot be done keeps the basket and marks the line by product name.

use portero::domain::Role;
use rocket::http::Status;
use serde_json::json;

use crate::helpers::*;

struct Shop {
    admin: TestApp,
    shopper: TestApp,
    /// The first product of catalog page 1 and the last one, alone on page 2.
    first: i64,
    last: i64,
    token: String,
}

/// 21 products, so that the catalog (20 a page) has two pages; "Zebra
/// backpack" (5.00, 3 in stock) is alone on page 2.
async fn open_shop(app: &TestApp) -> Shop {
    let (admin, _) = admin_browser(app, "root").await;
    let first = new_product(&admin, "AAA-1", "Apple", 250, 10).await;
    for n in 2..=20 {
        new_product(
            &admin,
            &format!("MID-{n}"),
            &format!("Middle {n:02}"),
            100,
            5,
        )
        .await;
    }
    let last = new_product(&admin, "ZEB-1", "Zebra backpack", 500, 3).await;
    let shopper = app.other_browser().await;
    sign_in(&shopper, "shopper", Role::User).await;
    let token = shopper.csrf_token("/products").await;
    Shop {
        admin,
        shopper,
        first,
        last,
        token,
    }
}

async fn cart_lines(shopper: &TestApp) -> Vec<Vec<String>> {
    let (status, page) = html(shopper, "/cart").await;
    assert_eq!(status, Status::Ok);
    table_rows(&page)
}

#[rocket::async_test]
async fn a_basket_filled_on_two_catalog_pages_is_bought_at_once() {
    let app = spawn_app().await;
    let Shop {
        admin,
        shopper,
        first,
        last,
        token,
    } = open_shop(&app).await;

    // Page 1 carries a form to the basket that comes back to page 1.
    let (_, page) = html(&shopper, "/products").await;
    assert!(page.contains("action=\"/cart/add\""), "no basket form");
    assert!(page.contains(&format!("name=\"qty[{first}]\"")));
    assert!(!page.contains(&format!("name=\"qty[{last}]\"")));
    let response = shopper
        .post_form(
            "/cart/add",
            &[
                (&format!("qty[{first}]"), "2"),
                ("qty[999999]", ""),
                ("back", "/products?q=&page=1"),
                ("csrf_token", &token),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response).as_deref(), Some("/products?q=&page=1"));

    // Page 2, then the product's own page: quantities add up.
    let (_, page) = html(&shopper, "/products?page=2").await;
    assert!(page.contains(&format!("name=\"qty[{last}]\"")));
    let detail = format!("/products/{last}");
    for (back, qty) in [("/products?q=&page=2", "1"), (detail.as_str(), "1")] {
        let response = shopper
            .post_form(
                "/cart/add",
                &[
                    (&format!("qty[{last}]"), qty),
                    ("back", back),
                    ("csrf_token", &token),
                ],
            )
            .await;
        assert_eq!(response.status(), Status::SeeOther);
        let (_, page) = html(&shopper, back).await;
        assert!(
            flash_text(&page)
                .unwrap_or_default()
                .contains("Zebra backpack"),
            "{:?}",
            flash_text(&page)
        );
    }

    // The basket: both lines, their subtotals and the total (2 × 2.50 + 2 × 5.00).
    let (_, page) = html(&shopper, "/cart").await;
    let rows = table_rows(&page);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows[0][0].starts_with("Apple"), "{rows:?}");
    assert!(rows[1][0].starts_with("Zebra backpack"), "{rows:?}");
    assert!(rows[1][3].contains("10.00"), "{rows:?}");
    let total = page.split("id=\"cart-total\">").nth(1).unwrap_or("");
    assert!(
        total.starts_with("15.00") || total.contains("15.00<"),
        "{total}"
    );
    assert_eq!(stock(&admin, first).await, 10, "nothing taken yet");

    // Check out: one sale with both lines, stock taken, the basket empty.
    let response = shopper
        .post_form(
            "/cart",
            &[
                (&format!("qty[{first}]"), "2"),
                (&format!("qty[{last}]"), "2"),
                ("action", "checkout"),
                ("csrf_token", &token),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let to = location(&response).expect("Location");
    let id: i64 = to
        .strip_prefix("/sales/")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("redirected to {to}"));
    let (_, sale) = shopper.get_json(&format!("/api/sales/{id}")).await;
    assert_eq!(sale["total_cents"], 1500, "{sale}");
    assert_eq!(sale["items"].as_array().map(Vec::len), Some(2), "{sale}");
    assert_eq!(stock(&admin, first).await, 8);
    assert_eq!(stock(&admin, last).await, 1);
    assert!(cart_lines(&shopper).await.is_empty());
    let actions = app.audit_actions().await;
    assert_eq!(actions.iter().filter(|a| *a == "sale_create").count(), 1);

    // An empty basket cannot be checked out.
    let response = shopper
        .post_form("/cart", &[("action", "checkout"), ("csrf_token", &token)])
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let page = response.into_string().await.unwrap_or_default();
    assert!(page.contains("Your basket is empty."), "{page}");
}

#[rocket::async_test]
async fn a_failed_checkout_keeps_the_basket_and_marks_the_line() {
    let app = spawn_app().await;
    let Shop {
        admin,
        shopper,
        first,
        last,
        token,
    } = open_shop(&app).await;
    for (id, qty) in [(first, "1"), (last, "3")] {
        let response = shopper
            .post_form(
                "/cart/add",
                &[(&format!("qty[{id}]"), qty), ("csrf_token", &token)],
            )
            .await;
        assert_eq!(response.status(), Status::SeeOther);
        assert_eq!(location(&response).as_deref(), Some("/cart"));
    }
    // Someone else buys two backpacks first.
    let (status, _) = admin
        .patch_json(&format!("/api/products/{last}"), &json!({ "stock": 1 }))
        .await;
    assert_eq!(status, Status::Ok);

    let response = shopper
        .post_form(
            "/cart",
            &[
                (&format!("qty[{first}]"), "1"),
                (&format!("qty[{last}]"), "3"),
                ("action", "checkout"),
                ("csrf_token", &token),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::Conflict);
    let page = response.into_string().await.unwrap_or_default();
    // The summary names the product (never its id) and takes the focus.
    assert!(page.contains("class=\"error-summary\""), "{page}");
    assert!(page.contains("autofocus"));
    let summary = page.split("class=\"error-summary\"").nth(1).unwrap_or("");
    let summary = strip_tags(summary.split("</div>").next().unwrap_or(""));
    assert!(summary.contains("Zebra backpack"), "{summary}");
    assert!(!summary.contains(&format!("{last}")), "{summary}");
    // The line at fault is marked; the other is not; quantities are kept.
    let rows = raw_rows(&page);
    assert_eq!(rows.len(), 2);
    let zebra = rows
        .iter()
        .find(|r| r.contains("Zebra"))
        .expect("zebra row");
    assert!(zebra.contains("aria-invalid=\"true\""), "{zebra}");
    assert!(zebra.contains("value=\"3\""), "{zebra}");
    assert!(strip_tags(zebra).contains("Only 1 of “Zebra backpack” left"));
    let apple = rows
        .iter()
        .find(|r| r.contains("Apple"))
        .expect("apple row");
    assert!(!apple.contains("aria-invalid"), "{apple}");

    // Nothing bought, nothing taken, the basket as it was.
    assert_eq!(stock(&admin, first).await, 10);
    assert_eq!(stock(&admin, last).await, 1);
    let (_, sales) = shopper.get_json("/api/sales").await;
    assert_eq!(sales["total"], 0);
    assert_eq!(cart_lines(&shopper).await.len(), 2);

    // Lowering the quantity fixes it.
    let response = shopper
        .post_form(
            "/cart",
            &[
                (&format!("qty[{first}]"), "1"),
                (&format!("qty[{last}]"), "1"),
                ("action", "checkout"),
                ("csrf_token", &token),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(stock(&admin, last).await, 0);
}

#[rocket::async_test]
async fn quantities_change_and_lines_go() {
    let app = spawn_app().await;
    let Shop {
        admin,
        shopper,
        first,
        last,
        token,
    } = open_shop(&app).await;
    let (qf, ql) = (format!("qty[{first}]"), format!("qty[{last}]"));
    shopper
        .post_form(
            "/cart/add",
            &[(&qf, "1"), (&ql, "1"), ("csrf_token", &token)],
        )
        .await;

    // Update: a new quantity, and 0 takes a line out.
    let response = shopper
        .post_form(
            "/cart",
            &[
                (&qf, "4"),
                (&ql, "0"),
                ("action", "update"),
                ("csrf_token", &token),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let rows = cart_lines(&shopper).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0][0].starts_with("Apple"));

    // Not a number, or too many: the basket again with the field marked.
    for bad in ["two", "1001", "-1"] {
        let response = shopper
            .post_form("/cart", &[(&qf, bad), ("csrf_token", &token)])
            .await;
        assert_eq!(response.status(), Status::UnprocessableEntity, "{bad}");
        let page = response.into_string().await.unwrap_or_default();
        assert!(page.contains("aria-invalid=\"true\""), "{bad}");
    }
    assert!(html(&shopper, "/cart").await.1.contains("value=\"4\""));

    // Adding: a withdrawn product, a bad quantity, nothing at all.
    let (status, _) = admin
        .patch_json(
            &format!("/api/products/{last}"),
            &json!({ "is_active": false }),
        )
        .await;
    assert_eq!(status, Status::Ok);
    for fields in [
        vec![(ql.as_str(), "1")],
        vec![(qf.as_str(), "x")],
        vec![(qf.as_str(), "5000")],
        vec![(qf.as_str(), "0")],
    ] {
        let mut fields = fields;
        fields.push(("csrf_token", &token));
        let response = shopper.post_form("/cart/add", &fields).await;
        assert_eq!(response.status(), Status::SeeOther, "{fields:?}");
        let (_, page) = html(&shopper, "/cart").await;
        assert!(page.contains("class=\"flash error\""), "{fields:?}");
    }
    assert_eq!(cart_lines(&shopper).await.len(), 1);

    // Remove by its own button.
    let response = shopper
        .post_form(&format!("/cart/remove/{first}"), &[("csrf_token", &token)])
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let (_, page) = html(&shopper, "/cart").await;
    assert!(page.contains("Your basket is empty."));

    // A basket is its owner's only; anonymous visitors go to log in.
    let response = app.get("/cart").await;
    assert_eq!(response.status(), Status::SeeOther);
    assert!(
        location(&response)
            .unwrap_or_default()
            .starts_with("/login")
    );
    // Without the token: refused.
    let response = shopper.post_form("/cart/add", &[(&qf, "1")]).await;
    assert_eq!(response.status(), Status::Forbidden);
}

#[rocket::async_test]
async fn a_withdrawn_product_is_marked_and_a_deleted_one_leaves_the_basket() {
    let app = spawn_app().await;
    let Shop {
        admin,
        shopper,
        first,
        last,
        token,
    } = open_shop(&app).await;
    shopper
        .post_form(
            "/cart/add",
            &[
                (&format!("qty[{first}]"), "1"),
                (&format!("qty[{last}]"), "1"),
                ("csrf_token", &token),
            ],
        )
        .await;
    admin
        .patch_json(
            &format!("/api/products/{first}"),
            &json!({ "is_active": false }),
        )
        .await;
    let (_, page) = html(&shopper, "/cart").await;
    assert!(strip_tags(&page).contains("“Apple” is no longer sold."));
    let response = shopper
        .post_form("/cart", &[("action", "checkout"), ("csrf_token", &token)])
        .await;
    assert_eq!(response.status(), Status::Conflict);
    let (status, _) = admin.delete(&format!("/api/products/{first}")).await;
    assert_eq!(status, Status::NoContent);
    let rows = cart_lines(&shopper).await;
    assert_eq!(rows.len(), 1);
    assert!(rows[0][0].starts_with("Zebra"));
}

/// The `order_key` of the basket form as rendered.
fn order_key(page: &str) -> String {
    page.split("name=\"order_key\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no order_key in the basket form"))
}

#[rocket::async_test]
async fn the_same_basket_form_sent_twice_buys_once() {
    let app = spawn_app().await;
    let Shop {
        admin,
        shopper,
        first,
        token,
        ..
    } = open_shop(&app).await;
    let quantity = format!("qty[{first}]");
    let added = shopper
        .post_form("/cart/add", &[(&quantity, "2"), ("csrf_token", &token)])
        .await;
    assert_eq!(added.status(), Status::SeeOther);

    // Each rendering of the basket carries a key of its own.
    let (_, page) = html(&shopper, "/cart").await;
    let key = order_key(&page);
    let (_, again) = html(&shopper, "/cart").await;
    assert_ne!(order_key(&again), key);

    // A double click: the same form, twice.
    let form = [
        (quantity.as_str(), "2"),
        ("action", "checkout"),
        ("order_key", key.as_str()),
        ("csrf_token", token.as_str()),
    ];
    let first_answer = shopper.post_form("/cart", &form).await;
    assert_eq!(first_answer.status(), Status::SeeOther);
    let sale_page = location(&first_answer).expect("Location");
    assert!(sale_page.starts_with("/sales/"), "{sale_page}");
    let second_answer = shopper.post_form("/cart", &form).await;
    assert_eq!(second_answer.status(), Status::SeeOther);
    assert_eq!(location(&second_answer), Some(sale_page.clone()));
    let (_, page) = html(&shopper, &sale_page).await;
    assert!(
        flash_text(&page)
            .unwrap_or_default()
            .contains("you paid once"),
        "{:?}",
        flash_text(&page)
    );

    assert_eq!(stock(&admin, first).await, 8, "bought once");
    assert_eq!(scalar(&admin, "SELECT COUNT(*) FROM sales").await, 1);
    let actions = app.audit_actions().await;
    assert_eq!(actions.iter().filter(|a| *a == "sale_create").count(), 1);

    // The key is the form's: refilled and sent with a fresh key, it buys again.
    shopper
        .post_form("/cart/add", &[(&quantity, "1"), ("csrf_token", &token)])
        .await;
    let (_, page) = html(&shopper, "/cart").await;
    let fresh = order_key(&page);
    let third = shopper
        .post_form(
            "/cart",
            &[
                (quantity.as_str(), "1"),
                ("action", "checkout"),
                ("order_key", fresh.as_str()),
                ("csrf_token", token.as_str()),
            ],
        )
        .await;
    assert_eq!(third.status(), Status::SeeOther);
    assert_ne!(location(&third), Some(sale_page));
    assert_eq!(stock(&admin, first).await, 7);
}
