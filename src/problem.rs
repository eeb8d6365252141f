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
use crate::i18n::{Lang, Msg, api_lang};
use crate::routes::api::allow::{allow_header, allowed_methods, unparsable_ids};

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
    /// `true` on the 401 of a right password for an account with a second
    /// factor (two-factor sign-in): no session was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mfa_required: Option<bool>,
    /// With `mfa_required` from `POST /api/auth/login`: the pending login,
    /// for `POST /api/auth/login/code` (short-lived, single use).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mfa_token: Option<String>,
    /// The request's correlation id, also in the `X-Request-Id` header and
    /// in the server's log lines for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// `detail` not yet in words, written in the request's language when
    /// the problem is sent ([`problem_response`]).
    #[serde(skip)]
    #[schemars(skip)]
    detail_msg: Option<Msg>,
}

impl Problem {
    pub fn new(status: Status, detail: impl Into<Msg>) -> Self {
        let detail = detail.into();
        Problem {
            kind: "about:blank".to_owned(),
            title: status.reason_lossy().to_owned(),
            status: status.code,
            detail: detail.to_string(),
            errors: Vec::new(),
            mfa_required: None,
            mfa_token: None,
            request_id: None,
            detail_msg: Some(detail),
        }
    }

    /// `title`, `detail` and the field messages in `lang`; `type`, field
    /// names and codes stay as they are.
    pub fn localized(mut self, lang: Lang) -> Self {
        if let Some(title) = status_title(self.status) {
            self.title = title.render(lang);
        }
        if let Some(detail) = &self.detail_msg {
            self.detail = detail.render(lang);
        }
        self.errors = self.errors.iter().map(|e| e.localized(lang)).collect();
        self
    }

    /// The problem for a status produced by Rocket itself (routing, guards, limits).
    pub fn for_status(status: Status) -> Self {
        let detail = match status.code {
            400 => Msg::new("problem-400"),
            401 => Msg::new("problem-401"),
            403 => Msg::new("problem-403"),
            404 => Msg::new("problem-404"),
            405 => Msg::new("problem-405"),
            413 => Msg::new("problem-413"),
            415 => Msg::new("problem-415"),
            422 => Msg::new("problem-422"),
            429 => Msg::new("problem-429"),
            503 => Msg::new("problem-503"),
            _ => Msg::new("problem-500"),
        };
        Problem::new(status, detail)
    }
}

/// A status's title in words (`Unprocessable Entity`…), for the statuses
/// the API answers with.
fn status_title(status: u16) -> Option<Msg> {
    Some(match status {
        400 => Msg::new("status-400"),
        401 => Msg::new("status-401"),
        403 => Msg::new("status-403"),
        404 => Msg::new("status-404"),
        405 => Msg::new("status-405"),
        409 => Msg::new("status-409"),
        413 => Msg::new("status-413"),
        415 => Msg::new("status-415"),
        422 => Msg::new("status-422"),
        429 => Msg::new("status-429"),
        500 => Msg::new("status-500"),
        503 => Msg::new("status-503"),
        _ => return None,
    })
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
                ..Problem::new(status, Msg::new("problem-invalid"))
            },
            AppError::Conflict(errors) => Problem {
                errors: errors.as_slice().to_vec(),
                ..Problem::new(
                    status,
                    errors
                        .as_slice()
                        .first()
                        .map_or(Msg::new("problem-409"), |e| e.msg().clone()),
                )
            },
            AppError::BadCredentials => Problem::new(status, Msg::new("problem-bad-credentials")),
            AppError::SecondFactorRequired { mfa_token } => Problem {
                mfa_required: Some(true),
                mfa_token: mfa_token.as_ref().map(|token| token.0.clone()),
                ..Problem::new(
                    status,
                    match mfa_token {
                        Some(_) => {
                            "The password is right; now send a code from the authenticator app \
                             (or a recovery code) with this mfa_token to POST /api/auth/login/code."
                        }
                        None => crate::services::accounts::GRANT_NEEDS_CODE,
                    },
                )
            },
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
pub fn problem_response(problem: Problem, request: &Request<'_>) -> response::Result<'static> {
    let mut problem = problem.localized(api_lang(request));
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
    // A method Rocket does not know (QUERY, PROPFIND…) is a 400 before any
    // routing, with the request "salvaged" as a GET; its only other such
    // 400, an unreadable URI, leaves the path `/`. At a known path the
    // method is what is wrong.
    if status == Status::BadRequest && request.route().is_none() && request.uri().path() != "/" {
        let allowed = allowed_methods(request);
        if !allowed.is_empty() {
            let mut problem = Problem::for_status(Status::MethodNotAllowed);
            problem.detail = format!(
                "This method is not allowed here; use {}.",
                allow_header(&allowed)
            );
            return AllowedProblem(problem, Some(allow_header(&allowed)));
        }
    }
    if status == Status::NotFound {
        let allowed = allowed_methods(request);
        if !allowed.is_empty() && !allowed.contains(&request.method()) {
            let problem = Problem::new(
                Status::MethodNotAllowed,
                Msg::new("problem-method")
                    .arg("method", request.method().as_str())
                    .arg("allowed", allow_header(&allowed)),
            );
            return AllowedProblem(problem, Some(allow_header(&allowed)));
        }
    }
    if let Some(detail) = request.local_cache(|| BodyError(None)).0.clone() {
        let mut problem = Problem::new(status, detail);
        problem.errors = request
            .local_cache(|| BodyFieldErrors(Vec::new()))
            .0
            .clone();
        return AllowedProblem(problem, None);
    }
    if status == Status::UnprocessableEntity {
        let names = unparsable_ids(request);
        if !names.is_empty() {
            let mut problem = Problem::new(status, "An id in the path is not a whole number.");
            problem.errors = names
                .into_iter()
                .map(|name| FieldError::new(name, "Use a whole number."))
                .collect();
            return AllowedProblem(problem, None);
        }
    }
    if status == Status::Unauthorized && bearer_of(request).is_some() {
        let detail = Msg::new("problem-bad-token");
        return AllowedProblem(Problem::new(status, detail), None);
    }
    AllowedProblem(Problem::for_status(status), None)
}

/// Why a guard refused the request body, cached on the request for the
/// catcher's problem `detail` (Rocket's catchers see only the status).
pub struct BodyError(pub Option<String>);

/// The fields a request body got wrong, cached beside `BodyError` for the
/// catcher's problem `errors`.
pub struct BodyFieldErrors(pub Vec<FieldError>);

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
