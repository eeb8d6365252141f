//! All SQL touching `sales` and `sale_items`, including the atomic purchase.

use std::collections::HashMap;

use sqlx::FromRow;
use time::OffsetDateTime;

use super::{AppConn, AppTx, Backend, Filter, ListSql, first_row, on_conn, single_row};
use crate::domain::FieldErrors;
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;

#[derive(Debug, Clone, FromRow)]
pub struct SaleRow {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub total_cents: i64,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, FromRow)]
pub struct SaleItem {
    pub sale_id: i64,
    pub product_id: i64,
    pub name: String,
    pub quantity: i64,
    pub unit_price_cents: i64,
}

/// A sale with its items.
#[derive(Debug, Clone)]
pub struct Sale {
    pub row: SaleRow,
    pub items: Vec<SaleItem>,
}

/// One line of an order: `index` is its position in the request, for errors.
#[derive(Debug, Clone, Copy)]
pub struct OrderLine {
    pub index: usize,
    pub product_id: i64,
    pub quantity: i64,
}

/// Why a purchase failed inside the transaction.
fn unknown_product(line: &OrderLine) -> AppError {
    AppError::Invalid(FieldErrors::single(
        &format!("items[{}].product_id", line.index),
        Msg::new("sale-product-not-for-sale")
            .arg("id", line.product_id)
            .reported_as_invalid(),
    ))
}

fn out_of_stock(line: &OrderLine, name: &str, stock: i64) -> AppError {
    AppError::Conflict(FieldErrors::single(
        &format!("items[{}].quantity", line.index),
        Msg::new("sale-out-of-stock")
            .arg("name", name)
            .arg("stock", stock)
            .reported_as_invalid(),
    ))
}

/// Records a purchase inside the caller's transaction: per line, one
/// conditional UPDATE takes the stock only if enough remains, so stock
/// never goes below zero; any failure leaves the transaction to be rolled
/// back, so no partial sale is stored. Lines are taken in product-id order
/// so that concurrent orders lock rows in the same order (no deadlocks on
/// PostgreSQL).
pub async fn purchase(
    tx: &mut AppTx,
    user_id: i64,
    lines: &[OrderLine],
    now: OffsetDateTime,
) -> AppResult<i64> {
    let mut ordered = lines.to_vec();
    ordered.sort_by_key(|line| line.product_id);
    let mut taken: Vec<(OrderLine, String, i64)> = Vec::with_capacity(ordered.len());
    for line in &ordered {
        let row = on_conn!(&mut **tx, |c| sqlx::query_as::<_, (String, i64)>(
            "UPDATE products SET stock = stock - $2, updated_at = $3 \
             WHERE id = $1 AND is_active = $4 AND stock >= $2 RETURNING name, price_cents",
        )
        .bind(line.product_id)
        .bind(line.quantity)
        .bind(now)
        .bind(true)
        .fetch_all(c)
        .await
        .map(first_row))?;
        match row {
            Some((name, price)) => taken.push((*line, name, price)),
            None => {
                let found = on_conn!(&mut **tx, |c| sqlx::query_as::<_, (String, i64, bool)>(
                    "SELECT name, stock, is_active FROM products WHERE id = $1",
                )
                .bind(line.product_id)
                .fetch_optional(c)
                .await)?;
                return Err(match found {
                    Some((name, stock, true)) => out_of_stock(line, &name, stock),
                    _ => unknown_product(line),
                });
            }
        }
    }
    let total: i64 = taken
        .iter()
        .map(|(line, _, price)| line.quantity * price)
        .sum();
    let sale_id = on_conn!(&mut **tx, |c| sqlx::query_scalar::<_, i64>(
        "INSERT INTO sales (user_id, total_cents, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(user_id)
    .bind(total)
    .bind(now)
    .fetch_all(c)
    .await
    .and_then(single_row))?;
    // Items in the order the client sent them.
    taken.sort_by_key(|(line, _, _)| line.index);
    let mut sql = String::from(
        "INSERT INTO sale_items (sale_id, product_id, name, quantity, unit_price_cents) VALUES ",
    );
    for i in 0..taken.len() {
        if i > 0 {
            sql.push(',');
        }
        let b = i * 4 + 2;
        sql.push_str(&format!("($1, ${}, ${}, ${}, ${})", b, b + 1, b + 2, b + 3));
    }
    on_conn!(&mut **tx, |c| {
        let mut insert = sqlx::query(&sql).bind(sale_id);
        for (line, name, price) in &taken {
            insert = insert
                .bind(line.product_id)
                .bind(name.as_str())
                .bind(line.quantity)
                .bind(*price);
        }
        insert.execute(c).await.map(|_| ())
    })?;
    Ok(sale_id)
}

/// Filters for sale lists. `user_id` is forced to the caller for non-admins.
#[derive(Debug, Clone, Default)]
pub struct SaleFilter {
    pub user_id: Option<i64>,
    pub from: Option<OffsetDateTime>,
    pub to: Option<OffsetDateTime>,
    pub sort: SaleSort,
}

/// The orders the sale lists offer. Each has an index, with and without
/// a customer: `sales_pkey`/`sales_user_idx` for the dates (ids grow with
/// time), `sales_total_idx`/`sales_user_total_idx` for the totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SaleSort {
    #[default]
    Newest,
    Oldest,
    TotalDesc,
    Total,
}

impl SaleSort {
    pub const ALL: [SaleSort; 4] = [
        SaleSort::Newest,
        SaleSort::Oldest,
        SaleSort::TotalDesc,
        SaleSort::Total,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SaleSort::Newest => "newest",
            SaleSort::Oldest => "oldest",
            SaleSort::TotalDesc => "total_desc",
            SaleSort::Total => "total",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|sort| sort.as_str() == text)
    }

    /// How a list page says its order: "newest first".
    pub fn words(self) -> &'static str {
        match self {
            SaleSort::Newest => "newest first",
            SaleSort::Oldest => "oldest first",
            SaleSort::TotalDesc => "largest total first",
            SaleSort::Total => "smallest total first",
        }
    }

    fn order_by(self) -> &'static str {
        match self {
            SaleSort::Newest => "s.id DESC",
            SaleSort::Oldest => "s.id ASC",
            SaleSort::TotalDesc => "s.total_cents DESC, s.id DESC",
            SaleSort::Total => "s.total_cents ASC, s.id ASC",
        }
    }
}

const SALE_COLUMNS: &str = "s.id, s.user_id, u.username, s.total_cents, s.created_at";

fn conditions(filter: &SaleFilter) -> Filter {
    let mut conditions = Filter::new();
    if let Some(user_id) = filter.user_id {
        conditions.and(user_id, |p| format!("s.user_id = {p}"));
    }
    if let Some(from) = filter.from {
        conditions.and(from, |p| format!("s.created_at >= {p}"));
    }
    if let Some(to) = filter.to {
        conditions.and(to, |p| format!("s.created_at < {p}"));
    }
    conditions
}

/// A sale as one exported line: no items, but how many and how many units.
#[derive(Debug, Clone, FromRow)]
pub struct SaleLine {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub total_cents: i64,
    pub created_at: OffsetDateTime,
    pub items: i64,
    pub units: i64,
}

/// Every sale the filter matches, in its order, handed to `each` one at a
/// time as the database sends them (for exports of any size).
pub async fn each_line<F, Fut>(conn: &mut AppConn, filter: &SaleFilter, each: F) -> AppResult<()>
where
    F: FnMut(SaleLine) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let select = format!(
        "SELECT {SALE_COLUMNS}, \
           (SELECT COUNT(*) FROM sale_items i WHERE i.sale_id = s.id) AS items, \
           (SELECT CAST(COALESCE(SUM(i.quantity), 0) AS BIGINT) FROM sale_items i WHERE i.sale_id = s.id) AS units \
         FROM sales s JOIN users u ON u.id = s.user_id"
    );
    Ok(conditions(filter)
        .each(conn, &select, filter.sort.order_by(), each)
        .await?)
}

/// A page of sales in the filter's order, with their items: one query for the
/// sales, one for all their items, one for the count.
pub async fn list(
    conn: &mut AppConn,
    filter: &SaleFilter,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<Sale>, i64)> {
    let conditions = conditions(filter);
    let rows = format!("SELECT {SALE_COLUMNS} FROM sales s JOIN users u ON u.id = s.user_id");
    let list = ListSql {
        rows: &rows,
        count_from: "FROM sales s",
        order_by: filter.sort.order_by(),
        count_at_most: None,
    };
    let (rows, total) = conditions.page(conn, &list, limit, offset).await?;
    let sales = attach_items(conn, rows).await?;
    Ok((sales, total))
}

/// One sale; `owner` restricts it to that user's sales (others read as absent).
pub async fn find(conn: &mut AppConn, id: i64, owner: Option<i64>) -> AppResult<Option<Sale>> {
    let sql = format!(
        "SELECT {SALE_COLUMNS} FROM sales s JOIN users u ON u.id = s.user_id \
         WHERE s.id = $1 AND ($2 = 0 OR s.user_id = $2)"
    );
    let row = on_conn!(&mut *conn, |c| sqlx::query_as::<_, SaleRow>(&sql)
        .bind(id)
        .bind(owner.unwrap_or(0))
        .fetch_optional(c)
        .await)?;
    Ok(attach_items(conn, row.into_iter().collect()).await?.pop())
}

async fn attach_items(conn: &mut AppConn, rows: Vec<SaleRow>) -> AppResult<Vec<Sale>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut in_sales = Filter::new();
    in_sales.and_any(rows.iter().map(|row| row.id), |ids| {
        format!("sale_id IN ({ids})")
    });
    let items: Vec<SaleItem> = in_sales
        .all(
            conn,
            "SELECT sale_id, product_id, name, quantity, unit_price_cents FROM sale_items",
            "sale_id, id",
        )
        .await?;
    let mut by_sale: HashMap<i64, Vec<SaleItem>> = HashMap::new();
    for item in items {
        by_sale.entry(item.sale_id).or_default().push(item);
    }
    Ok(rows
        .into_iter()
        .map(|row| Sale {
            items: by_sale.remove(&row.id).unwrap_or_default(),
            row,
        })
        .collect())
}

/// Number of sales and revenue since `from`.
pub async fn totals_since(conn: &mut AppConn, from: OffsetDateTime) -> AppResult<(i64, i64)> {
    Ok(on_conn!(conn, |c| {
        sqlx::query_as::<_, (i64, i64)>(
        "SELECT COUNT(*), CAST(COALESCE(SUM(total_cents), 0) AS BIGINT) FROM sales WHERE created_at >= $1"
    )
    .bind(from)
    .fetch_one(c)
    .await
    })?)
}

/// Revenue per UTC day since `from`, oldest first.
pub async fn revenue_per_day(
    conn: &mut AppConn,
    from: OffsetDateTime,
) -> AppResult<Vec<(String, i64)>> {
    let day = match conn.backend() {
        Backend::Sqlite => "substr(created_at, 1, 10)",
        Backend::Postgres => "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
    };
    let sql = format!(
        "SELECT {day} AS day, CAST(COALESCE(SUM(total_cents), 0) AS BIGINT) FROM sales \
         WHERE created_at >= $1 GROUP BY day ORDER BY day"
    );
    Ok(on_conn!(conn, |c| sqlx::query_as::<_, (String, i64)>(
        &sql
    )
    .bind(from)
    .fetch_all(c)
    .await)?)
}
