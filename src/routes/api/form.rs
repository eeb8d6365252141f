//! Form-encoded request bodies under `/api`: only `POST /api/auth/token`
//! takes one, because the OAuth2 password grant is defined that way
//! (RFC 6749 §4.3.2) and the clients that speak it send nothing else.

use rocket::data::{self, Data, FromData};
use rocket::form::{Form, FromForm};
use rocket::http::Status;
use rocket::outcome::Outcome;
use rocket::request::Request;
use rocket_okapi::r#gen::OpenApiGenerator;
use rocket_okapi::okapi::openapi3::{MediaType, RequestBody};
use rocket_okapi::request::OpenApiFromData;
use schemars::JsonSchema;

use super::remember;

/// A `application/x-www-form-urlencoded` body (415 otherwise), within the
/// form size limit (413). Fields the type does not name are ignored, as
/// OAuth2 clients add their own (`client_id`, `scope`); the handler judges
/// the values, so every missing field is reported at once.
pub struct ApiForm<T>(pub T);

#[rocket::async_trait]
impl<'r, T: FromForm<'r> + Send + 'static> FromData<'r> for ApiForm<T> {
    type Error = String;

    async fn from_data(request: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        if !request.content_type().is_some_and(|ct| ct.is_form()) {
            remember(
                request,
                "Send the body as application/x-www-form-urlencoded.".into(),
            );
            return Outcome::Error((Status::UnsupportedMediaType, "not a form".into()));
        }
        match Form::<T>::from_data(request, data).await {
            Outcome::Success(form) => Outcome::Success(ApiForm(form.into_inner())),
            Outcome::Forward(forward) => Outcome::Forward(forward),
            Outcome::Error((status, _)) => {
                let detail = if status == Status::PayloadTooLarge {
                    "The request body is larger than the limit."
                } else {
                    "The form could not be read."
                };
                remember(request, detail.into());
                Outcome::Error((status, detail.into()))
            }
        }
    }
}

impl<'r, T: JsonSchema + FromForm<'r> + Send + 'static> OpenApiFromData<'r> for ApiForm<T> {
    fn request_body(generator: &mut OpenApiGenerator) -> rocket_okapi::Result<RequestBody> {
        let mut content = rocket_okapi::okapi::Map::new();
        content.insert(
            "application/x-www-form-urlencoded".to_owned(),
            MediaType {
                schema: Some(generator.json_schema::<T>()),
                ..MediaType::default()
            },
        );
        Ok(RequestBody {
            content,
            required: true,
            ..RequestBody::default()
        })
    }
}
