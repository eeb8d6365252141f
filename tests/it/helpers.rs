//! `spawn_app()`: the production application on a fresh database, driven by
//! Rocket's asynchronous local client, plus helpers per common step.

#![allow(dead_code)] // each test module uses a different subset

mod accounts;
mod bearer;
mod cli;
mod mfa;
mod pages;
mod race;
mod shop;
mod smtp;
mod sql;

pub use accounts::*;
pub use cli::*;
pub use pages::*;
pub use race::*;
pub use shop::*;
pub use smtp::*;
pub use sql::*;

use std::sync::atomic::{AtomicU64, Ordering};

use portero::actor::Actor;
use portero::clock::Clock;
use portero::db::{AppConn, AppPool, Db};
use portero::domain::Role;
use portero::services::accounts::NewAccount;
use portero::state::{App, AppState};
use rocket::figment::Figment;
use rocket::figment::providers::Serialized;
use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use serde_json::{Value, json};
use sqlx::Connection;

pub const PASSWORD: &str = "a fine passphrase";

/// A database that disappears with the test.
pub enum TestDb {
    Sqlite(tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    pub async fn new() -> (TestDb, String) {
        match std::env::var("PORTERO_TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.is_empty() => {
                static COUNTER: AtomicU64 = AtomicU64::new(0);
                let name = format!(
                    "portero_test_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::Relaxed),
                    rand_suffix()
                );
                let mut conn = sqlx::PgConnection::connect(&admin_url)
                    .await
                    .unwrap_or_else(|e| {
                        panic!(
                            "PORTERO_TEST_DATABASE_URL is set but PostgreSQL is unreachable: {e}"
                        )
                    });
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                let _ = conn.close().await;
                let url = match admin_url.rfind('/') {
                    Some(slash) if slash > "postgres://".len() => {
                        format!("{}/{name}", &admin_url[..slash])
                    }
                    _ => format!("{admin_url}/{name}"),
                };
                (TestDb::Postgres { admin_url, name }, url)
            }
            _ => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("portero.db").display());
                (TestDb::Sqlite(dir), url)
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, TestDb::Postgres { .. })
    }
}

fn rand_suffix() -> String {
    let bytes: [u8; 4] = rand::random();
    hex::encode(bytes)
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { admin_url, name } = self {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop runs outside any runtime we may block: use a thread with its own.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(runtime) = runtime {
                    runtime.block_on(async {
                        if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                            let _ = sqlx::query(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .execute(&mut conn)
                            .await;
                            let _ = conn.close().await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

/// A running application with its own database and a cookie-keeping client.
pub struct TestApp {
    pub client: Client,
    pub clock: Clock,
    pub url: String,
    // Declared last so the client (and its pool) closes before the database is dropped.
    pub db: std::sync::Arc<TestDb>,
}

/// Settings every test app gets: cheap argon2 (the production cost is
/// checked by unit tests), quiet logs, the given database.
pub fn test_figment(url: &str) -> Figment {
    portero::config::figment()
        .merge(Serialized::default("databases.portero.url", url))
        .merge(Serialized::default("databases.portero.max_connections", 8))
        .merge(Serialized::default("log_level", "off"))
        .merge(Serialized::default("argon2_memory_kib", 1024))
        .merge(Serialized::default("argon2_iterations", 1))
        // No background mail sender unless a test starts one; .eml files, if
        // any, go to a temporary folder rather than the working copy.
        .merge(Serialized::default("mail_poll_interval_ms", 0))
        .merge(Serialized::default(
            "mail_dir",
            std::env::temp_dir().join("portero-test-mail"),
        ))
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|figment| figment).await
}

pub async fn spawn_app_with(configure: impl FnOnce(Figment) -> Figment) -> TestApp {
    let (db, url) = TestDb::new().await;
    let clock = Clock::default();
    let rocket = portero::build(configure(test_figment(&url)), clock.clone()).expect("build app");
    let client = Client::tracked(rocket).await.expect("valid rocket");
    TestApp {
        client,
        clock,
        url,
        db: std::sync::Arc::new(db),
    }
}

impl TestApp {
    /// A second, independent application process on the same database
    /// (its own cookie jar; without a configured key, the same stored key).
    pub async fn second_instance(&self) -> TestApp {
        let clock = self.clock.clone();
        let rocket = portero::build(test_figment(&self.url), clock.clone()).expect("build app");
        let client = Client::tracked(rocket).await.expect("valid rocket");
        TestApp {
            client,
            clock,
            url: self.url.clone(),
            db: self.db.clone(),
        }
    }

    /// Another browser on the same server process (a fresh cookie jar).
    pub async fn other_browser(&self) -> TestApp {
        self.second_instance().await
    }

    pub fn pool(&self) -> &AppPool {
        self.client.rocket().state::<Db>().expect("db state")
    }

    pub fn app(&self) -> App<'_> {
        App {
            db: self.pool(),
            state: self.client.rocket().state::<AppState>().expect("app state"),
        }
    }

    /// A connection of the test's pool.
    pub async fn conn(&self) -> AppConn {
        self.pool().acquire().await.expect("a database connection")
    }

    /// Creates an account through the service layer, as the command line would.
    pub async fn create_user(&self, username: &str, role: Role) -> i64 {
        let email = format!("{username}@example.com");
        let input = NewAccount {
            username,
            email: &email,
            password: PASSWORD,
            first_name: "Test",
            last_name: "User",
            address: None,
            phone: None,
        };
        portero::services::users::create(&self.app(), &Actor::command_line(), &input, role)
            .await
            .expect("create user")
            .id
    }

    pub async fn get(&self, path: &str) -> LocalResponse<'_> {
        self.client.get(path.to_owned()).dispatch().await
    }

    pub async fn get_json(&self, path: &str) -> (Status, Value) {
        let response = self.get(path).await;
        let status = response.status();
        (
            status,
            response.into_json::<Value>().await.unwrap_or(Value::Null),
        )
    }

    pub async fn send_json(
        &self,
        method: rocket::http::Method,
        path: &str,
        body: &Value,
    ) -> (Status, Value) {
        let response = self
            .client
            .req(method, path.to_owned())
            .header(ContentType::JSON)
            .body(body.to_string())
            .dispatch()
            .await;
        let status = response.status();
        (
            status,
            response.into_json::<Value>().await.unwrap_or(Value::Null),
        )
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> (Status, Value) {
        self.send_json(rocket::http::Method::Post, path, body).await
    }

    pub async fn patch_json(&self, path: &str, body: &Value) -> (Status, Value) {
        self.send_json(rocket::http::Method::Patch, path, body)
            .await
    }

    pub async fn put_json(&self, path: &str, body: &Value) -> (Status, Value) {
        self.send_json(rocket::http::Method::Put, path, body).await
    }

    pub async fn delete(&self, path: &str) -> (Status, Value) {
        let response = self.client.delete(path.to_owned()).dispatch().await;
        let status = response.status();
        (
            status,
            response.into_json::<Value>().await.unwrap_or(Value::Null),
        )
    }

    /// Signs up through the API (which also logs this client in).
    pub async fn signup_api(&self, username: &str) -> Value {
        let (status, body) = self
            .post_json(
                "/api/auth/signup",
                &json!({
                    "username": username,
                    "email": format!("{username}@example.com"),
                    "password": PASSWORD,
                    "first_name": "Test",
                    "last_name": "User",
                }),
            )
            .await;
        assert_eq!(status, Status::Created, "{body}");
        body
    }

    pub async fn login_api(&self, login: &str, password: &str) -> (Status, Value) {
        self.post_json(
            "/api/auth/login",
            &json!({ "login": login, "password": password }),
        )
        .await
    }

    /// Logs in through the API and asserts success.
    pub async fn login_as(&self, login: &str) {
        let (status, body) = self.login_api(login, PASSWORD).await;
        assert_eq!(status, Status::Ok, "{body}");
    }

    /// The CSRF token in a page's forms.
    pub async fn csrf_token(&self, path: &str) -> String {
        let html = self.get(path).await.into_string().await.unwrap_or_default();
        csrf_from(&html).unwrap_or_else(|| panic!("no csrf_token in {path}"))
    }

    /// Submits an HTML form (url-encoded).
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> LocalResponse<'_> {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.client
            .post(path.to_owned())
            .header(ContentType::Form)
            .body(body)
            .dispatch()
            .await
    }

    /// The session id inside the private cookie, if any.
    pub fn session_cookie(&self) -> Option<rocket::http::Cookie<'static>> {
        self.client.cookies().get_private("portero_session")
    }

    pub fn header<'a>(name: &'static str, value: &'a str) -> Header<'a> {
        Header::new(name, value)
    }
}

/// The value of the first `name="csrf_token" value="…"` in a page.
pub fn csrf_from(html: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

pub fn urlencode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Additions for the feature tests.

/// A second valid password for password changes.
pub const NEW_PASSWORD: &str = "an even finer passphrase";

/// A fixed secret key, for tests that share cookies between processes.
pub const SECRET_KEY: &str = "hPRYyVRiMyxpw5sBB1XeCMN1kFsDCqKvBi2QJxBVHQk=";

impl TestApp {
    /// Like [`TestApp::second_instance`], with extra settings (a shared secret key, say).
    pub async fn second_instance_with(
        &self,
        configure: impl FnOnce(Figment) -> Figment,
    ) -> TestApp {
        let clock = self.clock.clone();
        let rocket =
            portero::build(configure(test_figment(&self.url)), clock.clone()).expect("build app");
        let client = Client::tracked(rocket).await.expect("valid rocket");
        TestApp {
            client,
            clock,
            url: self.url.clone(),
            db: self.db.clone(),
        }
    }

    /// Creates an administrator named `name` and logs this client in as it.
    pub async fn login_admin(&self, name: &str) -> i64 {
        let id = self.create_user(name, Role::Admin).await;
        self.login_as(name).await;
        id
    }

    /// Creates a user named `name` and logs this client in as it.
    pub async fn login_user(&self, name: &str) -> i64 {
        let id = self.create_user(name, Role::User).await;
        self.login_as(name).await;
        id
    }

    /// `GET /api/me` with this client's cookies.
    pub async fn me_status(&self) -> Status {
        self.get("/api/me").await.status()
    }

    /// `GET /api/me` with exactly this private session cookie.
    pub async fn me_status_with(&self, cookie: rocket::http::Cookie<'static>) -> Status {
        self.client
            .get("/api/me")
            .private_cookie(cookie)
            .dispatch()
            .await
            .status()
    }

    /// Deactivates an account in the database only, leaving its sessions in place.
    pub async fn deactivate_in_db(&self, id: i64) {
        let changes = portero::db::users::UserChanges {
            is_active: Some(false),
            ..Default::default()
        };
        portero::db::users::update(&mut self.conn().await, id, &changes, self.clock.now())
            .await
            .expect("update user")
            .expect("user exists");
    }

    /// Audit actions recorded so far, oldest first.
    pub async fn audit_actions(&self) -> Vec<String> {
        let filter = portero::db::audit::AuditFilter::default();
        let (events, _) = portero::db::audit::list(&mut self.conn().await, &filter, 1000, 0)
            .await
            .expect("audit list");
        let mut actions: Vec<(i64, String)> =
            events.into_iter().map(|e| (e.id, e.action)).collect();
        actions.sort();
        actions.into_iter().map(|(_, action)| action).collect()
    }

    /// The CSRF token of a page, or a panic naming the page's status (a
    /// missing template makes pages answer 500).
    pub async fn page_csrf(&self, path: &str) -> String {
        let response = self.get(path).await;
        let status = response.status();
        let html = response.into_string().await.unwrap_or_default();
        csrf_from(&html).unwrap_or_else(|| panic!("no csrf_token in {path} (status {status})"))
    }

    /// Logs in through the login page; returns the status and `Location`.
    pub async fn page_login(
        &self,
        login: &str,
        password: &str,
        next: Option<&str>,
    ) -> (Status, Option<String>) {
        let token = self.page_csrf("/login").await;
        let mut fields = vec![
            ("login", login),
            ("password", password),
            ("csrf_token", token.as_str()),
        ];
        if let Some(next) = next {
            fields.push(("next", next));
        }
        let response = self.post_form("/login", &fields).await;
        (response.status(), location(&response))
    }
}

/// The `Location` header of a response.
pub fn location(response: &LocalResponse<'_>) -> Option<String> {
    response.headers().get_one("Location").map(str::to_owned)
}

/// Every `Set-Cookie` header of a response, parsed.
pub fn set_cookies(response: &LocalResponse<'_>) -> Vec<rocket::http::Cookie<'static>> {
    response
        .headers()
        .get("Set-Cookie")
        .map(|value| rocket::http::Cookie::parse(value.to_owned()).expect("valid Set-Cookie"))
        .collect()
}

/// Asserts an RFC 9457 problem response with `status` and returns its body.
pub async fn expect_problem(response: LocalResponse<'_>, status: Status) -> Value {
    assert_eq!(response.status(), status, "unexpected status");
    let content_type = response
        .content_type()
        .map(|ct| ct.to_string())
        .unwrap_or_default();
    assert!(
        content_type.starts_with("application/problem+json"),
        "{status}: content type is {content_type:?}"
    );
    let text = response.into_string().await.unwrap_or_default();
    let body: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{status}: body is not JSON ({e}): {text}"));
    assert_problem_body(&body, status);
    body
}

/// Checks the members of a problem body.
pub fn assert_problem_body(body: &Value, status: Status) {
    assert!(body["type"].is_string(), "{body}");
    assert!(
        body["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    assert_eq!(body["status"], json!(status.code), "{body}");
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    assert!(body["errors"].is_array(), "{body}");
    assert!(
        body["request_id"].as_str().is_some_and(|id| !id.is_empty()),
        "{body}"
    );
}

/// A problem body without its `request_id`, which differs per request, for
/// tests that check two answers cannot be told apart.
pub fn sans_request_id(mut body: Value) -> Value {
    if let Some(object) = body.as_object_mut() {
        object.remove("request_id");
    }
    body
}

/// The fields named in a problem's `errors`.
pub fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Decodes `%XX` escapes (and `+` as space).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(byte) => {
                        out.push(byte);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Asserts that a JSON user object carries no secret.
pub fn assert_no_secrets(user: &Value) {
    let object = user
        .as_object()
        .unwrap_or_else(|| panic!("not a user object: {user}"));
    assert!(object.contains_key("username"), "not a user object: {user}");
    for (key, value) in object {
        assert!(!key.contains("password"), "user object has {key}: {user}");
        assert!(!key.contains("hash"), "user object has {key}: {user}");
        if let Some(text) = value.as_str() {
            assert!(
                !text.starts_with("$argon2"),
                "user object leaks a hash in {key}"
            );
        }
    }
}

/// Parses an RFC 3339 timestamp and checks that it is in UTC.
pub fn rfc3339_utc(value: &Value) -> time::OffsetDateTime {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("not a timestamp: {value}"));
    let at = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("{text} is not RFC 3339: {e}"));
    assert!(at.offset().is_utc(), "{text} is not UTC");
    at
}
