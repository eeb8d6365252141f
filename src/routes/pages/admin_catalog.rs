//! Admin pages for products and sales.

use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{Route, get, post, routes};
use serde::Serialize;
use serde_json::{Value, json};

use super::admin_filters::{Errors, SaleParams};
use super::view::{self, Pagination, amount_for_input, query_value};
use super::{PageContext, PageError, PageResult, Reply, errors_map, values};
use crate::auth::csrf::{CsrfForm, TokenOnly};
use crate::auth::{Admin, ClientMeta};
use crate::db::products::ProductSort;
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::routes::paging::Paging;
use crate::services::catalog::{self, ProductInput};
use crate::services::sales;
use crate::state::App;

pub fn routes() -> Vec<Route> {
    routes![
        product_list,
        product_set_active,
        product_new,
        product_create,
        product_edit,
        product_update,
        product_delete,
        sale_list
    ]
}

const PER_PAGE: i64 = 50;

#[get("/admin/products?<q>&<status>&<sort>&<page>")]
#[allow(clippy::too_many_arguments)] // one argument per query parameter the page accepts
async fn product_list(
    app: App<'_>,
    view: PageContext,
    _admin: Admin,
    q: Option<String>,
    status: Option<String>,
    sort: Option<String>,
    page: Option<i64>,
) -> PageResult {
    let paging = Paging::clamped(page, PER_PAGE, &app.state.config);
    let q: String = q.unwrap_or_default().trim().chars().take(100).collect();
    let status = status.unwrap_or_default().trim().to_owned();
    let sort = sort.unwrap_or_default().trim().to_owned();
    let mut errors = Errors::new();
    let active = match status.as_str() {
        "" => None,
        "active" => Some(true),
        "inactive" => Some(false),
        _ => {
            errors.insert(
                "status".into(),
                vec!["Choose active, inactive or either.".into()],
            );
            None
        }
    };
    let order = if sort.is_empty() {
        ProductSort::default()
    } else {
        ProductSort::parse(&sort).unwrap_or_else(|| {
            errors.insert(
                "sort".into(),
                vec!["Choose one of the orders offered.".into()],
            );
            ProductSort::default()
        })
    };
    let (rows, total) = if errors.is_empty() {
        catalog::admin_list(
            &app,
            Some(&q),
            active,
            order,
            paging.per_page,
            paging.offset(),
        )
        .await?
    } else {
        (Vec::new(), 0)
    };
    let base = format!(
        "/admin/products?q={}&status={}&sort={}&",
        query_value(&q),
        query_value(&status),
        query_value(&sort)
    );
    let formats = view.formats();
    Ok(view
        .render(
            "admin/products",
            json!({
                "products": rows.iter().map(|p| view::Product::new(p, &formats)).collect::<Vec<_>>(),
                "q": q,
                "state": { "q": q, "status": status, "sort": if sort.is_empty() { order.as_str().to_owned() } else { sort } },
                "errors": errors,
                "back": format!("{base}page={}", paging.page),
                "total": total,
                "pagination": Pagination::new(paging.page, total, paging.per_page, |p| format!("{base}page={p}")),
            }),
        )
        .into())
}

#[derive(Debug, FromForm)]
pub struct ActiveForm {
    active: bool,
    /// The list page to return to.
    #[field(default = String::new())]
    back: String,
}

/// The list's quick "Deactivate" / "Activate" button.
#[post("/admin/products/<id>/active", data = "<form>")]
async fn product_set_active(
    app: App<'_>,
    client: ClientMeta,
    admin: Admin,
    id: i64,
    form: CsrfForm<ActiveForm>,
) -> PageResult {
    let input = ProductInput {
        is_active: Some(form.active),
        ..ProductInput::default()
    };
    let product = catalog::update(&app, &admin.0.actor(&client), id, &input).await?;
    let back = if form.back.starts_with("/admin/products?") {
        super::safe_next(Some(&form.back), "/admin/products")
    } else {
        "/admin/products".to_owned()
    };
    let done = if product.is_active {
        "activated: it is sold again"
    } else {
        "deactivated: it is no longer sold"
    };
    Ok(Reply::Flash(Flash::success(
        Redirect::to(back),
        format!("{} ({}) {done}.", product.name, product.sku),
    )))
}

#[derive(Debug, FromForm, Serialize)]
pub struct ProductForm {
    #[field(default = String::new())]
    sku: String,
    #[field(default = String::new())]
    name: String,
    #[field(default = String::new())]
    description: String,
    /// Currency units with up to two decimals, e.g. `12.50`.
    #[field(default = String::new())]
    price: String,
    #[field(default = String::new())]
    stock: String,
    is_active: bool,
}

/// Parses `12`, `12.5`, `12.50` or, with a decimal comma, `12,50` into cents.
pub fn parse_money(text: &str) -> Result<i64, String> {
    let text = text.trim();
    // A decimal comma, as most of Europe types it; one separator only, so
    // `1,234.50` and `1.234,50` stay errors rather than guesses.
    let comma;
    let text = if text.contains(',') && !text.contains('.') && text.matches(',').count() == 1 {
        comma = text.replace(',', ".");
        comma.as_str()
    } else {
        text
    };
    let invalid = || "Enter a price like 12.50 (or 12,50).".to_owned();
    let (units, fraction) = text.split_once('.').unwrap_or((text, ""));
    if units.is_empty()
        || units.len() > 9
        || fraction.len() > 2
        || !units.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(invalid());
    }
    let units: i64 = units.parse().map_err(|_| invalid())?;
    let cents: i64 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<2}").parse().map_err(|_| invalid())?
    };
    Ok(units * 100 + cents)
}

impl ProductForm {
    fn to_input(&self) -> Result<ProductInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let price_cents = errors.check("price", parse_money(&self.price));
        let stock = errors.check(
            "stock",
            self.stock
                .trim()
                .parse::<i64>()
                .map_err(|_| "Enter a whole number.".to_owned()),
        );
        let input = ProductInput {
            sku: Some(self.sku.clone()),
            name: Some(self.name.clone()),
            description: Some(self.description.clone()),
            price_cents,
            stock,
            is_active: Some(self.is_active),
        };
        // The other fields are checked too, so the form reports every
        // problem in one round, not the price first and the rest after.
        if let Err(more) = catalog::validate(&input) {
            for error in more.into_vec() {
                errors.add(error);
            }
        }
        errors.into_result()?;
        Ok(input)
    }
}

/// Service errors name `price_cents`; the form's field is `price`.
fn form_field_errors(lang: Lang, errors: FieldErrors) -> Value {
    let mut renamed = FieldErrors::new();
    for error in errors.into_vec() {
        let field = if error.field == "price_cents" {
            "price".to_owned()
        } else {
            error.field.clone()
        };
        renamed.add(error.for_field(&field));
    }
    json!(errors_map(lang, &renamed))
}

fn render_form(
    view: &PageContext,
    status: Status,
    product: Option<view::Product>,
    values: Value,
    errors: Value,
) -> Reply {
    view.render_status(
        status,
        "admin/product_form",
        json!({ "product": product, "values": values, "errors": errors }),
    )
}

#[get("/admin/products/new")]
fn product_new(view: PageContext, _admin: Admin) -> Reply {
    render_form(
        &view,
        Status::Ok,
        None,
        json!({ "is_active": true, "stock": "0" }),
        json!({}),
    )
}

async fn save(
    lang: Lang,
    app: &App<'_>,
    client: &ClientMeta,
    admin: &Admin,
    id: Option<i64>,
    form: &ProductForm,
) -> Result<i64, Result<(Status, Value), PageError>> {
    let input = form
        .to_input()
        .map_err(|errors| Ok((Status::UnprocessableEntity, form_field_errors(lang, errors))))?;
    let actor = admin.0.actor(client);
    let result = match id {
        None => catalog::create(app, &actor, &input).await,
        Some(id) => catalog::update(app, &actor, id, &input).await,
    };
    match result {
        Ok(product) => Ok(product.id),
        Err(AppError::Invalid(errors)) => Err(Ok((
            Status::UnprocessableEntity,
            form_field_errors(lang, errors),
        ))),
        Err(AppError::Conflict(errors)) => {
            Err(Ok((Status::Conflict, form_field_errors(lang, errors))))
        }
        Err(other) => Err(Err(PageError(other))),
    }
}

#[post("/admin/products/new", data = "<form>")]
async fn product_create(
    app: App<'_>,
    view: PageContext,
    client: ClientMeta,
    admin: Admin,
    form: CsrfForm<ProductForm>,
) -> PageResult {
    match save(view.lang, &app, &client, &admin, None, &form).await {
        Ok(id) => Ok(Reply::Flash(Flash::success(
            Redirect::to(format!("/admin/products/{id}")),
            "The product was created.",
        ))),
        Err(Ok((status, errors))) => Ok(render_form(&view, status, None, values(&*form), errors)),
        Err(Err(error)) => Err(error),
    }
}

#[get("/admin/products/<id>")]
async fn product_edit(app: App<'_>, view: PageContext, _admin: Admin, id: i64) -> PageResult {
    let product = catalog::get_visible(&app, id, true).await?;
    let values = json!({
        "sku": product.sku,
        "name": product.name,
        "description": product.description,
        "price": amount_for_input(product.price_cents),
        "stock": product.stock.to_string(),
        "is_active": product.is_active,
    });
    Ok(render_form(
        &view,
        Status::Ok,
        Some(view::Product::new(&product, &view.formats())),
        values,
        json!({}),
    ))
}

#[post("/admin/products/<id>", data = "<form>")]
async fn product_update(
    app: App<'_>,
    view: PageContext,
    client: ClientMeta,
    admin: Admin,
    id: i64,
    form: CsrfForm<ProductForm>,
) -> PageResult {
    let product = catalog::get_visible(&app, id, true).await?;
    match save(view.lang, &app, &client, &admin, Some(id), &form).await {
        Ok(id) => Ok(Reply::Flash(Flash::success(
            Redirect::to(format!("/admin/products/{id}")),
            "The product was saved.",
        ))),
        Err(Ok((status, errors))) => Ok(render_form(
            &view,
            status,
            Some(view::Product::new(&product, &view.formats())),
            values(&*form),
            errors,
        )),
        Err(Err(error)) => Err(error),
    }
}

#[post("/admin/products/<id>/delete", data = "<_token>")]
async fn product_delete(
    app: App<'_>,
    client: ClientMeta,
    admin: Admin,
    id: i64,
    lang: Lang,
    _token: CsrfForm<TokenOnly>,
) -> PageResult {
    match catalog::delete(&app, &admin.0.actor(&client), id).await {
        Ok(()) => Ok(Reply::Flash(Flash::success(
            Redirect::to("/admin/products"),
            "The product was deleted.",
        ))),
        Err(AppError::Conflict(errors)) => {
            let message = errors
                .as_slice()
                .first()
                .map(|e| e.localized(lang).message)
                .unwrap_or_default();
            Ok(Reply::Flash(Flash::error(
                Redirect::to(format!("/admin/products/{id}")),
                message,
            )))
        }
        Err(other) => Err(PageError(other)),
    }
}

#[get("/admin/sales?<user>&<from>&<to>&<sort>&<page>")]
#[allow(clippy::too_many_arguments)] // one argument per query parameter the page accepts
async fn sale_list(
    app: App<'_>,
    view: PageContext,
    client: ClientMeta,
    admin: Admin,
    user: Option<String>,
    from: Option<String>,
    to: Option<String>,
    sort: Option<String>,
    page: Option<i64>,
) -> PageResult {
    let paging = Paging::clamped(page, PER_PAGE, &app.state.config);
    let params = SaleParams::new(user, from, to, sort);
    let (rows, total, errors) = match params.parse(&app, view.lang).await? {
        Ok(filter) => {
            let (rows, total) = sales::list(
                &app,
                &admin.0.actor(&client),
                filter,
                paging.per_page,
                paging.offset(),
            )
            .await?;
            (rows, total, Errors::new())
        }
        Err(errors) => (Vec::new(), 0, errors),
    };
    let query = params.query();
    let order = params.order();
    let mut state = serde_json::to_value(&params).unwrap_or_default();
    state["sort"] = json!(order.as_str());
    let base = if query.is_empty() {
        "/admin/sales?".to_owned()
    } else {
        format!("/admin/sales?{query}&")
    };
    let formats = view.formats();
    Ok(view
        .render(
            "admin/sales",
            json!({
                "sales": rows.iter().map(|s| view::Sale::new(s, &formats)).collect::<Vec<_>>(),
                "total": total,
                "state": state,
                "errors": errors,
                "csv_href": super::admin::csv_href("/admin/sales.csv", &query),
                "order": order.words(),
                "pagination": Pagination::new(paging.page, total, paging.per_page, |p| format!("{base}page={p}")),
            }),
        )
        .into())
}

#[cfg(test)]
mod tests {
    use super::parse_money;

    #[test]
    fn money_parses_to_cents() {
        assert_eq!(parse_money("12"), Ok(1200));
        assert_eq!(parse_money("12.5"), Ok(1250));
        assert_eq!(parse_money(" 0.07 "), Ok(7));
        assert_eq!(parse_money("12,50"), Ok(1250));
        assert_eq!(parse_money("1999,9"), Ok(199_990));
        for bad in [
            "", ".5", "1.234", "-1", "1,5,0", "1.234,50", "1,234.50", "abc", "1e3", ",5",
        ] {
            assert!(parse_money(bad).is_err(), "{bad}");
        }
    }
}
