//! Slow and many clients (issue 13): a client that sends its request head
//! too slowly is disconnected after `header_read_timeout`, one that keeps a
//! keep-alive connection idle after `keep_alive`; beyond `connection_limit` open connections a new
//! one is closed at once, and the log says so. The binary, over TCP: these
//! live in the patched Rocket's server (vendor/), which local clients skip.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::helpers::SECRET_KEY;
use crate::platform::{Server, free_port, http};

fn start(dir: &std::path::Path, extra: &[(&str, &str)]) -> (Server, u16) {
    let port = free_port();
    let mut env = vec![
        ("ROCKET_PORT", port.to_string()),
        (
            "DATABASE_URL",
            format!("sqlite://{}", dir.join("slow.db").display()),
        ),
        ("ROCKET_SECRET_KEY", SECRET_KEY.to_owned()),
        ("ROCKET_MAIL_POLL_INTERVAL_MS", "0".to_owned()),
    ];
    env.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
    (Server::start(dir, &env, "127.0.0.1", port), port)
}

fn connect(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("read timeout");
    stream
}

/// How long until the server closes `stream` (reads until end of file).
fn closed_after(mut stream: TcpStream) -> Duration {
    let started = Instant::now();
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return started.elapsed(),
            Ok(_) => {}
            Err(error) if error.kind() == ErrorKind::ConnectionReset => return started.elapsed(),
            Err(error) => panic!("still open after {:?}: {error}", started.elapsed()),
        }
    }
}

#[test]
fn slow_request_heads_and_idle_connections_are_closed_after_the_timeout() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (server, port) = start(
        dir.path(),
        &[
            ("ROCKET_HEADER_READ_TIMEOUT", "1"),
            ("ROCKET_KEEP_ALIVE", "1"),
        ],
    );

    // A head that never ends: one byte, then silence.
    let mut slow = connect(port);
    slow.write_all(b"G").expect("write");
    let waited = closed_after(slow);
    assert!(
        waited < Duration::from_secs(4),
        "slow head open for {waited:?}"
    );

    // A connection that never sends anything.
    let waited = closed_after(connect(port));
    assert!(waited < Duration::from_secs(4), "silent for {waited:?}");

    // A keep-alive connection idle after its answer (`keep_alive`).
    let mut idle = connect(port);
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("write");
    let mut head = [0u8; 12];
    idle.read_exact(&mut head).expect("answer");
    assert_eq!(&head, b"HTTP/1.1 200");
    let waited = closed_after(idle);
    assert!(waited < Duration::from_secs(4), "idle for {waited:?}");

    // Normal requests are untouched.
    let (status, _, body) = http("127.0.0.1", port, "GET", "/healthz", &[], None).expect("healthz");
    assert_eq!(status, 200, "{body}\n{}", server.log());
}

/// A keep-alive connection the server has answered on, so certainly
/// accepted and counted. A bare connect is not enough: the start-up probe's
/// connection may still be counted for a moment after its client closed it,
/// so a bare connection could be the one refused, leaving room later for
/// the connection meant to be refused (a CI run saw exactly that).
fn answered_connection(port: u16) -> TcpStream {
    let started = Instant::now();
    loop {
        let mut stream = connect(port);
        let mut head = [0u8; 12];
        let answered = stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .and_then(|()| stream.read_exact(&mut head))
            .is_ok();
        if answered && &head == b"HTTP/1.1 200" {
            return stream;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no connection answered within 10 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn beyond_the_connection_limit_a_new_connection_is_closed_and_logged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (server, port) = start(
        dir.path(),
        &[
            ("ROCKET_CONNECTION_LIMIT", "4"),
            ("ROCKET_HEADER_READ_TIMEOUT", "30"),
            ("ROCKET_KEEP_ALIVE", "60"),
        ],
    );
    let held: Vec<TcpStream> = (0..4).map(|_| answered_connection(port)).collect();
    // Accepted by the kernel, then closed by Portero without an answer.
    let waited = closed_after(connect(port));
    assert!(waited < Duration::from_secs(2), "refused after {waited:?}");
    let log = server.log();
    assert!(
        log.contains("connection limit reached: 4 connections open (connection_limit = 4)"),
        "{log}"
    );

    drop(held);
    let started = Instant::now();
    loop {
        match http("127.0.0.1", port, "GET", "/healthz", &[], None) {
            Ok((200, _, _)) => break,
            other => assert!(
                started.elapsed() < Duration::from_secs(5),
                "no room after the held connections closed: {other:?}"
            ),
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
