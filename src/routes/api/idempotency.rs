//! The `Idempotency-Key` request header of the API's create operations,
//! and how a replayed answer is marked.

use rocket::http::Header;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::{self, Responder};
use rocket_okapi::r#gen::OpenApiGenerator;
use rocket_okapi::okapi::Map;
use rocket_okapi::okapi::openapi3::{Parameter, ParameterValue, Responses};
use rocket_okapi::request::{OpenApiFromRequest, RequestHeaderInput};
use rocket_okapi::response::OpenApiResponderInner;

use crate::error::AppResult;
use crate::services::idempotency::{HEADER, IdempotencyKey};

/// The header's value, if sent. A bad value is refused (422) when the
/// handler fingerprints the request with it, as a problem naming the header.
pub struct KeyHeader(Option<String>);

impl KeyHeader {
    /// The key with a fingerprint of `request`, the body in canonical form.
    pub fn with(&self, request: &str) -> AppResult<Option<IdempotencyKey>> {
        self.0
            .as_deref()
            .map(|key| IdempotencyKey::new(key, request))
            .transpose()
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for KeyHeader {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        Outcome::Success(KeyHeader(
            request.headers().get_one(HEADER).map(str::to_owned),
        ))
    }
}

impl OpenApiFromRequest<'_> for KeyHeader {
    fn from_request_input(
        _: &mut OpenApiGenerator,
        _: String,
        _: bool,
    ) -> rocket_okapi::Result<RequestHeaderInput> {
        Ok(RequestHeaderInput::Parameter(Parameter {
            name: HEADER.to_owned(),
            location: "header".to_owned(),
            description: Some(
                "Optional; 1 to 255 visible ASCII characters (a UUID, say). A retry with the \
                 same key and body within 24 hours is answered with what the first request \
                 created (same status, `Idempotent-Replayed: true`) instead of creating it \
                 again; the same key with a different body is 422. Only successful requests \
                 are remembered."
                    .to_owned(),
            ),
            required: false,
            deprecated: false,
            allow_empty_value: false,
            value: ParameterValue::Schema {
                style: None,
                explode: None,
                allow_reserved: false,
                schema: super::schema::idempotency_key(),
                example: None,
                examples: None,
            },
            extensions: Map::default(),
        }))
    }
}

/// Marks an answer replayed from an earlier request under the same key.
pub const REPLAYED: &str = "Idempotent-Replayed";

/// A response that says, with `Idempotent-Replayed: true`, when it answers
/// a retry rather than the request that made the resource.
pub struct Replayable<R> {
    inner: R,
    replayed: bool,
}

impl<R> Replayable<R> {
    pub fn new(inner: R, replayed: bool) -> Self {
        Replayable { inner, replayed }
    }
}

impl<'r, 'o: 'r, R: Responder<'r, 'o>> Responder<'r, 'o> for Replayable<R> {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'o> {
        let mut response = self.inner.respond_to(request)?;
        if self.replayed {
            response.set_header(Header::new(REPLAYED, "true"));
        }
        Ok(response)
    }
}

impl<R: OpenApiResponderInner> OpenApiResponderInner for Replayable<R> {
    fn responses(generator: &mut OpenApiGenerator) -> rocket_okapi::Result<Responses> {
        R::responses(generator)
    }
}
