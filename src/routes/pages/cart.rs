//! The basket pages: add from the catalog or a product page, change the
//! quantities, check out.

use std::collections::BTreeMap;

use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{Route, get, post, routes};
use serde::Serialize;
use serde_json::json;

use super::view::Formats;
use super::{PageContext, PageError, PageResult, Reply, errors_map, safe_next};
use crate::auth::csrf::{CsrfForm, TokenOnly};
use crate::auth::{ClientMeta, CurrentUser};
use crate::db::cart::CartLine;
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::i18n::{Lang, Msg};
use crate::services::cart;
use crate::services::idempotency::{IdempotencyKey, Once};

pub fn routes() -> Vec<Route> {
    routes![show, add, change, remove]
}

/// One basket line as the page shows it.
#[derive(Debug, Serialize)]
struct Line {
    product_id: i64,
    name: String,
    sku: String,
    quantity: i64,
    unit_price: String,
    line_total: String,
    stock: i64,
    /// What stands in the way of buying it, if anything.
    problem: Option<String>,
}

fn page_lines(lines: &[CartLine], formats: &Formats, lang: Lang) -> (Vec<Line>, String) {
    let total: i64 = lines.iter().map(|l| l.price_cents * l.quantity).sum();
    let lines = lines
        .iter()
        .map(|l| Line {
            product_id: l.product_id,
            name: l.name.clone(),
            sku: l.sku.clone(),
            quantity: l.quantity,
            unit_price: formats.money(l.price_cents),
            line_total: formats.money(l.price_cents * l.quantity),
            stock: l.stock,
            problem: l.problem().map(|problem| problem.render(lang)),
        })
        .collect();
    (lines, formats.money(total))
}

/// Renders the basket, with `errors` (`qty[<id>]` → messages) when a change
/// or the checkout failed.
async fn render(
    app: &crate::state::App<'_>,
    view: &PageContext,
    user: &CurrentUser,
    client: &ClientMeta,
    status: Status,
    errors: &FieldErrors,
) -> PageResult {
    let lines = cart::lines(app, &user.actor(client)).await?;
    let (lines, total) = page_lines(&lines, &view.formats(), view.lang);
    let general: Vec<String> = errors
        .as_slice()
        .iter()
        .filter(|e| !e.field.starts_with("qty["))
        .map(|e| e.localized(view.lang).message)
        .collect();
    Ok(view.render_status(
        status,
        "cart/show",
        json!({
            "lines": lines,
            "total": total,
            "errors": errors_map(view.lang, errors),
            "general_errors": general,
            "order_key": new_order_key(),
        }),
    ))
}

#[get("/cart")]
async fn show(
    app: crate::state::App<'_>,
    view: PageContext,
    client: ClientMeta,
    user: CurrentUser,
) -> PageResult {
    render(&app, &view, &user, &client, Status::Ok, &FieldErrors::new()).await
}

/// `qty[<product id>]=<quantity>`: blank quantities are skipped.
#[derive(Debug, FromForm)]
pub struct QuantityForm {
    #[field(default = BTreeMap::new())]
    qty: BTreeMap<i64, String>,
    /// Where to go back to after adding (a catalog page, say).
    back: Option<String>,
    /// `checkout` buys the basket after saving the quantities.
    action: Option<String>,
    /// The basket form's key, new with each rendering: the same form sent
    /// twice buys once (see [`cart::checkout`]).
    order_key: Option<String>,
}

/// A fresh key for one rendering of the basket form.
fn new_order_key() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// The non-blank quantities of the form, or the field errors of those that
/// are not whole numbers.
fn quantities(form: &QuantityForm) -> Result<Vec<(i64, i64)>, FieldErrors> {
    let mut lines = Vec::new();
    let mut errors = FieldErrors::new();
    for (product_id, text) in &form.qty {
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        match text.parse::<i64>() {
            Ok(quantity) => lines.push((*product_id, quantity)),
            Err(_) => errors.push(&format!("qty[{product_id}]"), Msg::new("cart-whole-number")),
        }
    }
    errors.into_result()?;
    Ok(lines)
}

fn messages(lang: Lang, errors: &FieldErrors) -> String {
    errors
        .as_slice()
        .iter()
        .map(|e| e.localized(lang).message)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Adds the quantities typed on a catalog or product page; zero is skipped.
#[post("/cart/add", data = "<form>")]
async fn add(
    app: crate::state::App<'_>,
    client: ClientMeta,
    user: CurrentUser,
    lang: Lang,
    form: CsrfForm<QuantityForm>,
) -> PageResult {
    let back = safe_next(form.back.as_deref(), "/cart");
    let lines: Vec<(i64, i64)> = match quantities(&form) {
        Ok(lines) => lines.into_iter().filter(|(_, q)| *q != 0).collect(),
        Err(errors) => {
            return Ok(Reply::Flash(Flash::error(
                Redirect::to(back),
                messages(lang, &errors),
            )));
        }
    };
    match cart::add(&app, &user.actor(&client), &lines).await {
        Ok(names) => Ok(Reply::Flash(Flash::success(
            Redirect::to(back),
            lang.t_with("flash-basket-added", &[("names", names.join(", ").into())]),
        ))),
        Err(AppError::Invalid(errors) | AppError::Conflict(errors)) => Ok(Reply::Flash(
            Flash::error(Redirect::to(back), messages(lang, &errors)),
        )),
        Err(other) => Err(PageError(other)),
    }
}

/// The basket form: saves the quantities (0 takes a line out), then, with
/// `action=checkout`, buys the basket. A failed checkout shows the basket
/// again, unchanged, with the lines at fault marked.
#[post("/cart", data = "<form>")]
async fn change(
    app: crate::state::App<'_>,
    view: PageContext,
    client: ClientMeta,
    user: CurrentUser,
    form: CsrfForm<QuantityForm>,
) -> PageResult {
    let actor = user.actor(&client);
    let saved = match quantities(&form) {
        Ok(lines) => cart::update(&app, &actor, &lines).await,
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    if let Err(error) = saved {
        return match error {
            AppError::Invalid(errors) => {
                render(
                    &app,
                    &view,
                    &user,
                    &client,
                    Status::UnprocessableEntity,
                    &errors,
                )
                .await
            }
            other => Err(PageError(other)),
        };
    }
    if form.action.as_deref() != Some("checkout") {
        return Ok(Reply::Flash(Flash::success(
            Redirect::to("/cart"),
            view.lang.t("flash-basket-updated"),
        )));
    }
    // The fingerprint is the form as sent: a resubmission matches it.
    let key = form
        .order_key
        .as_deref()
        .map(|key| IdempotencyKey::new(key, &format!("{:?}", form.qty)))
        .transpose();
    let checked_out = match key {
        Ok(key) => cart::checkout(&app, &actor, key.as_ref()).await,
        Err(error) => Err(error),
    };
    match checked_out {
        Ok(Once {
            value: sale,
            replayed: false,
        }) => Ok(Reply::Flash(Flash::success(
            Redirect::to(format!("/sales/{}", sale.row.id)),
            super::shop::paid(&view, sale.row.total_cents),
        ))),
        Ok(Once {
            value: sale,
            replayed: true,
        }) => Ok(Reply::Flash(Flash::success(
            Redirect::to(format!("/sales/{}", sale.row.id)),
            view.lang.t("flash-order-sent-twice"),
        ))),
        Err(AppError::Conflict(errors)) => {
            render(&app, &view, &user, &client, Status::Conflict, &errors).await
        }
        Err(AppError::Invalid(errors)) => {
            render(
                &app,
                &view,
                &user,
                &client,
                Status::UnprocessableEntity,
                &errors,
            )
            .await
        }
        Err(other) => Err(PageError(other)),
    }
}

/// Takes one product out of the basket.
#[post("/cart/remove/<product_id>", data = "<_form>")]
async fn remove(
    app: crate::state::App<'_>,
    client: ClientMeta,
    user: CurrentUser,
    lang: Lang,
    product_id: i64,
    _form: CsrfForm<TokenOnly>,
) -> PageResult {
    cart::remove(&app, &user.actor(&client), product_id).await?;
    Ok(Reply::Flash(Flash::success(
        Redirect::to("/cart"),
        lang.t("flash-basket-removed"),
    )))
}
