//! Request guards that say who may call a handler: `MaybeUser` (anyone),
//! `CurrentUser` (a live session or token), `Admin` (one with the admin
//! role). The caller is found once per request and shared by all three,
//! whether it came with the browser's cookie or, under `/api`, with
//! `Authorization: Bearer` (an API session's token or a personal access
//! token). Token scopes are checked here and nowhere else.

use rocket::http::{Method, Status};
use rocket::outcome::try_outcome;
use rocket::request::{FromRequest, Outcome, Request};
use rocket_okapi::r#gen::OpenApiGenerator;
use rocket_okapi::okapi::openapi3::{SecurityRequirement, SecurityScheme, SecuritySchemeData};
use rocket_okapi::request::{OpenApiFromRequest, RequestHeaderInput};

use super::ClientMeta;
use super::scopes::{Scope, Scopes};
use super::tokens;
use crate::actor::Actor;
use crate::db::Db;
use crate::db::api_tokens::TokenWithUser;
use crate::db::sessions::SessionWithUser;
use crate::db::users::User;
use crate::problem::BodyError;
use crate::state::AppState;

/// How the caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// The browser's private session cookie.
    Cookie,
    /// A bearer token from `POST /api/auth/token`: a session with the
    /// user's full rights.
    ApiSession,
    /// A personal access token, limited to its scopes.
    Token { id: i64, scopes: Scopes },
}

/// A request made within a live session, or with a live token.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    /// The account as stored (its real role: see [`CurrentUser::is_admin`]).
    pub user: User,
    /// The session's public handle (not its secret id); none for a
    /// personal access token.
    pub session_id: Option<i64>,
    /// The token page forms carry; empty for bearer requests, which have no forms.
    pub csrf_token: String,
    pub credential: Credential,
}

/// A request from a live session of an administrator (or a token of one
/// with the `admin` scope).
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
    /// An `Authorization` header that names no live token.
    InvalidToken,
    /// A personal access token without the scope the request needs.
    MissingScope(Scope),
    /// `require_admin_mfa`: an administrator without a second factor,
    /// anywhere but the set-up.
    EnrolmentRequired,
    Unavailable,
}

/// The per-request cache of the credential lookup.
struct Cached(Result<Option<CurrentUser>, Failure>);

#[derive(Debug, Clone, Copy)]
enum Failure {
    Unavailable,
    InvalidToken,
}

/// The token of an `Authorization` header under `/api`: `Some(None)` when
/// the header is there but is not a usable `Bearer` token. Pages never
/// read it: a browser authenticates with its cookie.
pub fn bearer_of<'r>(request: &'r Request<'_>) -> Option<Option<&'r str>> {
    let path = request.uri().path();
    if !(path == "/api" || path.starts_with("/api/")) {
        return None;
    }
    let header = request.headers().get_one("Authorization")?;
    let token = header
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|token| !token.is_empty() && token.len() <= 256);
    Some(token)
}

async fn caller<'r>(request: &'r Request<'_>) -> &'r Result<Option<CurrentUser>, Failure> {
    let cached = request
        .local_cache_async(async {
            let (Some(db), Some(state)) = (
                request.rocket().state::<Db>(),
                request.rocket().state::<AppState>(),
            ) else {
                tracing::error!("session guard used without Db or Sessions state");
                return Cached(Err(Failure::Unavailable));
            };
            let found = match bearer_of(request) {
                None => state
                    .sessions
                    .load(db, request.cookies())
                    .await
                    .map(|found| {
                        found.map(|row| CurrentUser::from_session(row, Credential::Cookie))
                    }),
                Some(None) => return Cached(Err(Failure::InvalidToken)),
                Some(Some(token)) if tokens::is_personal(token) => {
                    let config = &state.config;
                    tokens::load(db, token, state.clock.now(), config.session_touch_interval)
                        .await
                        .map(|found| found.map(CurrentUser::from))
                }
                Some(Some(token)) => state.sessions.load_bearer(db, token).await.map(|found| {
                    found.map(|row| CurrentUser::from_session(row, Credential::ApiSession))
                }),
            };
            match found {
                Ok(Some(user)) => Cached(Ok(Some(user))),
                // A token that names nothing is refused, never taken as anonymous.
                Ok(None) if bearer_of(request).is_some() => Cached(Err(Failure::InvalidToken)),
                Ok(None) => Cached(Ok(None)),
                Err(error) => {
                    let request_id = crate::request_id::of(request);
                    tracing::error!(request_id, %error, "session lookup failed");
                    Cached(Err(Failure::Unavailable))
                }
            }
        })
        .await;
    &cached.0
}

impl CurrentUser {
    fn from_session(row: SessionWithUser, credential: Credential) -> Self {
        CurrentUser {
            user: row.user,
            session_id: Some(row.session_id),
            csrf_token: match credential {
                Credential::Cookie => row.csrf_token,
                _ => String::new(),
            },
            credential,
        }
    }

    /// Whether the credential allows `scope`; sessions allow everything
    /// their user may do.
    pub fn may(&self, scope: Scope) -> bool {
        match self.credential {
            Credential::Token { scopes, .. } => scopes.contains(scope),
            Credential::Cookie | Credential::ApiSession => true,
        }
    }

    /// An administrator acting with administrator rights: a token without
    /// the `admin` scope acts as a plain user.
    pub fn is_admin(&self) -> bool {
        self.user.is_admin() && self.may(Scope::Admin)
    }

    /// The scopes this caller may put on a new personal access token:
    /// never more than its own credential carries, `admin` only for an
    /// administrator.
    pub fn grantable(&self) -> Scopes {
        let scopes: Vec<Scope> = Scope::ALL
            .into_iter()
            .filter(|scope| self.may(*scope))
            .filter(|scope| *scope != Scope::Admin || self.user.is_admin())
            .collect();
        Scopes::of(&scopes)
    }

    /// Whether the request carried a bearer token rather than the cookie.
    pub fn is_bearer(&self) -> bool {
        self.credential != Credential::Cookie
    }

    /// The caller of a service operation: this user, this session, this
    /// client, with the rights the credential carries.
    pub fn actor(&self, client: &ClientMeta) -> Actor {
        if self.user.is_admin() && !self.is_admin() {
            let mut user = self.user.clone();
            user.role = crate::domain::Role::User.as_str().to_owned();
            return Actor::user(&user, self.session_id, client.clone());
        }
        Actor::user(&self.user, self.session_id, client.clone())
    }
}

impl From<TokenWithUser> for CurrentUser {
    fn from(row: TokenWithUser) -> Self {
        CurrentUser {
            user: row.user,
            session_id: None,
            csrf_token: String::new(),
            credential: Credential::Token {
                id: row.token_id,
                scopes: Scopes::from_stored(&row.scopes),
            },
        }
    }
}

/// Refuses a token without `scope`, with a problem `detail` naming it.
fn require<T>(
    request: &Request<'_>,
    user: &CurrentUser,
    scope: Scope,
    ok: T,
) -> Outcome<T, GuardError> {
    if user.may(scope) {
        return Outcome::Success(ok);
    }
    request.local_cache(|| BodyError(Some(format!("This token lacks the `{scope}` scope."))));
    Outcome::Error((Status::Forbidden, GuardError::MissingScope(scope)))
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for MaybeUser {
    type Error = GuardError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        match caller(request).await {
            Ok(user) => Outcome::Success(MaybeUser(user.clone())),
            Err(Failure::InvalidToken) => {
                Outcome::Error((Status::Unauthorized, GuardError::InvalidToken))
            }
            Err(Failure::Unavailable) => {
                Outcome::Error((Status::ServiceUnavailable, GuardError::Unavailable))
            }
        }
    }
}

/// Any signed-in caller. A personal access token needs `read` for `GET`
/// (and `HEAD`) and `write` for anything else; the scopes are checked
/// here and in [`Admin`], nowhere else.
#[rocket::async_trait]
impl<'r> FromRequest<'r> for CurrentUser {
    type Error = GuardError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let user = match try_outcome!(request.guard::<MaybeUser>().await) {
            MaybeUser(Some(user)) => user,
            MaybeUser(None) => {
                return Outcome::Error((Status::Unauthorized, GuardError::NotLoggedIn));
            }
        };
        if let Some(refusal) = enrolment_gate(request, &user) {
            return refusal;
        }
        let needed = match request.method() {
            Method::Get | Method::Head | Method::Options => Scope::Read,
            _ => Scope::Write,
        };
        require(request, &user.clone(), needed, user)
    }
}

/// An administrator. A personal access token needs the `admin` scope
/// (whatever the method), and it counts only while its owner is an
/// administrator.
#[rocket::async_trait]
impl<'r> FromRequest<'r> for Admin {
    type Error = GuardError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let user = match try_outcome!(request.guard::<MaybeUser>().await) {
            MaybeUser(Some(user)) => user,
            MaybeUser(None) => {
                return Outcome::Error((Status::Unauthorized, GuardError::NotLoggedIn));
            }
        };
        if !user.user.is_admin() {
            return Outcome::Error((Status::Forbidden, GuardError::NotAdmin));
        }
        if let Some(refusal) = enrolment_gate(request, &user) {
            return refusal;
        }
        require(request, &user.clone(), Scope::Admin, Admin(user))
    }
}

/// What the API answers an administrator who must set up a second factor.
pub const ENROLMENT_REQUIRED: &str = "This server requires administrators to use two-factor \
     sign-in (require_admin_mfa): set it up with POST /api/me/mfa and POST /api/me/mfa/confirm \
     (or on /account/security) before anything else.";

/// Marks a page request refused by [`enrolment_gate`], so the catcher
/// sends the browser to the set-up instead of an error page.
pub struct SentToEnrolment(pub bool);

/// Paths an administrator may use before setting up a second factor.
fn enrolment_exempt(path: &str) -> bool {
    let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
    under("/account/security")
        || under("/api/me/mfa")
        || path == "/logout"
        || path == "/api/auth/logout"
}

/// `require_admin_mfa`: an administrator without a second factor may use
/// only the set-up (and log out) until one is on. The refusal is a 403
/// whose problem names the requirement; pages redirect to the set-up.
fn enrolment_gate<T>(request: &Request<'_>, user: &CurrentUser) -> Option<Outcome<T, GuardError>> {
    let required = request
        .rocket()
        .state::<AppState>()
        .is_some_and(|state| state.config.require_admin_mfa);
    let path = request.uri().path();
    if !required
        || !user.user.is_admin()
        || user.user.mfa_enabled_at.is_some()
        || enrolment_exempt(path.as_str())
    {
        return None;
    }
    if bearer_of(request).is_some() || path == "/api" || path.starts_with("/api/") {
        request.local_cache(|| BodyError(Some(ENROLMENT_REQUIRED.to_owned())));
    } else {
        request.local_cache(|| SentToEnrolment(true));
    }
    Some(Outcome::Error((
        Status::Forbidden,
        GuardError::EnrolmentRequired,
    )))
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
