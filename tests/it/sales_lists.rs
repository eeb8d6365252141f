//! Sorting and filtering the sale lists: one's own purchases (`/sales`) and
//! the administrator's (`/admin/sales`), each order read from an index.

use portero::db::AppPool;
use portero::domain::Role;
use rocket::http::Status;

use crate::helpers::*;

/// Three purchases by ann (totals 30.00, 12.50, 55.00, in that order) and
/// one by bob (12.50): returns ann's browser, the admin's, and ann's sale ids.
async fn shop() -> (TestApp, TestApp, TestApp, [i64; 3]) {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;
    let mug = new_product(&admin, "MUG-1", "Mug", 1250, 50).await;
    let pot = new_product(&admin, "POT-1", "Teapot", 3000, 50).await;
    let ann = app.other_browser().await;
    sign_in(&ann, "ann", Role::User).await;
    let bob = app.other_browser().await;
    sign_in(&bob, "bob", Role::User).await;
    let mut ids = [0; 3];
    for (at, items) in [&[(pot, 1)][..], &[(mug, 1)], &[(mug, 2), (pot, 1)]]
        .into_iter()
        .enumerate()
    {
        let (status, sale) = buy(&ann, items).await;
        assert_eq!(status, Status::Created, "{sale}");
        ids[at] = sale["id"].as_i64().expect("sale id");
    }
    assert_eq!(buy(&bob, &[(mug, 1)]).await.0, Status::Created);
    (app, ann, admin, ids)
}

fn ids_of(html: &str) -> Vec<i64> {
    first_column(html)
        .iter()
        .filter_map(|cell| cell.trim_start_matches('#').parse().ok())
        .collect()
}

#[rocket::async_test]
async fn own_purchases_sort_and_filter() {
    let (app, ann, _admin, [a, b, c]) = shop().await;
    let (status, page) = html(&ann, "/sales").await;
    assert_eq!(status, Status::Ok);
    assert_eq!(ids_of(&page), [c, b, a], "newest first by default");
    assert!(page.contains("3 purchases, newest first"), "{page}");
    assert!(page.contains("<option value=\"newest\" selected>"));

    for (sort, expected, words) in [
        ("oldest", [a, b, c], "oldest first"),
        ("total_desc", [c, a, b], "largest total first"),
        ("total", [b, a, c], "smallest total first"),
        ("newest", [c, b, a], "newest first"),
    ] {
        let (_, page) = html(&ann, &format!("/sales?sort={sort}")).await;
        assert_eq!(ids_of(&page), expected, "{sort}");
        assert!(page.contains(words), "{sort}: {page}");
        assert!(
            page.contains(&format!("<option value=\"{sort}\" selected>")),
            "{sort}"
        );
    }

    // Whole days: today's purchases are in, tomorrow's window is empty.
    let today = app.clock.now().date();
    let (_, page) = html(&ann, &format!("/sales?from={today}&to={today}&sort=oldest")).await;
    assert_eq!(ids_of(&page), [a, b, c]);
    let tomorrow = today.next_day().expect("a next day");
    let (_, page) = html(&ann, &format!("/sales?from={tomorrow}")).await;
    assert_eq!(ids_of(&page), Vec::<i64>::new());
    assert!(page.contains("No purchase matches."), "{page}");
    assert!(
        page.contains("id=\"from\""),
        "the filters stay to widen the search"
    );

    // Values that cannot be used are named on the form, never ignored.
    let (status, page) = html(&ann, "/sales?sort=price&from=2026-13-45").await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("id=\"sort-error-1\""), "{page}");
    assert!(page.contains("id=\"from-error-1\""), "{page}");
    assert!(
        page.contains("value=\"2026-13-45\""),
        "what was typed is kept"
    );
    assert_eq!(ids_of(&page), Vec::<i64>::new());

    // Page links keep the order.
    assert!(
        !page.contains("user="),
        "no customer filter on one's own list"
    );
}

#[rocket::async_test]
async fn the_admin_sales_list_sorts_and_its_export_follows() {
    let (_app, _ann, admin, [a, b, c]) = shop().await;
    let (_, page) = html(&admin, "/admin/sales?user=ann&sort=total_desc").await;
    assert_eq!(ids_of(&page), [c, a, b]);
    assert!(page.contains("3 sales, largest total first"), "{page}");
    let (_, page) = html(&admin, "/admin/sales?sort=total").await;
    let ids = ids_of(&page);
    assert_eq!(ids.len(), 4);
    assert_eq!(ids[3], c, "the largest last");
    assert!(
        hrefs(&page)
            .iter()
            .any(|h| h == "/admin/sales.csv?sort=total"),
        "the export link keeps the order"
    );
    let (status, page) = html(&admin, "/admin/sales?sort=cheapest").await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("id=\"sort-error-1\""), "{page}");

    let response = admin.get("/admin/sales.csv?user=ann&sort=oldest").await;
    assert_eq!(response.status(), Status::Ok);
    let body = response.into_string().await.unwrap_or_default();
    let ids: Vec<i64> = body
        .lines()
        .skip(1)
        .filter_map(|line| line.split(',').next()?.parse().ok())
        .collect();
    assert_eq!(ids, [a, b, c], "{body}");
    let response = admin.get("/admin/sales.csv?sort=cheapest").await;
    assert_eq!(response.status(), Status::SeeOther);
}

/// Every order the lists offer reads an index instead of sorting the table.
#[rocket::async_test]
async fn every_sale_order_reads_an_index() {
    let app = spawn_app().await;
    let orders = [
        "s.id DESC",
        "s.id ASC",
        "s.total_cents DESC, s.id DESC",
        "s.total_cents ASC, s.id ASC",
    ];
    for own in [false, true] {
        for order in orders {
            let filter = if own { "WHERE s.user_id = 7 " } else { "" };
            let sql = format!("SELECT s.id FROM sales s {filter}ORDER BY {order} LIMIT 20");
            let plan = match app.pool() {
                AppPool::Sqlite(pool) => {
                    let rows: Vec<(i64, i64, i64, String)> =
                        sqlx::query_as(&format!("EXPLAIN QUERY PLAN {sql}"))
                            .fetch_all(pool)
                            .await
                            .expect("plan");
                    rows.into_iter()
                        .map(|r| r.3)
                        .collect::<Vec<_>>()
                        .join(" | ")
                }
                AppPool::Postgres(pool) => {
                    let mut conn = pool.acquire().await.expect("connection");
                    for off in ["SET enable_seqscan = off", "SET enable_sort = off"] {
                        sqlx::query(off).execute(&mut *conn).await.expect("set");
                    }
                    let rows: Vec<(String,)> = sqlx::query_as(&format!("EXPLAIN {sql}"))
                        .fetch_all(&mut *conn)
                        .await
                        .expect("plan");
                    let plan = rows
                        .into_iter()
                        .map(|r| r.0)
                        .collect::<Vec<_>>()
                        .join(" | ");
                    // Sorting costs 1e10 when disabled: a plan that sorts anyway shows it.
                    assert!(!plan.contains("Sort "), "{sql}: {plan}");
                    plan
                }
            };
            assert!(!plan.contains("TEMP B-TREE"), "{sql}: {plan}");
            let index = match (own, order.starts_with("s.total")) {
                (true, true) => "sales_user_total_idx",
                (true, false) => "sales_user_idx",
                (false, true) => "sales_total_idx",
                (false, false) => "",
            };
            assert!(plan.contains(index), "{sql}: {plan}");
        }
    }
}
