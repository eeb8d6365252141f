//! The admin console: dashboard, users, audit log. Every handler takes the
//! `Admin` guard; every change goes through the same services as the API.

use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{Route, get, post, routes};
use serde::Serialize;
use serde_json::{Value, json};

use super::admin_filters::{AuditParams, Errors, UserParams};
use super::view::{self, Pagination, bar_chart, last_days, query_value};
use super::{PageContext, PageError, PageResult, Reply, form_errors, values};
use crate::auth::csrf::{CsrfForm, TokenOnly};
use crate::auth::{Admin, ClientMeta};
use crate::db::users::UserSort;
use crate::domain::Role;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::routes::paging::{DEFAULT_PER_PAGE, Paging};
use crate::services::accounts::ProfileInput;
use crate::services::reports;
use crate::services::users::{self as user_service, AdminChanges};
use crate::state::App;

pub fn routes() -> Vec<Route> {
    routes![
        dashboard,
        user_list,
        user_detail,
        user_update,
        user_revoke_session,
        user_revoke_all,
        user_delete_confirm,
        user_delete,
        audit_log
    ]
}

#[get("/admin")]
async fn dashboard(app: App<'_>, view: PageContext, _admin: Admin) -> PageResult {
    let now = app.now();
    let figures = reports::dashboard(&app, now).await?;
    let days = last_days(now, reports::CHART_DAYS, &figures.signups_per_day);
    let revenue = last_days(now, reports::CHART_DAYS, &figures.revenue_per_day);
    let (today_count, today_cents) = figures.sales_today;
    let (month_count, month_cents) = figures.sales_in_chart;
    let formats = view.formats();
    let money = |cents| formats.money(cents);
    Ok(view
        .render(
            "admin/dashboard",
            json!({
                "counts": {
                    "total": figures.users_total,
                    "active": figures.users_active,
                    "admins": figures.admins,
                },
                "signups_chart": bar_chart(&days, |n| n.to_string()),
                "signups_30d": days.iter().map(|(_, n)| n).sum::<i64>(),
                "recent": figures.recent_signups.iter().map(|u| view::User::new(u, &formats)).collect::<Vec<_>>(),
                "sales": {
                    "today_count": today_count,
                    "today_cents": today_cents,
                    "today": money(today_cents),
                    "month_count": month_count,
                    "month_cents": month_cents,
                    "month": money(month_cents),
                },
                "revenue_chart": bar_chart(&revenue, money),
            }),
        )
        .into())
}

/// Query-string state of the user list, echoed into links and the form.
#[derive(Debug, Default, Serialize)]
struct ListState {
    q: String,
    role: String,
    active: String,
    verified: String,
    sort: String,
    per_page: i64,
}

impl ListState {
    fn query(&self, page: i64, sort: Option<&str>) -> String {
        let mut pairs = vec![];
        let sort = sort.unwrap_or(&self.sort);
        for (key, value) in [
            ("q", self.q.as_str()),
            ("role", &self.role),
            ("active", &self.active),
            ("verified", &self.verified),
            ("sort", sort),
        ] {
            if !value.is_empty() {
                pairs.push(format!("{key}={}", query_value(value)));
            }
        }
        if self.per_page != DEFAULT_PER_PAGE {
            pairs.push(format!("per_page={}", self.per_page));
        }
        pairs.push(format!("page={page}"));
        format!("?{}", pairs.join("&"))
    }
}

/// The "Download as CSV" link of a list with these filters.
pub(crate) fn csv_href(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// The user page counts matches up to this many and then shows "10000+".
const USER_COUNT_CAP: i64 = 10_000;

#[get("/admin/users?<q>&<role>&<active>&<verified>&<sort>&<page>&<per_page>")]
#[allow(clippy::too_many_arguments)] // one argument per query parameter the page accepts
async fn user_list(
    app: App<'_>,
    view: PageContext,
    _admin: Admin,
    q: Option<String>,
    role: Option<String>,
    active: Option<String>,
    verified: Option<String>,
    sort: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
) -> PageResult {
    let paging = Paging::clamped(
        page,
        per_page.unwrap_or(DEFAULT_PER_PAGE),
        &app.state.config,
    );
    let params = UserParams::new(q, role, active, verified, sort);
    // Filters that cannot be used are shown as errors on the form, with no
    // list under them rather than a list that ignores them.
    let (rows, total, sort_order, errors) = match params.parse(view.lang) {
        Ok((mut filter, sort_order)) => {
            filter.count_at_most = Some(USER_COUNT_CAP);
            let (rows, total) =
                user_service::list(&app, &filter, sort_order, paging.per_page, paging.offset())
                    .await?;
            (rows, total, sort_order, Errors::new())
        }
        Err(errors) => (Vec::new(), 0, UserSort::default(), errors),
    };
    let state = ListState {
        q: params.q.clone(),
        role: params.role.clone(),
        active: params.active.clone(),
        verified: params.verified.clone(),
        sort: if params.sort.is_empty() {
            sort_order.as_str().to_owned()
        } else {
            params.sort.clone()
        },
        per_page: paging.per_page,
    };
    let pagination = Pagination::new(paging.page, total, paging.per_page, |p| {
        state.query(p, None)
    });
    let column = |asc: UserSort, desc: UserSort| {
        let next = if sort_order == asc { desc } else { asc };
        let direction = if sort_order == asc {
            "ascending"
        } else if sort_order == desc {
            "descending"
        } else {
            ""
        };
        json!({ "href": state.query(1, Some(next.as_str())), "sort": direction })
    };
    let columns = json!({
        "username": column(UserSort::Username, UserSort::UsernameDesc),
        "email": column(UserSort::Email, UserSort::EmailDesc),
        "created": column(UserSort::CreatedDesc, UserSort::Created),
        "last_login": column(UserSort::LastLoginDesc, UserSort::LastLogin),
    });
    let formats = view.formats();
    Ok(view
        .render(
            "admin/users",
            json!({
                "users": rows.iter().map(|u| view::User::new(u, &formats)).collect::<Vec<_>>(),
                "total": total,
                "total_capped": total >= USER_COUNT_CAP,
                "pagination": pagination,
                "columns": columns,
                "back": state.query(paging.page, None),
                "state": state,
                "errors": errors,
                "csv_href": csv_href("/admin/users.csv", &params.query()),
            }),
        )
        .into())
}

async fn render_user(
    app: &App<'_>,
    view: &PageContext,
    id: i64,
    status: Status,
    form: Option<(Value, Value)>,
) -> PageResult {
    let user = user_service::get(app, id).await?;
    let (session_rows, _) = user_service::sessions_of(app, id, 50).await?;
    let events = reports::events_about(app, id, 20).await?;
    let (values, errors) = form.unwrap_or_else(|| {
        (
            json!({
                "email": user.email,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "address": user.address.clone().unwrap_or_default(),
                "phone": user.phone.clone().unwrap_or_default(),
                "role": user.role,
                "is_active": user.is_active,
                "email_verified": user.email_verified_at.is_some(),
            }),
            json!({}),
        )
    });
    let formats = view.formats();
    Ok(view.render_status(
        status,
        "admin/user",
        json!({
            "user": view::User::new(&user, &formats),
            "sessions": session_rows.iter().map(|s| view::Session::new(s, None, &formats)).collect::<Vec<_>>(),
            "tokens": super::account_tokens::rows_of(app, id, &formats).await?,
            "events": events.iter().map(|e| view::Event::new(e, &formats)).collect::<Vec<_>>(),
            "values": values,
            "errors": errors,
        }),
    ))
}

#[get("/admin/users/<id>")]
async fn user_detail(app: App<'_>, view: PageContext, _admin: Admin, id: i64) -> PageResult {
    render_user(&app, &view, id, Status::Ok, None).await
}

#[derive(Debug, FromForm, Serialize)]
pub struct AdminUserForm {
    #[field(default = String::new())]
    email: String,
    #[field(default = String::new())]
    first_name: String,
    #[field(default = String::new())]
    last_name: String,
    #[field(default = String::new())]
    address: String,
    #[field(default = String::new())]
    phone: String,
    #[field(default = String::new())]
    role: String,
    is_active: bool,
    email_verified: bool,
}

#[post("/admin/users/<id>", data = "<form>")]
async fn user_update(
    app: App<'_>,
    view: PageContext,
    client: ClientMeta,
    admin: Admin,
    id: i64,
    form: CsrfForm<AdminUserForm>,
) -> PageResult {
    let role = match form.role.parse::<Role>() {
        Ok(role) => role,
        Err(message) => {
            let errors = json!({ "role": [message] });
            return render_user(
                &app,
                &view,
                id,
                Status::UnprocessableEntity,
                Some((values(&*form), errors)),
            )
            .await;
        }
    };
    let changes = AdminChanges {
        username: None,
        profile: ProfileInput {
            email: Some(form.email.clone()),
            first_name: Some(form.first_name.clone()),
            last_name: Some(form.last_name.clone()),
            address: Some(Some(form.address.clone())),
            phone: Some(Some(form.phone.clone())),
            time_zone: None,
        },
        role: Some(role),
        is_active: Some(form.is_active),
        email_verified: Some(form.email_verified),
    };
    match user_service::update(&app, &admin.0.actor(&client), id, &changes).await {
        Ok(user) => Ok(Reply::Flash(Flash::success(
            Redirect::to(format!("/admin/users/{}", user.id)),
            format!("Saved {}.", user.username),
        ))),
        Err(AppError::NotFound) => Err(PageError(AppError::NotFound)),
        Err(error) => {
            let (status, errors) = form_errors(view.lang, error)?;
            render_user(
                &app,
                &view,
                id,
                status,
                Some((values(&*form), json!(errors))),
            )
            .await
        }
    }
}

#[post("/admin/users/<id>/sessions/<session_id>/revoke", data = "<_token>")]
async fn user_revoke_session(
    app: App<'_>,
    client: ClientMeta,
    admin: Admin,
    id: i64,
    session_id: i64,
    _token: CsrfForm<TokenOnly>,
) -> PageResult {
    user_service::revoke_session(&app, &admin.0.actor(&client), id, session_id).await?;
    Ok(Reply::Flash(Flash::success(
        Redirect::to(format!("/admin/users/{id}")),
        "The session was logged out.",
    )))
}

#[post("/admin/users/<id>/sessions/revoke-all", data = "<_token>")]
async fn user_revoke_all(
    app: App<'_>,
    client: ClientMeta,
    admin: Admin,
    id: i64,
    _token: CsrfForm<TokenOnly>,
) -> PageResult {
    let revoked = user_service::revoke_sessions(&app, &admin.0.actor(&client), id).await?;
    Ok(Reply::Flash(Flash::success(
        Redirect::to(format!("/admin/users/{id}")),
        format!("{revoked} session(s) logged out."),
    )))
}

#[get("/admin/users/<id>/delete")]
async fn user_delete_confirm(
    app: App<'_>,
    view: PageContext,
    _admin: Admin,
    id: i64,
) -> PageResult {
    let user = user_service::get(&app, id).await?;
    Ok(view
        .render(
            "admin/user_delete",
            json!({ "user": view::User::new(&user, &view.formats()) }),
        )
        .into())
}

#[post("/admin/users/<id>/delete", data = "<_token>")]
async fn user_delete(
    app: App<'_>,
    client: ClientMeta,
    admin: Admin,
    id: i64,
    lang: Lang,
    _token: CsrfForm<TokenOnly>,
) -> PageResult {
    match user_service::delete(&app, &admin.0.actor(&client), id).await {
        Ok(()) => Ok(Reply::Flash(Flash::success(
            Redirect::to("/admin/users"),
            "The user was deleted.",
        ))),
        Err(AppError::Conflict(errors)) => {
            let message = errors
                .as_slice()
                .first()
                .map(|e| e.localized(lang).message)
                .unwrap_or_default();
            Ok(Reply::Flash(Flash::error(
                Redirect::to(format!("/admin/users/{id}")),
                message,
            )))
        }
        Err(other) => Err(PageError(other)),
    }
}

#[get("/admin/audit?<actor>&<action>&<from>&<to>&<page>")]
#[allow(clippy::too_many_arguments)] // one argument per query parameter the page accepts
async fn audit_log(
    app: App<'_>,
    view: PageContext,
    _admin: Admin,
    actor: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<i64>,
) -> PageResult {
    let paging = Paging::clamped(page, 50, &app.state.config);
    let params = AuditParams::new(actor, action, from, to);
    let (events, total, errors) = match params.parse(view.lang) {
        Ok(filter) => {
            let (events, total) =
                reports::audit_log(&app, &filter, paging.per_page, paging.offset()).await?;
            (events, total, Errors::new())
        }
        Err(errors) => (Vec::new(), 0, errors),
    };
    let query = params.query();
    let state = serde_json::to_value(&params).unwrap_or_default();
    let base = if query.is_empty() {
        String::new()
    } else {
        format!("{query}&")
    };
    let formats = view.formats();
    Ok(view
        .render(
            "admin/audit",
            json!({
                "events": events.iter().map(|e| view::Event::new(e, &formats)).collect::<Vec<_>>(),
                "total": total,
                "pagination": Pagination::new(paging.page, total, paging.per_page, |p| format!("?{base}page={p}")),
                "state": state,
                "errors": errors,
                "csv_href": csv_href("/admin/audit.csv", &query),
                "actions": crate::audit::action::ALL,
            }),
        )
        .into())
}
