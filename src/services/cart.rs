//! The basket: a user collects products from any catalog page, changes the
//! quantities, and checks out once. Checking out is one transaction: the
//! stock, the sale, its audit event and the emptied basket. If any line
//! cannot be bought, nothing happens and the basket stays as it was.

use crate::actor::Actor;
use crate::db::cart::{self, CartLine, MAX_QUANTITY};
use crate::db::products;
use crate::db::sales::{OrderLine, Sale};
use crate::domain::FieldErrors;
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::services::idempotency::{self, Claim, IdempotencyKey, Once};
use crate::services::sales::{MAX_LINES, record};
use crate::state::App;

fn quantity_message() -> Msg {
    Msg::new("cart-quantity-range").arg("max", MAX_QUANTITY)
}

/// The caller's basket.
pub async fn lines(app: &App<'_>, caller: &Actor) -> AppResult<Vec<CartLine>> {
    cart::lines(&mut app.acquire().await?, caller.account_id()?).await
}

/// How many products the caller's basket holds.
pub async fn count(app: &App<'_>, caller: &Actor) -> AppResult<i64> {
    cart::count(&mut app.acquire().await?, caller.account_id()?).await
}

/// Puts `(product_id, quantity)` lines into the basket (adding to what is
/// there) and answers the names of the products added. Every line is
/// checked before any is added: an unknown or withdrawn product, or a
/// quantity outside 1–1000, is a field error on `qty[<product id>]`.
pub async fn add(app: &App<'_>, caller: &Actor, lines: &[(i64, i64)]) -> AppResult<Vec<String>> {
    let user_id = caller.account_id()?;
    if lines.is_empty() {
        return Err(AppError::invalid("qty", Msg::new("cart-quantity-missing")));
    }
    let now = app.now();
    let mut tx = app.begin().await?;
    let mut errors = FieldErrors::new();
    let mut names = Vec::new();
    for &(product_id, quantity) in lines {
        let field = format!("qty[{product_id}]");
        if !(1..=MAX_QUANTITY).contains(&quantity) {
            errors.push(&field, quantity_message());
            continue;
        }
        match products::find(&mut tx, product_id).await? {
            Some(product) if product.is_active => names.push(product.name),
            _ => errors.push(&field, Msg::new("cart-not-for-sale")),
        }
    }
    errors.into_result()?;
    for &(product_id, quantity) in lines {
        cart::add(&mut tx, user_id, product_id, quantity, now).await?;
    }
    let size = cart::count(&mut tx, user_id).await?;
    if size > MAX_LINES as i64 {
        return Err(AppError::invalid(
            "qty",
            Msg::new("cart-too-many-products").arg("max", MAX_LINES),
        ));
    }
    tx.commit().await?;
    Ok(names)
}

/// Changes quantities of lines in the basket; 0 takes a line out. Lines
/// for products not in the basket are ignored (an old page, say).
pub async fn update(app: &App<'_>, caller: &Actor, lines: &[(i64, i64)]) -> AppResult<()> {
    let user_id = caller.account_id()?;
    let mut errors = FieldErrors::new();
    for &(product_id, quantity) in lines {
        if !(0..=MAX_QUANTITY).contains(&quantity) {
            errors.push(&format!("qty[{product_id}]"), quantity_message());
        }
    }
    errors.into_result()?;
    let mut tx = app.begin().await?;
    for &(product_id, quantity) in lines {
        if quantity == 0 {
            cart::remove(&mut tx, user_id, product_id).await?;
        } else {
            cart::set_quantity(&mut tx, user_id, product_id, quantity).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Takes one product out of the basket.
pub async fn remove(app: &App<'_>, caller: &Actor, product_id: i64) -> AppResult<()> {
    cart::remove(&mut app.acquire().await?, caller.account_id()?, product_id).await
}

/// Buys the whole basket as one sale and empties it, in one transaction.
/// A line that cannot be bought fails the whole checkout: the error names
/// the product (field `qty[<product id>]`) and the basket is kept.
///
/// `key` is the basket form's own key: the same form sent again (a double
/// click, a reload that resubmits) gets the sale it made the first time,
/// in the same scope as the API's `Idempotency-Key` on purchases.
pub async fn checkout(
    app: &App<'_>,
    caller: &Actor,
    key: Option<&IdempotencyKey>,
) -> AppResult<Once<Sale>> {
    let user_id = caller.account_id()?;
    let scope = super::sales::idempotency_scope(user_id);
    let now = app.now();
    let mut tx = app.begin().await?;
    if let Claim::Done(sale_id) = idempotency::claim(&mut tx, &scope, key, now).await? {
        return super::sales::replay(tx, sale_id).await;
    }
    let lines = cart::lines(&mut tx, user_id).await?;
    if lines.is_empty() {
        return Err(AppError::invalid("cart", Msg::new("cart-empty")));
    }
    // Lines that cannot be bought now are reported all at once, before the
    // purchase tries them one by one.
    let mut errors = FieldErrors::new();
    for line in &lines {
        if let Some(problem) = line.problem() {
            errors.push(&format!("qty[{}]", line.product_id), problem);
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Conflict(errors));
    }
    let order: Vec<OrderLine> = lines
        .iter()
        .enumerate()
        .map(|(index, line)| OrderLine {
            index,
            product_id: line.product_id,
            quantity: line.quantity,
        })
        .collect();
    let sale = record(&mut tx, caller, &order, now)
        .await
        .map_err(|error| by_product(error, &lines))?;
    cart::clear(&mut tx, user_id).await?;
    idempotency::complete(&mut tx, &scope, key, sale.row.id).await?;
    tx.commit().await?;
    crate::metrics::get().purchases.inc();
    Ok(Once {
        value: sale,
        replayed: false,
    })
}

/// Renames the purchase's `items[i].…` fields to the basket's
/// `qty[<product id>]`, so the page can mark the line.
fn by_product(error: AppError, lines: &[CartLine]) -> AppError {
    let rename = |errors: FieldErrors| {
        let mut renamed = FieldErrors::new();
        for error in errors.into_vec() {
            let product = error
                .field
                .strip_prefix("items[")
                .and_then(|rest| rest.split(']').next())
                .and_then(|index| index.parse::<usize>().ok())
                .and_then(|index| lines.get(index));
            match product {
                Some(line) => renamed.add(error.for_field(&format!("qty[{}]", line.product_id))),
                None => renamed.add(error),
            }
        }
        renamed
    };
    match error {
        AppError::Conflict(errors) => AppError::Conflict(rename(errors)),
        AppError::Invalid(errors) => AppError::Invalid(rename(errors)),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::FieldErrors;

    fn line(product_id: i64, quantity: i64, stock: i64, is_active: bool) -> CartLine {
        CartLine {
            product_id,
            quantity,
            name: format!("Thing {product_id}"),
            sku: format!("T-{product_id}"),
            price_cents: 100,
            stock,
            is_active,
        }
    }

    #[test]
    fn problems_name_the_product() {
        assert_eq!(line(1, 2, 5, true).problem(), None);
        assert!(line(1, 2, 5, false).problem().unwrap().contains("Thing 1"));
        assert!(line(1, 2, 0, true).problem().unwrap().contains("sold out"));
        assert!(line(1, 6, 5, true).problem().unwrap().contains("Only 5"));
        let short = line(1, 6, 1, true).problem().unwrap();
        assert_eq!(
            short.render(crate::i18n::Lang::Es),
            "Solo queda 1 de «Thing 1»: baja la cantidad."
        );
    }

    #[test]
    fn purchase_errors_move_to_the_product_line() {
        let lines = [line(7, 1, 5, true), line(9, 1, 5, true)];
        let error = by_product(
            AppError::Conflict(FieldErrors::single("items[1].quantity", "short")),
            &lines,
        );
        let AppError::Conflict(errors) = error else {
            panic!("not a conflict")
        };
        assert_eq!(errors.as_slice()[0].field, "qty[9]");
        let error = by_product(
            AppError::Invalid(FieldErrors::single("items[5].quantity", "odd")),
            &lines,
        );
        let AppError::Invalid(errors) = error else {
            panic!("not invalid")
        };
        assert_eq!(errors.as_slice()[0].field, "items[5].quantity");
        assert!(matches!(
            by_product(AppError::NotFound, &lines),
            AppError::NotFound
        ));
    }
}
