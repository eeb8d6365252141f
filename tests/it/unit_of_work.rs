//! The unit of work (`db::AppConn`, `db::AppTx`) on both backends: commit
//! persists, rollback and drop undo, a failed statement or a failed end of
//! a transaction never leaves a pooled connection inside a transaction.
//! (That a transaction cannot be begun inside another is a compile-time
//! property: see the `compile_fail` example in `src/db/conn.rs`.)

use portero::db::{AppConn, AppPool, PoolSettings};

use crate::helpers::TestDb;

/// A migrated pool of at most one connection, so that the next `acquire`
/// gets the very connection the previous user gave back (or a new one, if
/// that one was closed).
async fn one_connection_pool(url: &str) -> AppPool {
    let settings = PoolSettings {
        max_connections: 1,
        ..PoolSettings::for_url(url)
    };
    let pool = AppPool::connect(&settings).await.expect("connect");
    pool.migrate().await.expect("migrate");
    pool
}

async fn execute(conn: &mut AppConn, sql: &str) -> Result<u64, sqlx::Error> {
    match conn {
        AppConn::Sqlite(c) => sqlx::query(sql)
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected()),
        AppConn::Postgres(c) => sqlx::query(sql)
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected()),
    }
}

async fn count(conn: &mut AppConn, sql: &str) -> i64 {
    match conn {
        AppConn::Sqlite(c) => sqlx::query_scalar(sql).fetch_one(&mut **c).await,
        AppConn::Postgres(c) => sqlx::query_scalar(sql).fetch_one(&mut **c).await,
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

const INSERT_A: &str =
    "INSERT INTO throttle_notices (throttle_key, noticed_at) VALUES ('a', '2026-01-01T00:00:00Z')";
const INSERT_B: &str =
    "INSERT INTO throttle_notices (throttle_key, noticed_at) VALUES ('b', '2026-01-01T00:00:00Z')";
const ROWS: &str = "SELECT COUNT(*) FROM throttle_notices";

/// Marks a connection with a temporary table: only that connection sees it.
async fn mark(conn: &mut AppConn) {
    execute(conn, "CREATE TEMP TABLE marked (x INTEGER)")
        .await
        .expect("mark the connection");
}

async fn is_marked(conn: &mut AppConn) -> bool {
    let sql = match conn {
        AppConn::Sqlite(_) => "SELECT COUNT(*) FROM sqlite_temp_master WHERE name = 'marked'",
        // This session's own temporary schema: a closed session's table
        // stays visible in the catalog until its backend has exited.
        AppConn::Postgres(_) => {
            "SELECT COUNT(*) FROM pg_class WHERE relname = 'marked' \
             AND relnamespace = pg_my_temp_schema()"
        }
    };
    count(conn, sql).await == 1
}

/// Asserts that `conn` is in autocommit mode: its write is seen at once by
/// another pool.
async fn assert_not_in_a_transaction(conn: &mut AppConn, url: &str) {
    execute(conn, INSERT_B).await.expect("write");
    let other = AppPool::connect(&PoolSettings::for_url(url))
        .await
        .expect("connect");
    let mut other_conn = other.acquire().await.expect("acquire");
    assert_eq!(
        count(
            &mut other_conn,
            "SELECT COUNT(*) FROM throttle_notices WHERE throttle_key = 'b'"
        )
        .await,
        1,
        "the write is not visible elsewhere: the connection is inside a transaction"
    );
    drop(other_conn);
    other.shutdown().await;
}

#[rocket::async_test]
async fn commit_persists_and_rollback_undoes() {
    let (_db, url) = TestDb::new().await;
    let pool = one_connection_pool(&url).await;
    let mut tx = pool.begin().await.expect("begin");
    execute(&mut tx, INSERT_A).await.expect("insert");
    tx.commit().await.expect("commit");

    let mut tx = pool.begin().await.expect("begin");
    execute(&mut tx, "DELETE FROM throttle_notices")
        .await
        .expect("delete");
    assert_eq!(
        count(&mut tx, ROWS).await,
        0,
        "the transaction sees its own delete"
    );
    tx.rollback().await.expect("rollback");

    let mut conn = pool.acquire().await.expect("acquire");
    assert_eq!(count(&mut conn, ROWS).await, 1);
    assert_not_in_a_transaction(&mut conn, &url).await;
}

#[rocket::async_test]
async fn a_dropped_transaction_is_rolled_back_and_its_connection_reused() {
    let (_db, url) = TestDb::new().await;
    let pool = one_connection_pool(&url).await;
    let mut conn = pool.acquire().await.expect("acquire");
    mark(&mut conn).await;
    let mut tx = conn.begin().await.expect("begin");
    execute(&mut tx, INSERT_A).await.expect("insert");
    drop(tx);

    // The only connection comes back once its rollback has run.
    let mut conn = pool.acquire().await.expect("acquire");
    assert!(is_marked(&mut conn).await, "the connection was not reused");
    assert_eq!(
        count(&mut conn, ROWS).await,
        0,
        "the insert survived the drop"
    );
    assert_not_in_a_transaction(&mut conn, &url).await;
}

#[rocket::async_test]
async fn a_failed_statement_inside_a_transaction_leaves_the_pool_healthy() {
    let (_db, url) = TestDb::new().await;
    let pool = one_connection_pool(&url).await;
    let mut conn = pool.acquire().await.expect("acquire");
    mark(&mut conn).await;
    execute(&mut conn, INSERT_A).await.expect("insert");
    let mut tx = conn.begin().await.expect("begin");
    execute(&mut tx, "DELETE FROM throttle_notices")
        .await
        .expect("delete");
    let duplicate = execute(&mut tx, INSERT_B)
        .await
        .and(execute(&mut tx, INSERT_B).await);
    assert!(duplicate.is_err(), "a duplicate key was accepted");
    drop(tx);

    let mut conn = pool.acquire().await.expect("acquire");
    assert!(
        is_marked(&mut conn).await,
        "a rolled-back connection was closed"
    );
    assert_eq!(
        count(&mut conn, ROWS).await,
        1,
        "the delete survived the failure"
    );
    assert_not_in_a_transaction(&mut conn, &url).await;
}

/// Ends the transaction behind `AppTx`'s back and makes its COMMIT fail, as
/// SQLite does when it rolls back by itself (`SQLITE_FULL`, sqlx #3742).
async fn sabotage_commit(conn: &mut AppConn) {
    match conn {
        AppConn::Sqlite(_) => {
            execute(conn, "ROLLBACK").await.expect("rollback");
        }
        // COMMIT checks deferred constraints, and fails on this one.
        AppConn::Postgres(_) => {
            execute(
                conn,
                "CREATE TEMP TABLE deferred (x INTEGER UNIQUE DEFERRABLE INITIALLY DEFERRED) \
                 ON COMMIT DROP",
            )
            .await
            .expect("create");
            execute(conn, "INSERT INTO deferred VALUES (1), (1)")
                .await
                .expect("insert");
        }
    }
}

#[rocket::async_test]
async fn a_failed_commit_closes_its_connection() {
    let (_db, url) = TestDb::new().await;
    let pool = one_connection_pool(&url).await;
    let mut conn = pool.acquire().await.expect("acquire");
    mark(&mut conn).await;
    let mut tx = conn.begin().await.expect("begin");
    sabotage_commit(&mut tx).await;
    assert!(tx.commit().await.is_err(), "the sabotaged COMMIT succeeded");

    let mut conn = pool.acquire().await.expect("acquire");
    assert!(
        !is_marked(&mut conn).await,
        "a connection whose COMMIT failed went back to the pool"
    );
    assert_not_in_a_transaction(&mut conn, &url).await;
}

#[rocket::async_test]
async fn a_dropped_transaction_whose_rollback_fails_closes_its_connection() {
    let (_db, url) = TestDb::new().await;
    let pool = one_connection_pool(&url).await;
    let mut conn = pool.acquire().await.expect("acquire");
    mark(&mut conn).await;
    let mut tx = conn.begin().await.expect("begin");
    match &mut *tx {
        // SQLite ended the transaction by itself: ROLLBACK fails.
        AppConn::Sqlite(_) => {
            execute(&mut tx, "ROLLBACK").await.expect("rollback");
        }
        // The server went away: ROLLBACK fails.
        AppConn::Postgres(_) => {
            let _ = execute(&mut tx, "SELECT pg_terminate_backend(pg_backend_pid())").await;
        }
    }
    drop(tx);

    let mut conn = pool.acquire().await.expect("acquire");
    assert!(
        !is_marked(&mut conn).await,
        "a connection whose ROLLBACK failed went back to the pool"
    );
    assert_not_in_a_transaction(&mut conn, &url).await;
}

#[rocket::async_test]
async fn a_connection_that_cannot_begin_is_closed() {
    let (_db, url) = TestDb::new().await;
    let pool = one_connection_pool(&url).await;
    let mut conn = pool.acquire().await.expect("acquire");
    mark(&mut conn).await;
    match &mut conn {
        // Already inside a transaction (what sqlx #3742 leaves behind).
        AppConn::Sqlite(_) => {
            execute(&mut conn, "BEGIN")
                .await
                .expect("begin behind its back");
        }
        AppConn::Postgres(_) => {
            let _ = execute(&mut conn, "SELECT pg_terminate_backend(pg_backend_pid())").await;
        }
    }
    assert!(conn.begin().await.is_err(), "BEGIN succeeded");

    let mut conn = pool.acquire().await.expect("acquire");
    assert!(
        !is_marked(&mut conn).await,
        "a connection whose BEGIN failed went back to the pool"
    );
    assert_not_in_a_transaction(&mut conn, &url).await;
}
