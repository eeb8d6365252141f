//! Opening a PostgreSQL pool. sqlx reads the URL's TLS settings itself
//! (`sslmode` = disable, prefer, require, verify-ca or verify-full, and
//! `sslrootcert`; or `PGSSLMODE`/`PGSSLROOTCERT`) and speaks TLS through
//! rustls. This adds what an operator needs when it fails: where it tried
//! to connect, and the real cause behind a pool timeout.

use std::str::FromStr;

use sqlx::ConnectOptions;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgSslMode};

use super::{DbError, PoolSettings};

/// A pool for `settings.url`, or an error naming the target and the cause.
pub async fn connect(settings: &PoolSettings) -> Result<PgPool, DbError> {
    let options = PgConnectOptions::from_str(&settings.url)?;
    let opened = PgPoolOptions::new()
        // A pooled connection is pinged before each use by default: a
        // second round trip per query for a check that a failed query
        // reports anyway.
        .test_before_acquire(false)
        .max_connections(settings.max_connections.max(1))
        .min_connections(settings.min_connections)
        .acquire_timeout(settings.connect_timeout)
        .idle_timeout(settings.idle_timeout)
        .connect_with(options.clone())
        .await;
    let source = match opened {
        Ok(pool) => return Ok(pool),
        // The pool retries a refused connection (the server may be starting)
        // until its timeout, then reports only the timeout: one direct
        // attempt names the cause.
        Err(sqlx::Error::PoolTimedOut) => {
            match rocket::tokio::time::timeout(settings.connect_timeout, options.connect()).await {
                Ok(Err(cause)) => cause,
                _ => sqlx::Error::PoolTimedOut,
            }
        }
        Err(other) => other,
    };
    // A TLS failure is a setting to fix, though a request meeting one
    // mid-outage is still answered 503.
    let transient = super::is_unavailable(&source) && !matches!(source, sqlx::Error::Tls(_));
    Err(DbError::Connect {
        transient,
        target: describe(&options),
        cause: format!("{source}{}", hint(&source)),
    })
}

/// What a TLS failure means for the operator (rustls's words are terse).
fn hint(error: &sqlx::Error) -> &'static str {
    let text = error.to_string();
    if text.contains("UnknownIssuer") {
        " (the server's certificate is not signed by the CA in sslrootcert, \
         or, without sslrootcert, by a public CA)"
    } else if text.contains("NotValidForName") {
        " (the server's certificate does not name this host: verify-full checks \
         the name, verify-ca does not)"
    } else if text.contains("server does not support TLS") {
        " (the server has TLS off; only sslmode=prefer or disable connect in the clear)"
    } else {
        ""
    }
}

/// `host:port/database (sslmode=…)`, never the user or password.
fn describe(options: &PgConnectOptions) -> String {
    let mode = match options.get_ssl_mode() {
        PgSslMode::Disable => "disable",
        PgSslMode::Allow => "allow",
        PgSslMode::Prefer => "prefer",
        PgSslMode::Require => "require",
        PgSslMode::VerifyCa => "verify-ca",
        PgSslMode::VerifyFull => "verify-full",
    };
    format!(
        "{}:{}/{} (sslmode={mode})",
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_names_host_port_database_and_tls_mode_but_no_password() {
        for (query, mode) in [
            ("", "prefer"),
            ("?sslmode=disable", "disable"),
            ("?sslmode=allow", "allow"),
            ("?sslmode=require", "require"),
            ("?sslmode=verify-ca", "verify-ca"),
            ("?sslmode=verify-full&sslrootcert=/ca.crt", "verify-full"),
        ] {
            let url = format!("postgres://u:hunter2@db.example:6543/app{query}");
            let options = PgConnectOptions::from_str(&url).expect("url");
            let text = describe(&options);
            assert_eq!(text, format!("db.example:6543/app (sslmode={mode})"));
        }
    }
}
