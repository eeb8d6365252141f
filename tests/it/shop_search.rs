//! Search finds what people type (issue 16, SPEC "Search"): anywhere inside
//! a product's name or SKU and a user's username, e-mail or names, in any
//! case and without accents, read from an index on both backends.

use portero::db::AppPool;
use portero::domain::Role;
use rocket::http::Status;

use crate::helpers::*;

async fn product_names(app: &TestApp, q: &str) -> Vec<String> {
    let (status, list) = app
        .get_json(&format!("/api/products?per_page=100&q={}", urlencode(q)))
        .await;
    assert_eq!(status, Status::Ok, "{q}: {list}");
    let mut names: Vec<String> = list["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|p| p["name"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    assert_eq!(list["total"], names.len(), "{q}");
    names
}

#[rocket::async_test]
async fn products_are_found_by_a_word_inside_their_name_or_sku() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;
    new_product(&admin, "BAG-15", "Bamboo Backpack 15", 4999, 5).await;
    new_product(&admin, "BAG-16", "Hiking backpack", 5999, 5).await;
    new_product(&admin, "DES-1", "Crème brûlée", 450, 5).await;
    new_product(&admin, "MUG-1", "Mug", 900, 5).await;
    let after = new_product(&admin, "TMP-1", "Temporary", 100, 5).await;

    let backpacks = ["Bamboo Backpack 15", "Hiking backpack"];
    for q in ["Backpack", "backpack", "BACKPACK", "ackpa", "kpa"] {
        assert_eq!(product_names(&app, q).await, backpacks, "q={q}");
    }
    for q in ["creme", "BRULEE", "brûl", "è b"] {
        assert_eq!(product_names(&app, q).await, ["Crème brûlée"], "q={q}");
    }
    // The SKU, inside too; short searches (no trigram) still work.
    assert_eq!(product_names(&app, "g-15").await, ["Bamboo Backpack 15"]);
    assert_eq!(product_names(&app, "ug").await, ["Mug"]);
    assert_eq!(product_names(&app, "15").await, ["Bamboo Backpack 15"]);
    // Query syntax and wildcards are plain text.
    for q in ["%", "_", "\"", "back OR mug", "b*", "NEAR(a b)"] {
        assert!(product_names(&app, q).await.is_empty(), "q={q}");
    }
    // Renamed and deleted products follow at once (the index is kept in step).
    admin
        .patch_json(
            &format!("/api/products/{after}"),
            &serde_json::json!({ "name": "Day backpack" }),
        )
        .await;
    assert_eq!(product_names(&app, "backpack").await.len(), 3);
    assert!(product_names(&app, "Temporary").await.is_empty());
    let (status, _) = admin.delete(&format!("/api/products/{after}")).await;
    assert_eq!(status, Status::NoContent);
    assert_eq!(product_names(&app, "backpack").await.len(), 2);

    // The page: a hint saying what is searched, the matches marked.
    let (status, page) = html(&app, "/products?q=backpack").await;
    assert_eq!(status, Status::Ok);
    assert_eq!(status_count(&page), 2);
    assert!(page.contains("contains what you type"), "no hint");
    assert!(page.contains("aria-describedby=\"q-hint\""));
    assert!(page.contains("Bamboo <mark>Backpack</mark> 15"), "{page}");
    assert!(page.contains("Hiking <mark>backpack</mark>"));
    let (_, page) = html(&app, "/products?q=%3Cb%3E").await;
    assert!(!page.contains("<mark><b>"), "marks must stay escaped");
}

#[rocket::async_test]
async fn users_are_found_by_a_part_of_any_of_their_names() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;
    person(
        &app,
        "user0000123",
        "u123@example.com",
        "Ann",
        "Lee",
        Role::User,
    )
    .await;
    person(&app, "jose", "jose@corp.test", "José", "Núñez", Role::User).await;
    person(
        &app,
        "mia",
        "mia@example.com",
        "Mia",
        "Fernández",
        Role::User,
    )
    .await;

    let search = |q: &'static str| {
        let admin = &admin;
        async move {
            let (status, list) = admin
                .get_json(&format!("/api/users?per_page=100&q={}", urlencode(q)))
                .await;
            assert_eq!(status, Status::Ok, "{q}: {list}");
            let mut names = usernames(&list);
            names.sort();
            names
        }
    };
    assert_eq!(
        search("example.com").await.len(),
        3,
        "root, user0000123, mia"
    );
    assert_eq!(search("0000123").await, ["user0000123"]);
    assert_eq!(search("nunez").await, ["jose"]);
    assert_eq!(search("NÚÑ").await, ["jose"]);
    assert_eq!(search("nande").await, ["mia"]);
    assert_eq!(search("corp").await, ["jose"]);
    assert_eq!(search("@").await.len(), 4);

    let (_, page) = html(&admin, "/admin/users?q=nande").await;
    assert_eq!(first_column(&page), ["mia"]);
}

/// The searches read their index: the FTS5 trigram table on SQLite, the
/// pg_trgm GIN indexes on PostgreSQL.
#[rocket::async_test]
async fn substring_searches_use_an_index() {
    let app = spawn_app().await;
    let plans: Vec<String> = match app.pool() {
        AppPool::Sqlite(pool) => {
            let mut plans = Vec::new();
            for sql in [
                "EXPLAIN QUERY PLAN SELECT id FROM users WHERE id IN \
                 (SELECT rowid FROM users_fts WHERE users_fts MATCH '\"ample\"')",
                "EXPLAIN QUERY PLAN SELECT id FROM products WHERE id IN \
                 (SELECT rowid FROM products_fts WHERE products_fts MATCH '\"ackpa\"')",
            ] {
                let rows: Vec<(i64, i64, i64, String)> =
                    sqlx::query_as(sql).fetch_all(pool).await.expect(sql);
                plans.push(
                    rows.into_iter()
                        .map(|r| r.3)
                        .collect::<Vec<_>>()
                        .join(" | "),
                );
            }
            plans
        }
        AppPool::Postgres(pool) => {
            let mut conn = pool.acquire().await.expect("connection");
            sqlx::query("SET enable_seqscan = off")
                .execute(&mut *conn)
                .await
                .expect("set");
            let mut plans = Vec::new();
            for sql in [
                "EXPLAIN SELECT id FROM users WHERE username LIKE '%ample%' \
                 OR email LIKE '%ample%' OR first_name_key LIKE '%ample%' \
                 OR last_name_key LIKE '%ample%'",
                "EXPLAIN SELECT id FROM products WHERE name_key LIKE '%ackpa%' \
                 OR lower(sku) LIKE '%ackpa%'",
            ] {
                let rows: Vec<(String,)> =
                    sqlx::query_as(sql).fetch_all(&mut *conn).await.expect(sql);
                plans.push(
                    rows.into_iter()
                        .map(|r| r.0)
                        .collect::<Vec<_>>()
                        .join(" | "),
                );
            }
            plans
        }
    };
    let (users, products) = (&plans[0], &plans[1]);
    match app.pool() {
        AppPool::Sqlite(_) => {
            assert!(users.contains("VIRTUAL TABLE INDEX"), "{users}");
            assert!(products.contains("VIRTUAL TABLE INDEX"), "{products}");
        }
        AppPool::Postgres(_) => {
            for index in [
                "users_username_trgm_idx",
                "users_email_trgm_idx",
                "users_first_name_key_trgm_idx",
                "users_last_name_key_trgm_idx",
            ] {
                assert!(users.contains(index), "{index}: {users}");
            }
            assert!(
                products.contains("products_name_key_trgm_idx"),
                "{products}"
            );
            assert!(products.contains("products_sku_trgm_idx"), "{products}");
        }
    }
}
