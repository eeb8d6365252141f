//! The catalog and the user's purchases.

use std::collections::BTreeMap;

use rocket::form::FromForm;
use rocket::response::{Flash, Redirect};
use rocket::{Route, get, post, routes};
use serde_json::json;

use super::admin_filters::{Errors, SaleParams};
use super::view::{self, Pagination, query_value};
use super::{PageContext, PageError, PageResult, Reply};
use crate::auth::csrf::CsrfForm;
use crate::auth::{ClientMeta, CurrentUser};
use crate::db::sales::{SaleFilter, SaleSort};
use crate::error::AppError;
use crate::i18n::Lang;
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

#[get("/sales?<from>&<to>&<sort>&<page>")]
#[allow(clippy::too_many_arguments)] // one argument per query parameter the page accepts
async fn sale_list(
    app: App<'_>,
    view: PageContext,
    client: ClientMeta,
    user: CurrentUser,
    from: Option<String>,
    to: Option<String>,
    sort: Option<String>,
    page: Option<i64>,
) -> PageResult {
    let paging = Paging::clamped(page, SALES_PER_PAGE, &app.state.config);
    // The customer is the caller, whoever they are (an admin included).
    let params = SaleParams::new(None, from, to, sort);
    let (rows, total, errors) = match params.parse(&app, view.lang).await? {
        Ok(filter) => {
            let filter = SaleFilter {
                user_id: Some(user.user.id),
                ..filter
            };
            let actor = user.actor(&client);
            let (rows, total) =
                sales::list(&app, &actor, filter, paging.per_page, paging.offset()).await?;
            (rows, total, Errors::new())
        }
        Err(errors) => (Vec::new(), 0, errors),
    };
    let query = params.query();
    let order = params.order();
    let mut state = serde_json::to_value(&params).unwrap_or_default();
    state["sort"] = json!(order.as_str());
    let base = if query.is_empty() {
        "/sales?".to_owned()
    } else {
        format!("/sales?{query}&")
    };
    let formats = view.formats();
    Ok(view
        .render(
            "sales/list",
            json!({
                "sales": rows.iter().map(|s| view::Sale::new(s, &formats)).collect::<Vec<_>>(),
                "total": total,
                "state": state,
                "errors": errors,
                "filtered": !query.is_empty(),
                "order": order_words(view.lang, order),
                "sort_options": sort_options(view.lang),
                "pagination": Pagination::new(paging.page, total, paging.per_page, |p| format!("{base}page={p}")),
            }),
        )
        .into())
}

/// How the list says its order ("newest first"), in the page's language.
fn order_words(lang: Lang, order: SaleSort) -> String {
    // Each id written out, so the message test finds it.
    match order {
        SaleSort::Newest => lang.t("sales-order-newest"),
        SaleSort::Oldest => lang.t("sales-order-oldest"),
        SaleSort::TotalDesc => lang.t("sales-order-total-desc"),
        SaleSort::Total => lang.t("sales-order-total"),
    }
}

/// The sort menu: `[value, label]` pairs.
fn sort_options(lang: Lang) -> serde_json::Value {
    json!([
        [SaleSort::Newest.as_str(), lang.t("sales-sort-newest")],
        [SaleSort::Oldest.as_str(), lang.t("sales-sort-oldest")],
        [
            SaleSort::TotalDesc.as_str(),
            lang.t("sales-sort-total-desc")
        ],
        [SaleSort::Total.as_str(), lang.t("sales-sort-total")],
    ])
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
                    view.lang.t("flash-quantities-whole"),
                )));
            }
        }
    }
    match sales::purchase(&app, &user.actor(&client), &lines).await {
        Ok(sale) => Ok(Reply::Flash(Flash::success(
            Redirect::to(format!("/sales/{}", sale.row.id)),
            paid(&view, sale.row.total_cents),
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

/// The thanks after a purchase, from the catalog or the basket.
pub(super) fn paid(view: &PageContext, total_cents: i64) -> String {
    view.lang.t_with(
        "flash-paid",
        &[("amount", view.formats().money(total_cents).into())],
    )
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
