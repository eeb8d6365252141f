//! Real races: requests released together by a barrier on a multi-threaded
//! runtime (Rocket's `async_test` has a single worker thread, so requests
//! there never overlap).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use rocket::figment::Figment;
use rocket::http::{ContentType, Cookie, Method, Status};
use rocket::local::asynchronous::Client;
use rocket::tokio::sync::Barrier;
use rocket::tokio::task::JoinSet;
use serde_json::{Value, json};

use super::{PASSWORD, TestApp, test_figment};

/// Runs a test body on a runtime with four worker threads.
pub fn run_threaded<F: Future>(test: F) -> F::Output {
    rocket::tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(test)
}

/// A client of `app`'s database without a cookie jar, so that every request
/// carries exactly the session cookie it is given.
pub async fn untracked(app: &TestApp) -> Arc<Client> {
    untracked_with(app, |figment| figment).await
}

/// [`untracked`] with extra settings (those `app` was spawned with, say).
pub async fn untracked_with(
    app: &TestApp,
    configure: impl FnOnce(Figment) -> Figment,
) -> Arc<Client> {
    let figment = configure(test_figment(&app.url));
    let rocket = portero::build(figment, app.clock.clone()).expect("build the app");
    Arc::new(Client::untracked(rocket).await.expect("valid rocket"))
}

/// One request of a race.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: Method,
    pub path: String,
    pub body: Option<Value>,
    pub cookie: Option<Cookie<'static>>,
    pub remote: Option<SocketAddr>,
}

impl Call {
    pub fn new(method: Method, path: impl Into<String>, body: Option<Value>) -> Self {
        Call {
            method,
            path: path.into(),
            body,
            cookie: None,
            remote: None,
        }
    }

    pub fn post(path: &str, body: Value) -> Self {
        Call::new(Method::Post, path, Some(body))
    }

    pub fn patch(path: &str, body: Value) -> Self {
        Call::new(Method::Patch, path, Some(body))
    }

    pub fn login(login: &str, password: &str) -> Self {
        Call::post(
            "/api/auth/login",
            json!({ "login": login, "password": password }),
        )
    }

    pub fn with_cookie(mut self, cookie: &Cookie<'static>) -> Self {
        self.cookie = Some(cookie.clone());
        self
    }

    pub fn sent_from(mut self, address: &str) -> Self {
        self.remote = Some(address.parse().expect("socket address"));
        self
    }
}

/// What a request of a race answered.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: Status,
    pub body: Value,
    pub retry_after: Option<String>,
    pub session: Option<Cookie<'static>>,
}

/// Sends one request on `client`.
pub async fn send(client: &Client, call: Call) -> Answer {
    let mut request = client.req(call.method, call.path);
    if let Some(body) = call.body {
        request = request.header(ContentType::JSON).body(body.to_string());
    }
    if let Some(cookie) = call.cookie {
        request = request.cookie(cookie);
    }
    if let Some(remote) = call.remote {
        request = request.remote(remote);
    }
    let response = request.dispatch().await;
    let status = response.status();
    let retry_after = response.headers().get_one("Retry-After").map(str::to_owned);
    let session = response.cookies().get("portero_session").cloned();
    let body = response.into_json::<Value>().await.unwrap_or(Value::Null);
    Answer {
        status,
        body,
        retry_after,
        session,
    }
}

/// Sends every call at once (one task each, released together by a
/// barrier) and returns the answers in the order of the calls.
pub async fn at_once(client: &Arc<Client>, calls: Vec<Call>) -> Vec<Answer> {
    let barrier = Arc::new(Barrier::new(calls.len()));
    let mut tasks = JoinSet::new();
    for (index, call) in calls.into_iter().enumerate() {
        let client = Arc::clone(client);
        let barrier = Arc::clone(&barrier);
        tasks.spawn(async move {
            barrier.wait().await;
            (index, send(&client, call).await)
        });
    }
    let mut answers: Vec<Option<Answer>> = vec![None; tasks.len()];
    while let Some(joined) = tasks.join_next().await {
        let (index, answer) = joined.expect("a request task panicked");
        answers[index] = Some(answer);
    }
    answers.into_iter().flatten().collect()
}

/// Logs `name` in on `client` (with [`PASSWORD`]) and returns the session cookie.
pub async fn session_of(client: &Client, name: &str) -> Cookie<'static> {
    let answer = send(client, Call::login(name, PASSWORD)).await;
    assert_eq!(answer.status, Status::Ok, "login {name}: {:?}", answer.body);
    answer.session.expect("session cookie")
}

/// How many answers have `status`.
pub fn count_status(answers: &[Answer], status: Status) -> usize {
    answers.iter().filter(|a| a.status == status).count()
}
