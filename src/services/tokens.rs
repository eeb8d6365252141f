//! Personal access tokens: made by their owner, shown once, revoked by the
//! owner or an administrator. Each operation is one transaction with its
//! audit event. Deactivation, a role change, a password change and
//! deletion end them too (in `users`, `accounts`, `create_admin`,
//! `user_bulk`, and by the foreign key).

use time::Duration;

use crate::actor::Actor;
use crate::audit::{Event, action};
use crate::auth::scopes::{Scope, Scopes};
use crate::auth::tokens::NewSecret;
use crate::db::api_tokens::{self, NewToken, TokenRecord};
use crate::db::users;
use crate::domain::FieldErrors;
use crate::error::{AppError, AppResult};
use crate::state::App;

/// Longest token name.
pub const MAX_NAME_LEN: usize = 100;
/// Longest lifetime, in days; every token expires.
pub const MAX_DAYS: i64 = 365;
/// The lifetime when none is asked for.
pub const DEFAULT_DAYS: i64 = 90;

/// A token as asked for.
#[derive(Debug, Clone)]
pub struct TokenInput {
    pub name: String,
    pub scopes: Vec<Scope>,
    pub expires_in_days: Option<i64>,
}

/// A new token and its secret, which is never available again.
pub struct CreatedToken {
    pub record: TokenRecord,
    pub secret: String,
}

/// Checks a request for a token; `allowed` is what the caller may grant
/// (a token never grants more than the credential that made it).
pub fn validate(input: &TokenInput, allowed: Scopes) -> Result<(String, Scopes, i64), FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = input.name.trim();
    if name.is_empty() || input.name.chars().count() > MAX_NAME_LEN {
        errors.push("name", format!("Use 1 to {MAX_NAME_LEN} characters."));
    } else if name.chars().any(char::is_control) {
        errors.push("name", "Control characters are not allowed.");
    }
    let scopes = Scopes::of(&input.scopes);
    if scopes.is_empty() {
        errors.push("scopes", "Choose at least one scope.");
    } else if let Some(scope) = scopes.to_vec().into_iter().find(|s| !allowed.contains(*s)) {
        errors.push("scopes", format!("You cannot grant the `{scope}` scope."));
    }
    let days = input.expires_in_days.unwrap_or(DEFAULT_DAYS);
    if !(1..=MAX_DAYS).contains(&days) {
        errors.push(
            "expires_in_days",
            format!("Use a number of days from 1 to {MAX_DAYS}."),
        );
    }
    errors
        .into_result()
        .map(|()| (name.to_owned(), scopes, days))
}

/// Makes a token for the caller.
pub async fn create(
    app: &App<'_>,
    actor: &Actor,
    allowed: Scopes,
    input: &TokenInput,
) -> AppResult<CreatedToken> {
    let (name, scopes, days) = validate(input, allowed)?;
    let user_id = actor.account_id()?;
    let secret = NewSecret::generate();
    let now = app.now();
    let mut tx = app.begin().await?;
    let owner = users::find(&mut tx, user_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let record = api_tokens::insert(
        &mut tx,
        &NewToken {
            user_id,
            name: &name,
            token_hash: &secret.hash,
            hint: &secret.hint,
            scopes: &scopes.to_stored(),
            now,
            expires_at: Some(now + Duration::days(days)),
        },
    )
    .await?;
    Event::by(action::TOKEN_CREATE, actor)
        .target(&owner)
        .detail(format!(
            "token {} \"{}\" ({}), {days} days",
            record.id,
            record.name,
            scopes.to_stored()
        ))
        .record(&mut tx, now)
        .await?;
    tx.commit().await?;
    Ok(CreatedToken {
        record,
        secret: secret.token,
    })
}

/// A user's tokens, newest first, and how many there are.
pub async fn list(
    app: &App<'_>,
    user_id: i64,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<TokenRecord>, i64)> {
    let mut conn = app.acquire().await?;
    api_tokens::list_for_user(&mut conn, user_id, limit, offset).await
}

/// Revokes token `id` of user `owner_id` (the caller's own, or any user's
/// for an administrator; the routes decide who may); 404 when there is no
/// such token.
pub async fn revoke(app: &App<'_>, actor: &Actor, owner_id: i64, id: i64) -> AppResult<()> {
    let now = app.now();
    let mut tx = app.begin().await?;
    let owner = users::find(&mut tx, owner_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !api_tokens::delete_for_user(&mut tx, owner_id, id).await? {
        return Err(AppError::NotFound);
    }
    Event::by(action::TOKEN_REVOKE, actor)
        .target(&owner)
        .detail(format!("token {id}"))
        .record(&mut tx, now)
        .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, scopes: &[Scope], days: Option<i64>) -> TokenInput {
        TokenInput {
            name: name.to_owned(),
            scopes: scopes.to_vec(),
            expires_in_days: days,
        }
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let user = Scopes::of(&[Scope::Read, Scope::Write]);
        let errors = validate(&input(" ", &[], Some(0)), user).unwrap_err();
        let fields: Vec<_> = errors.as_slice().iter().map(|e| e.field.clone()).collect();
        assert_eq!(fields, ["name", "scopes", "expires_in_days"]);
        let errors = validate(&input("ci\u{7}", &[Scope::Admin], Some(366)), user).unwrap_err();
        assert_eq!(errors.as_slice().len(), 3);
        assert!(errors.as_slice()[1].message.contains("admin"));
        let long = "x".repeat(MAX_NAME_LEN + 1);
        assert!(validate(&input(&long, &[Scope::Read], None), user).is_err());
    }

    #[test]
    fn a_valid_request_is_trimmed_and_defaults_its_lifetime() {
        let all = Scopes::of(&Scope::ALL);
        let (name, scopes, days) =
            validate(&input(" ci ", &[Scope::Read, Scope::Read], None), all).expect("valid");
        assert_eq!(
            (name.as_str(), scopes, days),
            ("ci", Scopes::of(&[Scope::Read]), DEFAULT_DAYS)
        );
    }
}
