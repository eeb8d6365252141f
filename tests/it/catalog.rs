//! The catalog (issue 6): anyone browses active products; administrators
//! manage them through the API and the admin pages.

use portero::domain::Role;
use rocket::http::{ContentType, Status};
use serde_json::{Value, json};

use crate::helpers::*;

fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|p| p["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// 22 mugs, a teapot and a "Big mug" (active), and a teacup (inactive).
async fn stock_the_shelves(admin: &TestApp) -> i64 {
    for n in 1..=22 {
        new_product(
            admin,
            &format!("MUG-{n:02}"),
            &format!("Mug {n:02}"),
            500 + n,
            10,
        )
        .await;
    }
    new_product(admin, "TEA-1", "Teapot", 2500, 4).await;
    new_product(admin, "BIG-1", "Big mug", 900, 4).await;
    let teacup = new_product(admin, "CUP-1", "Teacup", 300, 9).await;
    let (status, body) = admin
        .patch_json(
            &format!("/api/products/{teacup}"),
            &json!({ "is_active": false }),
        )
        .await;
    assert_eq!(status, Status::Ok, "{body}");
    teacup
}

fn all_active_names() -> Vec<String> {
    let mut names = vec!["Big mug".to_owned()];
    names.extend((1..=22).map(|n| format!("Mug {n:02}")));
    names.push("Teapot".to_owned());
    names
}

#[rocket::async_test]
async fn the_api_lists_only_active_products_with_search_and_pages() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;
    stock_the_shelves(&admin).await;
    let user = app.other_browser().await;
    sign_in(&user, "shopper", Role::User).await;

    for (who, client) in [("anonymous", &app), ("user", &user)] {
        let (status, list) = client.get_json("/api/products?per_page=100").await;
        assert_eq!(status, Status::Ok, "{who}: {list}");
        assert_eq!(list["total"], 24, "{who}");
        assert_eq!(names(&list), all_active_names(), "{who}");
        assert!(
            list["items"]
                .as_array()
                .is_some_and(|items| items.iter().all(|p| p["is_active"] == true)),
            "{who}"
        );
        // Only administrators may include inactive products.
        let (_, list) = client
            .get_json("/api/products?per_page=100&include_inactive=true")
            .await;
        assert_eq!(list["total"], 24, "{who} saw inactive products");
    }
    let (_, list) = admin
        .get_json("/api/products?per_page=100&include_inactive=true")
        .await;
    assert_eq!(list["total"], 25);
    let (_, list) = admin.get_json("/api/products?per_page=100").await;
    assert_eq!(list["total"], 24, "admins get active products by default");

    // q: found anywhere in the name or the SKU, in any case.
    for (q, expected) in [
        ("mug", 23),
        ("MUG", 23),
        ("Mug 1", 10),
        ("mug-0", 9),
        ("tea", 1),
        ("big", 1),
        ("cup", 0),
        ("ug", 23),
        ("%", 0),
    ] {
        let (status, list) = app
            .get_json(&format!("/api/products?per_page=100&q={}", urlencode(q)))
            .await;
        assert_eq!(status, Status::Ok, "q={q}: {list}");
        assert_eq!(
            list["total"],
            expected,
            "q={q}: {}",
            names(&list).join(", ")
        );
    }
    let (_, list) = app.get_json("/api/products?q=tea").await;
    assert_eq!(names(&list), ["Teapot"]);
    let (_, list) = admin
        .get_json("/api/products?q=cup&include_inactive=true")
        .await;
    assert_eq!(names(&list), ["Teacup"]);

    // Pages: disjoint and complete, in name order.
    let mut seen = Vec::new();
    for page in 1..=3 {
        let (_, list) = app
            .get_json(&format!("/api/products?per_page=10&page={page}"))
            .await;
        assert_eq!(list["total"], 24);
        assert_eq!(list["page"], page);
        assert_eq!(list["per_page"], 10);
        seen.extend(names(&list));
    }
    assert_eq!(seen, all_active_names());
    let (status, _) = app.get_json("/api/products?per_page=0").await;
    assert_eq!(status, Status::UnprocessableEntity);
}

#[rocket::async_test]
async fn the_catalog_page_lists_only_active_products_with_search_and_pages() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;
    stock_the_shelves(&admin).await;

    let (status, first) = html(&app, "/products").await;
    assert_eq!(status, Status::Ok);
    assert_eq!(status_count(&first), 24, "{}", status_line(&first));
    let (status, second) = html(&app, "/products?page=2").await;
    assert_eq!(status, Status::Ok);
    let mut shown: Vec<String> = first_column(&first);
    assert_eq!(shown.len(), 20);
    shown.extend(first_column(&second));
    let expected: Vec<String> = all_active_names();
    assert_eq!(shown.len(), expected.len(), "{shown:?}");
    for (row, name) in shown.iter().zip(&expected) {
        assert!(row.starts_with(name.as_str()), "{row} is not {name}");
    }
    for page in [&first, &second] {
        assert!(!page.contains("Teacup"), "an inactive product is listed");
    }
    assert!(
        hrefs(&first).iter().any(|h| h.ends_with("page=2")),
        "no link to page 2"
    );
    // Anonymous visitors get no buy form.
    assert!(!first.contains("name=\"qty["), "anonymous buy form");

    let (_, page) = html(&app, "/products?q=MUG").await;
    assert_eq!(status_count(&page), 23);
    assert_eq!(first_column(&page).len(), 20);
    let link = hrefs(&page)
        .into_iter()
        .find(|h| h.contains("page=2"))
        .expect("a link to page 2");
    assert!(link.contains("q=MUG"), "the link loses the search: {link}");
    let (_, page) = html(&app, &link).await;
    let rows = first_column(&page);
    // "Big mug" first by name, so page 2 holds the last three.
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows[1].starts_with("Mug 21") && rows[2].starts_with("Mug 22"));
    let (_, page) = html(&app, "/products?q=teac").await;
    assert_eq!(status_count(&page), 0);

    // The administrator's list shows everything.
    let (status, page) = html(&admin, "/admin/products").await;
    assert_eq!(status, Status::Ok);
    assert_eq!(status_count(&page), 25);
    let (_, page) = html(&admin, "/admin/products?q=tea").await;
    let rows = table_rows(&page);
    let skus: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(skus, ["CUP-1", "TEA-1"], "{rows:?}");
}

#[rocket::async_test]
async fn inactive_products_are_not_found_except_by_admins() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;
    let teacup = stock_the_shelves(&admin).await;
    let user = app.other_browser().await;
    sign_in(&user, "shopper", Role::User).await;

    for (who, client) in [("anonymous", &app), ("user", &user)] {
        let response = client.get(&format!("/api/products/{teacup}")).await;
        expect_problem(response, Status::NotFound).await;
        let (status, _) = html(client, &format!("/products/{teacup}")).await;
        assert_eq!(status, Status::NotFound, "{who}");
    }
    let (status, body) = admin.get_json(&format!("/api/products/{teacup}")).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(body["is_active"], false);
    let (status, page) = html(&admin, &format!("/products/{teacup}")).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("Teacup"));
    // Unknown ids: the same 404.
    let response = app.get("/api/products/999999").await;
    expect_problem(response, Status::NotFound).await;
    let (status, _) = html(&app, "/products/999999").await;
    assert_eq!(status, Status::NotFound);
    // An active product: everyone sees it.
    let (_, list) = app.get_json("/api/products?q=teapot").await;
    let teapot = list["items"][0]["id"].as_i64().expect("teapot");
    let (status, body) = app.get_json(&format!("/api/products/{teapot}")).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(body["sku"], "TEA-1");
    assert_eq!(body["price_cents"], 2500);
    let (status, page) = html(&app, &format!("/products/{teapot}")).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("25.00"), "price not shown");
}

#[rocket::async_test]
async fn admins_create_change_and_delete_products_through_the_api() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;

    let response = admin
        .client
        .post("/api/products")
        .header(ContentType::JSON)
        .body(
            json!({
                "sku": "grn-tea.100",
                "name": "  Green tea  ",
                "description": "Loose leaves.",
                "price_cents": 1250,
                "stock": 7
            })
            .to_string(),
        )
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Created);
    let at = location(&response).expect("Location");
    let created: Value = response.into_json().await.expect("json");
    let id = created["id"].as_i64().expect("id");
    assert_eq!(at, format!("/api/products/{id}"));
    assert_eq!(created["sku"], "GRN-TEA.100", "SKUs are stored upper-case");
    assert_eq!(created["name"], "Green tea");
    assert_eq!(created["description"], "Loose leaves.");
    assert_eq!(created["price_cents"], 1250);
    assert_eq!(created["stock"], 7);
    assert_eq!(created["is_active"], true);
    rfc3339_utc(&created["created_at"]);
    let (status, fetched) = app.get_json(&at).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(fetched, created);

    // PATCH changes only what is sent.
    let (status, changed) = admin.patch_json(&at, &json!({ "price_cents": 1399 })).await;
    assert_eq!(status, Status::Ok, "{changed}");
    assert_eq!(changed["price_cents"], 1399);
    assert_eq!(changed["name"], "Green tea");
    assert_eq!(changed["stock"], 7);
    assert_eq!(changed["sku"], "GRN-TEA.100");
    let (status, changed) = admin
        .patch_json(
            &at,
            &json!({ "name": "Sencha", "stock": 0, "is_active": false }),
        )
        .await;
    assert_eq!(status, Status::Ok, "{changed}");
    assert_eq!(changed["name"], "Sencha");
    assert_eq!(changed["stock"], 0);
    assert_eq!(changed["price_cents"], 1399);
    assert_eq!(changed["is_active"], false);
    let (status, _) = admin
        .patch_json("/api/products/999999", &json!({ "stock": 1 }))
        .await;
    assert_eq!(status, Status::NotFound);

    // DELETE: 204, then gone.
    let (status, _) = admin.delete(&at).await;
    assert_eq!(status, Status::NoContent);
    let (status, _) = admin.get_json(&at).await;
    assert_eq!(status, Status::NotFound);
    let (status, _) = admin.delete(&at).await;
    assert_eq!(status, Status::NotFound);
    let actions = app.audit_actions().await;
    for action in ["product_create", "product_update", "product_delete"] {
        assert!(
            actions.contains(&action.to_owned()),
            "{action}: {actions:?}"
        );
    }
}

#[rocket::async_test]
async fn product_api_refuses_duplicates_and_invalid_values() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;
    let mug = new_product(&admin, "MUG-1", "Mug", 500, 3).await;
    let other = new_product(&admin, "PLATE-1", "Plate", 700, 3).await;

    // A taken SKU, whatever its case: 409 naming the field.
    for sku in ["MUG-1", "mug-1", " Mug-1 "] {
        let response = admin
            .client
            .post("/api/products")
            .header(ContentType::JSON)
            .body(json!({ "sku": sku, "name": "Copy", "price_cents": 1, "stock": 1 }).to_string())
            .dispatch()
            .await;
        let problem = expect_problem(response, Status::Conflict).await;
        assert_eq!(error_fields(&problem), ["sku"], "{sku}: {problem}");
    }
    let (status, problem) = admin
        .patch_json(
            &format!("/api/products/{other}"),
            &json!({ "sku": "mug-1" }),
        )
        .await;
    assert_eq!(status, Status::Conflict, "{problem}");
    assert_eq!(product(&admin, other).await["sku"], "PLATE-1");

    // Invalid values: 422 with the field.
    let base = json!({ "sku": "NEW-1", "name": "New", "price_cents": 100, "stock": 1 });
    let cases: [(&str, Value, &str); 9] = [
        (
            "negative price",
            json!({ "price_cents": -1 }),
            "price_cents",
        ),
        (
            "huge price",
            json!({ "price_cents": 100_000_001i64 }),
            "price_cents",
        ),
        ("empty name", json!({ "name": "" }), "name"),
        ("blank name", json!({ "name": "   " }), "name"),
        ("sku with a space", json!({ "sku": "has space" }), "sku"),
        ("sku with a quote", json!({ "sku": "A'B" }), "sku"),
        ("empty sku", json!({ "sku": "" }), "sku"),
        ("long sku", json!({ "sku": "A".repeat(33) }), "sku"),
        ("negative stock", json!({ "stock": -5 }), "stock"),
    ];
    for (what, change, field) in cases {
        let mut body = base.clone();
        for (key, value) in change.as_object().expect("object") {
            body[key] = value.clone();
        }
        let response = admin
            .client
            .post("/api/products")
            .header(ContentType::JSON)
            .body(body.to_string())
            .dispatch()
            .await;
        let problem = expect_problem(response, Status::UnprocessableEntity).await;
        assert!(
            error_fields(&problem).contains(&field.to_owned()),
            "{what}: {problem}"
        );
        // The same value in a PATCH.
        let (status, problem) = admin
            .patch_json(&format!("/api/products/{mug}"), &change)
            .await;
        assert_eq!(
            status,
            Status::UnprocessableEntity,
            "PATCH {what}: {problem}"
        );
    }
    // Required fields and unknown fields.
    let (status, problem) = admin
        .post_json("/api/products", &json!({ "name": "No sku" }))
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    let fields = error_fields(&problem);
    for field in ["sku", "price_cents", "stock"] {
        assert!(fields.contains(&field.to_owned()), "{field}: {problem}");
    }
    let mut unknown = base.clone();
    unknown["colour"] = json!("blue");
    let (status, _) = admin.post_json("/api/products", &unknown).await;
    assert_eq!(status, Status::UnprocessableEntity);

    // Nothing was created or changed.
    let (_, list) = admin.get_json("/api/products?include_inactive=true").await;
    assert_eq!(list["total"], 2, "{list}");
    let mug = product(&admin, mug).await;
    assert_eq!(
        (&mug["name"], &mug["price_cents"], &mug["stock"]),
        (&json!("Mug"), &json!(500), &json!(3))
    );
}

#[rocket::async_test]
async fn product_writes_need_an_administrator() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;
    let mug = new_product(&admin, "MUG-1", "Mug", 500, 3).await;
    let user = app.other_browser().await;
    sign_in(&user, "shopper", Role::User).await;
    let body = json!({ "sku": "X-1", "name": "X", "price_cents": 1, "stock": 1 });
    let path = format!("/api/products/{mug}");

    for (client, status) in [(&app, Status::Unauthorized), (&user, Status::Forbidden)] {
        let response = client
            .client
            .post("/api/products")
            .header(ContentType::JSON)
            .body(body.to_string())
            .dispatch()
            .await;
        expect_problem(response, status).await;
        let response = client
            .client
            .patch(path.clone())
            .header(ContentType::JSON)
            .body(json!({ "price_cents": 1 }).to_string())
            .dispatch()
            .await;
        expect_problem(response, status).await;
        let response = client.client.delete(path.clone()).dispatch().await;
        expect_problem(response, status).await;
    }
    let (_, list) = admin.get_json("/api/products?include_inactive=true").await;
    assert_eq!(list["total"], 1);
    assert_eq!(product(&admin, mug).await["price_cents"], 500);
}

#[rocket::async_test]
async fn sold_products_cannot_be_deleted_only_deactivated() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;
    let mug = new_product(&admin, "MUG-1", "Mug", 500, 5).await;
    let user = app.other_browser().await;
    sign_in(&user, "shopper", Role::User).await;
    let (status, sale) = buy(&user, &[(mug, 1)]).await;
    assert_eq!(status, Status::Created, "{sale}");
    let path = format!("/api/products/{mug}");

    // The API: 409 with a clear message.
    let response = admin.client.delete(path.clone()).dispatch().await;
    let problem = expect_problem(response, Status::Conflict).await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("deactivate")),
        "{problem}"
    );
    assert_eq!(product(&admin, mug).await["stock"], 4);

    // The page: back to the product with an error message.
    let edit = format!("/admin/products/{mug}");
    let token = admin.page_csrf(&edit).await;
    let response = admin
        .post_form(&format!("{edit}/delete"), &[("csrf_token", &token)])
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response).as_deref(), Some(edit.as_str()));
    let (_, page) = html(&admin, &edit).await;
    let flash = flash_text(&page).unwrap_or_default();
    assert!(page.contains("class=\"flash error\""), "not an error flash");
    assert!(flash.contains("deactivate"), "{flash:?}");
    product(&admin, mug).await;

    // Deactivating works: gone from the catalog, cannot be bought, the sale stays.
    let (status, _) = admin
        .patch_json(&path, &json!({ "is_active": false }))
        .await;
    assert_eq!(status, Status::Ok);
    let (status, _) = app.get_json(&path).await;
    assert_eq!(status, Status::NotFound);
    let (_, list) = app.get_json("/api/products").await;
    assert_eq!(list["total"], 0);
    let (status, problem) = buy(&user, &[(mug, 1)]).await;
    assert_eq!(status, Status::UnprocessableEntity, "{problem}");
    let (status, sale) = user
        .get_json(&format!("/api/sales/{}", sale["id"].as_i64().expect("id")))
        .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(sale["items"][0]["product_id"], mug);
}

#[rocket::async_test]
async fn admin_product_pages_create_edit_and_delete_with_csrf() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;
    let (status, page) = html(&admin, "/admin/products/new").await;
    assert_eq!(status, Status::Ok);
    let token = csrf_from(&page).expect("csrf token");
    let form = |sku: &str, name: &str, price: &str, stock: &str| {
        vec![
            ("sku".to_owned(), sku.to_owned()),
            ("name".to_owned(), name.to_owned()),
            ("description".to_owned(), "A cup.".to_owned()),
            ("price".to_owned(), price.to_owned()),
            ("stock".to_owned(), stock.to_owned()),
            ("is_active".to_owned(), "true".to_owned()),
        ]
    };
    let with_token = |mut fields: Vec<(String, String)>, token: &str| {
        fields.push(("csrf_token".to_owned(), token.to_owned()));
        fields
    };
    let admin_ref = &admin;
    let count = move || async move {
        let (_, list) = admin_ref
            .get_json("/api/products?include_inactive=true")
            .await;
        list["total"].as_i64().unwrap_or(-1)
    };

    // Without or with a wrong token: 403, nothing created.
    let good = form("cup-1", "Cup", "12.50", "8");
    let (status, _, _) = post_fields(&admin, "/admin/products/new", &good).await;
    assert_eq!(status, Status::Forbidden);
    let (status, _, _) = post_fields(
        &admin,
        "/admin/products/new",
        &with_token(good.clone(), "x"),
    )
    .await;
    assert_eq!(status, Status::Forbidden);
    assert_eq!(count().await, 0);

    // Invalid values: the form again with the values and messages.
    let (status, _, page) = post_fields(
        &admin,
        "/admin/products/new",
        &with_token(form("bad sku", "", "abc", "-1"), &token),
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains("value=\"abc\""), "price not kept");
    assert!(page.contains("id=\"price-error-1\""), "no price error");
    let (status, _, page) = post_fields(
        &admin,
        "/admin/products/new",
        &with_token(form("bad sku", "", "1.00", "1"), &token),
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains("id=\"sku-error-1\""), "no sku error");
    assert!(page.contains("id=\"name-error-1\""), "no name error");
    assert_eq!(count().await, 0);

    // Created.
    let (status, to, _) = post_fields(
        &admin,
        "/admin/products/new",
        &with_token(good.clone(), &token),
    )
    .await;
    assert_eq!(status, Status::SeeOther);
    let to = to.expect("Location");
    let id: i64 = to
        .strip_prefix("/admin/products/")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("redirected to {to}"));
    let created = product(&admin, id).await;
    assert_eq!(created["sku"], "CUP-1");
    assert_eq!(created["price_cents"], 1250);
    assert_eq!(created["stock"], 8);
    assert_eq!(created["is_active"], true);
    let (_, page) = html(&admin, &to).await;
    assert!(flash_text(&page).unwrap_or_default().contains("created"));
    assert!(
        page.contains("value=\"12.50\""),
        "the edit form shows the price"
    );
    // The same SKU again: 409 on the form.
    let (status, _, page) = post_fields(
        &admin,
        "/admin/products/new",
        &with_token(form("CUP-1", "Other", "1", "1"), &token),
    )
    .await;
    assert_eq!(status, Status::Conflict);
    assert!(page.contains("id=\"sku-error-1\""), "no sku message");
    assert_eq!(count().await, 1);

    // Edit: refused without the token; saved with it.
    let edit = format!("/admin/products/{id}");
    let mut changed = form("CUP-1", "Big cup", "3", "2");
    changed.retain(|(k, _)| k != "is_active");
    let (status, _, _) = post_fields(&admin, &edit, &changed).await;
    assert_eq!(status, Status::Forbidden);
    assert_eq!(product(&admin, id).await["name"], "Cup");
    let (status, _, page) = post_fields(
        &admin,
        &edit,
        &with_token(form("CUP-1", "Big cup", "-3", "2"), &token),
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains("id=\"price-error-1\""));
    let (status, to, _) = post_fields(&admin, &edit, &with_token(changed, &token)).await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(to.as_deref(), Some(edit.as_str()));
    let saved = product(&admin, id).await;
    assert_eq!(saved["name"], "Big cup");
    assert_eq!(saved["price_cents"], 300);
    assert_eq!(saved["stock"], 2);
    assert_eq!(saved["is_active"], false, "unticked means inactive");
    let (status, _) = html(&admin, "/admin/products/999999").await;
    assert_eq!(status, Status::NotFound);

    // Delete: refused without the token; done with it.
    let delete = format!("{edit}/delete");
    let response = admin.post_form(&delete, &[]).await;
    assert_eq!(response.status(), Status::Forbidden);
    product(&admin, id).await;
    let response = admin.post_form(&delete, &[("csrf_token", &token)]).await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response).as_deref(), Some("/admin/products"));
    let (status, _) = admin.get_json(&format!("/api/products/{id}")).await;
    assert_eq!(status, Status::NotFound);
    let (_, page) = html(&admin, "/admin/products").await;
    assert!(flash_text(&page).unwrap_or_default().contains("deleted"));
    assert_eq!(count().await, 0);
}
