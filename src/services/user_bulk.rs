//! Bulk actions on the admin user list: deactivate, activate or delete the
//! selected accounts, all or nothing, in one transaction with one audit
//! event per account changed. The last-administrator rule holds for the
//! set as a whole: a selection that would leave no active administrator is
//! refused entirely.

use std::collections::BTreeSet;

use crate::actor::Actor;
use crate::audit::{Event, action};
use crate::db::api_tokens;
use crate::db::sessions;
use crate::db::users::{self, User, UserChanges};
use crate::error::{AppError, AppResult};
use crate::state::App;

/// The most accounts one bulk action takes (the largest list page).
pub const MAX_SELECTED: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkAction {
    Deactivate,
    Activate,
    Delete,
}

impl BulkAction {
    pub const ALL: [BulkAction; 3] = [
        BulkAction::Deactivate,
        BulkAction::Activate,
        BulkAction::Delete,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BulkAction::Deactivate => "deactivate",
            BulkAction::Activate => "activate",
            BulkAction::Delete => "delete",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == text)
    }

    /// "Deactivated", for the message after the fact.
    pub fn done(self) -> &'static str {
        match self {
            BulkAction::Deactivate => "Deactivated",
            BulkAction::Activate => "Activated",
            BulkAction::Delete => "Deleted",
        }
    }

    /// Whether the action can take an administrator away.
    fn may_remove_an_admin(self) -> bool {
        self != BulkAction::Activate
    }
}

/// What a bulk action did, by username.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BulkOutcome {
    pub changed: Vec<String>,
    /// Selected but already as asked (active, inactive): not touched, not audited.
    pub unchanged: Vec<String>,
    /// Selected ids that name nobody (deleted meanwhile).
    pub missing: usize,
}

/// The selection, checked: distinct ids, at least one, at most a page.
pub fn selection(ids: &[i64]) -> AppResult<Vec<i64>> {
    let ids: Vec<i64> = ids
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if ids.is_empty() {
        return Err(AppError::invalid("ids", "Select at least one user."));
    }
    if ids.len() > MAX_SELECTED {
        return Err(AppError::invalid(
            "ids",
            format!("Select at most {MAX_SELECTED} users at a time."),
        ));
    }
    Ok(ids)
}

/// The selected accounts, for the confirmation page.
pub async fn selected(app: &App<'_>, ids: &[i64]) -> AppResult<Vec<User>> {
    let ids = selection(ids)?;
    users::find_many(&mut app.acquire().await?, &ids).await
}

/// Applies `bulk` to the accounts `ids`, in one transaction.
pub async fn apply(
    app: &App<'_>,
    actor: &Actor,
    bulk: BulkAction,
    ids: &[i64],
) -> AppResult<BulkOutcome> {
    let ids = selection(ids)?;
    let now = app.now();
    let mut tx = app.begin().await?;
    // Administrators first, then the targets in id order: the order every
    // caller locks in, so racing changes queue instead of deadlocking.
    let admins = if bulk.may_remove_an_admin() {
        users::lock_active_admins(&mut tx).await?
    } else {
        Vec::new()
    };
    let mut targets = Vec::with_capacity(ids.len());
    let mut outcome = BulkOutcome::default();
    for id in &ids {
        match users::find_for_update(&mut tx, *id).await? {
            Some(user) => targets.push(user),
            None => outcome.missing += 1,
        }
    }
    if bulk.may_remove_an_admin() {
        keep_an_admin(&admins, &targets)?;
    }
    for user in targets {
        let event = match bulk {
            BulkAction::Deactivate | BulkAction::Activate => {
                let active = bulk == BulkAction::Activate;
                if user.is_active == active {
                    outcome.unchanged.push(user.username);
                    continue;
                }
                let changes = UserChanges {
                    is_active: Some(active),
                    ..UserChanges::default()
                };
                users::update(&mut tx, user.id, &changes, now).await?;
                if active {
                    action::USER_ACTIVATE
                } else {
                    sessions::delete_all_for_user(&mut tx, user.id, None).await?;
                    api_tokens::delete_all_for_user(&mut tx, user.id).await?;
                    action::USER_DEACTIVATE
                }
            }
            BulkAction::Delete => {
                users::delete(&mut tx, user.id).await?;
                action::USER_DELETE
            }
        };
        Event::by(event, actor)
            .target(&user)
            .detail(format!("bulk action on {} selected", ids.len()))
            .record(&mut tx, now)
            .await?;
        outcome.changed.push(user.username);
    }
    tx.commit().await?;
    outcome.changed.sort();
    outcome.unchanged.sort();
    Ok(outcome)
}

/// Refuses a selection that takes in every active administrator.
fn keep_an_admin(locked_admins: &[i64], targets: &[User]) -> AppResult<()> {
    let removed: Vec<&User> = targets
        .iter()
        .filter(|user| user.is_admin() && user.is_active)
        .collect();
    let all_removed = locked_admins
        .iter()
        .all(|id| removed.iter().any(|user| user.id == *id));
    if !removed.is_empty() && all_removed {
        let names: Vec<&str> = removed.iter().map(|u| u.username.as_str()).collect();
        return Err(AppError::conflict(
            "ids",
            format!(
                "This would leave no active administrator: leave {} out of the selection, \
                 or make another administrator first.",
                names.join(" or ")
            ),
        ));
    }
    Ok(())
}
