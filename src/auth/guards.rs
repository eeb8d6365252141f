//! Request guards that say who may call a handler: `MaybeUser` (anyone),
//! `CurrentUser` (a live session), `Admin` (a live session with the admin
//! role). The session is loaded once per request and shared by all three.

use rocket::http::Status;
use rocket::outcome::try_outcome;
use rocket::request::{FromRequest, Outcome, Request};
use rocket_okapi::r#gen::OpenApiGenerator;
use rocket_okapi::okapi::openapi3::{SecurityRequirement, SecurityScheme, SecuritySchemeData};
use rocket_okapi::request::{OpenApiFromRequest, RequestHeaderInput};

use super::ClientMeta;
use crate::actor::Actor;
use crate::db::Db;
use crate::db::sessions::SessionWithUser;
use crate::db::users::User;
use crate::state::AppState;

/// A request made within a live session.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    /// The session's public handle (not its secret id).
    pub session_id: i64,
    pub csrf_token: String,
}

/// A request from a live session of an administrator.
#[derive(Debug, Clone)]
pub struct Admin(pub CurrentUser);

/// Any request, with the user when there is a live session.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<CurrentUser>);

/// Why a guard failed; the catchers turn the status into a page or problem.
#[derive(Debug)]
pub enum GuardError {
    NotLoggedIn,
    NotAdmin,
    Unavailable,
}

/// The per-request cache of the session lookup.
struct CachedSession(Result<Option<CurrentUser>, ()>);

async fn session_of<'r>(request: &'r Request<'_>) -> &'r Result<Option<CurrentUser>, ()> {
    let cached = request
        .local_cache_async(async {
            let (Some(db), Some(state)) = (
                request.rocket().state::<Db>(),
                request.rocket().state::<AppState>(),
            ) else {
                tracing::error!("session guard used without Db or Sessions state");
                return CachedSession(Err(()));
            };
            match state.sessions.load(db, request.cookies()).await {
                Ok(found) => CachedSession(Ok(found.map(CurrentUser::from))),
                Err(error) => {
                    tracing::error!(%error, "session lookup failed");
                    CachedSession(Err(()))
                }
            }
        })
        .await;
    &cached.0
}

impl CurrentUser {
    /// The caller of a service operation: this user, this session, this client.
    pub fn actor(&self, client: &ClientMeta) -> Actor {
        Actor::user(&self.user, Some(self.session_id), client.clone())
    }
}

impl From<SessionWithUser> for CurrentUser {
    fn from(row: SessionWithUser) -> Self {
        CurrentUser {
            user: row.user,
            session_id: row.session_id,
            csrf_token: row.csrf_token,
        }
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for MaybeUser {
    type Error = GuardError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        match session_of(request).await {
            Ok(user) => Outcome::Success(MaybeUser(user.clone())),
            Err(()) => Outcome::Error((Status::ServiceUnavailable, GuardError::Unavailable)),
        }
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CurrentUser {
    type Error = GuardError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        match try_outcome!(request.guard::<MaybeUser>().await) {
            MaybeUser(Some(user)) => Outcome::Success(user),
            MaybeUser(None) => Outcome::Error((Status::Unauthorized, GuardError::NotLoggedIn)),
        }
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Admin {
    type Error = GuardError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let user = try_outcome!(request.guard::<CurrentUser>().await);
        if user.user.is_admin() {
            Outcome::Success(Admin(user))
        } else {
            Outcome::Error((Status::Forbidden, GuardError::NotAdmin))
        }
    }
}

/// The OpenAPI security scheme: the session cookie.
fn cookie_security(required: bool) -> RequestHeaderInput {
    if !required {
        return RequestHeaderInput::None;
    }
    let scheme = SecurityScheme {
        description: Some(
            "Session cookie set by POST /api/auth/login or /api/auth/signup (or the login page); \
             named `__Host-portero_session` when the server runs with `https = true`. Writes \
             also need `Content-Type: application/json` and, when sent, a same-site `Origin`."
                .to_owned(),
        ),
        data: SecuritySchemeData::ApiKey {
            name: "portero_session".to_owned(),
            location: "cookie".to_owned(),
        },
        extensions: Default::default(),
    };
    let mut requirement = SecurityRequirement::new();
    requirement.insert("session_cookie".to_owned(), Vec::new());
    RequestHeaderInput::Security("session_cookie".to_owned(), scheme, requirement)
}

impl OpenApiFromRequest<'_> for CurrentUser {
    fn from_request_input(
        _: &mut OpenApiGenerator,
        _: String,
        _: bool,
    ) -> rocket_okapi::Result<RequestHeaderInput> {
        Ok(cookie_security(true))
    }
}

impl OpenApiFromRequest<'_> for Admin {
    fn from_request_input(
        _: &mut OpenApiGenerator,
        _: String,
        _: bool,
    ) -> rocket_okapi::Result<RequestHeaderInput> {
        Ok(cookie_security(true))
    }
}

impl OpenApiFromRequest<'_> for MaybeUser {
    fn from_request_input(
        _: &mut OpenApiGenerator,
        _: String,
        _: bool,
    ) -> rocket_okapi::Result<RequestHeaderInput> {
        Ok(cookie_security(false))
    }
}
