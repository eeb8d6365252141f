//! A full disk under SQLite (issue 13): writes fail cleanly (503 problem)
//! while it is full, and succeed again as soon as space returns, without a
//! restart. sqlx 0.7.4 kept a connection "inside a transaction" after
//! SQLite rolled back by itself on SQLITE_FULL (sqlx #3742), which wedged
//! every later write; `AppTx` closes such a connection instead.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use portero::clock::Clock;
use portero::domain::Role;
use rocket::http::Status;
use rocket::local::asynchronous::Client;
use serde_json::Value;
use sqlx::{Connection, Executor};

use crate::helpers::*;

/// A small tmpfs mounted for the test, unmounted when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    /// `None` (with a message) where mounting is not allowed.
    fn mount(size: &str) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().expect("temp dir");
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|status| status.success());
        if mounted {
            Some(SmallDisk { dir })
        } else {
            eprintln!("skipped: cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN)");
            None
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file until the disk is full; returns it.
    fn fill(&self) -> PathBuf {
        let filler = self.path().join("filler");
        let mut file = std::fs::File::create(&filler).expect("filler");
        let chunk = vec![0u8; 16 * 1024];
        while file.write_all(&chunk).is_ok() {}
        let _ = file.write_all(&[0u8; 512]);
        let _ = file.sync_all();
        filler
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        // Lazy: the pool's last connections may close a moment later.
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

/// An outside writer's view: can it take the write lock at all?
async fn outside_writer_gets_the_lock(url: &str) -> bool {
    let Ok(mut conn) = sqlx::SqliteConnection::connect(url).await else {
        return false;
    };
    let taken = conn.execute("BEGIN IMMEDIATE").await.is_ok();
    let _ = conn.execute("ROLLBACK").await;
    let _ = conn.close().await;
    taken
}

async fn purchase(app: &TestApp, product: i64) -> (Status, Value) {
    buy(app, &[(product, 1)]).await
}

#[rocket::async_test]
async fn writes_fail_cleanly_on_a_full_disk_and_recover_when_space_returns() {
    if std::env::var("PORTERO_TEST_DATABASE_URL").is_ok_and(|url| !url.is_empty()) {
        return; // SQLite only: PostgreSQL's disk is the server's.
    }
    let Some(disk) = SmallDisk::mount("6m") else {
        return;
    };
    let url = format!("sqlite://{}", disk.path().join("portero.db").display());
    let rocket = portero::build(test_figment(&url), Clock::default()).expect("build");
    let client = Client::tracked(rocket).await.expect("start");
    let app = TestApp {
        client,
        clock: Clock::default(),
        url: url.clone(),
        db: std::sync::Arc::new(TestDb::Sqlite(tempfile::tempdir().expect("dir"))),
    };
    app.create_user("keeper", Role::Admin).await;
    app.login_as("keeper").await;
    let product = new_product(&app, "DISK-1", "Disk", 100, 100_000).await;

    let filler = disk.fill();
    // The WAL reuses space it already has, so some writes may still fit:
    // buy until one fails. Every failure must be a 503 problem.
    let mut refused = 0;
    for _ in 0..2000 {
        let (status, body) = purchase(&app, product).await;
        match status.code {
            201 => {}
            503 => {
                assert_problem_body(&body, status);
                refused += 1;
                if refused == 5 {
                    break;
                }
            }
            other => panic!("a full disk answered {other}: {body}"),
        }
    }
    assert_eq!(refused, 5, "the disk never filled up");

    std::fs::remove_file(&filler).expect("free the space");
    // Writes work again at once: no connection is left inside a transaction.
    for _ in 0..20 {
        let (status, body) = purchase(&app, product).await;
        assert_eq!(status, Status::Created, "{body}");
    }
    assert!(outside_writer_gets_the_lock(&url).await);
    assert_eq!(app.get("/readyz").await.status(), Status::Ok);
    let other = app.other_browser().await;
    other.signup_api("after-the-storm").await;
    assert_eq!(other.me_status().await, Status::Ok);
}
