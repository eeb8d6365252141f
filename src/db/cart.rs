//! All SQL touching `cart_items`: a user's basket, kept on the server.

use sqlx::FromRow;
use time::OffsetDateTime;

use super::{AppConn, on_conn};
use crate::error::AppResult;
use crate::i18n::Msg;

/// Most of one product a basket holds (as much as one order line may buy).
pub const MAX_QUANTITY: i64 = 1000;

/// One line of a basket with what the page and the checkout need to know
/// about its product now.
#[derive(Debug, Clone, FromRow)]
pub struct CartLine {
    pub product_id: i64,
    pub quantity: i64,
    pub name: String,
    pub sku: String,
    pub price_cents: i64,
    pub stock: i64,
    pub is_active: bool,
}

impl CartLine {
    /// Whether the line can be bought as it stands.
    pub fn problem(&self) -> Option<Msg> {
        let name = self.name.as_str();
        if !self.is_active {
            Some(Msg::new("cart-line-no-longer-sold").arg("name", name))
        } else if self.stock == 0 {
            Some(Msg::new("cart-line-sold-out").arg("name", name))
        } else if self.quantity > self.stock {
            Some(
                Msg::new("cart-line-too-few")
                    .arg("stock", self.stock)
                    .arg("name", name),
            )
        } else {
            None
        }
    }
}

/// The user's basket in the order things were put in it: one query.
pub async fn lines(conn: &mut AppConn, user_id: i64) -> AppResult<Vec<CartLine>> {
    Ok(on_conn!(conn, |c| sqlx::query_as::<_, CartLine>(
        "SELECT c.product_id, c.quantity, p.name, p.sku, p.price_cents, p.stock, p.is_active \
         FROM cart_items c JOIN products p ON p.id = c.product_id \
         WHERE c.user_id = $1 ORDER BY c.added_at, c.product_id"
    )
    .bind(user_id)
    .fetch_all(c)
    .await)?)
}

/// How many lines the basket has.
pub async fn count(conn: &mut AppConn, user_id: i64) -> AppResult<i64> {
    Ok(on_conn!(conn, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM cart_items WHERE user_id = $1"
    )
    .bind(user_id)
    .fetch_one(c)
    .await)?)
}

/// Adds `quantity` to the line for `product_id` (created if absent), at most
/// [`MAX_QUANTITY`] in all. One statement, so two concurrent adds both count.
pub async fn add(
    conn: &mut AppConn,
    user_id: i64,
    product_id: i64,
    quantity: i64,
    now: OffsetDateTime,
) -> AppResult<()> {
    on_conn!(conn, |c| sqlx::query(
        "INSERT INTO cart_items (user_id, product_id, quantity, added_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id, product_id) DO UPDATE SET quantity = CASE \
           WHEN cart_items.quantity + excluded.quantity > $5 THEN $5 \
           ELSE cart_items.quantity + excluded.quantity END"
    )
    .bind(user_id)
    .bind(product_id)
    .bind(quantity)
    .bind(now)
    .bind(MAX_QUANTITY)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Sets the quantity of a line already in the basket; `false` if there is none.
pub async fn set_quantity(
    conn: &mut AppConn,
    user_id: i64,
    product_id: i64,
    quantity: i64,
) -> AppResult<bool> {
    let affected = on_conn!(conn, |c| sqlx::query(
        "UPDATE cart_items SET quantity = $3 WHERE user_id = $1 AND product_id = $2"
    )
    .bind(user_id)
    .bind(product_id)
    .bind(quantity)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(affected > 0)
}

/// Takes one product out of the basket.
pub async fn remove(conn: &mut AppConn, user_id: i64, product_id: i64) -> AppResult<()> {
    on_conn!(conn, |c| sqlx::query(
        "DELETE FROM cart_items WHERE user_id = $1 AND product_id = $2"
    )
    .bind(user_id)
    .bind(product_id)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Empties the basket (after checkout).
pub async fn clear(conn: &mut AppConn, user_id: i64) -> AppResult<()> {
    on_conn!(conn, |c| sqlx::query(
        "DELETE FROM cart_items WHERE user_id = $1"
    )
    .bind(user_id)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}
