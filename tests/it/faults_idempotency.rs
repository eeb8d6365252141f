//! `Idempotency-Key` on the create operations (issue 13): a retry buys or
//! creates once, a different body under the same key is 422.

use rocket::http::{ContentType, Header, Status};
use serde_json::{Value, json};

use crate::helpers::*;

struct Answer {
    status: Status,
    replayed: bool,
    body: Value,
}

async fn post_with_key(app: &TestApp, path: &str, key: &str, body: &Value) -> Answer {
    let response = app
        .client
        .post(path.to_owned())
        .header(ContentType::JSON)
        .header(Header::new("Idempotency-Key", key.to_owned()))
        .body(body.to_string())
        .dispatch()
        .await;
    let status = response.status();
    let replayed = response.headers().get_one("Idempotent-Replayed") == Some("true");
    let body = response.into_json::<Value>().await.unwrap_or(Value::Null);
    Answer {
        status,
        replayed,
        body,
    }
}

/// An administrator's shop with one product, and a logged-in buyer.
async fn shop() -> (TestApp, TestApp, i64) {
    let admin = spawn_app().await;
    admin.login_admin("keeper").await;
    let product = new_product(&admin, "IDEM-1", "Idem", 250, 100).await;
    let buyer = admin.other_browser().await;
    buyer.login_user("buyer").await;
    (admin, buyer, product)
}

async fn sales_count(app: &TestApp) -> i64 {
    scalar(app, "SELECT COUNT(*) FROM sales").await
}

#[rocket::async_test]
async fn a_retried_purchase_buys_once_and_answers_the_same_sale() {
    let (admin, buyer, product) = shop().await;
    let order = order(&[(product, 2)]);
    let first = post_with_key(&buyer, "/api/sales", "order-1", &order).await;
    assert_eq!(first.status, Status::Created, "{}", first.body);
    assert!(!first.replayed);
    let retry = post_with_key(&buyer, "/api/sales", "order-1", &order).await;
    assert_eq!(retry.status, Status::Created, "{}", retry.body);
    assert!(retry.replayed);
    assert_eq!(retry.body, first.body);
    assert_eq!(sales_count(&admin).await, 1);
    assert_eq!(stock(&admin, product).await, 98);

    // Another key is another purchase.
    let second = post_with_key(&buyer, "/api/sales", "order-2", &order).await;
    assert_eq!(second.status, Status::Created);
    assert_ne!(second.body["id"], first.body["id"]);
    assert_eq!(stock(&admin, product).await, 96);
}

#[rocket::async_test]
async fn the_same_key_with_another_order_is_422() {
    let (admin, buyer, product) = shop().await;
    let first = post_with_key(&buyer, "/api/sales", "k", &order(&[(product, 1)])).await;
    assert_eq!(first.status, Status::Created);
    let other = post_with_key(&buyer, "/api/sales", "k", &order(&[(product, 3)])).await;
    assert_eq!(other.status, Status::UnprocessableEntity, "{}", other.body);
    assert_problem_body(&other.body, Status::UnprocessableEntity);
    assert_eq!(error_fields(&other.body), ["Idempotency-Key"]);
    assert_eq!(sales_count(&admin).await, 1);
}

#[rocket::async_test]
async fn keys_belong_to_their_user_and_bad_keys_are_refused() {
    let (admin, buyer, product) = shop().await;
    let order = order(&[(product, 1)]);
    assert_eq!(
        post_with_key(&buyer, "/api/sales", "shared", &order)
            .await
            .status,
        Status::Created
    );
    let neighbour = admin.other_browser().await;
    neighbour.login_user("neighbour").await;
    let theirs = post_with_key(&neighbour, "/api/sales", "shared", &order).await;
    assert_eq!(theirs.status, Status::Created);
    assert!(!theirs.replayed);
    assert_eq!(sales_count(&admin).await, 2);

    for bad in ["", "two words", &"k".repeat(256)] {
        let answer = post_with_key(&buyer, "/api/sales", bad, &order).await;
        assert_eq!(answer.status, Status::UnprocessableEntity, "{bad:?}");
    }
    assert_eq!(sales_count(&admin).await, 2);
}

#[rocket::async_test]
async fn a_refused_purchase_is_not_remembered() {
    let (admin, buyer, product) = shop().await;
    let too_many = order(&[(product, 101)]);
    let refused = post_with_key(&buyer, "/api/sales", "later", &too_many).await;
    assert_eq!(refused.status, Status::Conflict);
    let (status, _) = admin
        .patch_json(
            &format!("/api/products/{product}"),
            &json!({ "stock": 500 }),
        )
        .await;
    assert_eq!(status, Status::Ok);
    let retry = post_with_key(&buyer, "/api/sales", "later", &too_many).await;
    assert_eq!(retry.status, Status::Created, "{}", retry.body);
    assert!(!retry.replayed);
}

#[rocket::async_test]
async fn concurrent_retries_with_one_key_buy_once() {
    let (admin, buyer, product) = shop().await;
    let order = order(&[(product, 1)]);
    let answers = futures_join(&buyer, &order).await;
    for answer in &answers {
        assert_eq!(answer.status, Status::Created, "{}", answer.body);
    }
    assert_eq!(answers.iter().filter(|a| !a.replayed).count(), 1);
    assert_eq!(sales_count(&admin).await, 1);
    assert_eq!(stock(&admin, product).await, 99);
}

async fn futures_join(buyer: &TestApp, order: &Value) -> Vec<Answer> {
    let (a, b, c, d) = tokio::join!(
        post_with_key(buyer, "/api/sales", "race", order),
        post_with_key(buyer, "/api/sales", "race", order),
        post_with_key(buyer, "/api/sales", "race", order),
        post_with_key(buyer, "/api/sales", "race", order),
    );
    vec![a, b, c, d]
}

#[rocket::async_test]
async fn a_key_is_forgotten_after_a_day() {
    let (admin, buyer, product) = shop().await;
    let order = order(&[(product, 1)]);
    assert_eq!(
        post_with_key(&buyer, "/api/sales", "daily", &order)
            .await
            .status,
        Status::Created
    );
    admin.clock.advance(25 * 60 * 60);
    buyer.login_as("buyer").await;
    let next_day = post_with_key(&buyer, "/api/sales", "daily", &order).await;
    assert_eq!(next_day.status, Status::Created);
    assert!(!next_day.replayed);
    assert_eq!(sales_count(&admin).await, 2);
    // And the sweeper deletes what has expired.
    let state = admin
        .client
        .rocket()
        .state::<portero::state::AppState>()
        .expect("state");
    admin.clock.advance(25 * 60 * 60);
    portero::sweep(admin.pool(), &state.config, &admin.clock).await;
    assert_eq!(
        scalar(&admin, "SELECT COUNT(*) FROM idempotency_keys").await,
        0
    );
}

#[rocket::async_test]
async fn openapi_documents_the_header_on_creates() {
    let app = spawn_app().await;
    let (_, spec) = app.get_json("/api/openapi.json").await;
    let parameters = &spec["paths"]["/sales"]["post"]["parameters"];
    let names: Vec<&str> = parameters
        .as_array()
        .map(|list| list.iter().filter_map(|p| p["name"].as_str()).collect())
        .unwrap_or_default();
    assert!(names.contains(&"Idempotency-Key"), "{parameters}");
}

#[rocket::async_test]
async fn a_retried_product_create_creates_one_product() {
    let admin = spawn_app().await;
    admin.login_admin("keeper").await;
    let body = json!({ "sku": "ONCE-1", "name": "Once", "price_cents": 100, "stock": 5 });
    let first = post_with_key(&admin, "/api/products", "p-1", &body).await;
    assert_eq!(first.status, Status::Created, "{}", first.body);
    let retry = post_with_key(&admin, "/api/products", "p-1", &body).await;
    assert_eq!(retry.status, Status::Created, "{}", retry.body);
    assert!(retry.replayed);
    assert_eq!(retry.body["id"], first.body["id"]);
    let other = json!({ "sku": "ONCE-2", "name": "Twice", "price_cents": 100, "stock": 5 });
    let mismatch = post_with_key(&admin, "/api/products", "p-1", &other).await;
    assert_eq!(mismatch.status, Status::UnprocessableEntity);
    assert_eq!(scalar(&admin, "SELECT COUNT(*) FROM products").await, 1);
}

fn sign_up_body(email: &str) -> Value {
    json!({
        "username": "retrier",
        "email": email,
        "password": "a long and unusual passphrase",
        "first_name": "Re",
        "last_name": "Trier",
    })
}

#[rocket::async_test]
async fn a_retried_sign_up_answers_the_account_without_a_session() {
    let app = spawn_app().await;
    let body = sign_up_body("retrier@example.com");
    let first = post_with_key(&app, "/api/auth/signup", "s-1", &body).await;
    assert_eq!(first.status, Status::Created, "{}", first.body);
    assert!(!first.replayed);

    // The answer was lost: the client retries from a fresh cookie jar.
    let retrier = app.other_browser().await;
    let response = retrier
        .client
        .post("/api/auth/signup")
        .header(ContentType::JSON)
        .header(Header::new("Idempotency-Key", "s-1"))
        .body(body.to_string())
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Created);
    assert_eq!(
        response.headers().get_one("Idempotent-Replayed"),
        Some("true")
    );
    assert!(
        response.headers().get_one("Set-Cookie").is_none(),
        "a replay must not open a session"
    );
    let replay = response.into_json::<Value>().await.unwrap_or(Value::Null);
    assert_eq!(replay["id"], first.body["id"], "{replay}");
    let (status, _) = retrier.get_json("/api/me").await;
    assert_eq!(status, Status::Unauthorized);
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM users WHERE username = 'retrier'"
        )
        .await,
        1
    );

    // Other details under the same key are refused; without a key, the
    // same details are the usual 409.
    let other = post_with_key(
        &retrier,
        "/api/auth/signup",
        "s-1",
        &sign_up_body("else@example.com"),
    )
    .await;
    assert_eq!(other.status, Status::UnprocessableEntity, "{}", other.body);
    assert_eq!(error_fields(&other.body), ["Idempotency-Key"]);
    let plain = retrier
        .client
        .post("/api/auth/signup")
        .header(ContentType::JSON)
        .body(body.to_string())
        .dispatch()
        .await;
    assert_eq!(plain.status(), Status::Conflict);
}
