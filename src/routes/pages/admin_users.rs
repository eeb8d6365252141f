//! Admin pages that work on several accounts or make new ones: "Add user"
//! and the bulk actions of the user list (deactivate, activate, delete,
//! each confirmed on a page of its own before anything changes).

use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{Route, get, post, routes};
use serde::Serialize;
use serde_json::{Value, json};

use super::{PageContext, PageError, PageResult, Reply, errors_map, safe_next, values, view};
use crate::auth::csrf::CsrfForm;
use crate::auth::{Admin, ClientMeta};
use crate::domain::{FieldErrors, Role};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::services::accounts::{NewAccount, validate_new_account};
use crate::services::user_bulk::{self, BulkAction, BulkOutcome};
use crate::services::users as user_service;
use crate::state::App;

pub fn routes() -> Vec<Route> {
    routes![user_new, user_create, bulk]
}

#[derive(Debug, Default, FromForm, Serialize)]
pub struct NewUserForm {
    #[field(default = String::new())]
    username: String,
    #[field(default = String::new())]
    email: String,
    #[field(default = String::new())]
    #[serde(skip)]
    password: String,
    #[field(default = String::new())]
    first_name: String,
    #[field(default = String::new())]
    last_name: String,
    #[field(default = String::new())]
    address: String,
    #[field(default = String::new())]
    phone: String,
    #[field(default = String::from("user"))]
    role: String,
}

/// An optional field left blank is absent.
fn optional(text: &str) -> Option<&str> {
    Some(text).filter(|t| !t.trim().is_empty())
}

impl NewUserForm {
    fn account(&self) -> NewAccount<'_> {
        NewAccount {
            username: &self.username,
            email: &self.email,
            password: &self.password,
            first_name: &self.first_name,
            last_name: &self.last_name,
            address: optional(&self.address),
            phone: optional(&self.phone),
        }
    }
}

fn render_new(view: &PageContext, status: Status, values: Value, errors: Value) -> Reply {
    view.render_status(
        status,
        "admin/user_new",
        json!({ "values": values, "errors": errors }),
    )
}

#[get("/admin/users/new")]
async fn user_new(view: PageContext, _admin: Admin) -> PageResult {
    Ok(render_new(
        &view,
        Status::Ok,
        json!({ "role": "user" }),
        json!({}),
    ))
}

#[post("/admin/users/new", data = "<form>")]
async fn user_create(
    app: App<'_>,
    view: PageContext,
    client: ClientMeta,
    admin: Admin,
    form: CsrfForm<NewUserForm>,
) -> PageResult {
    // Every field is checked before anything else, so the form reports all
    // of its problems in one round.
    let mut errors = FieldErrors::new();
    let role = errors.check("role", form.role.parse::<Role>());
    if let Err(found) = validate_new_account(&form.account(), Role::User, true) {
        for error in found.as_slice() {
            errors.add(error.clone());
        }
    }
    let failed = |status, errors: &FieldErrors| {
        Ok(render_new(
            &view,
            status,
            values(&*form),
            json!(errors_map(view.lang, errors)),
        ))
    };
    let Some(role) = role.filter(|_| errors.as_slice().is_empty()) else {
        return failed(Status::UnprocessableEntity, &errors);
    };
    match user_service::create(&app, &admin.0.actor(&client), &form.account(), role).await {
        Ok(user) => Ok(Reply::Flash(Flash::success(
            Redirect::to(format!("/admin/users/{}", user.id)),
            format!("Created the {role} {}.", user.username),
        ))),
        Err(AppError::Invalid(errors)) => failed(Status::UnprocessableEntity, &errors),
        Err(AppError::Conflict(errors)) => failed(Status::Conflict, &errors),
        Err(other) => Err(PageError(other)),
    }
}

#[derive(Debug, FromForm)]
pub struct BulkForm {
    #[field(default = String::new())]
    action: String,
    #[field(default = Vec::new())]
    ids: Vec<i64>,
    /// Set by the confirmation page's button: only then does anything change.
    #[field(default = false)]
    confirmed: bool,
    /// The list's query string, to return to the same filtered page.
    #[field(default = String::new())]
    back: String,
}

impl BulkForm {
    fn back_to(&self) -> String {
        let list = format!("/admin/users{}", self.back);
        if self.back.is_empty() || self.back.starts_with('?') {
            safe_next(Some(&list), "/admin/users")
        } else {
            "/admin/users".to_owned()
        }
    }
}

#[post("/admin/users/bulk", data = "<form>")]
async fn bulk(
    app: App<'_>,
    view: PageContext,
    client: ClientMeta,
    admin: Admin,
    form: CsrfForm<BulkForm>,
) -> PageResult {
    let back = form.back_to();
    let refuse = |message: String| {
        Ok(Reply::Flash(Flash::error(
            Redirect::to(back.clone()),
            message,
        )))
    };
    let Some(bulk) = BulkAction::parse(&form.action) else {
        return refuse("Choose what to do with the selected users.".into());
    };
    if !form.confirmed {
        let selected = match user_bulk::selected(&app, &form.ids).await {
            Ok(selected) if !selected.is_empty() => selected,
            Ok(_) => return refuse("None of the selected users exists any more.".into()),
            Err(AppError::Invalid(errors)) => return refuse(first_message(view.lang, &errors)),
            Err(other) => return Err(PageError(other)),
        };
        let formats = view.formats();
        let admins = selected
            .iter()
            .filter(|u| u.is_admin() && u.is_active)
            .count();
        return Ok(view
            .render(
                "admin/users_bulk",
                json!({
                    "action": bulk.as_str(),
                    "users": selected.iter().map(|u| view::User::new(u, &formats)).collect::<Vec<_>>(),
                    "count": selected.len(),
                    "admins": admins,
                    "back": form.back,
                    "back_href": back,
                }),
            )
            .into());
    }
    match user_bulk::apply(&app, &admin.0.actor(&client), bulk, &form.ids).await {
        Ok(outcome) => Ok(Reply::Flash(Flash::success(
            Redirect::to(back.clone()),
            describe(bulk, &outcome),
        ))),
        Err(AppError::Invalid(errors) | AppError::Conflict(errors)) => {
            refuse(first_message(view.lang, &errors))
        }
        Err(other) => Err(PageError(other)),
    }
}

fn first_message(lang: Lang, errors: &FieldErrors) -> String {
    errors
        .as_slice()
        .first()
        .map(|e| e.localized(lang).message)
        .unwrap_or_default()
}

/// "Deactivated 3 users: ann, bob, cy. 1 was already inactive: dee."
fn describe(bulk: BulkAction, outcome: &BulkOutcome) -> String {
    let users = |n: usize| if n == 1 { "user" } else { "users" };
    let mut message = if outcome.changed.is_empty() {
        format!("{} no user.", bulk.done())
    } else {
        format!(
            "{} {} {}: {}.",
            bulk.done(),
            outcome.changed.len(),
            users(outcome.changed.len()),
            outcome.changed.join(", ")
        )
    };
    if !outcome.unchanged.is_empty() {
        let state = if bulk == BulkAction::Activate {
            "active"
        } else {
            "inactive"
        };
        message.push_str(&format!(
            " Already {state}, left as they were: {}.",
            outcome.unchanged.join(", ")
        ));
    }
    if outcome.missing > 0 {
        message.push_str(&format!(
            " {} selected {} no longer existed.",
            outcome.missing,
            users(outcome.missing)
        ));
    }
    message
}

#[cfg(test)]
mod tests {
    use super::{BulkAction, BulkOutcome, describe};

    #[test]
    fn the_message_says_what_changed_and_what_did_not() {
        let outcome = BulkOutcome {
            changed: vec!["ann".into(), "bob".into()],
            unchanged: vec!["dee".into()],
            missing: 1,
        };
        assert_eq!(
            describe(BulkAction::Deactivate, &outcome),
            "Deactivated 2 users: ann, bob. Already inactive, left as they were: dee. \
             1 selected user no longer existed."
        );
        let nothing = BulkOutcome {
            unchanged: vec!["ann".into()],
            ..BulkOutcome::default()
        };
        assert_eq!(
            describe(BulkAction::Activate, &nothing),
            "Activated no user. Already active, left as they were: ann."
        );
    }
}
