//! All SQL touching `products`.

use sqlx::FromRow;
use time::OffsetDateTime;

use super::users::search_key;
use super::{
    AppPool, Backend, Where, first_row, is_unique_violation, like_prefix, on_pool, single_row,
};
use crate::domain::FieldErrors;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, FromRow)]
pub struct Product {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub description: String,
    pub price_cents: i64,
    pub stock: i64,
    pub is_active: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

const COLUMNS: &str =
    "id, sku, name, description, price_cents, stock, is_active, created_at, updated_at";

/// A validated new product.
#[derive(Debug, Clone)]
pub struct NewProduct {
    pub sku: String,
    pub name: String,
    pub description: String,
    pub price_cents: i64,
    pub stock: i64,
    pub is_active: bool,
}

/// Validated changes; `None` keeps a column.
#[derive(Debug, Clone, Default)]
pub struct ProductChanges {
    pub sku: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub price_cents: Option<i64>,
    pub stock: Option<i64>,
    pub is_active: Option<bool>,
}

fn conflict_from(error: sqlx::Error) -> AppError {
    if is_unique_violation(&error) {
        AppError::Conflict(FieldErrors::single("sku", "Another product has this SKU."))
    } else {
        error.into()
    }
}

pub async fn insert(
    pool: &AppPool,
    product: &NewProduct,
    now: OffsetDateTime,
) -> AppResult<Product> {
    let sql = format!(
        "INSERT INTO products (sku, name, description, price_cents, stock, is_active, created_at, \
         updated_at, name_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) RETURNING {COLUMNS}"
    );
    on_pool!(pool, |p| sqlx::query_as::<_, Product>(&sql)
        .bind(&product.sku)
        .bind(&product.name)
        .bind(&product.description)
        .bind(product.price_cents)
        .bind(product.stock)
        .bind(product.is_active)
        .bind(now)
        .bind(search_key(&product.name))
        .fetch_all(p)
        .await
        .and_then(single_row))
    .map_err(conflict_from)
}

pub async fn find(pool: &AppPool, id: i64) -> AppResult<Option<Product>> {
    let sql = format!("SELECT {COLUMNS} FROM products WHERE id = $1");
    Ok(on_pool!(pool, |p| sqlx::query_as::<_, Product>(&sql)
        .bind(id)
        .fetch_optional(p)
        .await)?)
}

pub async fn update(
    pool: &AppPool,
    id: i64,
    changes: &ProductChanges,
    now: OffsetDateTime,
) -> AppResult<Option<Product>> {
    let sql = format!(
        "UPDATE products SET sku = COALESCE($2, sku), name = COALESCE($3, name), \
           description = COALESCE($4, description), price_cents = COALESCE($5, price_cents), \
           stock = COALESCE($6, stock), is_active = COALESCE($7, is_active), updated_at = $8, \
           name_key = COALESCE($9, name_key) \
         WHERE id = $1 RETURNING {COLUMNS}"
    );
    on_pool!(pool, |p| sqlx::query_as::<_, Product>(&sql)
        .bind(id)
        .bind(&changes.sku)
        .bind(&changes.name)
        .bind(&changes.description)
        .bind(changes.price_cents)
        .bind(changes.stock)
        .bind(changes.is_active)
        .bind(now)
        .bind(changes.name.as_deref().map(search_key))
        .fetch_all(p)
        .await
        .map(first_row))
    .map_err(conflict_from)
}

fn in_sales() -> AppError {
    AppError::conflict(
        "id",
        "This product appears in sales and cannot be deleted; deactivate it instead.",
    )
}

/// Deletes a product that was never sold; `Err(Conflict)` when it was.
pub async fn delete(pool: &AppPool, id: i64) -> AppResult<bool> {
    let sold = on_pool!(pool, |p| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM sale_items WHERE product_id = $1"
    )
    .bind(id)
    .fetch_one(p)
    .await)?;
    if sold > 0 {
        return Err(in_sales());
    }
    let result = on_pool!(pool, |p| sqlx::query("DELETE FROM products WHERE id = $1")
        .bind(id)
        .execute(p)
        .await
        .map(|r| r.rows_affected()));
    match result {
        Ok(affected) => Ok(affected > 0),
        Err(sqlx::Error::Database(db))
            if db.kind() == sqlx::error::ErrorKind::ForeignKeyViolation =>
        {
            Err(AppError::conflict(
                "id",
                "This product appears in sales and cannot be deleted; deactivate it instead.",
            ))
        }
        Err(error) => Err(error.into()),
    }
}

/// One page of products (name order) and the total that match.
pub async fn list(
    pool: &AppPool,
    q: Option<&str>,
    only_active: bool,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<Product>, i64)> {
    let pattern = q
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(|q| like_prefix(&q.to_lowercase()));
    let mut clauses = Where::default();
    if only_active {
        clauses.add(|p| format!("is_active = {p}"));
    }
    if pattern.is_some() {
        let backend = pool.backend();
        clauses.add(|p| {
            let sku = match backend {
                Backend::Sqlite => format!("sku LIKE {p} ESCAPE '\\'"),
                Backend::Postgres => format!("sku LIKE upper({p}) ESCAPE '\\'"),
            };
            format!("(name_key LIKE {p} ESCAPE '\\' OR {sku})")
        });
    }
    let (limit_p, offset_p) = (clauses.param(), clauses.param());
    let filters = clauses.sql();
    let page_sql = format!(
        "SELECT {COLUMNS} FROM products {filters} ORDER BY name_key, id LIMIT {limit_p} OFFSET {offset_p}"
    );
    let count_sql = format!("SELECT COUNT(*) FROM products {filters}");
    macro_rules! bind_filters {
        ($query:expr) => {{
            let mut query = $query;
            if only_active {
                query = query.bind(true);
            }
            if let Some(pattern) = &pattern {
                query = query.bind(pattern.clone());
            }
            query
        }};
    }
    let rows = on_pool!(pool, |p| bind_filters!(sqlx::query_as::<_, Product>(
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
    Ok((rows, total))
}
