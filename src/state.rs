//! Process-wide state shared by every request, and the `App` guard that
//! hands it to handlers together with the pool.

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket_okapi::r#gen::OpenApiGenerator;
use rocket_okapi::request::{OpenApiFromRequest, RequestHeaderInput};

use crate::auth::vault::Vault;
use crate::auth::{PasswordHasher, Sessions};
use crate::clock::Clock;
use crate::config::AppConfig;
use crate::db::{AppConn, AppPool, AppTx, Db};
use crate::error::AppResult;
use crate::mail::Mailer;

/// Everything a service call needs besides its input.
pub struct AppState {
    pub config: AppConfig,
    pub clock: Clock,
    pub hasher: PasswordHasher,
    pub sessions: Sessions,
    pub mail: Mailer,
    /// Keys for two-factor secrets, derived at ignition from the secret key.
    pub vault: Vault,
}

impl AppState {
    pub fn new(config: AppConfig, clock: Clock) -> Result<Self, String> {
        let hasher = PasswordHasher::new(&config)?;
        let sessions = Sessions::new(config.clone(), clock.clone());
        let mail = Mailer::new(&config)?;
        Ok(AppState {
            config,
            clock,
            hasher,
            sessions,
            mail,
            vault: Vault::default(),
        })
    }
}

/// The pool and the shared state, as one handler argument.
#[derive(Clone, Copy)]
pub struct App<'r> {
    pub db: &'r AppPool,
    pub state: &'r AppState,
}

impl App<'_> {
    pub fn now(&self) -> time::OffsetDateTime {
        self.state.clock.now()
    }

    /// A connection for reads and for a write that is a single statement.
    pub async fn acquire(&self) -> AppResult<AppConn> {
        Ok(self.db.acquire().await?)
    }

    /// The transaction of one service operation: its deciding reads, its
    /// writes and its audit event, then `commit()`.
    pub async fn begin(&self) -> AppResult<AppTx> {
        Ok(self.db.begin().await?)
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for App<'r> {
    type Error = &'static str;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let rocket = request.rocket();
        match (rocket.state::<Db>(), rocket.state::<AppState>()) {
            (Some(db), Some(state)) => Outcome::Success(App { db, state }),
            _ => Outcome::Error((Status::InternalServerError, "application state missing")),
        }
    }
}

impl<'r> OpenApiFromRequest<'r> for App<'r> {
    fn from_request_input(
        _: &mut OpenApiGenerator,
        _: String,
        _: bool,
    ) -> rocket_okapi::Result<RequestHeaderInput> {
        Ok(RequestHeaderInput::None)
    }
}
