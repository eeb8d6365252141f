//! `/admin/mail`: the outbox (newest first, by status) with "retry" for the
//! messages the sender gave up, and "send a password reset link" on a
//! user's page.

use rocket::response::{Flash, Redirect};
use rocket::{Route, get, post, routes};
use serde_json::json;

use super::view::Pagination;
use super::{PageContext, PageResult, Reply};
use crate::auth::csrf::{CsrfForm, TokenOnly};
use crate::auth::{Admin, ClientMeta};
use crate::routes::paging::Paging;
use crate::services::{mail_queue, recovery};
use crate::state::App;

pub fn routes() -> Vec<Route> {
    routes![mail_list, mail_retry, send_reset_link]
}

#[get("/admin/mail?<status>&<page>")]
async fn mail_list(
    app: App<'_>,
    view: PageContext,
    _admin: Admin,
    status: Option<String>,
    page: Option<i64>,
) -> PageResult {
    let paging = Paging::clamped(page, 50, &app.state.config);
    let status = status.filter(|s| mail_queue::STATUSES.contains(&s.as_str()));
    let (messages, total) =
        mail_queue::list(&app, status.as_deref(), paging.per_page, paging.offset()).await?;
    let formats = view.formats();
    let rows: Vec<_> = messages
        .iter()
        .map(|m| {
            json!({
                "id": m.id,
                "kind": m.kind,
                "user_id": m.user_id,
                "recipient": m.recipient,
                "subject": m.subject,
                "status": m.status,
                "attempts": m.attempts,
                "next_attempt_at": formats.datetime(m.next_attempt_at),
                "last_error": m.last_error,
                "created_at": formats.datetime(m.created_at),
                "sent_at": formats.opt_datetime(m.sent_at),
            })
        })
        .collect();
    let status = status.unwrap_or_default();
    let base = format!("status={status}");
    Ok(view
        .render(
            "admin/mail",
            json!({
                "messages": rows,
                "total": total,
                "state": { "status": status },
                "statuses": mail_queue::STATUSES,
                "pagination": Pagination::new(paging.page, total, paging.per_page, |p| format!("?{base}&page={p}")),
            }),
        )
        .into())
}

#[post("/admin/mail/<id>/retry", data = "<_token>")]
async fn mail_retry(
    app: App<'_>,
    client: ClientMeta,
    admin: Admin,
    id: i64,
    _token: CsrfForm<TokenOnly>,
) -> PageResult {
    mail_queue::retry(&app, &admin.0.actor(&client), id).await?;
    Ok(Reply::Flash(Flash::success(
        Redirect::to("/admin/mail"),
        "The message is queued again.",
    )))
}

#[post("/admin/users/<id>/password-reset", data = "<_token>")]
async fn send_reset_link(
    app: App<'_>,
    client: ClientMeta,
    admin: Admin,
    id: i64,
    _token: CsrfForm<TokenOnly>,
) -> PageResult {
    recovery::admin_send_reset(&app, &admin.0.actor(&client), id).await?;
    Ok(Reply::Flash(Flash::success(
        Redirect::to(format!("/admin/users/{id}")),
        "A password reset link is on its way to the user's address.",
    )))
}
