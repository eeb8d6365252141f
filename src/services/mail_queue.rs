//! The outbox as administrators see it: the list on `/admin/mail` and the
//! "retry" of a message the sender gave up.

use crate::actor::Actor;
use crate::audit::{Event, action};
use crate::db::outbox::{self, MessageSummary};
use crate::error::{AppError, AppResult};
use crate::state::App;

/// The statuses a message can have, for the page's filter.
pub const STATUSES: [&str; 3] = ["queued", "sent", "failed"];

/// One page of messages, newest first, and how many match.
pub async fn list(
    app: &App<'_>,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<MessageSummary>, i64)> {
    let status = status.filter(|s| STATUSES.contains(s));
    outbox::list(&mut app.acquire().await?, status, limit, offset).await
}

/// Queues a given-up message again with a fresh count of attempts; 404
/// unless it was given up.
pub async fn retry(app: &App<'_>, actor: &Actor, id: i64) -> AppResult<()> {
    if !actor.is_admin() {
        return Err(AppError::Forbidden("administrators only"));
    }
    let now = app.now();
    let mut tx = app.begin().await?;
    if !outbox::retry(&mut tx, id, now).await? {
        return Err(AppError::NotFound);
    }
    Event::by(action::MAIL_RETRY, actor)
        .target_text(format!("mail:{id}"))
        .record(&mut tx, now)
        .await?;
    tx.commit().await?;
    app.state.mail.wake();
    Ok(())
}
