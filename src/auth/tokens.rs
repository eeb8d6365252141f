//! Personal access tokens: the secret's shape and its lookup.
//!
//! A secret is `prt_` followed by 256 random bits in base64url. The fixed
//! prefix lets secret scanners (and people) recognise a leaked Portero
//! token, and lets the request guard tell one from an API session's
//! token without a database query. Only the SHA-256 is stored.

use time::{Duration, OffsetDateTime};

use super::session::{random_token, token_hash};
use crate::db::AppPool;
use crate::db::api_tokens::{self, TokenWithUser};
use crate::error::AppResult;

/// The start of every personal access token.
pub const PREFIX: &str = "prt_";

/// A new secret, shown to its owner once. No `Debug`: never logged.
pub struct NewSecret {
    pub token: String,
    pub hash: Vec<u8>,
    /// What lists show: the prefix and the last four characters.
    pub hint: String,
}

impl NewSecret {
    pub fn generate() -> Self {
        let token = format!("{PREFIX}{}", random_token());
        let tail: String = token.chars().skip(token.chars().count() - 4).collect();
        NewSecret {
            hash: token_hash(&token),
            hint: format!("{PREFIX}…{tail}"),
            token,
        }
    }
}

/// Whether a bearer token is a personal access token (else an API session's).
pub fn is_personal(token: &str) -> bool {
    token.starts_with(PREFIX)
}

/// The live token behind a secret, with its owner; records use at most once
/// per `touch_interval` seconds, as sessions do, to spare writes.
pub async fn load(
    pool: &AppPool,
    token: &str,
    now: OffsetDateTime,
    touch_interval: i64,
) -> AppResult<Option<TokenWithUser>> {
    let mut conn = pool.acquire().await?;
    let found = api_tokens::find_live(&mut conn, &token_hash(token), now).await?;
    if let Some(token) = &found {
        let stale = token
            .last_used_at
            .is_none_or(|used| now - used >= Duration::seconds(touch_interval));
        if stale {
            api_tokens::touch(&mut conn, token.token_id, now).await?;
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_prefixed_random_and_hinted() {
        let a = NewSecret::generate();
        let b = NewSecret::generate();
        assert_ne!(a.token, b.token);
        assert!(is_personal(&a.token) && !is_personal(&random_token()));
        assert_eq!(a.hash, token_hash(&a.token));
        assert!(a.hint.starts_with(PREFIX) && a.token.ends_with(&a.hint[a.hint.len() - 4..]));
        assert!(!a.hint.contains(&a.token[PREFIX.len()..PREFIX.len() + 8]));
    }
}
