//! All SQL touching `sales` and `sale_items`, including the atomic purchase.

use std::collections::HashMap;

use sqlx::FromRow;
use time::OffsetDateTime;

use super::{AppPool, Backend, Where, first_row, on_pool, single_row};
use crate::domain::FieldErrors;
use crate::error::{AppError, AppResult};

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
        format!(
            "Product {} does not exist or is not for sale.",
            line.product_id
        ),
    ))
}

fn out_of_stock(line: &OrderLine, name: &str, stock: i64) -> AppError {
    AppError::Conflict(FieldErrors::single(
        &format!("items[{}].quantity", line.index),
        format!(
            "Not enough stock of \"{name}\" (product {}): {stock} left.",
            line.product_id
        ),
    ))
}

/// Records a purchase atomically: per line, one conditional UPDATE takes the
/// stock only if enough remains; any failure rolls everything back, so
/// stock never goes below zero and no partial sale is stored. Lines are
/// taken in product-id order so that concurrent orders lock rows in the same
/// order (no deadlocks on PostgreSQL).
pub async fn purchase(
    pool: &AppPool,
    user_id: i64,
    lines: &[OrderLine],
    now: OffsetDateTime,
) -> AppResult<i64> {
    let mut ordered = lines.to_vec();
    ordered.sort_by_key(|line| line.product_id);
    on_pool!(pool, |p| {
        let mut tx = p.begin().await?;
        let mut taken: Vec<(OrderLine, String, i64)> = Vec::with_capacity(ordered.len());
        for line in &ordered {
            let row = sqlx::query_as::<_, (String, i64)>(
                "UPDATE products SET stock = stock - $2, updated_at = $3 \
                 WHERE id = $1 AND is_active = $4 AND stock >= $2 RETURNING name, price_cents",
            )
            .bind(line.product_id)
            .bind(line.quantity)
            .bind(now)
            .bind(true)
            .fetch_all(&mut *tx)
            .await
            .map(first_row)?;
            match row {
                Some((name, price)) => taken.push((*line, name, price)),
                None => {
                    let found = sqlx::query_as::<_, (String, i64, bool)>(
                        "SELECT name, stock, is_active FROM products WHERE id = $1",
                    )
                    .bind(line.product_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    tx.rollback().await?;
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
        let sale_id = sqlx::query_scalar::<_, i64>(
            "INSERT INTO sales (user_id, total_cents, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(user_id)
        .bind(total)
        .bind(now)
        .fetch_all(&mut *tx)
        .await
        .and_then(single_row)?;
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
        let mut insert = sqlx::query(&sql).bind(sale_id);
        for (line, name, price) in &taken {
            insert = insert
                .bind(line.product_id)
                .bind(name.clone())
                .bind(line.quantity)
                .bind(*price);
        }
        insert.execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(sale_id)
    })
}

/// Filters for sale lists. `user_id` is forced to the caller for non-admins.
#[derive(Debug, Clone, Default)]
pub struct SaleFilter {
    pub user_id: Option<i64>,
    pub from: Option<OffsetDateTime>,
    pub to: Option<OffsetDateTime>,
}

const SALE_COLUMNS: &str = "s.id, s.user_id, u.username, s.total_cents, s.created_at";

/// A page of sales, newest first, with their items: one query for the
/// sales, one for all their items, one for the count.
pub async fn list(
    pool: &AppPool,
    filter: &SaleFilter,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<Sale>, i64)> {
    let mut clauses = Where::default();
    if filter.user_id.is_some() {
        clauses.add(|p| format!("s.user_id = {p}"));
    }
    if filter.from.is_some() {
        clauses.add(|p| format!("s.created_at >= {p}"));
    }
    if filter.to.is_some() {
        clauses.add(|p| format!("s.created_at < {p}"));
    }
    let (limit_p, offset_p) = (clauses.param(), clauses.param());
    let filters = clauses.sql();
    let page_sql = format!(
        "SELECT {SALE_COLUMNS} FROM sales s JOIN users u ON u.id = s.user_id {filters} \
         ORDER BY s.id DESC LIMIT {limit_p} OFFSET {offset_p}"
    );
    let count_sql = format!("SELECT COUNT(*) FROM sales s {filters}");
    macro_rules! bind_filters {
        ($query:expr) => {{
            let mut query = $query;
            if let Some(user_id) = filter.user_id {
                query = query.bind(user_id);
            }
            if let Some(from) = filter.from {
                query = query.bind(from);
            }
            if let Some(to) = filter.to {
                query = query.bind(to);
            }
            query
        }};
    }
    let rows = on_pool!(pool, |p| bind_filters!(sqlx::query_as::<_, SaleRow>(
        &page_sql
    ))
    .bind(limit)
    .bind(offset)
    .fetch_all(p)
    .await)?;
    let total = on_pool!(pool, |p| bind_filters!(sqlx::query_scalar::<_, i64>(
        &count_sql
    ))
    .fetch_one(p)
    .await)?;
    let sales = attach_items(pool, rows).await?;
    Ok((sales, total))
}

/// One sale; `owner` restricts it to that user's sales (others read as absent).
pub async fn find(pool: &AppPool, id: i64, owner: Option<i64>) -> AppResult<Option<Sale>> {
    let sql = format!(
        "SELECT {SALE_COLUMNS} FROM sales s JOIN users u ON u.id = s.user_id \
         WHERE s.id = $1 AND ($2 = 0 OR s.user_id = $2)"
    );
    let row = on_pool!(pool, |p| sqlx::query_as::<_, SaleRow>(&sql)
        .bind(id)
        .bind(owner.unwrap_or(0))
        .fetch_optional(p)
        .await)?;
    Ok(attach_items(pool, row.into_iter().collect()).await?.pop())
}

async fn attach_items(pool: &AppPool, rows: Vec<SaleRow>) -> AppResult<Vec<Sale>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=rows.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT sale_id, product_id, name, quantity, unit_price_cents FROM sale_items \
         WHERE sale_id IN ({}) ORDER BY sale_id, id",
        placeholders.join(", ")
    );
    let items = on_pool!(pool, |p| {
        let mut query = sqlx::query_as::<_, SaleItem>(&sql);
        for row in &rows {
            query = query.bind(row.id);
        }
        query.fetch_all(p).await
    })?;
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
pub async fn totals_since(pool: &AppPool, from: OffsetDateTime) -> AppResult<(i64, i64)> {
    Ok(on_pool!(pool, |p| {
        sqlx::query_as::<_, (i64, i64)>(
        "SELECT COUNT(*), CAST(COALESCE(SUM(total_cents), 0) AS BIGINT) FROM sales WHERE created_at >= $1"
    )
    .bind(from)
    .fetch_one(p)
    .await
    })?)
}

/// Revenue per UTC day since `from`, oldest first.
pub async fn revenue_per_day(
    pool: &AppPool,
    from: OffsetDateTime,
) -> AppResult<Vec<(String, i64)>> {
    let day = match pool.backend() {
        Backend::Sqlite => "substr(created_at, 1, 10)",
        Backend::Postgres => "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
    };
    let sql = format!(
        "SELECT {day} AS day, CAST(COALESCE(SUM(total_cents), 0) AS BIGINT) FROM sales \
         WHERE created_at >= $1 GROUP BY day ORDER BY day"
    );
    Ok(on_pool!(pool, |p| sqlx::query_as::<_, (String, i64)>(
        &sql
    )
    .bind(from)
    .fetch_all(p)
    .await)?)
}
