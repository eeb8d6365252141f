//! The command line as an operator meets it (issue 16): `create-admin` on an
//! existing account does what it is asked or refuses, and never audits a
//! no-op; `seed-demo` makes a usable demo by default and says what it made;
//! every option and every command documents itself.

use portero::domain::Role;
use rocket::http::Status;

use crate::helpers::*;

fn create_admin<'a>(username: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["create-admin", "--username", username];
    args.extend_from_slice(extra);
    args
}

#[rocket::async_test]
async fn create_admin_twice_changes_nothing_and_audits_nothing() {
    let app = spawn_app().await;
    let ada = app.other_browser().await;
    sign_in(&ada, "ada", Role::Admin).await;
    let before = app.audit_actions().await;

    let args = create_admin("ada", &["--email", "ada@example.com"]);
    let output = portero(&app.url, &args, &[]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("nothing changed"), "{stdout}");
    // The same password given again is no change either.
    let output = portero(&app.url, &args, &[("PORTERO_ADMIN_PASSWORD", PASSWORD)]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("nothing changed"), "{stdout}");

    assert_eq!(app.audit_actions().await, before, "a no-op was audited");
    assert_eq!(ada.me_status().await, Status::Ok, "ada was logged out");
}

#[rocket::async_test]
async fn create_admin_applies_the_email_and_password_given_to_an_existing_admin() {
    let app = spawn_app().await;
    let ada = app.other_browser().await;
    sign_in(&ada, "ada", Role::Admin).await;

    let args = create_admin("ada", &["--email", "Ada.Lovelace@Example.COM"]);
    let output = portero(&app.url, &args, &[]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("ada.lovelace@example.com"), "{stdout}");
    assert_eq!(
        ada.me_status().await,
        Status::Ok,
        "an e-mail change alone logs nobody out"
    );
    let (_, me) = ada.get_json("/api/me").await;
    assert_eq!(me["email"], "ada.lovelace@example.com");
    let updates = audit_events(&app, "user_update").await;
    assert_eq!(updates.len(), 1, "{updates:?}");
    assert!(
        updates[0]
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("ada.lovelace@example.com")),
        "{updates:?}"
    );

    // A new password replaces the old one and ends every session.
    let args = create_admin("ada", &["--password", NEW_PASSWORD]);
    let output = portero(&app.url, &args, &[]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("password replaced"), "{stdout}");
    assert!(!stdout.contains(NEW_PASSWORD) && !stderr.contains(NEW_PASSWORD));
    assert_eq!(ada.me_status().await, Status::Unauthorized);
    assert_eq!(app.login_api("ada", PASSWORD).await.0, Status::Unauthorized);
    assert_eq!(app.login_api("ada", NEW_PASSWORD).await.0, Status::Ok);
    assert_eq!(audit_events(&app, "password_change").await.len(), 1);
    assert!(audit_events(&app, "role_change").await.is_empty());
}

#[rocket::async_test]
async fn create_admin_promotes_and_reactivates_an_inactive_user() {
    let app = spawn_app().await;
    let id = new_user(&app, "riley", Role::User).await;
    app.deactivate_in_db(id).await;

    let output = portero(&app.url, &create_admin("riley", &[]), &[]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("made an administrator") && stdout.contains("activated"),
        "{stdout}"
    );
    app.login_as("riley").await;
    let (_, me) = app.get_json("/api/me").await;
    assert_eq!(
        (me["role"].as_str(), me["is_active"].as_bool()),
        (Some("admin"), Some(true))
    );
    let changes = audit_events(&app, "role_change").await;
    assert_eq!(
        changes[0].detail.as_deref(),
        Some("user -> admin (command line)")
    );
    assert_eq!(audit_events(&app, "user_activate").await.len(), 1);
}

#[rocket::async_test]
async fn create_admin_refuses_clearly_and_changes_nothing() {
    let app = spawn_app().await;
    new_user(&app, "ada", Role::Admin).await;
    let bob = app.other_browser().await;
    sign_in(&bob, "bob", Role::User).await;
    let before = app.audit_actions().await;

    // Another account's address.
    let args = create_admin("bob", &["--email", "ada@example.com"]);
    let output = portero(&app.url, &args, &[]).await;
    let (stdout, stderr) = text(&output);
    assert!(!output.status.success(), "{stdout}");
    assert!(
        stderr.contains("email") && stderr.contains("already"),
        "{stderr}"
    );
    // A password the policy refuses.
    let args = create_admin("bob", &["--password", "short"]);
    let output = portero(&app.url, &args, &[]).await;
    assert!(!output.status.success());
    assert!(text(&output).1.contains("password"), "{:?}", text(&output));
    // A new administrator needs an address.
    let output = portero(&app.url, &create_admin("nobody", &[]), &[]).await;
    let (_, stderr) = text(&output);
    assert!(!output.status.success());
    assert!(
        stderr.contains("--email") && stderr.contains("nobody"),
        "{stderr}"
    );
    // A malformed address is named as such.
    let args = create_admin("bob", &["--email", "not-an-address"]);
    let output = portero(&app.url, &args, &[]).await;
    assert!(!output.status.success());
    assert!(
        text(&output).1.starts_with("portero: email:"),
        "{:?}",
        text(&output)
    );

    assert_eq!(app.audit_actions().await, before);
    assert_eq!(bob.me_status().await, Status::Ok);
    let (_, me) = bob.get_json("/api/me").await;
    assert_eq!(me["role"], "user");
    assert_eq!(me["email"], "bob@example.com");
}

#[rocket::async_test]
async fn seed_demo_by_default_makes_users_products_and_sales_and_says_so() {
    let app = spawn_app().await;
    let output = portero(&app.url, &["seed-demo", "--users", "40"], &[]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("Made 40 demo users, 25 products and 4 sales"),
        "{stdout}"
    );
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM products").await, 25);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM sales").await, 4);
    let units = scalar(
        &app,
        "SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM sale_items",
    )
    .await;
    assert!(
        stdout.contains(&format!("({units} units sold)")),
        "{stdout}"
    );

    let again = portero(&app.url, &["seed-demo", "--users", "40"], &[]).await;
    let (stdout, _) = text(&again);
    assert!(again.status.success());
    assert!(stdout.contains("Nothing new made"), "{stdout}");
}

#[rocket::async_test]
async fn every_command_documents_its_options_and_the_database() {
    for command in ["serve", "migrate", "create-admin", "seed-demo"] {
        let output = portero("sqlite://unused.db", &[command, "--help"], &[]).await;
        let (stdout, stderr) = text(&output);
        assert!(output.status.success(), "{stdout}\n{stderr}");
        assert!(
            stdout.contains("DATABASE_URL"),
            "{command} --help:\n{stdout}"
        );
        // Every option carries a description: after its name, or on the
        // next line (clap's long form).
        let lines: Vec<&str> = stdout.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let option = line.trim_start();
            if !option.starts_with('-') {
                continue;
            }
            let same_line = option
                .split_once("  ")
                .is_some_and(|(_, help)| !help.trim().is_empty());
            let next_line = lines.get(i + 1).is_some_and(|next| {
                let next = next.trim();
                !next.is_empty() && !next.starts_with('-')
            });
            assert!(
                same_line || next_line,
                "{command}: an option without help: {line:?}\n{stdout}"
            );
        }
    }
    let output = portero("sqlite://unused.db", &["seed-demo", "--help"], &[]).await;
    let (stdout, _) = text(&output);
    assert!(stdout.contains("[default: 25]"), "{stdout}");
}
