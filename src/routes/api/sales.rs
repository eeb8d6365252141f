//! `/api/sales`: purchases. Users see their own; administrators see all.

use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{Route, get, post};
use rocket_okapi::okapi::openapi3::OpenApi;
use rocket_okapi::settings::OpenApiSettings;
use rocket_okapi::{openapi, openapi_get_routes_spec};
use schemars::JsonSchema;
use serde::Deserialize;

use super::idempotency::{KeyHeader, Replayable};
use super::query::{Query, read_paging, settle};
use super::views::SaleView;
use super::{Answer, ApiJson, Page};
use crate::auth::{ClientMeta, CurrentUser};
use crate::db::sales::SaleFilter;
use crate::domain::FieldErrors;
use crate::services::sales;
use crate::state::App;
use time::OffsetDateTime;

pub fn routes(settings: &OpenApiSettings) -> (Vec<Route>, OpenApi) {
    openapi_get_routes_spec![settings: list_sales, create_sale, get_sale]
}

/// Sales, newest first. Users get their own; administrators get all and may
/// filter by `user_id`. `from` (inclusive) and `to` (exclusive) are dates or
/// RFC 3339 timestamps.
#[openapi(tag = "Sales")]
#[get("/?<user_id>&<from>&<to>&<page>&<per_page>")]
#[allow(clippy::too_many_arguments)] // one argument per documented query parameter
async fn list_sales(
    app: App<'_>,
    client: ClientMeta,
    user: CurrentUser,
    user_id: Query<i64>,
    from: Query<OffsetDateTime>,
    to: Query<OffsetDateTime>,
    page: Query<i64>,
    per_page: Query<i64>,
) -> Answer<Json<Page<SaleView>>> {
    let mut errors = FieldErrors::new();
    let user_id = user_id.read("user_id", &mut errors);
    let from = from.read("from", &mut errors);
    let to = to.read("to", &mut errors);
    let paging = read_paging(page, per_page, &app.state.config, &mut errors);
    let paging = settle(errors, paging)?;
    let filter = SaleFilter {
        user_id,
        from,
        to,
        ..SaleFilter::default()
    };
    let actor = user.actor(&client);
    let (rows, total) = sales::list(&app, &actor, filter, paging.per_page, paging.offset()).await?;
    Ok(Json(paging.wrap(
        rows.into_iter().map(SaleView::from).collect(),
        total,
    )))
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderLineBody {
    /// An active product; an unknown or inactive one is a 422 on this field.
    #[schemars(range(min = 1))]
    pub product_id: i64,
    #[schemars(schema_with = "super::schema::quantity")]
    pub quantity: i64,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderBody {
    /// Lines naming the same product are merged (quantities added, at
    /// most 1000 in all).
    #[schemars(length(min = 1, max = "crate::services::sales::MAX_LINES"))]
    pub items: Vec<OrderLineBody>,
}

/// Buys products: all lines or none. 409 names a product short of stock;
/// 422 for an unknown or inactive product or a bad quantity.
#[openapi(tag = "Sales")]
#[post("/", data = "<body>")]
async fn create_sale(
    app: App<'_>,
    client: ClientMeta,
    user: CurrentUser,
    key: KeyHeader,
    body: ApiJson<OrderBody>,
) -> Answer<Created<Replayable<Json<SaleView>>>> {
    let lines: Vec<(i64, i64)> = body
        .0
        .items
        .iter()
        .map(|line| (line.product_id, line.quantity))
        .collect();
    let key = key.with(&format!("{lines:?}"))?;
    let once = sales::purchase_once(&app, &user.actor(&client), &lines, key.as_ref()).await?;
    let sale = once.value;
    Ok(Created::new(format!("/api/sales/{}", sale.row.id))
        .body(Replayable::new(Json(sale.into()), once.replayed)))
}

/// One sale: the owner's or, for an administrator, anyone's; 404 otherwise.
#[openapi(tag = "Sales")]
#[get("/<id>")]
async fn get_sale(
    app: App<'_>,
    client: ClientMeta,
    user: CurrentUser,
    id: i64,
) -> Answer<Json<SaleView>> {
    Ok(Json(
        sales::get(&app, &user.actor(&client), id).await?.into(),
    ))
}
