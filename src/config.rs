//! Portero's settings, read from the same figment as Rocket's own
//! (`Rocket.toml` profiles and `ROCKET_*` variables), plus the platform
//! conveniences `DATABASE_URL` and `PORT`.

use rocket::figment::Figment;
use rocket::figment::Profile;
use rocket::figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use crate::db::DEFAULT_DATABASE_URL;

/// Tunables with safe defaults; every key can be set in `Rocket.toml` or as
/// `ROCKET_<KEY>` (for example `ROCKET_SESSION_IDLE_TIMEOUT=900`).
#[derive(Debug, Clone, Deserialize, Serialize)]
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
    /// Base of every link in a message (`https://shop.example.com`); links
    /// never come from the request's `Host`, which a client controls.
    pub public_url: String,
    /// `From` of every message.
    pub mail_from: String,
    /// lettre's SMTP URL (`smtp://127.0.0.1:2525`, `smtps://user:pass@host`);
    /// unset, messages are written as `.eml` files to `mail_dir`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smtp_url: Option<String>,
    pub mail_dir: String,
    /// Attempts before a message is given up (shown on `/admin/mail`).
    pub mail_max_attempts: i64,
    /// Seconds before the first retry; each later one waits twice as long.
    pub mail_retry_base: i64,
    /// How often the in-process sender looks for due messages
    /// (milliseconds); 0 runs no sender in this process.
    pub mail_poll_interval_ms: u64,
    /// Lifetimes of the tokens in links, in seconds.
    pub password_reset_ttl: i64,
    pub email_verify_ttl: i64,
    /// Reset links sent per account within `login_account_window`, beyond
    /// which requests are dropped without telling the caller.
    pub password_reset_max_per_account: i64,
    /// When set, an account logs in only once its address is verified.
    pub require_verified_email: bool,
    /// ISO 4217 code of the currency prices are in (pages show it).
    pub currency: String,
    /// When set, an administrator without a second factor is sent to
    /// enrolment (pages) or refused with 403 (API) until one is set up.
    pub require_admin_mfa: bool,
    /// Seconds a login whose password was right waits for its code.
    pub mfa_login_ttl: i64,
    /// Seconds a client has to send a complete request head: from the
    /// connection's start, or on a keep-alive connection from the next
    /// request's first byte (Rocket's `keep_alive`, default 5 s, closes a
    /// keep-alive connection idle that long). 0: none. Read by the patched
    /// Rocket (vendor/).
    pub header_read_timeout: u64,
    /// Bearer token that `GET /metrics` requires; unset, `/metrics` is 404.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics_token: Option<String>,
    /// Most connections open at once; a new one beyond it is closed at once
    /// and logged. 0: the open-file limit less a reserve for the database
    /// and files (see `limits::connection_limit`).
    pub connection_limit: u64,
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
            public_url: "http://127.0.0.1:8000".to_owned(),
            mail_from: "Portero <portero@localhost>".to_owned(),
            smtp_url: None,
            mail_dir: "data/mail".to_owned(),
            mail_max_attempts: 8,
            mail_retry_base: 30,
            mail_poll_interval_ms: 2_000,
            password_reset_ttl: 30 * 60,
            email_verify_ttl: 48 * 60 * 60,
            password_reset_max_per_account: 3,
            require_verified_email: false,
            currency: "EUR".to_owned(),
            require_admin_mfa: false,
            mfa_login_ttl: 5 * 60,
            header_read_timeout: 10,
            metrics_token: None,
            connection_limit: 0,
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

/// The repository's Rocket.toml, as shipped.
const SHIPPED_ROCKET_TOML: &str = include_str!("../Rocket.toml");

/// Rocket's figment with Portero's defaults and the platform shortcuts:
/// `DATABASE_URL`, and `PORT`, which also moves the listener to 0.0.0.0
/// unless `ROCKET_ADDRESS` says otherwise (a platform's router reaches the
/// process from outside; 127.0.0.1 would refuse it).
pub fn figment() -> Figment {
    let mut figment = Figment::from(rocket::Config::default())
        // The shipped Rocket.toml is built in, so the binary keeps its
        // defaults (body limits, log levels…) when started from any folder.
        .merge(Toml::string(SHIPPED_ROCKET_TOML).nested())
        // Then what rocket::Config::figment() reads: the file, then ROCKET_*.
        .merge(Toml::file(Env::var_or("ROCKET_CONFIG", "Rocket.toml")).nested())
        .merge(Env::prefixed("ROCKET_").ignore(&["PROFILE"]).global())
        .select(Profile::from_env_or(
            "ROCKET_PROFILE",
            rocket::Config::DEFAULT_PROFILE,
        ))
        .join(Serialized::default(
            "databases.portero.url",
            DEFAULT_DATABASE_URL,
        ))
        // The socket address is the client address unless an operator says a
        // trusted proxy sets a header; Rocket's default trusts X-Real-IP from anyone.
        .join(Serialized::default("ip_header", false));
    figment = with_pool_defaults(figment);
    if let Some(url) = env_value("DATABASE_URL") {
        figment = figment.merge(Serialized::default("databases.portero.url", url));
    }
    if env_value("PORT").is_some() {
        // Read like any environment variable, so "8080" is a number and a
        // bad value fails extraction with an error that names PORT.
        figment = figment.merge(Env::raw().only(&["PORT"]).global());
        if env_value("ROCKET_ADDRESS").is_none() {
            figment = figment.merge(Serialized::global("address", "0.0.0.0"));
        }
    }
    figment
}

fn env_value(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
}

/// Reads `.env` from the working directory into the environment, leaving
/// variables that are already set alone. Returns the file read, if any.
/// Call before any thread starts: it writes the process environment.
pub fn load_dotenv() -> Result<Option<std::path::PathBuf>, String> {
    let path = std::path::PathBuf::from(".env");
    match dotenvy::from_path(&path) {
        Ok(()) => Ok(Some(path)),
        Err(dotenvy::Error::Io(error)) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        // The line itself may hold a secret: name only its key.
        Err(dotenvy::Error::LineParse(line, _)) => Err(match line.split_once('=') {
            Some((key, _)) => format!(
                "portero: .env: the line for {} cannot be parsed",
                key.trim()
            ),
            None => "portero: .env: a line without `KEY=value` cannot be parsed".to_owned(),
        }),
        Err(error) => Err(format!("portero: cannot read .env: {error}")),
    }
}

/// Checks that Rocket's and Portero's settings can be read, naming each
/// key that cannot and why.
pub fn validate(figment: &Figment) -> Result<(), String> {
    rocket::Config::try_from(figment).map_err(|e| describe(&e))?;
    let config = AppConfig::from_figment(figment).map_err(|e| describe(&e))?;
    crate::mail::check_settings(&config)?;
    if !(config.currency.len() == 3 && config.currency.bytes().all(|b| b.is_ascii_uppercase())) {
        return Err(format!(
            "currency: {:?} is not an ISO 4217 code such as EUR or USD",
            config.currency
        ));
    }
    database_settings(figment)?;
    Ok(())
}

/// `databases.portero`, rocket_db_pools' pool settings.
pub fn database_settings(figment: &Figment) -> Result<rocket_db_pools::Config, String> {
    // Extracted from the top: figment's extract_inner puts the inner key
    // after the failing field in an error's path.
    #[derive(Deserialize)]
    struct Section {
        databases: Databases,
    }
    #[derive(Deserialize)]
    struct Databases {
        portero: rocket_db_pools::Config,
    }
    with_pool_defaults(figment.clone())
        .extract::<Section>()
        .map(|section| section.databases.portero)
        .map_err(|e| describe(&e))
}

/// Pool settings that rocket_db_pools fills in only for the server; the
/// CLI and the checks above need them too.
fn with_pool_defaults(figment: Figment) -> Figment {
    figment
        .join(Serialized::default("databases.portero.max_connections", 16))
        .join(Serialized::default(
            "databases.portero.connect_timeout",
            crate::db::DEFAULT_ACQUIRE_TIMEOUT.as_secs(),
        ))
}

/// One line naming every key that failed and why, as the operator set it:
/// `ROCKET_PORT: invalid type: …`, `PORT: …`, `port in /srv/Rocket.toml: …`.
pub fn describe(error: &rocket::figment::Error) -> String {
    let problems: Vec<String> = error
        .clone()
        .into_iter()
        .map(|e| {
            // The value of a bad key could be most of a real key: never echo it.
            let problem = if e.path.last().is_some_and(|key| key == "secret_key") {
                "not a key: use 32 or 64 random bytes in base64 or hex \
                 (e.g. `openssl rand -base64 32`)"
                    .to_owned()
            } else {
                e.kind.to_string()
            };
            format!("{}: {problem}", place(&e))
        })
        .collect();
    format!("portero: invalid configuration: {}", problems.join("; "))
}

/// Where a bad value came from, spelled as the operator wrote it.
fn place(error: &rocket::figment::Error) -> String {
    let key = error.path.join(".");
    match &error.metadata {
        Some(md) if md.name.ends_with("environment variable(s)") => {
            // Named "`ROCKET_` environment variable(s)" for a prefixed source.
            let prefix = md.name.split('`').nth(1).unwrap_or_default();
            let top = error.path.first().map(|k| k.to_ascii_uppercase());
            let variable = format!("{prefix}{}", top.unwrap_or_default());
            if error.path.len() > 1 {
                format!("{variable} (key {key})")
            } else {
                variable
            }
        }
        Some(md) => match &md.source {
            Some(source) => format!("{key} in {source}"),
            None => format!("{key} ({})", md.name),
        },
        None => key,
    }
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
    fn a_bad_value_is_named_with_its_key_and_a_key_is_never_echoed() {
        let figment = Figment::from(rocket::Config::debug_default())
            .merge(Serialized::default("port", "many"))
            .merge(Serialized::default("session_idle_timeout", "soon"));
        let message = validate(&figment).unwrap_err();
        assert!(
            message.contains("port") && message.contains("many"),
            "{message}"
        );
        let message = AppConfig::from_figment(&figment)
            .map_err(|e| describe(&e))
            .unwrap_err();
        assert!(message.contains("session_idle_timeout"), "{message}");

        let file = tempfile::NamedTempFile::new().expect("temp file");
        std::fs::write(file.path(), "[default]\nmax_page = \"deep\"\n").expect("write");
        let figment =
            Figment::from(rocket::Config::debug_default()).merge(Toml::file(file.path()).nested());
        let message = AppConfig::from_figment(&figment)
            .map_err(|e| describe(&e))
            .unwrap_err();
        // Figment names the file relative to the working directory when it
        // can, so only its name is certain.
        let name = file
            .path()
            .file_name()
            .expect("file name")
            .to_string_lossy();
        assert!(message.contains("max_page in "), "{message}");
        assert!(message.contains(&*name), "{message}");

        let figment = Figment::from(rocket::Config::debug_default())
            .merge(Serialized::default("secret_key", "almost-a-real-key"));
        let message = validate(&figment).unwrap_err();
        assert!(message.contains("secret_key"), "{message}");
        assert!(!message.contains("almost-a-real-key"), "{message}");
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
