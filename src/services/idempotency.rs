//! `Idempotency-Key`: a client retrying a write it sent under the same key
//! gets the first request's result instead of a second write. The key is
//! claimed inside the write's own transaction, so "written" and "key
//! recorded" commit together: a retry after a crash between commit and
//! answer finds the key, never a missing write or a duplicate.
//!
//! Only successful writes are recorded: a request refused (409, 422) or
//! failed (503) left nothing behind, and its retry runs again.

use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use crate::db::{AppConn, idempotency};
use crate::error::{AppError, AppResult};

/// How long a key is remembered.
pub const KEEP_FOR: Duration = Duration::hours(24);

/// The longest key accepted (UUIDs and ULIDs fit easily).
pub const MAX_KEY_LEN: usize = 255;

/// The header, as clients send it.
pub const HEADER: &str = "Idempotency-Key";

/// A client's key together with a fingerprint of the request it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    key: String,
    fingerprint: String,
}

impl IdempotencyKey {
    /// Checks the key (1 to 255 visible ASCII characters) and fingerprints
    /// `request`, the request's meaningful content in a canonical form.
    pub fn new(key: &str, request: &str) -> AppResult<Self> {
        let key = key.trim();
        if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(AppError::invalid(
                HEADER,
                format!("A key is 1 to {MAX_KEY_LEN} visible ASCII characters."),
            ));
        }
        Ok(IdempotencyKey {
            key: key.to_owned(),
            fingerprint: hex::encode(Sha256::digest(request.as_bytes())),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.key
    }
}

/// A write's result, and whether an earlier request under the same key
/// made it (the answer is then a replay).
#[derive(Debug)]
pub struct Once<T> {
    pub value: T,
    pub replayed: bool,
}

/// Whether the write should run, or was done already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// No earlier request: run the write and [`complete`] the claim.
    Fresh,
    /// An earlier request with this key and content created this resource.
    Done(i64),
}

/// Claims `key` in `scope` (the operation and who asks, e.g.
/// `sale:user:42`) as one step of the write's transaction. The same key
/// with different content is refused with 422.
pub async fn claim(
    conn: &mut AppConn,
    scope: &str,
    key: Option<&IdempotencyKey>,
    now: OffsetDateTime,
) -> AppResult<Claim> {
    let Some(key) = key else {
        return Ok(Claim::Fresh);
    };
    let recorded =
        idempotency::claim(conn, scope, &key.key, &key.fingerprint, now, now - KEEP_FOR).await?;
    match recorded {
        None => Ok(Claim::Fresh),
        Some(earlier) if earlier.request_hash != key.fingerprint => Err(AppError::invalid(
            HEADER,
            "This key was already used with a different request.",
        )),
        Some(earlier) => earlier
            .resource_id
            .map(Claim::Done)
            .ok_or_else(|| AppError::internal("an idempotency key without its resource")),
    }
}

/// Records what the claimed key's write created (same transaction).
pub async fn complete(
    conn: &mut AppConn,
    scope: &str,
    key: Option<&IdempotencyKey>,
    resource_id: i64,
) -> AppResult<()> {
    match key {
        Some(key) => idempotency::complete(conn, scope, &key.key, resource_id).await,
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_of_bounded_length() {
        assert!(IdempotencyKey::new("3f1c-9a", "{}").is_ok());
        assert!(IdempotencyKey::new("", "{}").is_err());
        assert!(IdempotencyKey::new("has space", "{}").is_err());
        assert!(IdempotencyKey::new("é", "{}").is_err());
        assert!(IdempotencyKey::new(&"k".repeat(256), "{}").is_err());
        assert_eq!(
            IdempotencyKey::new(" k ", "{}")
                .map(|k| k.as_str().to_owned())
                .ok(),
            Some("k".to_owned())
        );
    }

    #[test]
    fn the_fingerprint_follows_the_request() {
        let a = IdempotencyKey::new("k", "one").expect("key");
        let b = IdempotencyKey::new("k", "two").expect("key");
        assert_ne!(a, b);
        assert_eq!(a, IdempotencyKey::new("k", "one").expect("key"));
    }
}
