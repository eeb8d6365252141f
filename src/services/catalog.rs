//! Products: anyone may browse active ones; administrators manage them,
//! each change one transaction with its audit event.

use crate::actor::Actor;
use crate::audit::{Event, action};
use crate::db::products::{self, NewProduct, Product, ProductChanges};
use crate::domain::{
    FieldErrors, ProductName, Sku, parse_description, parse_price_cents, parse_stock,
};
use crate::error::{AppError, AppResult};
use crate::services::idempotency::{self, Claim, IdempotencyKey, Once};
use crate::state::App;

/// Product fields as typed in; `None` keeps a field on update.
#[derive(Debug, Clone, Default)]
pub struct ProductInput {
    pub sku: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub price_cents: Option<i64>,
    pub stock: Option<i64>,
    pub is_active: Option<bool>,
}

pub fn validate(input: &ProductInput) -> Result<ProductChanges, FieldErrors> {
    let mut errors = FieldErrors::new();
    let changes = ProductChanges {
        sku: input
            .sku
            .as_deref()
            .and_then(|sku| errors.check("sku", Sku::parse(sku)).map(Sku::into_inner)),
        name: input.name.as_deref().and_then(|name| {
            errors
                .check("name", ProductName::parse(name))
                .map(ProductName::into_inner)
        }),
        description: input
            .description
            .as_deref()
            .and_then(|text| errors.check("description", parse_description(text))),
        price_cents: input
            .price_cents
            .and_then(|cents| errors.check("price_cents", parse_price_cents(cents))),
        stock: input
            .stock
            .and_then(|stock| errors.check("stock", parse_stock(stock))),
        is_active: input.is_active,
    };
    errors.into_result().map(|()| changes)
}

pub async fn create(app: &App<'_>, actor: &Actor, input: &ProductInput) -> AppResult<Product> {
    Ok(create_once(app, actor, input, None).await?.value)
}

/// [`create`] under an `Idempotency-Key`: a retry with the same key and
/// fields gets the product the first request made.
pub async fn create_once(
    app: &App<'_>,
    actor: &Actor,
    input: &ProductInput,
    key: Option<&IdempotencyKey>,
) -> AppResult<Once<Product>> {
    let mut errors = FieldErrors::new();
    for (field, present) in [
        ("sku", input.sku.is_some()),
        ("name", input.name.is_some()),
        ("price_cents", input.price_cents.is_some()),
        ("stock", input.stock.is_some()),
    ] {
        if !present {
            errors.push(field, "This field is required.");
        }
    }
    let changes = match validate(input) {
        Ok(changes) => changes,
        Err(more) => {
            for error in more.into_vec() {
                errors.add(error);
            }
            return Err(AppError::Invalid(errors));
        }
    };
    errors.into_result()?;
    let (Some(sku), Some(name), Some(price_cents), Some(stock)) = (
        changes.sku,
        changes.name,
        changes.price_cents,
        changes.stock,
    ) else {
        return Err(AppError::internal("validated product fields missing"));
    };
    let scope = format!("product:user:{}", actor.account_id()?);
    let now = app.now();
    let mut tx = app.begin().await?;
    if let Claim::Done(id) = idempotency::claim(&mut tx, &scope, key, now).await? {
        let product = products::find(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.rollback().await?;
        return Ok(Once {
            value: product,
            replayed: true,
        });
    }
    let product = products::insert(
        &mut tx,
        &NewProduct {
            sku,
            name,
            description: changes.description.unwrap_or_default(),
            price_cents,
            stock,
            is_active: changes.is_active.unwrap_or(true),
        },
        now,
    )
    .await?;
    Event::by(action::PRODUCT_CREATE, actor)
        .target_text(format!("product:{}", product.sku))
        .record(&mut tx, now)
        .await?;
    idempotency::complete(&mut tx, &scope, key, product.id).await?;
    tx.commit().await?;
    Ok(Once {
        value: product,
        replayed: false,
    })
}

pub async fn update(
    app: &App<'_>,
    actor: &Actor,
    id: i64,
    input: &ProductInput,
) -> AppResult<Product> {
    let changes = validate(input)?;
    let now = app.now();
    let mut tx = app.begin().await?;
    let product = products::update(&mut tx, id, &changes, now)
        .await?
        .ok_or(AppError::NotFound)?;
    Event::by(action::PRODUCT_UPDATE, actor)
        .target_text(format!("product:{}", product.sku))
        .record(&mut tx, now)
        .await?;
    tx.commit().await?;
    Ok(product)
}

/// Deletes a product never sold (409 otherwise: deactivate it instead).
pub async fn delete(app: &App<'_>, actor: &Actor, id: i64) -> AppResult<()> {
    let now = app.now();
    let mut tx = app.begin().await?;
    let product = products::find_for_update(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !products::delete(&mut tx, id).await? {
        return Err(AppError::NotFound);
    }
    Event::by(action::PRODUCT_DELETE, actor)
        .target_text(format!("product:{}", product.sku))
        .record(&mut tx, now)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A product as the caller may see it: inactive ones only for administrators.
pub async fn get_visible(app: &App<'_>, id: i64, is_admin: bool) -> AppResult<Product> {
    match products::find(&mut app.acquire().await?, id).await? {
        Some(product) if product.is_active || is_admin => Ok(product),
        _ => Err(AppError::NotFound),
    }
}

pub async fn list(
    app: &App<'_>,
    q: Option<&str>,
    only_active: bool,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<Product>, i64)> {
    products::list(&mut app.acquire().await?, q, only_active, limit, offset).await
}

/// The admin product list: search, status filter and order.
pub async fn admin_list(
    app: &App<'_>,
    q: Option<&str>,
    active: Option<bool>,
    sort: products::ProductSort,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<Product>, i64)> {
    products::admin_list(&mut app.acquire().await?, q, active, sort, limit, offset).await
}
