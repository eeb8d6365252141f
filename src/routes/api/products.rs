//! `/api/products`: the catalog.

use rocket::response::status::{Created, NoContent};
use rocket::serde::json::Json;
use rocket::{Route, delete, get, patch, post};
use rocket_okapi::okapi::openapi3::OpenApi;
use rocket_okapi::settings::OpenApiSettings;
use rocket_okapi::{openapi, openapi_get_routes_spec};
use schemars::JsonSchema;
use serde::Deserialize;

use super::idempotency::{KeyHeader, Replayable};
use super::query::{Query, SearchText, read_paging, settle};
use super::views::ProductView;
use super::{Answer, ApiJson, Page, SameOrigin, present};
use crate::auth::{Admin, ClientMeta, MaybeUser};
use crate::domain::FieldErrors;
use crate::services::catalog::{self, ProductInput};
use crate::state::App;

pub fn routes(settings: &OpenApiSettings) -> (Vec<Route>, OpenApi) {
    openapi_get_routes_spec![settings: list_products, get_product, create_product, update_product, delete_product]
}

/// Products whose name or SKU contains `q` (ignoring case and accents).
/// Only active products, unless an administrator asks for `include_inactive`.
#[openapi(tag = "Products")]
#[get("/?<q>&<page>&<per_page>&<include_inactive>")]
async fn list_products(
    app: App<'_>,
    user: MaybeUser,
    q: Query<SearchText<120>>,
    page: Query<i64>,
    per_page: Query<i64>,
    include_inactive: Query<bool>,
) -> Answer<Json<Page<ProductView>>> {
    let mut errors = FieldErrors::new();
    let q = q.read("q", &mut errors).map(|q| q.0);
    let include_inactive = include_inactive.read("include_inactive", &mut errors);
    let paging = read_paging(page, per_page, &app.state.config, &mut errors);
    let paging = settle(errors, paging)?;
    let is_admin = user.0.as_ref().is_some_and(|u| u.is_admin());
    let only_active = !(is_admin && include_inactive.unwrap_or(false));
    let (rows, total) = catalog::list(
        &app,
        q.as_deref(),
        only_active,
        paging.per_page,
        paging.offset(),
    )
    .await?;
    Ok(Json(paging.wrap(
        rows.into_iter().map(ProductView::from).collect(),
        total,
    )))
}

/// One product (inactive ones only for administrators).
#[openapi(tag = "Products")]
#[get("/<id>")]
async fn get_product(app: App<'_>, user: MaybeUser, id: i64) -> Answer<Json<ProductView>> {
    let is_admin = user.0.as_ref().is_some_and(|u| u.is_admin());
    Ok(Json(catalog::get_visible(&app, id, is_admin).await?.into()))
}

/// A product to add.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProduct {
    #[schemars(schema_with = "super::schema::sku")]
    pub sku: String,
    #[schemars(schema_with = "super::schema::product_name")]
    pub name: String,
    #[serde(default, deserialize_with = "present")]
    #[schemars(schema_with = "super::schema::description")]
    pub description: Option<String>,
    #[schemars(schema_with = "super::schema::price_cents")]
    pub price_cents: i64,
    #[schemars(schema_with = "super::schema::stock")]
    pub stock: i64,
    /// `true` unless given.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "bool")]
    pub is_active: Option<bool>,
}

impl From<NewProduct> for ProductInput {
    fn from(body: NewProduct) -> Self {
        ProductInput {
            sku: Some(body.sku),
            name: Some(body.name),
            description: body.description,
            price_cents: Some(body.price_cents),
            stock: Some(body.stock),
            is_active: body.is_active,
        }
    }
}

/// Changes to a product; fields left out stay as they are.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductPatch {
    #[serde(default, deserialize_with = "present")]
    #[schemars(schema_with = "super::schema::sku")]
    pub sku: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schemars(schema_with = "super::schema::product_name")]
    pub name: Option<String>,
    /// An empty text clears the description.
    #[serde(default, deserialize_with = "present")]
    #[schemars(schema_with = "super::schema::description")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schemars(schema_with = "super::schema::price_cents")]
    pub price_cents: Option<i64>,
    #[serde(default, deserialize_with = "present")]
    #[schemars(schema_with = "super::schema::stock")]
    pub stock: Option<i64>,
    /// `false` takes the product out of the catalog (it stays in past sales).
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "bool")]
    pub is_active: Option<bool>,
}

impl From<ProductPatch> for ProductInput {
    fn from(body: ProductPatch) -> Self {
        ProductInput {
            sku: body.sku,
            name: body.name,
            description: body.description,
            price_cents: body.price_cents,
            stock: body.stock,
            is_active: body.is_active,
        }
    }
}

/// Adds a product (`sku`, `name`, `price_cents` and `stock` required); 409 on a taken SKU.
#[openapi(tag = "Products")]
#[post("/", data = "<body>")]
async fn create_product(
    app: App<'_>,
    client: ClientMeta,
    admin: Admin,
    key: KeyHeader,
    body: ApiJson<NewProduct>,
) -> Answer<Created<Replayable<Json<ProductView>>>> {
    let input: ProductInput = body.0.into();
    let key = key.with(&format!("{input:?}"))?;
    let once = catalog::create_once(&app, &admin.0.actor(&client), &input, key.as_ref()).await?;
    let product = once.value;
    Ok(Created::new(format!("/api/products/{}", product.id))
        .body(Replayable::new(Json(product.into()), once.replayed)))
}

/// Changes a product; fields left out stay as they are.
#[openapi(tag = "Products")]
#[patch("/<id>", data = "<body>")]
async fn update_product(
    app: App<'_>,
    client: ClientMeta,
    admin: Admin,
    id: i64,
    body: ApiJson<ProductPatch>,
) -> Answer<Json<ProductView>> {
    Ok(Json(
        catalog::update(&app, &admin.0.actor(&client), id, &body.0.into())
            .await?
            .into(),
    ))
}

/// Deletes a product that was never sold (409 otherwise: deactivate it).
#[openapi(tag = "Products")]
#[delete("/<id>")]
async fn delete_product(
    app: App<'_>,
    client: ClientMeta,
    admin: Admin,
    id: i64,
    _same_origin: SameOrigin,
) -> Answer<NoContent> {
    catalog::delete(&app, &admin.0.actor(&client), id).await?;
    Ok(NoContent)
}
