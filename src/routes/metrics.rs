//! `GET /metrics`: the Prometheus text exposition of `crate::metrics`.
//! Off (404) unless `metrics_token` is set; then only a request with
//! `Authorization: Bearer <metrics_token>` gets it. The token is compared
//! in constant time and never logged.

use rocket::http::{ContentType, Header, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::{self, Responder, Response};
use rocket::{Route, get, routes};
use subtle::ConstantTimeEq;

use crate::db::Db;
use crate::state::AppState;

pub fn routes() -> Vec<Route> {
    routes![metrics]
}

/// What the scrape gets: the exposition, or why not.
pub enum Scrape {
    Text(String),
    /// No token configured: the endpoint does not exist.
    Off,
    Refused,
}

/// The token presented, if any.
pub struct Presented<'r>(Option<&'r str>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Presented<'r> {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let token = request
            .headers()
            .get_one("Authorization")
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim);
        Outcome::Success(Presented(token))
    }
}

#[get("/metrics")]
fn metrics(presented: Presented<'_>, request_state: RocketState<'_>) -> Scrape {
    let Some(expected) = request_state.state.config.metrics_token.as_deref() else {
        return Scrape::Off;
    };
    let matches = presented
        .0
        .is_some_and(|token| bool::from(token.as_bytes().ct_eq(expected.as_bytes())));
    if !matches {
        return Scrape::Refused;
    }
    Scrape::Text(crate::metrics::get().render(request_state.db.map(|db| &db.0)))
}

/// The state `/metrics` reads, without failing the request when the pool
/// is missing (the counters are still worth reading).
pub struct RocketState<'r> {
    state: &'r AppState,
    db: Option<&'r Db>,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for RocketState<'r> {
    type Error = &'static str;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let rocket = request.rocket();
        match rocket.state::<AppState>() {
            Some(state) => Outcome::Success(RocketState {
                state,
                db: rocket.state::<Db>(),
            }),
            None => Outcome::Error((Status::InternalServerError, "application state missing")),
        }
    }
}

impl<'r> Responder<'r, 'static> for Scrape {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        match self {
            Scrape::Text(text) => Response::build_from(text.respond_to(request)?)
                .header(
                    ContentType::new("application", "openmetrics-text")
                        .with_params([("version", "1.0.0"), ("charset", "utf-8")]),
                )
                .ok(),
            Scrape::Off => Err(Status::NotFound),
            Scrape::Refused => Response::build()
                .status(Status::Unauthorized)
                .header(Header::new("WWW-Authenticate", r#"Bearer realm="metrics""#))
                .ok(),
        }
    }
}
