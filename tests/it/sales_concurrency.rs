//! Concurrent purchases of the last units (issue 6): N buyers, each with
//! their own session, order at the same moment; exactly K succeed, the
//! others get 409, and the stock ends at zero, never below.
//!
//! The requests run on a multi-threaded runtime so that they really overlap
//! (`helpers::race`).

use std::sync::Arc;

use portero::domain::Role;
use rocket::http::{Cookie, Status};
use rocket::local::asynchronous::Client;
use serde_json::Value;

use crate::helpers::*;

/// Buyers and units: N > K.
const BUYERS: usize = 12;
const UNITS: i64 = 5;

/// Creates `count` users and logs each in on `client`; returns their cookies.
async fn buyers(app: &TestApp, client: &Client, count: usize) -> Vec<Cookie<'static>> {
    let mut cookies = Vec::new();
    for n in 0..count {
        let name = format!("buyer{n:02}");
        new_user(app, &name, Role::User).await;
        cookies.push(session_of(client, &name).await);
    }
    cookies
}

/// Sends every order at once and returns each answer's status and body, in buyer order.
async fn order_all_at_once(
    client: &Arc<Client>,
    orders: Vec<(Cookie<'static>, Value)>,
) -> Vec<(Status, Value)> {
    let calls = orders
        .into_iter()
        .map(|(cookie, body)| Call::post("/api/sales", body).with_cookie(&cookie))
        .collect();
    at_once(client, calls)
        .await
        .into_iter()
        .map(|answer| (answer.status, answer.body))
        .collect()
}

fn tally(answers: &[(Status, Value)]) -> (usize, usize) {
    for (status, body) in answers {
        assert!(
            *status == Status::Created || *status == Status::Conflict,
            "unexpected answer {status}: {body}"
        );
    }
    let created = answers
        .iter()
        .filter(|(s, _)| *s == Status::Created)
        .count();
    (created, answers.len() - created)
}

/// Units of `product` in all recorded sales.
async fn units_sold(app: &TestApp, product: i64) -> i64 {
    scalar(
        app,
        &format!(
            "SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM sale_items WHERE product_id = {product}"
        ),
    )
    .await
}

#[test]
fn the_last_units_are_sold_exactly_once() {
    run_threaded(async {
        let app = spawn_app().await;
        new_user(&app, "root", Role::Admin).await;
        app.login_as("root").await;
        let product = new_product(&app, "LAST-1", "Last lamp", 4200, UNITS).await;
        let client = untracked(&app).await;
        let cookies = buyers(&app, &client, BUYERS).await;

        let orders = cookies
            .into_iter()
            .map(|cookie| (cookie, order(&[(product, 1)])))
            .collect();
        let answers = order_all_at_once(&client, orders).await;
        let (created, refused) = tally(&answers);

        assert_eq!(created, UNITS as usize, "successful purchases: {answers:?}");
        assert_eq!(refused, BUYERS - UNITS as usize);
        for (status, body) in &answers {
            if *status == Status::Conflict {
                assert!(
                    body["detail"].as_str().unwrap_or("").contains("Last lamp"),
                    "the 409 does not name the product: {body}"
                );
            } else {
                assert_eq!(body["items"][0]["quantity"], 1, "{body}");
            }
        }
        assert_eq!(stock(&app, product).await, 0, "stock after the rush");
        assert_eq!(units_sold(&app, product).await, UNITS);
        assert_eq!(scalar(&app, "SELECT COUNT(*) FROM sales").await, UNITS);
        let (_, list) = app.get_json("/api/sales?per_page=100").await;
        assert_eq!(list["total"], UNITS);
        // Every buyer owns at most one sale.
        let mut owners: Vec<i64> = list["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|s| s["user_id"].as_i64().expect("user id"))
            .collect();
        owners.sort_unstable();
        owners.dedup();
        assert_eq!(owners.len(), UNITS as usize);
    });
}

#[test]
fn concurrent_multi_unit_orders_never_oversell() {
    // Buyers want 2 units each of 5: at most two orders fit (4 units); the
    // last unit stays, since no order of 2 fits in 1.
    run_threaded(async {
        let app = spawn_app().await;
        new_user(&app, "root", Role::Admin).await;
        app.login_as("root").await;
        let product = new_product(&app, "PAIR-1", "Pair of socks", 900, UNITS).await;
        let client = untracked(&app).await;
        let cookies = buyers(&app, &client, BUYERS).await;
        let orders = cookies
            .into_iter()
            .map(|cookie| (cookie, order(&[(product, 2)])))
            .collect();
        let answers = order_all_at_once(&client, orders).await;
        let (created, refused) = tally(&answers);
        assert_eq!(created, 2, "{answers:?}");
        assert_eq!(refused, BUYERS - 2);
        assert_eq!(stock(&app, product).await, 1);
        assert_eq!(units_sold(&app, product).await, 4);
    });
}

#[test]
fn multi_line_orders_are_all_or_nothing_under_concurrency() {
    // Every order takes one plentiful item and one of the K scarce ones, in
    // either line order: exactly K orders succeed and the failed ones leave
    // the plentiful product's stock untouched.
    run_threaded(async {
        let app = spawn_app().await;
        new_user(&app, "root", Role::Admin).await;
        app.login_as("root").await;
        let plenty = new_product(&app, "PLENTY-1", "Paper cup", 50, 100).await;
        let scarce = new_product(&app, "SCARCE-1", "Signed poster", 9900, UNITS).await;
        let client = untracked(&app).await;
        let cookies = buyers(&app, &client, BUYERS).await;
        let orders = cookies
            .into_iter()
            .enumerate()
            .map(|(n, cookie)| {
                let lines = if n % 2 == 0 {
                    [(plenty, 1), (scarce, 1)]
                } else {
                    [(scarce, 1), (plenty, 1)]
                };
                (cookie, order(&lines))
            })
            .collect();
        let answers = order_all_at_once(&client, orders).await;
        let (created, refused) = tally(&answers);
        assert_eq!(created, UNITS as usize, "{answers:?}");
        assert_eq!(refused, BUYERS - UNITS as usize);
        for (status, body) in &answers {
            if *status == Status::Conflict {
                assert!(
                    body["detail"]
                        .as_str()
                        .unwrap_or("")
                        .contains("Signed poster"),
                    "{body}"
                );
            } else {
                assert_eq!(body["items"].as_array().map(Vec::len), Some(2), "{body}");
            }
        }
        assert_eq!(stock(&app, scarce).await, 0);
        assert_eq!(
            stock(&app, plenty).await,
            100 - UNITS,
            "a failed order kept a cup"
        );
        assert_eq!(units_sold(&app, scarce).await, UNITS);
        assert_eq!(units_sold(&app, plenty).await, UNITS);
        assert_eq!(
            scalar(&app, "SELECT COUNT(*) FROM sale_items").await,
            2 * UNITS
        );
    });
}

#[test]
fn a_failing_second_line_leaves_the_first_product_alone() {
    run_threaded(async {
        let app = spawn_app().await;
        new_user(&app, "root", Role::Admin).await;
        app.login_as("root").await;
        let first = new_product(&app, "FIRST-1", "First thing", 100, 10).await;
        let second = new_product(&app, "SECOND-1", "Second thing", 100, 1).await;
        let client = untracked(&app).await;
        let cookies = buyers(&app, &client, 1).await;
        let orders = vec![(cookies[0].clone(), order(&[(first, 3), (second, 2)]))];
        let answers = order_all_at_once(&client, orders).await;
        assert_eq!(answers[0].0, Status::Conflict, "{:?}", answers[0]);
        assert_eq!(error_fields(&answers[0].1), ["items[1].quantity"]);
        assert_eq!(stock(&app, first).await, 10);
        assert_eq!(stock(&app, second).await, 1);
        assert_eq!(scalar(&app, "SELECT COUNT(*) FROM sales").await, 0);
    });
}
