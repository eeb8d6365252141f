//! `portero backup FILE` (issue 13): an online copy of a SQLite database
//! that a server started on it serves as the original.

use portero::clock::Clock;
use rocket::http::Status;
use rocket::local::asynchronous::Client;

use crate::helpers::*;

#[rocket::async_test]
async fn a_backup_taken_while_serving_restores_every_row() {
    let app = spawn_app().await;
    app.login_admin("keeper").await;
    let product = new_product(&app, "BAK-1", "Backed up", 300, 10).await;
    let (status, sale) = buy(&app, &[(product, 2)]).await;
    assert_eq!(status, Status::Created, "{sale}");

    let dir = tempfile::tempdir().expect("dir");
    let copy = dir.path().join("copy.db");
    let copy_arg = copy.display().to_string();
    let output = portero(&app.url, &["backup", &copy_arg], &[]).await;
    let (stdout, stderr) = text(&output);
    if app.db.is_postgres() {
        assert!(!output.status.success());
        assert!(stderr.contains("pg_dump"), "{stderr}");
        return;
    }
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("Backed up"), "{stdout}");
    // A second backup to the same file is refused rather than overwriting.
    let again = portero(&app.url, &["backup", &copy_arg], &[]).await;
    assert!(!again.status.success());
    assert!(text(&again).1.contains("already exists"));

    // Restore: a server on the copy sees the same product, stock and sale.
    let url = format!("sqlite://{}", copy.display());
    let rocket = portero::build(test_figment(&url), Clock::default()).expect("build");
    let client = Client::tracked(rocket).await.expect("start on the copy");
    let restored = TestApp {
        client,
        clock: Clock::default(),
        url,
        db: app.db.clone(),
    };
    restored.login_as("keeper").await;
    assert_eq!(stock(&restored, product).await, 8);
    let (status, again) = restored
        .get_json(&format!("/api/sales/{}", sale["id"]))
        .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(again["total_cents"], sale["total_cents"]);
}
