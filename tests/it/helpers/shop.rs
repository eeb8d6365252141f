//! Products, orders and stock, through the API and the database.

use rocket::http::Status;
use serde_json::{Value, json};

use super::TestApp;

/// Creates a product through the API as the administrator logged into `admin`.
pub async fn new_product(
    admin: &TestApp,
    sku: &str,
    name: &str,
    price_cents: i64,
    stock: i64,
) -> i64 {
    let (status, body) = admin
        .post_json(
            "/api/products",
            &json!({ "sku": sku, "name": name, "price_cents": price_cents, "stock": stock }),
        )
        .await;
    assert_eq!(status, Status::Created, "create product {sku}: {body}");
    body["id"].as_i64().expect("product id")
}

/// A product as the administrator sees it.
pub async fn product(admin: &TestApp, id: i64) -> Value {
    let (status, body) = admin.get_json(&format!("/api/products/{id}")).await;
    assert_eq!(status, Status::Ok, "GET /api/products/{id}: {body}");
    body
}

pub async fn stock(admin: &TestApp, id: i64) -> i64 {
    product(admin, id).await["stock"].as_i64().expect("stock")
}

/// `POST /api/sales` with `(product_id, quantity)` lines.
pub async fn buy(app: &TestApp, items: &[(i64, i64)]) -> (Status, Value) {
    app.post_json("/api/sales", &order(items)).await
}

pub fn order(items: &[(i64, i64)]) -> Value {
    let items: Vec<Value> = items
        .iter()
        .map(|(product_id, quantity)| json!({ "product_id": product_id, "quantity": quantity }))
        .collect();
    json!({ "items": items })
}
