//! Login throttling, per account and per client address, counted in the
//! database so every process sharing it enforces the same limits.
//!
//! An attempt counts before its password is checked: [`reserve`] records it
//! as a failure under a lock on its keys, after checking the limits, in one
//! short transaction, and only then does argon2 run. A success forgets the
//! account's failures (this one included); a failure simply stays. So
//! however many attempts arrive at once, at most the limit of them ever
//! reach the password check.
//!
//! Past the per-account limit each further failure doubles the wait (30 s,
//! 60 s, …, capped at the window); past the per-address limit the address
//! waits until its oldest failure leaves the window. Keys are the account
//! when the login names one, else the login text itself, so a throttled
//! answer looks the same whether or not the account exists.

use time::{Duration, OffsetDateTime};

use crate::config::AppConfig;
use crate::db::{AppConn, AppTx, throttle};
use crate::error::AppResult;

/// First lockout once the account limit is reached; doubles per failure.
const BASE_LOCKOUT_SECONDS: i64 = 30;

/// The throttle key for a login attempt.
pub fn account_key(user_id: Option<i64>, login: &str) -> String {
    match user_id {
        Some(id) => format!("user:{id}"),
        None => format!("login:{login}"),
    }
}

/// Which limit refused an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Account,
    Address,
}

impl Limit {
    /// For the audit event's detail.
    pub fn describe(self) -> &'static str {
        match self {
            Limit::Account => "per-account limit",
            Limit::Address => "per-address limit",
        }
    }
}

/// What [`reserve`] decided about an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Counted as a failure until [`forget`] says otherwise: go on.
    Counted,
    /// Over `limit`: wait `retry_after` seconds. `first` is true for the
    /// first refusal of this key in its window, the one worth an audit
    /// event (a flood of refusals is reported once).
    Refused {
        retry_after: i64,
        limit: Limit,
        first: bool,
    },
}

/// Checks the limits for an attempt on `key` from `ip` and, when it may
/// proceed, counts it as a failure; all inside `tx`, under a lock on the
/// account key and then the address, so concurrent attempts are decided
/// one after another. Commit `tx` before checking the password.
pub async fn reserve(
    tx: &mut AppTx,
    config: &AppConfig,
    key: &str,
    ip: Option<&str>,
    now: OffsetDateTime,
) -> AppResult<Attempt> {
    let ip_key = ip.map(|ip| format!("ip:{ip}"));
    let mut keys = vec![key];
    keys.extend(ip_key.as_deref());
    throttle::lock_keys(tx, &keys).await?;
    if let Some((retry_after, limit)) = refusal(tx, config, key, ip, now).await? {
        let (noted, window) = match (limit, ip_key.as_deref()) {
            (Limit::Address, Some(ip_key)) => (ip_key, config.login_ip_window),
            _ => (key, config.login_account_window),
        };
        let first = throttle::note_refusal(tx, noted, now, now - Duration::seconds(window)).await?;
        return Ok(Attempt::Refused {
            retry_after,
            limit,
            first,
        });
    }
    throttle::record_failure(tx, key, ip, now).await?;
    Ok(Attempt::Counted)
}

/// Why an attempt must wait, if it must: the seconds left and the limit.
async fn refusal(
    conn: &mut AppConn,
    config: &AppConfig,
    key: &str,
    ip: Option<&str>,
    now: OffsetDateTime,
) -> AppResult<Option<(i64, Limit)>> {
    let account_window = Duration::seconds(config.login_account_window);
    let (failures, last) = throttle::failures_for_account(conn, key, now - account_window).await?;
    if failures >= config.login_account_max_failures
        && let Some(last) = last
    {
        let over = (failures - config.login_account_max_failures).min(20) as u32;
        let lockout =
            Duration::seconds((BASE_LOCKOUT_SECONDS << over).min(config.login_account_window));
        let until = last + lockout;
        if until > now {
            return Ok(Some((seconds_until(until, now), Limit::Account)));
        }
    }
    if let Some(ip) = ip {
        let ip_window = Duration::seconds(config.login_ip_window);
        let (failures, oldest) = throttle::failures_for_ip(conn, ip, now - ip_window).await?;
        if failures >= config.login_ip_max_failures
            && let Some(oldest) = oldest
        {
            return Ok(Some((
                seconds_until(oldest + ip_window, now),
                Limit::Address,
            )));
        }
    }
    Ok(None)
}

fn seconds_until(until: OffsetDateTime, now: OffsetDateTime) -> i64 {
    (until - now).whole_seconds().max(1)
}

/// Forgets the account's failures after a success, this attempt's included.
pub async fn forget(conn: &mut AppConn, key: &str) -> AppResult<()> {
    throttle::clear_account(conn, key).await
}

#[cfg(test)]
mod tests {
    use super::{Limit, account_key};

    #[test]
    fn keys_prefer_the_account() {
        assert_eq!(account_key(Some(7), "alice"), "user:7");
        assert_eq!(account_key(None, "alice"), "login:alice");
    }

    #[test]
    fn limits_describe_themselves() {
        assert_eq!(Limit::Account.describe(), "per-account limit");
        assert_eq!(Limit::Address.describe(), "per-address limit");
    }
}
