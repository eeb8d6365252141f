//! The outbox and the sender (issue 14): messages are stored in the
//! transaction of the change that causes them, written as `.eml` files
//! without `smtp_url`, and otherwise sent over real SMTP to a server in
//! this process, with retries, giving up, restarts and two processes
//! sharing the queue.

use std::collections::HashSet;
use std::time::Duration;

use portero::mail::sender::{Round, Transport, deliver_due};
use portero::mail::{Kind, Letter};
use rocket::figment::Figment;
use rocket::figment::providers::Serialized;
use rocket::http::{Header, Status};
use rocket::local::asynchronous::Client;
use rocket_dyn_templates::tera::Context;
use serde_json::json;

use crate::helpers::{
    PASSWORD, SmtpSink, TestApp, fail_audit_events, parse_header, part_of, scalar, spawn_app,
    spawn_app_with, test_figment,
};

/// One round of the sender through `transport`, as the background task runs it.
async fn deliver(app: &TestApp, transport: &Transport) -> Round {
    let state = app.app().state;
    deliver_due(app.pool(), transport, &state.config, &state.clock)
        .await
        .expect("a sender round")
}

/// Another Portero process on `app`'s database and clock, with `configure`.
async fn instance(app: &TestApp, configure: impl FnOnce(Figment) -> Figment) -> TestApp {
    let rocket =
        portero::build(configure(test_figment(&app.url)), app.clock.clone()).expect("build app");
    TestApp {
        client: Client::tracked(rocket).await.expect("valid rocket"),
        clock: app.clock.clone(),
        url: app.url.clone(),
        db: app.db.clone(),
    }
}

fn sending_to(sink: &SmtpSink) -> impl FnOnce(Figment) -> Figment {
    let url = sink.url();
    move |figment| {
        figment
            .merge(Serialized::default("smtp_url", url))
            .merge(Serialized::default("mail_poll_interval_ms", 20))
    }
}

async fn signup(app: &TestApp, username: &str) -> Status {
    app.post_json(
        "/api/auth/signup",
        &json!({
            "username": username,
            "email": format!("{username}@example.com"),
            "password": PASSWORD,
            "first_name": "Test",
            "last_name": "User",
        }),
    )
    .await
    .0
}

async fn waiting_until(app: &TestApp, sql: &str, expected: i64) {
    for _ in 0..400 {
        if scalar(app, sql).await == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{sql}: expected {expected}, got {}", scalar(app, sql).await);
}

#[rocket::async_test]
async fn a_message_is_stored_in_the_transaction_of_its_change() {
    let app = spawn_app().await;
    assert_eq!(signup(&app, "ana").await, Status::Created);
    let sql = "SELECT COUNT(*) FROM mail_outbox WHERE kind = 'verify_email' \
               AND recipient = 'ana@example.com' AND status = 'queued'";
    assert_eq!(scalar(&app, sql).await, 1);
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM link_tokens WHERE purpose = 'verify_email'"
        )
        .await,
        1
    );

    // The sign-up fails at its last write: neither the message nor its
    // token survive it.
    fail_audit_events(&app, "signup").await;
    assert_eq!(signup(&app, "bob").await, Status::InternalServerError);
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM mail_outbox WHERE recipient = 'bob@example.com'"
        )
        .await,
        0
    );
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM link_tokens").await, 1);
}

#[rocket::async_test]
async fn without_smtp_url_messages_are_eml_files_with_links_from_public_url() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mail_dir = dir.path().join("mail");
    let app = spawn_app_with(|figment| {
        figment
            .merge(Serialized::default("mail_dir", &mail_dir))
            .merge(Serialized::default("mail_poll_interval_ms", 20))
            .merge(Serialized::default(
                "public_url",
                "https://shop.example.com/",
            ))
            .merge(Serialized::default("mail_from", "Shop <shop@example.com>"))
    })
    .await;
    // A forged Host must not leak into the link.
    let response = app
        .client
        .post("/api/auth/signup")
        .header(rocket::http::ContentType::JSON)
        .header(Header::new("Host", "evil.example"))
        .body(
            json!({
                "username": "ana", "email": "ana@example.com", "password": PASSWORD,
                "first_name": "Ana", "last_name": "Example",
            })
            .to_string(),
        )
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Created);
    waiting_until(
        &app,
        "SELECT COUNT(*) FROM mail_outbox WHERE status = 'sent'",
        1,
    )
    .await;

    let files: Vec<_> = std::fs::read_dir(&mail_dir)
        .expect("mail_dir exists")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let data = std::fs::read_to_string(&files[0]).expect("read .eml");
    assert!(parse_header(&data, "From").is_some_and(|v| v.contains("shop@example.com")));
    assert_eq!(
        parse_header(&data, "To").as_deref(),
        Some("ana@example.com")
    );
    assert_eq!(
        parse_header(&data, "Subject").as_deref(),
        Some("Confirm your e-mail address")
    );
    assert!(parse_header(&data, "Date").is_some());
    assert!(
        parse_header(&data, "Message-ID").is_some_and(|v| v.ends_with("@shop.example.com>")),
        "{data}"
    );
    assert!(
        parse_header(&data, "Content-Type").is_some_and(|v| v.starts_with("multipart/alternative"))
    );
    let text = part_of(&data, "text/plain").expect("a text part");
    assert!(
        text.contains("https://shop.example.com/verify-email?token="),
        "{text}"
    );
    assert!(!data.contains("evil.example"));
    let html = part_of(&data, "text/html").expect("an html part");
    assert!(
        html.contains("href=\"https://shop.example.com/verify-email?token="),
        "{html}"
    );

    // Once sent, the stored copy no longer holds the link.
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM mail_outbox WHERE body_text = '' AND body_html = ''"
        )
        .await,
        1
    );
}

#[rocket::async_test]
async fn smtp_refusals_are_retried_with_backoff_then_delivered_once() {
    let sink = SmtpSink::start().await;
    let app = spawn_app().await;
    let transport = Transport::smtp(&sink.url()).expect("smtp transport");
    assert_eq!(signup(&app, "ana").await, Status::Created);

    sink.refuse_next(1, "451 4.3.0 try again later");
    let round = deliver(&app, &transport).await;
    assert_eq!((round.sent, round.retrying), (0, 1));
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM mail_outbox WHERE status = 'queued' AND attempts = 1 \
             AND last_error LIKE '%451%'"
        )
        .await,
        1
    );
    // Not due again before the backoff (30 s after the first attempt).
    assert_eq!(deliver(&app, &transport).await, Round::default());
    app.clock.advance(30);
    let round = deliver(&app, &transport).await;
    assert_eq!(round.sent, 1);

    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert!(
        message.mail_from.contains("portero@localhost"),
        "{}",
        message.mail_from
    );
    assert_eq!(message.rcpt_to, vec!["TO:<ana@example.com>".to_owned()]);
    assert!(message.part("text/plain").is_some() && message.part("text/html").is_some());
    assert!(message.token().len() >= 43, "256 bits in base64url");
    let commands = sink.commands();
    for verb in ["EHLO", "MAIL FROM:", "RCPT TO:", "DATA", "QUIT"] {
        assert!(
            commands.iter().any(|c| c.starts_with(verb)),
            "{verb}: {commands:?}"
        );
    }
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM mail_outbox WHERE status = 'sent' AND attempts = 2"
        )
        .await,
        1
    );
    assert_eq!(deliver(&app, &transport).await, Round::default());
    assert_eq!(sink.messages().len(), 1);
}

#[rocket::async_test]
async fn a_permanent_refusal_or_the_last_attempt_gives_a_message_up() {
    let sink = SmtpSink::start().await;
    let app = spawn_app_with(|f| f.merge(Serialized::default("mail_max_attempts", 2))).await;
    let transport = Transport::smtp(&sink.url()).expect("smtp transport");

    assert_eq!(signup(&app, "ana").await, Status::Created);
    sink.refuse_next(1, "550 5.1.1 no such mailbox");
    assert_eq!(deliver(&app, &transport).await.given_up, 1);

    assert_eq!(signup(&app, "bob").await, Status::Created);
    sink.refuse_next(2, "421 4.3.2 shutting down");
    assert_eq!(deliver(&app, &transport).await.retrying, 1);
    app.clock.advance(30);
    assert_eq!(deliver(&app, &transport).await.given_up, 1);
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM mail_outbox WHERE status = 'failed'"
        )
        .await,
        2
    );
    assert!(sink.messages().is_empty());
}

#[rocket::async_test]
async fn a_message_queued_while_the_server_is_down_goes_out_once_after_a_restart() {
    // A port with nothing listening: the server is down.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let app = spawn_app().await;
    assert_eq!(signup(&app, "ana").await, Status::Created);
    let down = Transport::smtp(&format!("smtp://127.0.0.1:{port}")).expect("transport");
    assert_eq!(deliver(&app, &down).await.retrying, 1);

    // Portero stops; the server comes back; Portero starts again.
    let db = app.db.clone();
    let (url, clock) = (app.url.clone(), app.clock.clone());
    drop(app);
    let sink = SmtpSink::start_on(port).await;
    let restarted = {
        let rocket = portero::build(sending_to(&sink)(test_figment(&url)), clock.clone())
            .expect("build app");
        TestApp {
            client: Client::tracked(rocket).await.expect("valid rocket"),
            clock,
            url,
            db,
        }
    };
    restarted.clock.advance(30);
    let messages = sink.wait_for(1).await;
    assert!(messages[0].data.contains("ana@example.com"));
    waiting_until(
        &restarted,
        "SELECT COUNT(*) FROM mail_outbox WHERE status = 'sent'",
        1,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(sink.messages().len(), 1, "delivered exactly once");
}

#[rocket::async_test]
async fn two_processes_sharing_the_queue_send_each_of_200_messages_once() {
    let sink = SmtpSink::start().await;
    let app = spawn_app().await;
    {
        let portero = app.app();
        let now = portero.now();
        let mut tx = portero.begin().await.expect("begin");
        for n in 0..200 {
            let mut context = Context::new();
            context.insert("username", &format!("user{n}"));
            let letter = Letter {
                kind: Kind::PasswordChanged,
                to: &format!("user{n}@example.com"),
                user_id: None,
                context,
            };
            portero
                .state
                .mail
                .queue(&mut tx, letter, now)
                .await
                .expect("queue");
        }
        tx.commit().await.expect("commit");
    }
    let first = instance(&app, sending_to(&sink)).await;
    let second = instance(&app, sending_to(&sink)).await;
    sink.wait_for(200).await;
    waiting_until(
        &first,
        "SELECT COUNT(*) FROM mail_outbox WHERE status = 'sent'",
        200,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let messages = sink.messages();
    let ids: HashSet<String> = messages
        .iter()
        .map(|m| m.header("Message-ID").expect("Message-ID"))
        .collect();
    assert_eq!((messages.len(), ids.len()), (200, 200));
    let recipients: HashSet<&String> = messages.iter().flat_map(|m| &m.rcpt_to).collect();
    assert_eq!(recipients.len(), 200);
    drop((first, second));
}
