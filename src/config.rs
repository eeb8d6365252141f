//! Portero's settings, read from the same figment as Rocket's own
//! (`Rocket.toml` profiles and `ROCKET_*` variables), plus the platform
//! conveniences `DATABASE_URL` and `PORT`.

use rocket::figment::Figment;
use rocket::figment::providers::Serialized;
use serde::Deserialize;

use crate::db::DEFAULT_DATABASE_URL;

/// Tunables with safe defaults; every key can be set in `Rocket.toml` or as
/// `ROCKET_<KEY>` (for example `ROCKET_SESSION_IDLE_TIMEOUT=900`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct AppConfig {
    /// Seconds of inactivity after which a session ends.
    pub session_idle_timeout: i64,
    /// Seconds after login after which a session ends whatever its use.
    pub session_absolute_timeout: i64,
    /// `last_seen_at` is written at most this often (seconds) per session.
    pub session_touch_interval: i64,
    /// Set when clients reach Portero over HTTPS (usually through a proxy):
    /// cookies get `Secure` and the `__Host-` prefix, and HSTS is sent.
    pub https: bool,
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub argon2_parallelism: u32,
    /// Failed logins per account within `login_account_window` before 429.
    pub login_account_max_failures: i64,
    pub login_account_window: i64,
    /// Failed logins per client address within `login_ip_window` before 429.
    pub login_ip_max_failures: i64,
    pub login_ip_window: i64,
    /// Largest `per_page` a list accepts.
    pub max_per_page: i64,
    /// Deepest page a list serves (offset pagination cost grows with depth).
    pub max_page: i64,
    /// Days audit events are kept before the sweeper deletes them; 0 keeps
    /// them for ever.
    pub audit_retention_days: i64,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            session_idle_timeout: 2 * 60 * 60,
            session_absolute_timeout: 7 * 24 * 60 * 60,
            session_touch_interval: 60,
            https: false,
            argon2_memory_kib: 19_456,
            argon2_iterations: 2,
            argon2_parallelism: 1,
            login_account_max_failures: 5,
            login_account_window: 15 * 60,
            login_ip_max_failures: 100,
            login_ip_window: 60 * 60,
            max_per_page: 100,
            max_page: 10_000,
            audit_retention_days: 365,
        }
    }
}

impl AppConfig {
    pub fn from_figment(figment: &Figment) -> Result<Self, Box<rocket::figment::Error>> {
        figment.extract().map_err(Box::new)
    }

    /// The session cookie's name; `__Host-` pins it to this host over HTTPS.
    pub fn session_cookie_name(&self) -> &'static str {
        if self.https {
            "__Host-portero_session"
        } else {
            "portero_session"
        }
    }

    pub fn csrf_cookie_name(&self) -> &'static str {
        if self.https {
            "__Host-portero_csrf"
        } else {
            "portero_csrf"
        }
    }
}

/// Rocket's figment with Portero's defaults and environment shortcuts.
pub fn figment() -> Figment {
    let mut figment = rocket::Config::figment()
        .join(Serialized::default(
            "databases.portero.url",
            DEFAULT_DATABASE_URL,
        ))
        // rocket_db_pools fills these in only for the server; the CLI needs them too.
        .join(Serialized::default("databases.portero.max_connections", 16))
        .join(Serialized::default("databases.portero.connect_timeout", 5))
        // The socket address is the client address unless an operator says a
        // trusted proxy sets a header; Rocket's default trusts X-Real-IP from anyone.
        .join(Serialized::default("ip_header", false));
    if let Some(url) = env_value("DATABASE_URL") {
        figment = figment.merge(Serialized::default("databases.portero.url", url));
    }
    if let Some(port) = env_value("PORT") {
        figment = figment.merge(Serialized::default("port", port));
    }
    figment
}

fn env_value(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
}

/// Fails when a release build would otherwise start with a random key:
/// private cookies would then die with every restart and differ between
/// processes sharing one database.
pub fn check_secret_key(figment: &Figment) -> Result<(), String> {
    let release = figment.profile() == rocket::Config::RELEASE_PROFILE;
    let has_key = figment
        .extract::<rocket::Config>()
        .map(|config| !config.secret_key.is_zero())
        .unwrap_or(false);
    if release && !has_key {
        return Err("portero: no secret key: set ROCKET_SECRET_KEY (or secret_key in Rocket.toml's \
                    [release] section) to a 256-bit base64 value, e.g. from `openssl rand -base64 32`"
            .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_spec() {
        let config = AppConfig::default();
        assert_eq!(config.session_idle_timeout, 7200);
        assert_eq!(config.session_absolute_timeout, 604_800);
        assert_eq!(config.argon2_memory_kib, 19_456);
        assert_eq!(
            (config.argon2_iterations, config.argon2_parallelism),
            (2, 1)
        );
    }

    #[test]
    fn release_without_a_key_is_refused() {
        let release = Figment::from(rocket::Config::release_default())
            .select(rocket::Config::RELEASE_PROFILE);
        assert_eq!(release.profile(), rocket::Config::RELEASE_PROFILE);
        let error = check_secret_key(&release).unwrap_err();
        assert!(error.contains("ROCKET_SECRET_KEY"));
        let with_key = release.merge(Serialized::default(
            "secret_key",
            "hPRYyVRiMyxpw5sBB1XeCMN1kFsDCqKvBi2QJxBVHQk=",
        ));
        assert!(check_secret_key(&with_key).is_ok());
    }

    #[test]
    fn https_switches_cookie_prefix() {
        let config = AppConfig {
            https: true,
            ..AppConfig::default()
        };
        assert!(config.session_cookie_name().starts_with("__Host-"));
    }
}
