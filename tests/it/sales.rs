//! Sales (issue 6): buying through the API and the pages, price snapshots,
//! validation, stock, owner-or-admin reading, admin filters, cascade delete
//! and the dashboard totals.

use portero::domain::Role;
use rocket::http::{ContentType, Status};
use serde_json::{Value, json};

use crate::helpers::*;

fn sale_ids(list: &Value) -> Vec<i64> {
    list["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|sale| sale["id"].as_i64().expect("sale id"))
        .collect()
}

/// An administrator, a shopper, and two products: Apple (2.50, 10 in
/// stock) and Berry jam (19.99, 3 in stock).
struct Shop {
    admin: TestApp,
    shopper: TestApp,
    shopper_id: i64,
    apple: i64,
    jam: i64,
}

async fn open_shop(app: &TestApp) -> Shop {
    let (admin, _) = admin_browser(app, "root").await;
    let apple = new_product(&admin, "APL-1", "Apple", 250, 10).await;
    let jam = new_product(&admin, "JAM-1", "Berry jam", 1999, 3).await;
    let shopper = app.other_browser().await;
    let shopper_id = sign_in(&shopper, "shopper", Role::User).await;
    Shop {
        admin,
        shopper,
        shopper_id,
        apple,
        jam,
    }
}

#[rocket::async_test]
async fn buying_answers_201_with_the_sale_and_takes_the_stock() {
    let app = spawn_app().await;
    let Shop {
        admin,
        shopper,
        shopper_id,
        apple,
        jam,
    } = open_shop(&app).await;

    let response = shopper
        .client
        .post("/api/sales")
        .header(ContentType::JSON)
        .body(order(&[(apple, 2), (jam, 1)]).to_string())
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Created);
    let at = location(&response).expect("Location");
    let sale: Value = response.into_json().await.expect("json");
    let id = sale["id"].as_i64().expect("id");
    assert_eq!(at, format!("/api/sales/{id}"));
    assert_eq!(sale["user_id"], shopper_id);
    assert_eq!(
        sale["items"],
        json!([
            { "product_id": apple, "name": "Apple", "quantity": 2, "unit_price_cents": 250 },
            { "product_id": jam, "name": "Berry jam", "quantity": 1, "unit_price_cents": 1999 },
        ])
    );
    assert_eq!(sale["total_cents"], 2 * 250 + 1999);
    rfc3339_utc(&sale["created_at"]);
    assert_eq!(stock(&admin, apple).await, 8);
    assert_eq!(stock(&admin, jam).await, 2);

    let (status, fetched) = shopper.get_json(&at).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(fetched, sale);
    let (status, list) = shopper.get_json("/api/sales").await;
    assert_eq!(status, Status::Ok);
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0], sale);
    let (status, fetched) = admin.get_json(&at).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(fetched, sale);
    let actions = app.audit_actions().await;
    assert!(actions.contains(&"sale_create".to_owned()), "{actions:?}");
}

#[rocket::async_test]
async fn a_sale_keeps_the_price_paid() {
    let app = spawn_app().await;
    let Shop {
        admin,
        shopper,
        apple,
        ..
    } = open_shop(&app).await;
    let (status, sale) = buy(&shopper, &[(apple, 2)]).await;
    assert_eq!(status, Status::Created, "{sale}");
    let id = sale["id"].as_i64().expect("id");

    let (status, _) = admin
        .patch_json(
            &format!("/api/products/{apple}"),
            &json!({ "price_cents": 400, "name": "Golden apple" }),
        )
        .await;
    assert_eq!(status, Status::Ok);

    let (_, old) = shopper.get_json(&format!("/api/sales/{id}")).await;
    assert_eq!(old["items"][0]["unit_price_cents"], 250, "{old}");
    assert_eq!(old["total_cents"], 500);
    let (_, page) = html(&shopper, &format!("/sales/{id}")).await;
    assert!(page.contains("2.50"), "unit price on the page");
    assert!(page.contains("5.00"), "total on the page");
    assert!(
        !page.contains("4.00"),
        "the new price leaked into an old sale"
    );
    // A new sale pays the new price.
    let (_, new) = buy(&shopper, &[(apple, 2)]).await;
    assert_eq!(new["items"][0]["unit_price_cents"], 400, "{new}");
    assert_eq!(new["total_cents"], 800);
    let (_, old_again) = admin.get_json(&format!("/api/sales/{id}")).await;
    assert_eq!(old_again["items"][0]["unit_price_cents"], 250);
}

#[rocket::async_test]
async fn lines_for_the_same_product_are_merged() {
    let app = spawn_app().await;
    let Shop {
        admin,
        shopper,
        apple,
        jam,
        ..
    } = open_shop(&app).await;
    // Documented behaviour: duplicate lines are merged, quantities added.
    let (status, sale) = buy(&shopper, &[(apple, 2), (jam, 1), (apple, 3)]).await;
    assert_eq!(status, Status::Created, "{sale}");
    assert_eq!(
        sale["items"],
        json!([
            { "product_id": apple, "name": "Apple", "quantity": 5, "unit_price_cents": 250 },
            { "product_id": jam, "name": "Berry jam", "quantity": 1, "unit_price_cents": 1999 },
        ])
    );
    assert_eq!(sale["total_cents"], 5 * 250 + 1999);
    assert_eq!(stock(&admin, apple).await, 5);
    // Merged lines are checked against the stock together.
    let (status, problem) = buy(&shopper, &[(jam, 1), (jam, 2)]).await;
    assert_eq!(status, Status::Conflict, "{problem}");
    assert_eq!(stock(&admin, jam).await, 2);
}

#[rocket::async_test]
async fn invalid_orders_are_422_and_record_nothing() {
    let app = spawn_app().await;
    let Shop {
        admin,
        shopper,
        apple,
        jam,
        ..
    } = open_shop(&app).await;
    let retired = new_product(&admin, "OLD-1", "Retired", 100, 5).await;
    admin
        .patch_json(
            &format!("/api/products/{retired}"),
            &json!({ "is_active": false }),
        )
        .await;

    let cases: [(&str, Value, &str); 8] = [
        ("zero quantity", order(&[(apple, 0)]), "items[0].quantity"),
        (
            "negative quantity",
            order(&[(apple, -2)]),
            "items[0].quantity",
        ),
        (
            "huge quantity",
            order(&[(apple, 1001)]),
            "items[0].quantity",
        ),
        ("no items", json!({ "items": [] }), "items"),
        (
            "unknown product",
            order(&[(apple, 1), (999_999, 1)]),
            "items[1].product_id",
        ),
        ("product id 0", order(&[(0, 1)]), "items[0].product_id"),
        (
            "inactive product",
            order(&[(apple, 1), (retired, 1)]),
            "items[1].product_id",
        ),
        (
            "a bad line among good ones",
            order(&[(jam, 1), (apple, 0)]),
            "items[1].quantity",
        ),
    ];
    for (what, body, field) in cases {
        let response = shopper
            .client
            .post("/api/sales")
            .header(ContentType::JSON)
            .body(body.to_string())
            .dispatch()
            .await;
        let problem = expect_problem(response, Status::UnprocessableEntity).await;
        assert!(
            error_fields(&problem).contains(&field.to_owned()),
            "{what}: {problem}"
        );
    }
    for (what, body) in [
        ("no quantity", json!({ "items": [{ "product_id": apple }] })),
        (
            "text quantity",
            json!({ "items": [{ "product_id": apple, "quantity": "2" }] }),
        ),
        ("no items field", json!({})),
        (
            "unknown field",
            json!({ "items": [{ "product_id": apple, "quantity": 1, "price": 1 }] }),
        ),
    ] {
        let (status, body) = shopper.post_json("/api/sales", &body).await;
        assert_eq!(status, Status::UnprocessableEntity, "{what}: {body}");
    }
    // Nothing recorded, no stock taken.
    assert_eq!(stock(&admin, apple).await, 10);
    assert_eq!(stock(&admin, jam).await, 3);
    assert_eq!(stock(&admin, retired).await, 5);
    let (_, list) = admin.get_json("/api/sales").await;
    assert_eq!(list["total"], 0, "{list}");
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM sale_items").await, 0);
}

#[rocket::async_test]
async fn too_little_stock_is_409_naming_the_product_and_records_nothing() {
    let app = spawn_app().await;
    let Shop {
        admin,
        shopper,
        apple,
        jam,
        ..
    } = open_shop(&app).await;

    let response = shopper
        .client
        .post("/api/sales")
        .header(ContentType::JSON)
        .body(order(&[(jam, 4)]).to_string())
        .dispatch()
        .await;
    let problem = expect_problem(response, Status::Conflict).await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("Berry jam")),
        "the problem does not name the product: {problem}"
    );
    assert_eq!(error_fields(&problem), ["items[0].quantity"]);

    // All or nothing: the apples of a failing order stay on the shelf.
    let (status, problem) = buy(&shopper, &[(apple, 1), (jam, 4)]).await;
    assert_eq!(status, Status::Conflict, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("Berry jam")
    );
    assert_eq!(error_fields(&problem), ["items[1].quantity"]);
    let (status, problem) = buy(&shopper, &[(jam, 4), (apple, 1)]).await;
    assert_eq!(status, Status::Conflict, "{problem}");
    assert_eq!(error_fields(&problem), ["items[0].quantity"]);
    assert_eq!(stock(&admin, apple).await, 10);
    assert_eq!(stock(&admin, jam).await, 3);
    let (_, list) = admin.get_json("/api/sales").await;
    assert_eq!(list["total"], 0);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM sales").await, 0);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM sale_items").await, 0);

    // The last units can be bought; then the product is sold out.
    let (status, sale) = buy(&shopper, &[(jam, 3)]).await;
    assert_eq!(status, Status::Created, "{sale}");
    assert_eq!(stock(&admin, jam).await, 0);
    let (status, _) = buy(&shopper, &[(jam, 1)]).await;
    assert_eq!(status, Status::Conflict);
    assert_eq!(stock(&admin, jam).await, 0);
    let actions = app.audit_actions().await;
    assert_eq!(
        actions.iter().filter(|a| *a == "sale_create").count(),
        1,
        "{actions:?}"
    );
}

#[rocket::async_test]
async fn buying_through_the_page() {
    let app = spawn_app().await;
    let Shop {
        admin,
        shopper,
        apple,
        jam,
        ..
    } = open_shop(&app).await;
    let (status, page) = html(&shopper, "/products").await;
    assert_eq!(status, Status::Ok);
    for id in [apple, jam] {
        assert!(
            page.contains(&format!("name=\"qty[{id}]\"")),
            "no quantity field for {id}"
        );
    }
    assert!(page.contains("action=\"/cart/add\""), "no basket form");
    let token = csrf_from(&page).expect("csrf token");
    let apple_field = format!("qty[{apple}]");
    let jam_field = format!("qty[{jam}]");

    // Without the token: refused, nothing bought.
    let response = shopper
        .post_form("/sales", &[(&apple_field, "2"), (&jam_field, "1")])
        .await;
    assert_eq!(response.status(), Status::Forbidden);
    assert_eq!(stock(&admin, apple).await, 10);

    // Bought: to the sale's page.
    let response = shopper
        .post_form(
            "/sales",
            &[
                (&apple_field, "2"),
                (&jam_field, "1"),
                ("qty[999999]", ""),
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
    let (status, page) = html(&shopper, &to).await;
    assert_eq!(status, Status::Ok);
    assert!(
        flash_text(&page).unwrap_or_default().contains("24.99"),
        "{:?}",
        flash_text(&page)
    );
    assert!(page.contains("Apple") && page.contains("Berry jam"));
    let (_, sale) = shopper.get_json(&format!("/api/sales/{id}")).await;
    assert_eq!(sale["total_cents"], 2499, "{sale}");
    assert_eq!(stock(&admin, apple).await, 8);
    assert_eq!(stock(&admin, jam).await, 2);
    let (_, page) = html(&shopper, "/sales").await;
    assert_eq!(first_column(&page), [format!("#{id}")]);

    // Too many: back to the catalog with a message naming the product.
    let response = shopper
        .post_form("/sales", &[(&jam_field, "5"), ("csrf_token", &token)])
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response).as_deref(), Some("/products"));
    let (_, page) = html(&shopper, "/products").await;
    let flash = flash_text(&page).unwrap_or_default();
    assert!(flash.contains("Berry jam"), "{flash:?}");
    assert!(page.contains("class=\"flash error\""));
    // Not a number, or nothing chosen: a message, nothing bought.
    for fields in [
        vec![
            (apple_field.as_str(), "two"),
            ("csrf_token", token.as_str()),
        ],
        vec![(apple_field.as_str(), "0"), ("csrf_token", token.as_str())],
    ] {
        let response = shopper.post_form("/sales", &fields).await;
        assert_eq!(response.status(), Status::SeeOther, "{fields:?}");
        assert_eq!(location(&response).as_deref(), Some("/products"));
        let (_, page) = html(&shopper, "/products").await;
        assert!(page.contains("class=\"flash error\""), "{fields:?}");
    }
    assert_eq!(stock(&admin, apple).await, 8);
    assert_eq!(stock(&admin, jam).await, 2);
    let (_, list) = shopper.get_json("/api/sales").await;
    assert_eq!(list["total"], 1);

    // Anonymous visitors are sent to log in.
    let response = app
        .post_form("/sales", &[(&apple_field, "1"), ("csrf_token", &token)])
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert!(
        location(&response)
            .unwrap_or_default()
            .starts_with("/login")
    );
    assert_eq!(stock(&admin, apple).await, 8);
}

#[rocket::async_test]
async fn users_see_only_their_own_sales() {
    let app = spawn_app().await;
    let Shop {
        admin,
        shopper: alice,
        shopper_id: alice_id,
        apple,
        jam,
    } = open_shop(&app).await;
    let bob = app.other_browser().await;
    let bob_id = sign_in(&bob, "bob", Role::User).await;
    let (_, a_sale) = buy(&alice, &[(apple, 1)]).await;
    let (_, b_sale) = buy(&bob, &[(jam, 1)]).await;
    let a = a_sale["id"].as_i64().expect("alice's sale");
    let b = b_sale["id"].as_i64().expect("bob's sale");

    // Reading bob's sale reads like reading no sale at all.
    let theirs = expect_problem(
        alice.get(&format!("/api/sales/{b}")).await,
        Status::NotFound,
    )
    .await;
    let none = expect_problem(alice.get("/api/sales/999999").await, Status::NotFound).await;
    assert_eq!(
        sans_request_id(theirs),
        sans_request_id(none),
        "a 404 for someone else's sale tells more"
    );
    let (status, page) = html(&alice, &format!("/sales/{b}")).await;
    assert_eq!(status, Status::NotFound);
    assert!(!page.contains("Berry jam"));
    let (status, _) = html(&alice, "/sales/999999").await;
    assert_eq!(status, Status::NotFound);

    // Lists: only her own, whatever the filter.
    for query in [
        "".to_owned(),
        format!("?user_id={bob_id}"),
        format!("?user_id={bob_id}&from=2000-01-01"),
        "?from=2000-01-01&to=2999-01-01".to_owned(),
        "?per_page=100".to_owned(),
    ] {
        let (status, list) = alice.get_json(&format!("/api/sales{query}")).await;
        assert_eq!(status, Status::Ok, "{query}: {list}");
        assert!(!sale_ids(&list).contains(&b), "{query}: {list}");
        let totals_only_hers = list["total"] == json!(1) || list["total"] == json!(0);
        assert!(totals_only_hers, "{query}: {list}");
    }
    let (_, list) = alice
        .get_json(&format!("/api/sales?user_id={bob_id}"))
        .await;
    assert_eq!(list["total"], 0, "bob's count leaks: {list}");
    let (_, list) = alice.get_json("/api/sales").await;
    assert_eq!(sale_ids(&list), [a]);
    let (_, list) = alice
        .get_json(&format!("/api/sales?user_id={alice_id}"))
        .await;
    assert_eq!(sale_ids(&list), [a]);
    let (_, page) = html(&alice, "/sales").await;
    assert_eq!(first_column(&page), [format!("#{a}")]);
    let (status, _) = html(&alice, "/admin/sales").await;
    assert_eq!(status, Status::Forbidden);
    let (status, _) = html(&alice, &format!("/admin/sales?user={bob_id}")).await;
    assert_eq!(status, Status::Forbidden);

    // The administrator sees everything.
    let (_, list) = admin.get_json("/api/sales").await;
    assert_eq!(sale_ids(&list), [b, a], "newest first");
    assert_eq!(list["total"], 2);
    let (_, list) = admin
        .get_json(&format!("/api/sales?user_id={bob_id}"))
        .await;
    assert_eq!(sale_ids(&list), [b]);
    let (status, _) = admin.get_json(&format!("/api/sales/{a}")).await;
    assert_eq!(status, Status::Ok);
    let (status, page) = html(&admin, &format!("/sales/{b}")).await;
    assert_eq!(status, Status::Ok);
    assert!(
        page.contains("bob"),
        "the customer is not shown to the admin"
    );

    // Anonymous visitors: 401 from the API, the login page from the pages.
    for path in ["/api/sales".to_owned(), format!("/api/sales/{a}")] {
        expect_problem(app.get(&path).await, Status::Unauthorized).await;
    }
    let (status, _) = app.post_json("/api/sales", &order(&[(apple, 1)])).await;
    assert_eq!(status, Status::Unauthorized);
    for path in ["/sales".to_owned(), format!("/sales/{a}")] {
        let response = app.get(&path).await;
        assert_eq!(response.status(), Status::SeeOther, "{path}");
        let to = location(&response).unwrap_or_default();
        assert!(to.starts_with("/login?next="), "{path} -> {to}");
    }
    assert_eq!(stock(&admin, apple).await, 9);
}

#[rocket::async_test]
async fn admins_filter_sales_by_user_and_date() {
    let app = spawn_app().await;
    new_user(&app, "root", Role::Admin).await;
    let alice_id = new_user(&app, "alice", Role::User).await;
    let bob_id = new_user(&app, "bob", Role::User).await;
    let admin = app.other_browser().await;
    admin.login_as("root").await;
    let apple = new_product(&admin, "APL-1", "Apple", 250, 100).await;
    let alice = app.other_browser().await;
    let bob = app.other_browser().await;
    alice.login_as("alice").await;

    let day_one = app.clock.now().date();
    let (_, s1) = buy(&alice, &[(apple, 1)]).await;
    // Two days later (the sessions have expired).
    app.clock.advance(2 * 24 * 3600);
    let day_three = app.clock.now().date();
    let day_two = day_one.next_day().expect("a day");
    alice.login_as("alice").await;
    bob.login_as("bob").await;
    admin.login_as("root").await;
    let (_, s2) = buy(&bob, &[(apple, 2)]).await;
    let (_, s3) = buy(&alice, &[(apple, 3)]).await;
    let [s1, s2, s3] = [&s1, &s2, &s3].map(|s| s["id"].as_i64().expect("sale id"));

    // The API: user_id, from (inclusive), to (exclusive), pages.
    for (query, expected) in [
        (String::new(), vec![s3, s2, s1]),
        (format!("?user_id={alice_id}"), vec![s3, s1]),
        (format!("?user_id={bob_id}"), vec![s2]),
        (format!("?from={day_two}"), vec![s3, s2]),
        (format!("?to={day_two}"), vec![s1]),
        (format!("?user_id={alice_id}&from={day_two}"), vec![s3]),
        (format!("?from={day_one}&to={day_three}"), vec![s1]),
        (
            format!("?from={}", urlencode(&format!("{day_two}T12:00:00Z"))),
            vec![s3, s2],
        ),
    ] {
        let (status, list) = admin.get_json(&format!("/api/sales{query}")).await;
        assert_eq!(status, Status::Ok, "{query}: {list}");
        assert_eq!(sale_ids(&list), expected, "{query}");
        assert_eq!(list["total"], expected.len(), "{query}");
    }
    let (_, list) = admin.get_json("/api/sales?per_page=1&page=2").await;
    assert_eq!(sale_ids(&list), [s2]);
    assert_eq!(list["total"], 3);
    let (status, problem) = admin.get_json("/api/sales?from=yesterday").await;
    assert_eq!(status, Status::UnprocessableEntity, "{problem}");
    assert_eq!(error_fields(&problem), ["from"]);

    // The page: the user by name or id, whole days.
    for (query, expected) in [
        (String::new(), vec![s3, s2, s1]),
        ("?user=alice".to_owned(), vec![s3, s1]),
        ("?user=ALICE".to_owned(), vec![s3, s1]),
        (format!("?user={bob_id}"), vec![s2]),
        ("?user=nobody".to_owned(), vec![]),
        (format!("?from={day_two}"), vec![s3, s2]),
        (format!("?to={day_one}"), vec![s1]),
        (format!("?from={day_three}&to={day_three}"), vec![s3, s2]),
        (format!("?user=bob&from={day_one}&to={day_two}"), vec![]),
        (format!("?from={day_two}&to={day_two}"), vec![]),
    ] {
        let (status, page) = html(&admin, &format!("/admin/sales{query}")).await;
        assert_eq!(status, Status::Ok, "{query}");
        let expected_rows: Vec<String> = expected.iter().map(|id| format!("#{id}")).collect();
        assert_eq!(first_column(&page), expected_rows, "{query}");
        assert_eq!(
            status_count(&page),
            expected.len() as i64,
            "{query}: {}",
            status_line(&page)
        );
    }
    let (_, page) = html(&admin, &format!("/admin/sales?user=alice&from={day_one}")).await;
    assert!(page.contains("value=\"alice\""), "the filter is not kept");
    assert!(page.contains(&format!("value=\"{day_one}\"")));
}

#[rocket::async_test]
async fn deleting_a_user_deletes_their_sales_but_not_the_products() {
    let app = spawn_app().await;
    let Shop {
        admin,
        shopper: alice,
        apple,
        jam,
        ..
    } = open_shop(&app).await;
    let bob = app.other_browser().await;
    let bob_id = sign_in(&bob, "bob", Role::User).await;
    let (_, kept) = buy(&alice, &[(apple, 1)]).await;
    let (_, first) = buy(&bob, &[(apple, 2), (jam, 1)]).await;
    let (_, second) = buy(&bob, &[(jam, 1)]).await;
    let bobs: Vec<i64> = [&first, &second]
        .iter()
        .map(|s| s["id"].as_i64().expect("sale id"))
        .collect();
    let items_of_bob = format!(
        "SELECT COUNT(*) FROM sale_items WHERE sale_id IN ({}, {})",
        bobs[0], bobs[1]
    );
    assert_eq!(scalar(&app, &items_of_bob).await, 3);

    let (status, _) = admin.delete(&format!("/api/users/{bob_id}")).await;
    assert_eq!(status, Status::NoContent);

    for id in &bobs {
        let (status, _) = admin.get_json(&format!("/api/sales/{id}")).await;
        assert_eq!(status, Status::NotFound, "sale {id} survived its user");
    }
    let (_, list) = admin
        .get_json(&format!("/api/sales?user_id={bob_id}"))
        .await;
    assert_eq!(list["total"], 0);
    assert_eq!(
        scalar(
            &app,
            &format!("SELECT COUNT(*) FROM sales WHERE user_id = {bob_id}")
        )
        .await,
        0
    );
    assert_eq!(scalar(&app, &items_of_bob).await, 0, "orphaned sale items");
    // Alice's sale and the products stay, stock as it was.
    let (_, list) = admin.get_json("/api/sales").await;
    assert_eq!(sale_ids(&list), [kept["id"].as_i64().expect("id")]);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM sale_items").await, 1);
    assert_eq!(product(&admin, apple).await["stock"], 7);
    assert_eq!(product(&admin, jam).await["stock"], 1);
    assert_eq!(bob.me_status().await, Status::Unauthorized);
}

/// The number on a dashboard card.
fn card(page: &str, label: &str) -> String {
    let marker = format!("<span class=\"label\">{label}</span><span class=\"number\">");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no card {label:?} on the dashboard"))
        + marker.len();
    let end = page[start..].find("</span>").expect("card end") + start;
    page[start..end].trim().to_owned()
}

#[rocket::async_test]
async fn the_dashboard_shows_counts_and_sales_totals() {
    let app = spawn_app().await;
    let Shop {
        admin,
        shopper,
        apple,
        jam,
        ..
    } = open_shop(&app).await;
    let (status, page) = html(&admin, "/admin").await;
    assert_eq!(status, Status::Ok);
    assert_eq!(card(&page, "Users"), "2");
    assert_eq!(card(&page, "Administrators"), "1");
    assert_eq!(card(&page, "Sales today"), "0");

    buy(&shopper, &[(apple, 2), (jam, 1)]).await; // 24.99
    buy(&shopper, &[(apple, 2)]).await; // 5.00
    let (_, page) = html(&admin, "/admin").await;
    assert_eq!(card(&page, "Sales today"), "2");
    assert_eq!(card(&page, "Revenue today"), "€29.99");
    assert_eq!(card(&page, "Sales, last 30 days"), "2");
    assert_eq!(card(&page, "Revenue, last 30 days"), "€29.99");
    assert!(page.contains("revenue-chart"), "no revenue chart");
    assert!(page.contains("<svg"), "no inline chart");

    // Yesterday's sales drop out of "today" but stay in the 30 days.
    app.clock.advance(24 * 3600 + 60);
    admin.login_as("root").await;
    let (_, page) = html(&admin, "/admin").await;
    assert_eq!(card(&page, "Sales today"), "0");
    assert_eq!(card(&page, "Revenue today"), "€0.00");
    assert_eq!(card(&page, "Sales, last 30 days"), "2");
    assert_eq!(card(&page, "Revenue, last 30 days"), "€29.99");
}
