//! The catalog and the user's purchases.

use std::collections::BTreeMap;

use rocket::form::FromForm;
use rocket::response::{Flash, Redirect};
use rocket::{Route, get, post, routes};
use serde_json::json;

use super::view::{self, Pagination, query_value};
use super::{PageContext, PageError, PageResult, Reply};
use crate::auth::csrf::CsrfForm;
use crate::auth::{ClientMeta, CurrentUser};
use crate::db::sales::SaleFilter;
use crate::error::AppError;
use crate::routes::paging::Paging;
use crate::services::{catalog, sales};
use crate::state::App;

pub fn routes() -> Vec<Route> {
    routes![product_list, product_detail, sale_list, buy, sale_detail]
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
    let formats = view.formats();
    let base = format!("/products?q={}&", query_value(&q));
    // Adding to the basket comes back to this very page.
    let back = format!("{base}page={}", paging.page);
    Ok(view
        .render(
            "products/list",
            json!({
                "products": rows.iter().map(|p| json!({
                    "product": view::Product::new(p, &formats),
                    "name_parts": view::highlight(&p.name, &q),
                    "sku_parts": view::highlight(&p.sku, &q),
                })).collect::<Vec<_>>(),
                "q": q,
                "back": back,
                "total": total,
                "pagination": Pagination::new(paging.page, total, paging.per_page, |p| format!("{base}page={p}")),
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
            json!({ "product": view::Product::new(&product, &view.formats()) }),
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
    let formats = view.formats();
    Ok(view
        .render(
            "sales/list",
            json!({
                "sales": rows.iter().map(|s| view::Sale::new(s, &formats)).collect::<Vec<_>>(),
                "total": total,
                "pagination": Pagination::new(paging.page, total, paging.per_page, |p| format!("/sales?page={p}")),
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
    view: PageContext,
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
            format!(
                "Thank you! You paid {}.",
                view.formats().money(sale.row.total_cents)
            ),
        ))),
        Err(AppError::Invalid(errors) | AppError::Conflict(errors)) => {
            let message = errors
                .as_slice()
                .iter()
                .map(|e| e.localized(view.lang).message)
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
        .render(
            "sales/show",
            json!({ "sale": view::Sale::new(&sale, &view.formats()) }),
        )
        .into())
}
