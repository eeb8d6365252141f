//! Storage: a write that has answered is committed, so the very next query
//! on any other connection (the next request, another process) sees it.
//!
//! sqlx 0.7's SQLite driver hands back the first row of `INSERT … RETURNING`
//! (`fetch_one`/`fetch_optional`) before the statement has finished, so the
//! commit can land after the caller has moved on (sqlx issue #2099, fixed in
//! sqlx 0.8 by PR #3354). These tests repeat the race enough to catch it.

use portero::db::AppPool;
use portero::domain::Role;
use rocket::http::Status;

use crate::helpers::*;

const ROUNDS: usize = 40;

/// Counts users named `name` on a connection checked out before `write` ran,
/// right after `write` returned.
async fn count_after(app: &TestApp, name: &str, write: impl AsyncFnOnce()) -> i64 {
    let sql = "SELECT COUNT(*) FROM users WHERE username = $1";
    match app.pool() {
        AppPool::Sqlite(pool) => {
            let mut held = pool.acquire().await.expect("connection");
            write().await;
            sqlx::query_scalar::<_, i64>(sql)
                .bind(name)
                .fetch_one(&mut *held)
                .await
                .expect("count")
        }
        AppPool::Postgres(pool) => {
            let mut held = pool.acquire().await.expect("connection");
            write().await;
            sqlx::query_scalar::<_, i64>(sql)
                .bind(name)
                .fetch_one(&mut *held)
                .await
                .expect("count")
        }
    }
}

#[rocket::async_test]
async fn a_new_account_is_visible_to_other_connections_when_the_call_returns() {
    let app = spawn_app().await;
    let mut missed = Vec::new();
    for round in 0..ROUNDS {
        let name = format!("fresh{round}");
        let seen = count_after(&app, &name, async || {
            app.create_user(&name, Role::User).await;
        })
        .await;
        if seen != 1 {
            missed.push(name);
        }
    }
    assert!(
        missed.is_empty(),
        "{} of {ROUNDS} new accounts were not yet committed when the insert returned: {missed:?}",
        missed.len()
    );
}

#[rocket::async_test]
async fn the_request_after_a_login_is_logged_in() {
    let app = spawn_app().await;
    app.create_user("quick", Role::User).await;
    let mut anonymous = 0;
    for _ in 0..ROUNDS {
        let (status, body) = app.login_api("quick", PASSWORD).await;
        assert_eq!(status, Status::Ok, "{body}");
        if app.me_status().await != Status::Ok {
            anonymous += 1;
        }
    }
    assert_eq!(
        anonymous, 0,
        "{anonymous} of {ROUNDS} logins were followed by a 401"
    );
}
