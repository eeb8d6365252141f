//! Direct SQL on a test's database: reading numbers back, and faults
//! injected with triggers (so `src/` needs no test-only code).

use portero::db::AppPool;

use super::TestApp;

/// One number from the database.
pub async fn scalar(app: &TestApp, sql: &str) -> i64 {
    match app.pool() {
        AppPool::Sqlite(pool) => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await,
        AppPool::Postgres(pool) => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await,
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Runs one statement that returns nothing.
pub async fn execute(app: &TestApp, sql: &str) {
    match app.pool() {
        AppPool::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
        AppPool::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Makes every INSERT of an audit event with `action` fail, as a full disk
/// or a lost connection would between a change and its event.
pub async fn fail_audit_events(app: &TestApp, action: &str) {
    assert!(
        action.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
        "{action}"
    );
    match app.pool() {
        AppPool::Sqlite(_) => {
            execute(
                app,
                &format!(
                    "CREATE TRIGGER fail_{action} BEFORE INSERT ON audit_events \
                     WHEN NEW.action = '{action}' BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
                ),
            )
            .await
        }
        AppPool::Postgres(_) => {
            execute(
                app,
                "CREATE OR REPLACE FUNCTION injected_fault() RETURNS trigger LANGUAGE plpgsql \
                 AS $$ BEGIN RAISE EXCEPTION 'injected fault'; END $$",
            )
            .await;
            execute(
                app,
                &format!(
                    "CREATE TRIGGER fail_{action} BEFORE INSERT ON audit_events FOR EACH ROW \
                     WHEN (NEW.action = '{action}') EXECUTE FUNCTION injected_fault()"
                ),
            )
            .await
        }
    }
}
