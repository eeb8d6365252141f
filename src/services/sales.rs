//! Purchases: a user buys for themselves; a user sees only their own sales,
//! an administrator sees all. Someone else's sale reads as "not found".

use std::collections::BTreeMap;

use time::OffsetDateTime;

use crate::actor::Actor;
use crate::audit::{Event, action};
use crate::db::AppTx;
use crate::db::sales::{self, OrderLine, Sale, SaleFilter};
use crate::domain::{FieldErrors, parse_quantity};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::services::idempotency::{self, Claim, IdempotencyKey, Once};
use crate::state::App;

/// Most lines one order may have.
pub const MAX_LINES: usize = 100;

/// Validates an order. Lines naming the same product are merged (their
/// quantities added), so `[{1,2},{1,3}]` buys five of product 1.
pub fn validate_order(lines: &[(i64, i64)]) -> Result<Vec<OrderLine>, FieldErrors> {
    let mut errors = FieldErrors::new();
    if lines.is_empty() {
        errors.push("items", Msg::new("sale-no-items").reported_as_invalid());
    }
    if lines.len() > MAX_LINES {
        errors.push(
            "items",
            Msg::new("sale-too-many-lines")
                .arg("max", MAX_LINES)
                .reported_as_invalid(),
        );
    }
    let mut merged: BTreeMap<i64, OrderLine> = BTreeMap::new();
    for (index, &(product_id, quantity)) in lines.iter().enumerate() {
        if product_id <= 0 {
            errors.push(
                &format!("items[{index}].product_id"),
                Msg::new("sale-unknown-product").reported_as_invalid(),
            );
            continue;
        }
        if let Err(message) = parse_quantity(quantity) {
            errors.push(&format!("items[{index}].quantity"), message);
            continue;
        }
        let line = merged.entry(product_id).or_insert(OrderLine {
            index,
            product_id,
            quantity: 0,
        });
        line.quantity += quantity;
    }
    for line in merged.values() {
        if let Err(message) = parse_quantity(line.quantity) {
            errors.push(
                &format!("items[{}].quantity", line.index),
                message.reported_as_invalid(),
            );
        }
    }
    errors.into_result()?;
    let mut lines: Vec<OrderLine> = merged.into_values().collect();
    lines.sort_by_key(|line| line.index);
    Ok(lines)
}

/// Buys the given `(product_id, quantity)` lines for the caller: the stock,
/// the sale, its items and its audit event in one transaction.
pub async fn purchase(app: &App<'_>, buyer: &Actor, lines: &[(i64, i64)]) -> AppResult<Sale> {
    Ok(purchase_once(app, buyer, lines, None).await?.value)
}

/// Where a buyer's purchase keys live, whether sent by the API or by the
/// basket form: one key buys once, whichever way it came.
pub(crate) fn idempotency_scope(user_id: i64) -> String {
    format!("sale:user:{user_id}")
}

/// The answer to a purchase key already used: the sale it made, read in
/// the transaction that found the key (which is then rolled back).
pub(crate) async fn replay(mut tx: AppTx, sale_id: i64) -> AppResult<Once<Sale>> {
    let sale = sales::find(&mut tx, sale_id, None)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.rollback().await?;
    Ok(Once {
        value: sale,
        replayed: true,
    })
}

/// [`purchase`] under an `Idempotency-Key`: a retry with the same key and
/// order gets the sale the first request made, without buying again.
pub async fn purchase_once(
    app: &App<'_>,
    buyer: &Actor,
    lines: &[(i64, i64)],
    key: Option<&IdempotencyKey>,
) -> AppResult<Once<Sale>> {
    let order = validate_order(lines)?;
    let scope = idempotency_scope(buyer.account_id()?);
    let now = app.now();
    let mut tx = app.begin().await?;
    if let Claim::Done(sale_id) = idempotency::claim(&mut tx, &scope, key, now).await? {
        return replay(tx, sale_id).await;
    }
    let sale = record(&mut tx, buyer, &order, now).await?;
    idempotency::complete(&mut tx, &scope, key, sale.row.id).await?;
    tx.commit().await?;
    crate::metrics::get().purchases.inc();
    Ok(Once {
        value: sale,
        replayed: false,
    })
}

/// The purchase of a validated order and its audit event, as one step of
/// the caller's transaction (a checkout also empties the basket in it).
pub async fn record(
    tx: &mut AppTx,
    buyer: &Actor,
    order: &[OrderLine],
    now: OffsetDateTime,
) -> AppResult<Sale> {
    let buyer_id = buyer.account_id()?;
    let sale_id = sales::purchase(tx, buyer_id, order, now).await?;
    let sale = sales::find(tx, sale_id, None)
        .await?
        .ok_or(AppError::NotFound)?;
    Event::by(action::SALE_CREATE, buyer)
        .target_text(format!("sale:{sale_id}"))
        .detail(format!("total {} cents", sale.row.total_cents))
        .record(tx, now)
        .await?;
    Ok(sale)
}

/// A sale the caller may see: their own, or any for an administrator.
pub async fn get(app: &App<'_>, caller: &Actor, id: i64) -> AppResult<Sale> {
    let owner = if caller.is_admin() {
        None
    } else {
        Some(caller.account_id()?)
    };
    sales::find(&mut app.acquire().await?, id, owner)
        .await?
        .ok_or(AppError::NotFound)
}

/// Sales the caller may see. A non-administrator's `user_id` filter can only
/// narrow to themselves: asking for someone else yields an empty page.
pub async fn list(
    app: &App<'_>,
    caller: &Actor,
    filter: SaleFilter,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<Sale>, i64)> {
    let mut filter = filter;
    if !caller.is_admin() {
        let own = caller.account_id()?;
        if filter.user_id.is_some_and(|id| id != own) {
            return Ok((Vec::new(), 0));
        }
        filter.user_id = Some(own);
    }
    sales::list(&mut app.acquire().await?, &filter, limit, offset).await
}

#[cfg(test)]
mod tests {
    use super::validate_order;

    #[test]
    fn merges_duplicate_products() {
        let lines = validate_order(&[(1, 2), (2, 1), (1, 3)]).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!((lines[0].product_id, lines[0].quantity), (1, 5));
        assert_eq!((lines[1].product_id, lines[1].quantity), (2, 1));
    }

    #[test]
    fn rejects_empty_and_bad_lines() {
        assert!(validate_order(&[]).is_err());
        let errors = validate_order(&[(1, 0), (0, 1), (2, 1001)]).unwrap_err();
        let fields: Vec<_> = errors.as_slice().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "items[0].quantity",
                "items[1].product_id",
                "items[2].quantity"
            ]
        );
        assert!(validate_order(&[(1, 600), (1, 600)]).is_err());
    }
}
