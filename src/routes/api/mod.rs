//! The JSON API under `/api`, documented by the OpenAPI spec that
//! rocket_okapi derives from these handlers.

pub mod allow;
mod auth;
mod body;
mod form;
mod idempotency;
mod mail;
mod me;
mod me_data;
pub use me_data::AccountExport;
mod method;
mod mfa;
mod products;
pub mod query;
mod sales;
mod schema;
mod security;
mod summary;
mod tokens;
mod users;

use rocket::data::{self, Data, FromData};
use rocket::http::Status;
use rocket::http::uri::{Absolute, Host};
use rocket::outcome::Outcome;
use rocket::request::{self, FromRequest, Request};
use rocket::serde::json::Json;
use rocket::{Build, Rocket, Route};
use rocket_okapi::r#gen::OpenApiGenerator;
use rocket_okapi::okapi::openapi3::{Info, OpenApi};
use rocket_okapi::request::{OpenApiFromData, OpenApiFromRequest, RequestHeaderInput};
use rocket_okapi::settings::OpenApiSettings;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};

use crate::auth::guards::bearer_of;
use crate::problem::{ApiError, BodyError, BodyFieldErrors};
use crate::state::AppState;
// The projections the API answers with live beside the pages' own, and
// list paging is shared with the pages.
use crate::routes::paging::Page;
use crate::views;

/// A JSON request body: `Content-Type: application/json` required (415
/// otherwise), same-site `Origin` when one is sent (403), the `json` size
/// limit (413), syntax errors 400; a body that is not an object, or with
/// unknown, missing or mistyped fields, is a 422 naming each of them.
pub struct ApiJson<T>(pub T);

fn remember(request: &Request<'_>, detail: String) {
    request.local_cache(|| BodyError(Some(detail)));
}

#[rocket::async_trait]
impl<'r, T: serde::de::DeserializeOwned + JsonSchema + Send + 'static> FromData<'r> for ApiJson<T> {
    type Error = String;

    async fn from_data(request: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        if let Err(status) = check_origin(request) {
            remember(request, "Cross-site requests are not accepted.".into());
            return Outcome::Error((status, "foreign origin".into()));
        }
        if !request.content_type().is_some_and(|ct| ct.is_json()) {
            remember(request, "Send the body as application/json.".into());
            return Outcome::Error((Status::UnsupportedMediaType, "not json".into()));
        }
        match Json::<serde_json::Value>::from_data(request, data).await {
            Outcome::Success(Json(value)) => match body::decode::<T>(value) {
                Ok(value) => Outcome::Success(ApiJson(value)),
                Err(errors) => {
                    let names: Vec<&str> =
                        errors.as_slice().iter().map(|e| e.field.as_str()).collect();
                    let detail = format!("Some fields are not valid: {}.", names.join(", "));
                    remember(request, detail.clone());
                    request.local_cache(|| BodyFieldErrors(errors.into_vec()));
                    Outcome::Error((Status::UnprocessableEntity, detail))
                }
            },
            Outcome::Forward(forward) => Outcome::Forward(forward),
            Outcome::Error((status, error)) => {
                let detail = match (status.code, &error) {
                    (413, _) => "The request body is larger than the limit.".to_owned(),
                    (_, rocket::serde::json::Error::Parse(_, parse)) => {
                        format!("Invalid JSON body: {parse}")
                    }
                    _ => "The request body could not be read.".to_owned(),
                };
                remember(request, detail.clone());
                Outcome::Error((status, detail))
            }
        }
    }
}

impl<'r, T: JsonSchema + serde::de::DeserializeOwned + Send + 'static> OpenApiFromData<'r>
    for ApiJson<T>
{
    fn request_body(
        generator: &mut OpenApiGenerator,
    ) -> rocket_okapi::Result<rocket_okapi::okapi::openapi3::RequestBody> {
        Json::<T>::request_body(generator)
    }
}

/// Refuses requests whose `Origin` is not this instance. Browsers send
/// `Origin` on cross-site writes; scripts usually send none, which is fine
/// because a script has no victim's cookies to ride on. The scheme (http,
/// or https when the `https` setting says clients come through TLS), the
/// host and the port (the scheme's default when absent) must all match the
/// `Host` the request was sent to: `https://host` is another site to an
/// `http://host` instance, as is `Origin: null` (sandboxed frames, some
/// cross-site redirects).
///
/// A request with `Authorization` is exempt: the check protects cookies,
/// which a bearer request does not use, and no cross-site page can add
/// that header without the CORS consent Portero never gives.
fn check_origin(request: &Request<'_>) -> Result<(), Status> {
    if bearer_of(request).is_some() {
        return Ok(());
    }
    let Some(origin) = request.headers().get_one("Origin") else {
        return Ok(());
    };
    let https = request
        .rocket()
        .state::<AppState>()
        .is_some_and(|state| state.config.https);
    let (scheme, default_port) = if https { ("https", 443) } else { ("http", 80) };
    // HTTP/1 names the host in `Host`; HTTP/2 in `:authority`, which Rocket keeps.
    let host = match request.headers().get_one("Host") {
        Some(header) => Host::parse(header).ok(),
        None => request.host().cloned(),
    };
    let (Some(host), Ok(origin)) = (host, Absolute::parse(origin)) else {
        return Err(Status::Forbidden);
    };
    let same = match origin.authority() {
        Some(authority) => {
            origin.scheme().eq_ignore_ascii_case(scheme)
                && authority.user_info().is_none()
                && origin.path().is_empty()
                && origin.query().is_none()
                && authority
                    .host()
                    .eq_ignore_ascii_case(host.domain().as_str())
                && authority.port().unwrap_or(default_port) == host.port().unwrap_or(default_port)
        }
        None => false,
    };
    if same { Ok(()) } else { Err(Status::Forbidden) }
}

/// Guard for body-less writes (logout, DELETE): same-site `Origin` only.
pub struct SameOrigin;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for SameOrigin {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> request::Outcome<Self, ()> {
        match check_origin(request) {
            Ok(()) => Outcome::Success(SameOrigin),
            Err(status) => {
                remember(request, "Cross-site requests are not accepted.".into());
                Outcome::Error((status, ()))
            }
        }
    }
}

impl OpenApiFromRequest<'_> for SameOrigin {
    fn from_request_input(
        _: &mut OpenApiGenerator,
        _: String,
        _: bool,
    ) -> rocket_okapi::Result<RequestHeaderInput> {
        Ok(RequestHeaderInput::None)
    }
}

/// An optional member that, when present, must hold a value: `null` is
/// refused (422) rather than read as "left out", as the schema promises.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// Distinguishes an absent field (`None`) from `null` (`Some(None)`) in PATCH bodies.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Mounts every API route and the merged spec at `/api/openapi.json`.
pub fn mount(rocket: Rocket<Build>) -> Rocket<Build> {
    let settings = OpenApiSettings::default();
    let parts: Vec<(&str, (Vec<Route>, OpenApi))> = vec![
        ("/auth", auth::routes(&settings)),
        ("/me", me::routes(&settings)),
        ("/me", me_data::routes(&settings)),
        ("/me/tokens", tokens::routes(&settings)),
        ("/users", users::routes(&settings)),
        ("/users", tokens::admin_routes(&settings)),
        ("/products", products::routes(&settings)),
        ("/sales", sales::routes(&settings)),
        ("/auth", mail::auth_routes(&settings)),
        ("/me", mail::me_routes(&settings)),
        ("/users", mail::user_routes(&settings)),
        ("/me/mfa", mfa::me_routes(&settings)),
        ("/auth", mfa::auth_routes(&settings)),
        ("/users", mfa::user_routes(&settings)),
    ];
    let mut rocket = rocket;
    let mut specs = Vec::new();
    for (path, (routes, spec)) in parts {
        rocket = rocket.mount(format!("/api{path}"), routes);
        specs.push((path, spec));
    }
    let mut spec = match rocket_okapi::okapi::merge::marge_spec_list(&specs) {
        Ok(spec) => spec,
        Err(error) => {
            tracing::error!(%error, "cannot merge the OpenAPI documents");
            OpenApi::new()
        }
    };
    // Routes declared as "/" under a mount point come out as "/me/"; the
    // canonical address has no trailing slash.
    spec.paths = std::mem::take(&mut spec.paths)
        .into_iter()
        .map(|(path, item)| match path.strip_suffix('/') {
            Some(trimmed) if !trimmed.is_empty() => (trimmed.to_owned(), item),
            _ => (path, item),
        })
        .collect();
    security::declare(&mut spec);
    let config = rocket.state::<AppState>().map(|state| state.config.clone());
    query::finish_spec(&mut spec, config.as_ref());
    summary::add(&mut spec);
    spec.info = Info {
        title: "Portero API".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        description: Some(
            "Accounts, sessions, users, products and sales. Authenticate with \
             `Authorization: Bearer <token>` (a token from `POST /api/auth/token`, or a personal \
             access token) or with the session cookie from `POST /api/auth/login`; every error \
             is RFC 9457 `application/problem+json`."
                .to_owned(),
        ),
        ..Info::default()
    };
    spec.servers = vec![rocket_okapi::okapi::openapi3::Server {
        url: "/api".to_owned(),
        ..Default::default()
    }];
    rocket.attach(method::NoMethodOverride).mount(
        "/api",
        vec![rocket_okapi::get_openapi_route(spec, &settings)],
    )
}

/// The `Result` every handler returns.
pub type Answer<T> = Result<T, ApiError>;
