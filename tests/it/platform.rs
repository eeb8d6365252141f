//! The built `portero` binary started the way a hosting platform starts it
//! (issue 12): from an empty folder, with only a few variables set, reached
//! over TCP. These are black-box tests: plain HTTP over a socket.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::*;

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free port")
}

/// A `portero` process; killed when dropped.
pub struct Server {
    child: Option<Child>,
    stderr_file: tempfile::NamedTempFile,
}

impl Server {
    /// Starts `portero serve` in `dir` with exactly `env` (nothing inherited)
    /// and waits until it answers on `address:port`.
    pub fn start(dir: &Path, env: &[(&str, String)], address: &str, port: u16) -> Server {
        let stderr_file = tempfile::NamedTempFile::new().expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_portero"))
            .current_dir(dir)
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)))
            .envs(coverage_profile())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr_file.reopen().expect("log file"))
            .spawn()
            .expect("start portero");
        let mut server = Server {
            child: Some(child),
            stderr_file,
        };
        let started = Instant::now();
        loop {
            if let Some(status) = server.child_mut().try_wait().expect("wait") {
                panic!(
                    "portero exited with {status} instead of serving:\n{}",
                    server.log()
                );
            }
            if let Ok((200, _, _)) = http(address, port, "GET", "/healthz", &[], None) {
                return server;
            }
            if started.elapsed() > Duration::from_secs(30) {
                panic!(
                    "portero does not answer on {address}:{port} after 30 s:\n{}",
                    server.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn child_mut(&mut self) -> &mut Child {
        self.child.as_mut().expect("running")
    }

    /// What the process wrote to stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.stderr_file.path()).unwrap_or_default()
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Status, headers (names lower-cased) and body of an answer.
pub type Reply = (u16, Vec<(String, String)>, String);

/// One HTTP/1.1 request on a fresh connection.
pub fn http(
    address: &str,
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> std::io::Result<Reply> {
    let addr: SocketAddr = format!("{address}:{port}")
        .parse()
        .map_err(std::io::Error::other)?;
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(20)))?;
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !body.is_empty() {
        request.push_str("Content-Type: application/json\r\n");
    }
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(&body);
    stream.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not HTTP: {head}")))?;
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Ok((status, headers, body.to_owned()))
}

/// The `name=value` part of the `Set-Cookie` header for `name`.
pub fn cookie(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .filter_map(|(_, v)| v.split(';').next())
        .find(|pair| pair.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// Where an instrumented binary writes its coverage profile (set by
/// cargo-llvm-cov): not configuration, so it survives the cleared environment.
fn coverage_profile() -> Option<(&'static str, String)> {
    std::env::var("LLVM_PROFILE_FILE")
        .ok()
        .map(|file| ("LLVM_PROFILE_FILE", file))
}

fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("platform.db").display())
}

/// Runs `portero` to completion with exactly `env`, off the async workers.
async fn run_to_end(dir: &Path, args: &[&str], env: &[(&str, String)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_portero"));
    command
        .current_dir(dir)
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .envs(coverage_profile())
        .stdin(Stdio::null());
    rocket::tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run portero");
        loop {
            if child.try_wait().expect("wait").is_some() {
                return child.wait_with_output().expect("output");
            }
            if started.elapsed() > Duration::from_secs(20) {
                let _ = child.kill();
                let output = child.wait_with_output().expect("output");
                panic!(
                    "portero still running after 20 s:\n{}",
                    String::from_utf8_lossy(&output.stderr)
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    })
    .await
    .expect("join")
}

/// What a platform does: an empty folder, `PORT`, `DATABASE_URL` and
/// `ROCKET_SECRET_KEY`, nothing else. Portero must listen on every address
/// (127.0.0.2 is not 127.0.0.1: a loopback-only listener refuses it).
#[rocket::async_test]
async fn a_platform_start_with_port_alone_serves_on_every_address() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let env = [
        ("PORT", port.to_string()),
        ("DATABASE_URL", sqlite_url(dir.path())),
        ("ROCKET_SECRET_KEY", SECRET_KEY.to_owned()),
    ];
    let server = Server::start(dir.path(), &env, "127.0.0.2", port);
    // Pages (templates) and static files come from the binary, not the folder.
    let (status, headers, body) = http("127.0.0.2", port, "GET", "/", &[], None).expect("home");
    assert_eq!(status, 200, "{body}\n{}", server.log());
    assert!(
        headers
            .iter()
            .any(|(k, v)| k == "content-type" && v.starts_with("text/html")),
        "{headers:?}"
    );
    let (status, headers, body) = http(
        "127.0.0.2",
        port,
        "GET",
        "/static/css/portero.css",
        &[],
        None,
    )
    .expect("css");
    assert_eq!(status, 200, "{body}");
    assert!(
        headers
            .iter()
            .any(|(k, v)| k == "content-type" && v.starts_with("text/css")),
        "{headers:?}"
    );
    let (status, _, _) = http("127.0.0.2", port, "GET", "/readyz", &[], None).expect("readyz");
    assert_eq!(status, 200);
    // The shipped Rocket.toml is built in: its 64 KiB body limit holds here
    // too (Rocket's own default for JSON is 1 MiB).
    let big = json!({ "login": "x".repeat(70 * 1024), "password": "y" });
    let (status, _, _) = http(
        "127.0.0.2",
        port,
        "POST",
        "/api/auth/login",
        &[],
        Some(&big),
    )
    .expect("login");
    assert_eq!(status, 413);
    let listed: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with("platform.db"))
        .collect();
    assert!(
        listed.is_empty(),
        "portero wrote {listed:?} into its folder"
    );
}

#[rocket::async_test]
async fn a_port_that_is_not_a_number_is_named_in_the_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (value, problem) in [("eighty", "eighty"), ("70000", "70000"), ("-1", "-1")] {
        let env = [
            ("PORT", value.to_owned()),
            ("DATABASE_URL", sqlite_url(dir.path())),
            ("ROCKET_SECRET_KEY", SECRET_KEY.to_owned()),
        ];
        let output = run_to_end(dir.path(), &[], &env).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "PORT={value} was accepted");
        assert!(
            stderr.contains("PORT") && stderr.contains(problem),
            "PORT={value}: the error does not name PORT and the value:\n{stderr}"
        );
        assert!(!stderr.contains("secret key"), "misleading: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[rocket::async_test]
async fn a_bad_setting_is_reported_with_its_key_not_as_a_missing_secret_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (key, value) in [
        ("ROCKET_PORT", "many"),
        ("ROCKET_SESSION_IDLE_TIMEOUT", "soon"),
        ("ROCKET_SECRET_KEY", "short"),
    ] {
        let mut env = vec![
            ("DATABASE_URL", sqlite_url(dir.path())),
            ("ROCKET_PROFILE", "release".to_owned()),
            (key, value.to_owned()),
        ];
        if key != "ROCKET_SECRET_KEY" {
            env.push(("ROCKET_SECRET_KEY", SECRET_KEY.to_owned()));
        }
        let output = run_to_end(dir.path(), &[], &env).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{key}={value} was accepted");
        assert!(
            stderr.contains(key),
            "{key}={value}: key not named:\n{stderr}"
        );
        // A bad value is shown, except a key's: it may be most of a real one.
        assert_eq!(
            stderr.contains(value),
            key != "ROCKET_SECRET_KEY",
            "{key}={value}:\n{stderr}"
        );
        assert!(!stderr.contains("no secret key"), "misleading: {stderr}");
    }
}

/// `ROCKET_ADDRESS` still wins over the platform default of 0.0.0.0.
#[rocket::async_test]
async fn rocket_address_wins_over_the_platform_default() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let env = [
        ("PORT", port.to_string()),
        ("ROCKET_ADDRESS", "127.0.0.1".to_owned()),
        ("DATABASE_URL", sqlite_url(dir.path())),
        ("ROCKET_SECRET_KEY", SECRET_KEY.to_owned()),
    ];
    let _server = Server::start(dir.path(), &env, "127.0.0.1", port);
    assert!(
        http("127.0.0.2", port, "GET", "/healthz", &[], None).is_err(),
        "listening beyond 127.0.0.1"
    );
}

/// No key configured: the first start makes one and keeps it in the
/// database, so a session outlives a restart (in the release profile too).
#[rocket::async_test]
async fn without_a_configured_key_sessions_survive_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let env = [
        ("ROCKET_PORT", port.to_string()),
        ("ROCKET_PROFILE", "release".to_owned()),
        ("DATABASE_URL", sqlite_url(dir.path())),
    ];
    let mut first = Server::start(dir.path(), &env, "127.0.0.1", port);
    let signup = json!({
        "username": "phoenix",
        "email": "phoenix@example.com",
        "password": PASSWORD,
        "first_name": "P",
        "last_name": "X",
    });
    let (status, headers, body) = http(
        "127.0.0.1",
        port,
        "POST",
        "/api/auth/signup",
        &[],
        Some(&signup),
    )
    .expect("signup");
    assert_eq!(status, 201, "{body}");
    let session = cookie(&headers, "portero_session").expect("session cookie");
    first.stop();
    let first_log = first.log();
    assert!(
        first_log.contains("secret key") && first_log.contains("ROCKET_SECRET_KEY"),
        "no line says where the key lives and how to set one:\n{first_log}"
    );

    let second = Server::start(dir.path(), &env, "127.0.0.1", port);
    let (status, _, body) = http(
        "127.0.0.1",
        port,
        "GET",
        "/api/me",
        &[("Cookie", &session)],
        None,
    )
    .expect("me");
    assert_eq!(status, 200, "the session died with the restart: {body}");
    let stored = stored_key(&dir.path().join("platform.db")).await;
    for log in [first_log, second.log()] {
        assert!(!log.contains(&stored), "the key was logged");
    }
}

async fn stored_key(file: &Path) -> String {
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", file.display()))
        .await
        .expect("open");
    sqlx::query_scalar("SELECT value FROM secret_key")
        .fetch_one(&mut conn)
        .await
        .expect("a stored key")
}

/// `.env` in the working directory is read; the environment wins over it.
#[rocket::async_test]
async fn dot_env_is_read_and_the_environment_wins() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let from_file = dir.path().join("from-dotenv.db");
    std::fs::write(
        dir.path().join(".env"),
        format!(
            "# a comment\nDATABASE_URL=sqlite://{}\nPORT=1\nROCKET_SECRET_KEY=\"{SECRET_KEY}\"\n",
            from_file.display()
        ),
    )
    .expect("write .env");
    let env = [("PORT", port.to_string())];
    let server = Server::start(dir.path(), &env, "127.0.0.2", port);
    assert!(from_file.exists(), "DATABASE_URL from .env was not used");
    assert!(server.log().contains(".env"), "{}", server.log());
    assert!(
        server.log().contains("the configured one"),
        "{}",
        server.log()
    );

    for (content, expected) in [
        (
            "ROCKET_SECRET_KEY=\"unterminated\nPORT=80\n",
            "the line for ROCKET_SECRET_KEY",
        ),
        (
            "PORT=80\nunterminated secret\n",
            "a line without `KEY=value`",
        ),
    ] {
        std::fs::write(dir.path().join(".env"), content).expect("write .env");
        let output = run_to_end(dir.path(), &[], &[]).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success());
        assert!(stderr.contains(expected), "{stderr}");
        assert!(
            !stderr.contains("unterminated"),
            "a value was echoed: {stderr}"
        );
    }
    std::fs::remove_file(dir.path().join(".env")).expect("remove .env");
    std::fs::create_dir(dir.path().join(".env")).expect("a folder named .env");
    let output = run_to_end(dir.path(), &[], &[]).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("cannot read .env"), "{stderr}");
}

/// Start-up failures outside the settings are one clear line, not a panic.
#[rocket::async_test]
async fn a_start_that_cannot_proceed_says_why() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Nowhere to unpack the templates (a read-only container without /tmp).
    let env = [
        ("DATABASE_URL", sqlite_url(dir.path())),
        ("TMPDIR", "/nonexistent/tmp".to_owned()),
    ];
    let output = run_to_end(dir.path(), &[], &env).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("cannot unpack the templates"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    // A database that cannot be opened: the cause, not a missing key.
    let env = [("DATABASE_URL", "sqlite:///proc/portero/x.db".to_owned())];
    let output = run_to_end(dir.path(), &[], &env).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("cannot create the folder for the SQLite file /proc/portero"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("secret key") && !stderr.contains("panicked"),
        "{stderr}"
    );

    // Pool settings are settings too: named with their key, for every command.
    for args in [&[][..], &["migrate"][..]] {
        let env = [
            ("DATABASE_URL", sqlite_url(dir.path())),
            (
                "ROCKET_DATABASES",
                "{portero={max_connections=\"many\"}}".to_owned(),
            ),
        ];
        let output = run_to_end(dir.path(), args, &env).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?}");
        assert!(
            stderr.contains("ROCKET_DATABASES (key databases.portero.max_connections)")
                && stderr.contains("many"),
            "{args:?}: {stderr}"
        );
    }
}

/// `portero migrate --status` lists each migration as pending, then applied
/// with its time, and changes nothing itself.
#[rocket::async_test]
async fn migrate_status_lists_pending_then_applied_migrations() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_db, url) = TestDb::new().await;
    let env = [("DATABASE_URL", url.clone())];
    let output = run_to_end(dir.path(), &["migrate", "--status"], &env).await;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("0001     accounts"), "{stdout}");
    assert!(stdout.contains("secret key"), "{stdout}");
    assert!(stdout.contains("0 applied"), "{stdout}");
    assert!(!stdout.contains("UTC"), "{stdout}");

    let output = run_to_end(dir.path(), &["migrate"], &env).await;
    assert!(output.status.success());
    let output = run_to_end(dir.path(), &["migrate", "--status"], &env).await;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(stdout.contains(" 0 pending"), "{stdout}");
    let applied_line = stdout
        .lines()
        .find(|line| line.starts_with("0008"))
        .unwrap_or_default();
    assert!(
        applied_line.contains("secret key") && applied_line.ends_with(" UTC"),
        "{stdout}"
    );

    let output = run_to_end(dir.path(), &["migrate", "--help"], &env).await;
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(
        help.contains("--status") && help.contains("pending"),
        "{help}"
    );
}

/// `.env.example` documents every setting, each with its default.
#[test]
fn dot_env_example_lists_every_setting_with_its_default() {
    let example = std::fs::read_to_string(".env.example").expect(".env.example");
    let documented = |key: &str| {
        example
            .lines()
            .find_map(|line| line.strip_prefix(&format!("# {key}=")))
            .map(str::to_owned)
    };
    let defaults = serde_json::to_value(portero::config::AppConfig::default()).expect("serialize");
    for (key, value) in defaults.as_object().expect("an object") {
        let variable = format!("ROCKET_{}", key.to_ascii_uppercase());
        assert_eq!(
            documented(&variable).as_deref(),
            Some(value.to_string().as_str()),
            "{variable} is missing from .env.example or shows another default"
        );
    }
    for variable in [
        "PORT",
        "DATABASE_URL",
        "ROCKET_SECRET_KEY",
        "ROCKET_ADDRESS",
        "ROCKET_PORT",
        "ROCKET_IP_HEADER",
        "ROCKET_DATABASES",
        "ROCKET_LIMITS",
        "RUST_LOG",
        "PORTERO_ADMIN_PASSWORD",
    ] {
        assert!(documented(variable).is_some(), "{variable} is undocumented");
    }
    assert!(
        documented("DATABASE_URL").as_deref() == Some(portero::db::DEFAULT_DATABASE_URL),
        "DATABASE_URL's default"
    );
}
