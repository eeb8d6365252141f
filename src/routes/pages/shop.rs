//! The catalog and the user's purchases.

use std::collections::BTreeMap;

use rocket::form::FromForm;
use rocket::response::{Flash, Redirect};
use rocket::{Route, get, post, routes};
use serde_json::{Value, json};

use super::account::display_time;
use super::{PageContext, PageError, PageResult, Reply, page_links, query_value};
use crate::auth::csrf::CsrfForm;
use crate::auth::{ClientMeta, CurrentUser};
use crate::db::products::Product;
use crate::db::sales::{Sale, SaleFilter};
use crate::error::AppError;
use crate::routes::api::Paging;
use crate::services::{catalog, sales};
use crate::state::App;

pub fn routes() -> Vec<Route> {
    routes![product_list, product_detail, sale_list, buy, sale_detail]
}

/// Cents as currency units with two decimals: 1234 → "12.34".
pub fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}{}.{:02}", cents / 100, cents % 100)
}

pub fn product_json(product: &Product) -> Value {
    json!({
        "id": product.id,
        "sku": product.sku,
        "name": product.name,
        "description": product.description,
        "price": money(product.price_cents),
        "price_cents": product.price_cents,
        "stock": product.stock,
        "is_active": product.is_active,
        "created_at": display_time(product.created_at),
        "updated_at": display_time(product.updated_at),
    })
}

pub fn sale_json(sale: &Sale) -> Value {
    json!({
        "id": sale.row.id,
        "user_id": sale.row.user_id,
        "username": sale.row.username,
        "total": money(sale.row.total_cents),
        "created_at": display_time(sale.row.created_at),
        "items": sale.items.iter().map(|item| json!({
            "product_id": item.product_id,
            "name": item.name,
            "quantity": item.quantity,
            "unit_price": money(item.unit_price_cents),
            "line_total": money(item.unit_price_cents * item.quantity),
        })).collect::<Vec<_>>(),
    })
}

/// Page links for a list at `base` (which already carries its other query values).
pub fn pagination(base: &str, page: i64, total: i64, per_page: i64) -> Value {
    let (pages, links) = page_links(page, total, per_page);
    let href = |p: i64| format!("{base}page={p}");
    json!({
        "page": page,
        "pages": pages,
        "links": links.iter().map(|p| json!({ "number": p, "href": href(*p), "current": *p == page })).collect::<Vec<_>>(),
        "prev": (page > 1).then(|| href(page - 1)),
        "next": (page < pages).then(|| href(page + 1)),
    })
}

const PRODUCTS_PER_PAGE: i64 = 20;

#[get("/products?<q>&<page>")]
async fn product_list(
    app: App<'_>,
    view: PageContext,
    q: Option<String>,
    page: Option<i64>,
) -> PageResult {
    let paging = Paging::clamped(page, PRODUCTS_PER_PAGE, &app.state.config);
    let q: String = q.unwrap_or_default().trim().chars().take(100).collect();
    let (rows, total) =
        catalog::list(&app, Some(&q), true, paging.per_page, paging.offset()).await?;
    let base = format!("/products?q={}&", query_value(&q));
    Ok(view
        .render(
            "products/list",
            json!({
                "products": rows.iter().map(product_json).collect::<Vec<_>>(),
                "q": q,
                "total": total,
                "pagination": pagination(&base, paging.page, total, paging.per_page),
            }),
        )
        .into())
}

#[get("/products/<id>")]
async fn product_detail(app: App<'_>, view: PageContext, id: i64) -> PageResult {
    let is_admin = view.user.as_ref().is_some_and(|u| u.user.is_admin());
    let product = catalog::get_visible(&app, id, is_admin).await?;
    Ok(view
        .render(
            "products/show",
            json!({ "product": product_json(&product) }),
        )
        .into())
}

const SALES_PER_PAGE: i64 = 20;

#[get("/sales?<page>")]
async fn sale_list(
    app: App<'_>,
    view: PageContext,
    client: ClientMeta,
    user: CurrentUser,
    page: Option<i64>,
) -> PageResult {
    let paging = Paging::clamped(page, SALES_PER_PAGE, &app.state.config);
    let filter = SaleFilter {
        user_id: Some(user.user.id),
        ..SaleFilter::default()
    };
    let actor = user.actor(&client);
    let (rows, total) = sales::list(&app, &actor, filter, paging.per_page, paging.offset()).await?;
    Ok(view
        .render(
            "sales/list",
            json!({
                "sales": rows.iter().map(sale_json).collect::<Vec<_>>(),
                "total": total,
                "pagination": pagination("/sales?", paging.page, total, paging.per_page),
            }),
        )
        .into())
}

/// The buy form: `qty[<product id>]=<quantity>`; blank or zero quantities are skipped.
#[derive(Debug, FromForm)]
pub struct BuyForm {
    #[field(default = BTreeMap::new())]
    qty: BTreeMap<i64, String>,
}

#[post("/sales", data = "<form>")]
async fn buy(
    app: App<'_>,
    client: ClientMeta,
    user: CurrentUser,
    form: CsrfForm<BuyForm>,
) -> PageResult {
    let mut lines = Vec::new();
    for (product_id, text) in &form.qty {
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        match text.parse::<i64>() {
            Ok(0) => {}
            Ok(quantity) => lines.push((*product_id, quantity)),
            Err(_) => {
                return Ok(Reply::Flash(Flash::error(
                    Redirect::to("/products"),
                    "Quantities are whole numbers.",
                )));
            }
        }
    }
    match sales::purchase(&app, &user.actor(&client), &lines).await {
        Ok(sale) => Ok(Reply::Flash(Flash::success(
            Redirect::to(format!("/sales/{}", sale.row.id)),
            format!("Thank you! You paid {}.", money(sale.row.total_cents)),
        ))),
        Err(AppError::Invalid(errors) | AppError::Conflict(errors)) => {
            let message = errors
                .as_slice()
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join(" ");
            Ok(Reply::Flash(Flash::error(
                Redirect::to("/products"),
                message,
            )))
        }
        Err(other) => Err(PageError(other)),
    }
}

#[get("/sales/<id>")]
async fn sale_detail(
    app: App<'_>,
    view: PageContext,
    client: ClientMeta,
    user: CurrentUser,
    id: i64,
) -> PageResult {
    let sale = sales::get(&app, &user.actor(&client), id).await?;
    Ok(view
        .render("sales/show", json!({ "sale": sale_json(&sale) }))
        .into())
}
