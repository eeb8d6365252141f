//! RFC 9457 problem details: the body of every error under `/api`,
//! including Rocket's own from guards and catchers.

use rocket::http::{ContentType, Header, Status};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};
use rocket::serde::json::Json;
use rocket_okapi::r#gen::OpenApiGenerator;
use rocket_okapi::okapi::openapi3::Responses;
use rocket_okapi::response::OpenApiResponderInner;
use schemars::JsonSchema;
use serde::Serialize;

use crate::auth::guards::bearer_of;
use crate::domain::FieldError;
use crate::error::AppError;
use crate::routes::api::allow::{allow_header, allowed_methods};

/// A problem details object.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Problem {
    /// A URI naming the kind of problem; `about:blank` when the status says it all.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// One entry per invalid input field; empty otherwise.
    pub errors: Vec<FieldError>,
    /// The request's correlation id, also in the `X-Request-Id` header and
    /// in the server's log lines for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl Problem {
    pub fn new(status: Status, detail: impl Into<String>) -> Self {
        Problem {
            kind: "about:blank".to_owned(),
            title: status.reason_lossy().to_owned(),
            status: status.code,
            detail: detail.into(),
            errors: Vec::new(),
            request_id: None,
        }
    }

    /// The problem for a status produced by Rocket itself (routing, guards, limits).
    pub fn for_status(status: Status) -> Self {
        let detail = match status.code {
            400 => "The request could not be parsed.",
            401 => "Log in first: this needs a valid session cookie or bearer token.",
            403 => "You are not allowed to do this.",
            404 => "There is nothing at this address.",
            405 => "This method is not allowed here.",
            413 => "The request body is larger than the limit.",
            415 => "Send the body as application/json.",
            422 => {
                "The request body is not valid JSON for this endpoint (check field names and types)."
            }
            429 => "Too many attempts; wait and try again.",
            503 => "The service is temporarily unavailable; retry after the Retry-After seconds.",
            _ => "The server could not complete the request.",
        };
        Problem::new(status, detail)
    }
}

/// An API error: a problem+json response, with `Retry-After` when throttled.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        ApiError(error)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        ApiError(error.into())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    fn problem(&self) -> Problem {
        let status = Status::from_code(self.0.status_code()).unwrap_or(Status::InternalServerError);
        match &self.0 {
            AppError::Invalid(errors) => Problem {
                errors: errors.as_slice().to_vec(),
                ..Problem::new(status, "Some fields are not valid.")
            },
            AppError::Conflict(errors) => Problem {
                errors: errors.as_slice().to_vec(),
                ..Problem::new(
                    status,
                    errors
                        .as_slice()
                        .first()
                        .map_or("Conflict.", |e| e.message.as_str()),
                )
            },
            AppError::BadCredentials => Problem::new(status, "Wrong login or password."),
            AppError::Forbidden(why) => Problem::new(status, *why),
            AppError::Throttled { .. } | AppError::Unavailable(_) => Problem::for_status(status),
            AppError::Unauthenticated | AppError::NotFound | AppError::Internal(_) => {
                Problem::for_status(status)
            }
        }
    }
}

impl<'r> Responder<'r, 'static> for ApiError {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        match &self.0 {
            AppError::Internal(message) => {
                tracing::error!(
                    request_id = crate::request_id::of(request),
                    path = %request.uri().path(),
                    "internal error: {message}"
                );
            }
            AppError::Unavailable(message) => {
                tracing::warn!(
                    request_id = crate::request_id::of(request),
                    path = %request.uri().path(),
                    "unavailable: {message}"
                );
            }
            _ => {}
        }
        let mut response = problem_response(self.problem(), request)?;
        if let AppError::Throttled { retry_after } = self.0 {
            response.set_header(Header::new("Retry-After", retry_after.max(1).to_string()));
        }
        Ok(response)
    }
}

/// Serialises a problem with its content type and status. A 401 names
/// the scheme to authenticate with (RFC 9110 §11.6.1, RFC 6750 §3), and
/// says `invalid_token` when the request's bearer token was refused.
pub fn problem_response(mut problem: Problem, request: &Request<'_>) -> response::Result<'static> {
    problem.request_id = Some(crate::request_id::of(request).to_owned());
    let status = Status::from_code(problem.status).unwrap_or(Status::InternalServerError);
    let mut response = Response::build_from(Json(problem).respond_to(request)?);
    response
        .status(status)
        .header(ContentType::new("application", "problem+json"));
    if status == Status::Unauthorized {
        let challenge = if bearer_of(request).is_some() {
            r#"Bearer realm="portero", error="invalid_token""#
        } else {
            r#"Bearer realm="portero""#
        };
        response.header(Header::new("WWW-Authenticate", challenge));
    }
    response.ok()
}

/// The error statuses every API operation may answer with.
impl OpenApiResponderInner for ApiError {
    fn responses(generator: &mut OpenApiGenerator) -> rocket_okapi::Result<Responses> {
        use rocket_okapi::okapi::openapi3::{MediaType, RefOr, Response as OpenApiResponse};
        let schema = generator.json_schema::<Problem>();
        let mut responses = Responses::default();
        for (code, description) in [
            ("400", "Malformed request"),
            ("401", "No valid session, or wrong login or password"),
            (
                "403",
                "Not allowed (not an administrator, or a cross-site request)",
            ),
            ("404", "Not found"),
            ("409", "Conflicts with stored data"),
            ("413", "Body too large"),
            ("415", "Body is not application/json"),
            ("422", "Invalid input; `errors` names the fields"),
            ("429", "Too many failed logins; see Retry-After"),
            ("500", "Unexpected server error"),
            (
                "503",
                "Database unavailable (unreachable, busy or out of space); see Retry-After",
            ),
        ] {
            let mut content = rocket_okapi::okapi::Map::new();
            content.insert(
                "application/problem+json".to_owned(),
                MediaType {
                    schema: Some(schema.clone()),
                    ..MediaType::default()
                },
            );
            responses.responses.insert(
                code.to_owned(),
                RefOr::Object(OpenApiResponse {
                    description: description.to_owned(),
                    content,
                    ..OpenApiResponse::default()
                }),
            );
        }
        Ok(responses)
    }
}

/// Catchers for `/api`: whatever Rocket rejects becomes a problem body. A
/// 404 for a path that exists with other methods is a 405 with `Allow`.
#[rocket::catch(default)]
pub fn api_default(status: Status, request: &Request<'_>) -> AllowedProblem {
    if status == Status::NotFound {
        let allowed = allowed_methods(request);
        if !allowed.is_empty() && !allowed.contains(&request.method()) {
            let mut problem = Problem::for_status(Status::MethodNotAllowed);
            problem.detail = format!(
                "{} is not allowed here; use {}.",
                request.method(),
                allow_header(&allowed)
            );
            return AllowedProblem(problem, Some(allow_header(&allowed)));
        }
    }
    if let Some(detail) = request.local_cache(|| BodyError(None)).0.clone() {
        return AllowedProblem(Problem::new(status, detail), None);
    }
    if status == Status::Unauthorized && bearer_of(request).is_some() {
        let detail = "The bearer token is not valid: unknown, expired or revoked.";
        return AllowedProblem(Problem::new(status, detail), None);
    }
    AllowedProblem(Problem::for_status(status), None)
}

/// Why a guard refused the request body, cached on the request for the
/// catcher's problem `detail` (Rocket's catchers see only the status).
pub struct BodyError(pub Option<String>);

/// A bare problem as a responder (used by catchers).
pub struct ProblemResponse(pub Problem);

impl<'r> Responder<'r, 'static> for ProblemResponse {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        problem_response(self.0, request)
    }
}

/// A caught problem, with the `Allow` header a 405 must carry.
pub struct AllowedProblem(Problem, Option<String>);

impl<'r> Responder<'r, 'static> for AllowedProblem {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let mut response = problem_response(self.0, request)?;
        if let Some(methods) = self.1 {
            response.set_header(Header::new("Allow", methods));
        }
        Ok(response)
    }
}

pub fn catchers() -> Vec<rocket::Catcher> {
    rocket::catchers![api_default]
}
