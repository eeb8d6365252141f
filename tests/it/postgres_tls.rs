//! PostgreSQL over TLS (issue 12), against real throw-away servers from
//! `scripts/pg-tls-cluster.sh`: one with TLS on and a certificate for
//! "localhost" from a CA made on the spot, one with TLS off. Each check opens
//! the pool the way Portero does (`AppPool::connect`) and asks the server,
//! through `pg_stat_ssl`, whether its own session is encrypted.
//!
//! Without the cluster's variables these tests pass vacuously outside CI and
//! fail under `CI=true`. With them, the servers are made to answer first:
//! in a CI run they had vanished minutes after `.ci/run` started them, with
//! nothing in the suite stopping them, so the check must not depend on
//! their staying up (the script logs why they were restarted).

use portero::db::{AppPool, PoolSettings};

struct Clusters {
    tls_url: String,
    ca: String,
    wrong_ca: String,
    plain_url: String,
}

fn clusters() -> Option<Clusters> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let found = (
        var("PORTERO_PG_TLS_URL"),
        var("PORTERO_PG_TLS_CA"),
        var("PORTERO_PG_TLS_WRONG_CA"),
        var("PORTERO_PG_PLAIN_URL"),
    );
    match found {
        (Some(tls_url), Some(ca), Some(wrong_ca), Some(plain_url)) => {
            ensure_running();
            Some(Clusters {
                tls_url,
                ca,
                wrong_ca,
                plain_url,
            })
        }
        _ if std::env::var("CI").as_deref() == Ok("true") => panic!(
            "CI=true but the TLS clusters are not set up: \
             eval \"$(bash scripts/pg-tls-cluster.sh start)\" first"
        ),
        _ => {
            eprintln!("no TLS clusters (scripts/pg-tls-cluster.sh): TLS checks not run");
            None
        }
    }
}

/// Runs the script's idempotent `start` once per test binary, with the same
/// environment that chose the clusters' folder and ports.
fn ensure_running() {
    static STARTED: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    let started = STARTED.get_or_init(|| {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/pg-tls-cluster.sh");
        let output = std::process::Command::new("bash")
            .args([script, "start"])
            .output()
            .map_err(|e| format!("cannot run {script}: {e}"))?;
        let said = String::from_utf8_lossy(&output.stderr).into_owned();
        if output.status.success() {
            if !said.is_empty() {
                eprintln!("{said}");
            }
            Ok(())
        } else {
            Err(format!("{script} start failed: {said}"))
        }
    });
    if let Err(why) = started {
        panic!("{why}");
    }
}

/// `base` with a query string added (the URLs have none).
fn with(base: &str, query: &str) -> String {
    format!("{base}?{query}")
}

fn settings(url: &str) -> PoolSettings {
    PoolSettings {
        max_connections: 1,
        connect_timeout: std::time::Duration::from_secs(5),
        ..PoolSettings::for_url(url)
    }
}

/// Whether this session is encrypted, as the server sees it.
async fn session_uses_tls(url: &str) -> Result<bool, String> {
    let pool = AppPool::connect(&settings(url))
        .await
        .map_err(|e| e.to_string())?;
    let AppPool::Postgres(pg) = &pool else {
        panic!("not PostgreSQL: {url}");
    };
    let ssl: bool = sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(pg)
        .await
        .map_err(|e| e.to_string())?;
    pool.shutdown().await;
    Ok(ssl)
}

#[rocket::async_test]
async fn require_and_prefer_encrypt_and_disable_does_not() {
    let Some(c) = clusters() else { return };
    assert_eq!(
        session_uses_tls(&with(&c.tls_url, "sslmode=require")).await,
        Ok(true)
    );
    // prefer (also the default) takes TLS when the server offers it.
    assert_eq!(
        session_uses_tls(&with(&c.tls_url, "sslmode=prefer")).await,
        Ok(true)
    );
    assert_eq!(session_uses_tls(&c.tls_url).await, Ok(true));
    assert_eq!(
        session_uses_tls(&with(&c.tls_url, "sslmode=disable")).await,
        Ok(false)
    );
    // ... and goes without against a server that has none.
    assert_eq!(
        session_uses_tls(&with(&c.plain_url, "sslmode=prefer")).await,
        Ok(false)
    );
}

#[rocket::async_test]
async fn verify_full_and_verify_ca_connect_with_the_right_ca() {
    let Some(c) = clusters() else { return };
    let query = format!("sslmode=verify-full&sslrootcert={}", c.ca);
    assert_eq!(session_uses_tls(&with(&c.tls_url, &query)).await, Ok(true));
    // verify-ca checks the chain but not the name: 127.0.0.1 is not in the
    // certificate, which names only "localhost".
    let by_ip = c.tls_url.replace("@localhost:", "@127.0.0.1:");
    let query = format!("sslmode=verify-ca&sslrootcert={}", c.ca);
    assert_eq!(session_uses_tls(&with(&by_ip, &query)).await, Ok(true));
    let query = format!("sslmode=verify-full&sslrootcert={}", c.ca);
    let error = session_uses_tls(&with(&by_ip, &query))
        .await
        .expect_err("verify-full accepted a certificate for another name");
    assert!(
        error.contains("127.0.0.1")
            && error.contains("NotValidForName")
            && error.contains("certificate does not name this host"),
        "unclear error: {error}"
    );
}

#[rocket::async_test]
async fn verify_full_with_a_wrong_ca_is_refused_with_a_clear_error() {
    let Some(c) = clusters() else { return };
    let query = format!("sslmode=verify-full&sslrootcert={}", c.wrong_ca);
    let error = session_uses_tls(&with(&c.tls_url, &query))
        .await
        .expect_err("verify-full trusted a certificate from another CA");
    assert!(
        error.contains("cannot connect to PostgreSQL at localhost:")
            && error.contains("sslmode=verify-full")
            && error.contains("UnknownIssuer")
            && error.contains("not signed by the CA in sslrootcert"),
        "unclear error: {error}"
    );
    // Without sslrootcert only the public web roots are trusted: refused too.
    let error = session_uses_tls(&with(&c.tls_url, "sslmode=verify-full"))
        .await
        .expect_err("verify-full trusted a private CA it was not given");
    assert!(error.contains("UnknownIssuer"), "unclear error: {error}");
}

#[rocket::async_test]
async fn require_against_a_server_without_tls_is_refused() {
    let Some(c) = clusters() else { return };
    for mode in ["require", "verify-ca", "verify-full"] {
        let query = format!("sslmode={mode}&sslrootcert={}", c.ca);
        let error = session_uses_tls(&with(&c.plain_url, &query))
            .await
            .expect_err("connected in the clear although TLS was required");
        assert!(
            error.contains("server does not support TLS")
                && error.contains("the server has TLS off")
                && error.contains(mode),
            "unclear error: {error}"
        );
    }
}

/// A server that is not there: the pool retries until its timeout and then
/// says only "timed out"; Portero names the real cause and the target.
#[rocket::async_test]
async fn an_unreachable_server_is_named_with_the_cause() {
    let port = crate::platform::free_port();
    let url = format!("postgres://portero:secret@127.0.0.1:{port}/portero?sslmode=require");
    let settings = PoolSettings {
        connect_timeout: std::time::Duration::from_millis(500),
        ..settings(&url)
    };
    let error = AppPool::connect(&settings)
        .await
        .expect_err("connected to nothing")
        .to_string();
    assert!(
        error.contains(&format!("127.0.0.1:{port}/portero (sslmode=require)"))
            && error.contains("refused")
            && !error.contains("secret"),
        "{error}"
    );
}
