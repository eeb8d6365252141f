//! Look-alike e-mail addresses: stored in one normal form (NFKC, lower
//! case, punycode domain), so a fullwidth copy is the same address (409)
//! and a mixed-script domain is refused (422); login normalises alike.

use portero::db::AppPool;
use portero::domain::Role;
use rocket::http::Status;
use serde_json::{Value, json};

use crate::helpers::*;

fn account(username: &str, email: &str) -> Value {
    json!({
        "username": username,
        "email": email,
        "password": PASSWORD,
        "first_name": "Look",
        "last_name": "Alike",
    })
}

async fn sign_up(app: &TestApp, username: &str, email: &str) -> (Status, Value) {
    app.other_browser()
        .await
        .post_json("/api/auth/signup", &account(username, email))
        .await
}

#[rocket::async_test]
async fn look_alike_addresses_do_not_register_beside_the_original() {
    let app = spawn_app().await;
    let (status, body) = sign_up(&app, "admin", "admin@example.com").await;
    assert_eq!(status, Status::Created, "{body}");

    // Fullwidth `ａ` folds to `a` (NFKC): the same address, taken.
    let (status, body) = sign_up(&app, "fullwidth", "\u{ff41}dmin@example.com").await;
    assert_eq!(status, Status::Conflict, "{body}");
    assert_eq!(error_fields(&body), ["email"]);
    // Fullwidth `＠` and `．` fold too.
    let (status, body) = sign_up(&app, "fullwidth2", "admin\u{ff20}example\u{ff0e}com").await;
    assert_eq!(status, Status::Conflict, "{body}");

    // Cyrillic `а` in the domain (or the local part) mixes scripts: refused.
    for email in [
        "admin@ex\u{430}mple.com",
        "\u{430}dmin@example.com",
        "admin@xn--exmple-4nf.com",
    ] {
        let (status, body) = sign_up(&app, "cyrillic", email).await;
        assert_eq!(status, Status::UnprocessableEntity, "{email}: {body}");
        assert_eq!(error_fields(&body), ["email"], "{email}");
    }

    // A profile change to a look-alike is caught the same way.
    let (status, body) = sign_up(&app, "other", "other@example.com").await;
    assert_eq!(status, Status::Created, "{body}");
    let other = app.other_browser().await;
    other.login_as("other").await;
    let (status, body) = other
        .patch_json("/api/me", &json!({ "email": "\u{ff21}DMIN@example.com" }))
        .await;
    assert_eq!(status, Status::Conflict, "{body}");
    let (status, body) = other
        .patch_json("/api/me", &json!({ "email": "admin@ex\u{430}mple.com" }))
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");

    let (status, users) = {
        let admin = app.other_browser().await;
        admin.login_admin("root").await;
        admin.get_json("/api/users?per_page=100").await
    };
    assert_eq!(status, Status::Ok);
    let emails: Vec<&str> = users["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|u| u["email"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        emails.iter().filter(|e| e.ends_with("example.com")).count(),
        3,
        "{emails:?}"
    );
}

#[rocket::async_test]
async fn an_international_address_is_stored_with_a_punycode_domain() {
    let app = spawn_app().await;
    let (status, body) = sign_up(&app, "jose", "Jos\u{e9}@B\u{fc}cher.example").await;
    assert_eq!(status, Status::Created, "{body}");
    assert_eq!(body["email"], "jos\u{e9}@xn--bcher-kva.example");
    // The same domain typed in punycode is the same address.
    let (status, body) = sign_up(&app, "jose2", "jos\u{e9}@xn--bcher-kva.example").await;
    assert_eq!(status, Status::Conflict, "{body}");
    // Decomposed `e` + combining acute is the same address after NFKC.
    let (status, body) = sign_up(&app, "jose3", "jose\u{301}@b\u{fc}cher.example").await;
    assert_eq!(status, Status::Conflict, "{body}");
}

#[rocket::async_test]
async fn login_by_email_normalises_the_same_way() {
    let app = spawn_app().await;
    app.create_user("nina", Role::User).await;
    for login in [
        "nina@example.com",
        "NINA@EXAMPLE.COM",
        "\u{ff4e}ina@example.com",
        "nina\u{ff20}example.com",
        " nina@Example.Com ",
    ] {
        let browser = app.other_browser().await;
        let (status, body) = browser.login_api(login, PASSWORD).await;
        assert_eq!(status, Status::Ok, "{login:?}: {body}");
        let browser = app.other_browser().await;
        let (status, location) = browser.page_login(login, PASSWORD, None).await;
        assert_eq!(
            status,
            Status::SeeOther,
            "page login {login:?}: {location:?}"
        );
    }
    let browser = app.other_browser().await;
    let (status, _) = browser.login_api("nina@ex\u{430}mple.com", PASSWORD).await;
    assert_eq!(status, Status::Unauthorized);
}

/// Runs one statement on the test database.
async fn execute(app: &TestApp, sql: &str) {
    match app.pool() {
        AppPool::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
        AppPool::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn emails(app: &TestApp) -> Vec<String> {
    let sql = "SELECT email FROM users ORDER BY id";
    match app.pool() {
        AppPool::Sqlite(pool) => sqlx::query_scalar::<_, String>(sql).fetch_all(pool).await,
        AppPool::Postgres(pool) => sqlx::query_scalar::<_, String>(sql).fetch_all(pool).await,
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[rocket::async_test]
async fn migration_0007_normalises_old_rows_it_can_and_keeps_every_row() {
    use sqlx::migrate::Migrator;
    let app = spawn_app().await;
    // Undo 0007 in the bookkeeping, write rows the old rules allowed, and
    // apply it again, as an upgrade from 0006 would.
    execute(&app, "DELETE FROM _sqlx_migrations WHERE version = 7").await;
    let now = "2024-01-01T00:00:00Z";
    for (name, email) in [
        ("plain", "plain@example.com"),
        ("wide", "\u{ff57}ide@example.com"),
        ("twin", "twin@example.com"),
        ("twinwide", "\u{ff54}win@example.com"),
        ("pair1", "\u{ff50}air@example.com"),
        ("pair2", "p\u{ff41}ir@example.com"),
        ("idn", "idn@b\u{fc}cher.example"),
    ] {
        execute(
            &app,
            &format!(
                "INSERT INTO users (username, email, password_hash, first_name, last_name, \
                 created_at, updated_at) VALUES ('{name}', '{email}', 'x', 'A', 'B', '{now}', '{now}')"
            ),
        )
        .await;
    }
    let mut migrator: Migrator = if app.db.is_postgres() {
        sqlx::migrate!("migrations/postgres")
    } else {
        sqlx::migrate!("migrations/sqlite")
    };
    // Only 0007: later migrations stay applied and are not run again.
    let only_0007: Vec<_> = migrator
        .iter()
        .filter(|m| m.version == 7)
        .cloned()
        .collect();
    assert_eq!(only_0007.len(), 1, "migration 0007 is missing");
    migrator.migrations = only_0007.into();
    migrator.set_ignore_missing(true);
    match app.pool() {
        AppPool::Sqlite(pool) => migrator.run(pool).await,
        AppPool::Postgres(pool) => migrator.run(pool).await,
    }
    .expect("migration 0007 applies to old rows");
    let after = emails(&app).await;
    assert_eq!(after.len(), 7, "a row was lost: {after:?}");
    assert!(after.contains(&"plain@example.com".to_owned()));
    // Collisions are left as they were, for an operator to resolve.
    assert!(after.contains(&"twin@example.com".to_owned()));
    assert!(after.contains(&"\u{ff54}win@example.com".to_owned()));
    assert!(after.contains(&"\u{ff50}air@example.com".to_owned()));
    assert!(after.contains(&"p\u{ff41}ir@example.com".to_owned()));
    if app.db.is_postgres() {
        // PostgreSQL can apply NFKC itself: a row with no twin is rewritten.
        assert!(after.contains(&"wide@example.com".to_owned()), "{after:?}");
    } else {
        assert!(after.contains(&"\u{ff57}ide@example.com".to_owned()));
    }
    // The domain's punycode form needs IDNA, which no SQL here has.
    assert!(after.contains(&"idn@b\u{fc}cher.example".to_owned()));
}
