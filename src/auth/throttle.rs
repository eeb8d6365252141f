//! Login throttling, per account and per client address, counted in the
//! database so every process sharing it enforces the same limits.
//!
//! Only failures count: a correct password is never slowed down. Past the
//! per-account limit each further failure doubles the wait (30 s, 60 s, …,
//! capped at the window); past the per-address limit the address waits until
//! its oldest failure leaves the window. Keys are the account when the login
//! names one, else the login text itself, so a throttled answer looks the
//! same whether or not the account exists.

use time::{Duration, OffsetDateTime};

use crate::config::AppConfig;
use crate::db::{AppPool, throttle};
use crate::error::{AppError, AppResult};

/// First lockout once the account limit is reached; doubles per failure.
const BASE_LOCKOUT_SECONDS: i64 = 30;

/// The throttle key for a login attempt.
pub fn account_key(user_id: Option<i64>, login: &str) -> String {
    match user_id {
        Some(id) => format!("user:{id}"),
        None => format!("login:{login}"),
    }
}

/// `Err(Throttled)` when this attempt must wait; `Ok` when it may proceed.
pub async fn check(
    pool: &AppPool,
    config: &AppConfig,
    key: &str,
    ip: Option<&str>,
    now: OffsetDateTime,
) -> AppResult<()> {
    let account_window = Duration::seconds(config.login_account_window);
    let (failures, _, last) =
        throttle::failures_for_account(pool, key, now - account_window).await?;
    if failures >= config.login_account_max_failures
        && let Some(last) = last
    {
        let over = (failures - config.login_account_max_failures).min(20) as u32;
        let lockout =
            Duration::seconds((BASE_LOCKOUT_SECONDS << over).min(config.login_account_window));
        let until = last + lockout;
        if until > now {
            return Err(AppError::Throttled {
                retry_after: (until - now).whole_seconds().max(1),
            });
        }
    }
    if let Some(ip) = ip {
        let ip_window = Duration::seconds(config.login_ip_window);
        let (failures, oldest) = throttle::failures_for_ip(pool, ip, now - ip_window).await?;
        if failures >= config.login_ip_max_failures
            && let Some(oldest) = oldest
        {
            let until = oldest + ip_window;
            return Err(AppError::Throttled {
                retry_after: (until - now).whole_seconds().max(1),
            });
        }
    }
    Ok(())
}

pub async fn record_failure(
    pool: &AppPool,
    key: &str,
    ip: Option<&str>,
    now: OffsetDateTime,
) -> AppResult<()> {
    throttle::record_failure(pool, key, ip, now).await
}

pub async fn record_success(pool: &AppPool, key: &str) -> AppResult<()> {
    throttle::clear_account(pool, key).await
}

#[cfg(test)]
mod tests {
    use super::account_key;

    #[test]
    fn keys_prefer_the_account() {
        assert_eq!(account_key(Some(7), "alice"), "user:7");
        assert_eq!(account_key(None, "alice"), "login:alice");
    }
}
