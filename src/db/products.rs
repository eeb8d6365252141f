//! All SQL touching `products`.

use sqlx::FromRow;
use time::OffsetDateTime;

use super::search::{self, Searched};
use super::users::search_key;
use super::{
    AppConn, AppTx, Filter, ListSql, first_row, for_update, is_unique_violation, on_conn,
    single_row,
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

/// What the product search looks in.
const SEARCHED: Searched = Searched {
    fts_table: "products_fts",
    columns: &["name_key", "sku"],
    pg_columns: &["name_key", "lower(sku)"],
};

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
    conn: &mut AppConn,
    product: &NewProduct,
    now: OffsetDateTime,
) -> AppResult<Product> {
    let sql = format!(
        "INSERT INTO products (sku, name, description, price_cents, stock, is_active, created_at, \
         updated_at, name_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) RETURNING {COLUMNS}"
    );
    on_conn!(conn, |c| sqlx::query_as::<_, Product>(&sql)
        .bind(&product.sku)
        .bind(&product.name)
        .bind(&product.description)
        .bind(product.price_cents)
        .bind(product.stock)
        .bind(product.is_active)
        .bind(now)
        .bind(search_key(&product.name))
        .fetch_all(c)
        .await
        .and_then(single_row))
    .map_err(conflict_from)
}

pub async fn find(conn: &mut AppConn, id: i64) -> AppResult<Option<Product>> {
    let sql = format!("SELECT {COLUMNS} FROM products WHERE id = $1");
    Ok(on_conn!(conn, |c| sqlx::query_as::<_, Product>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// [`find`] inside a transaction, locking the row until it ends (PostgreSQL).
pub async fn find_for_update(tx: &mut AppTx, id: i64) -> AppResult<Option<Product>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM products WHERE id = $1{}",
        for_update(tx)
    );
    Ok(on_conn!(&mut **tx, |c| sqlx::query_as::<_, Product>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

pub async fn update(
    conn: &mut AppConn,
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
    on_conn!(conn, |c| sqlx::query_as::<_, Product>(&sql)
        .bind(id)
        .bind(&changes.sku)
        .bind(&changes.name)
        .bind(&changes.description)
        .bind(changes.price_cents)
        .bind(changes.stock)
        .bind(changes.is_active)
        .bind(now)
        .bind(changes.name.as_deref().map(search_key))
        .fetch_all(c)
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
pub async fn delete(conn: &mut AppConn, id: i64) -> AppResult<bool> {
    let sold = on_conn!(&mut *conn, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM sale_items WHERE product_id = $1"
    )
    .bind(id)
    .fetch_one(c)
    .await)?;
    if sold > 0 {
        return Err(in_sales());
    }
    let result = on_conn!(conn, |c| sqlx::query("DELETE FROM products WHERE id = $1")
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()));
    match result {
        Ok(affected) => Ok(affected > 0),
        Err(sqlx::Error::Database(db))
            if db.kind() == sqlx::error::ErrorKind::ForeignKeyViolation =>
        {
            Err(in_sales())
        }
        Err(error) => Err(error.into()),
    }
}

/// One page of products (name order) and the total that match.
pub async fn list(
    conn: &mut AppConn,
    q: Option<&str>,
    only_active: bool,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<Product>, i64)> {
    let mut conditions = Filter::new();
    if only_active {
        conditions.and(true, |p| format!("is_active = {p}"));
    }
    if let Some(q) = q {
        search::contains(&mut conditions, conn.backend(), &SEARCHED, q);
    }
    let rows = format!("SELECT {COLUMNS} FROM products");
    let list = ListSql {
        rows: &rows,
        count_from: "FROM products",
        order_by: "name_key, id",
        count_at_most: None,
    };
    Ok(conditions.page(conn, &list, limit, offset).await?)
}

/// Sort orders of the admin product list; each has an index (0013).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProductSort {
    #[default]
    Name,
    NameDesc,
    Price,
    PriceDesc,
    Stock,
    StockDesc,
    Changed,
}

impl ProductSort {
    pub const ALL: [ProductSort; 7] = [
        ProductSort::Name,
        ProductSort::NameDesc,
        ProductSort::Price,
        ProductSort::PriceDesc,
        ProductSort::Stock,
        ProductSort::StockDesc,
        ProductSort::Changed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProductSort::Name => "name",
            ProductSort::NameDesc => "name_desc",
            ProductSort::Price => "price",
            ProductSort::PriceDesc => "price_desc",
            ProductSort::Stock => "stock",
            ProductSort::StockDesc => "stock_desc",
            ProductSort::Changed => "changed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|sort| sort.as_str() == text)
    }

    fn order_by(self) -> &'static str {
        match self {
            ProductSort::Name => "name_key ASC, id ASC",
            ProductSort::NameDesc => "name_key DESC, id DESC",
            ProductSort::Price => "price_cents ASC, id ASC",
            ProductSort::PriceDesc => "price_cents DESC, id DESC",
            ProductSort::Stock => "stock ASC, id ASC",
            ProductSort::StockDesc => "stock DESC, id DESC",
            ProductSort::Changed => "updated_at DESC, id DESC",
        }
    }
}

/// One page of products for the admin list: search, status filter, order.
pub async fn admin_list(
    conn: &mut AppConn,
    q: Option<&str>,
    active: Option<bool>,
    sort: ProductSort,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<Product>, i64)> {
    let mut conditions = Filter::new();
    if let Some(active) = active {
        conditions.and(active, |p| format!("is_active = {p}"));
    }
    if let Some(q) = q {
        search::contains(&mut conditions, conn.backend(), &SEARCHED, q);
    }
    let rows = format!("SELECT {COLUMNS} FROM products");
    let list = ListSql {
        rows: &rows,
        count_from: "FROM products",
        order_by: sort.order_by(),
        count_at_most: None,
    };
    Ok(conditions.page(conn, &list, limit, offset).await?)
}
