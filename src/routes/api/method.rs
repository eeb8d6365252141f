//! Keeps Rocket's `_method` form override away from the API.
//!
//! Before any fairing runs, Rocket 0.5 turns a form `POST` whose body starts
//! with `_method=<verb>` into a request of that verb (`Rocket::
//! preprocess_request`). Under `/api` that would let a cross-site HTML form,
//! which can only GET or POST, reach DELETE and PATCH routes. The override
//! has no off switch, so this fairing undoes it: a form request under `/api`
//! whose body starts with `_method=` naming its own method is made a POST
//! again, and the API answers it as the POST it was (404, 405 or 415). A
//! client that really sent such a method with such a body is treated the
//! same, which costs nothing: the API reads only JSON bodies.

use rocket::Data;
use rocket::fairing::{Fairing, Info, Kind};
use rocket::form::Form;
use rocket::http::Method;
use rocket::request::Request;

/// The fairing; attach it once.
pub struct NoMethodOverride;

/// The longest prefix Rocket reads to find the override (`_method=delete`).
const PEEK: usize = "_method=delete".len();

#[rocket::async_trait]
impl Fairing for NoMethodOverride {
    fn info(&self) -> Info {
        Info {
            name: "No _method override under /api",
            kind: Kind::Request,
        }
    }

    async fn on_request(&self, request: &mut Request<'_>, data: &mut Data<'_>) {
        let path = request.uri().path();
        let under_api = path == "/api" || path.starts_with("/api/");
        if request.method() == Method::Post
            || !under_api
            || !request.content_type().is_some_and(|ct| ct.is_form())
        {
            return;
        }
        // The same test Rocket applies, so what it rewrote is undone.
        let overridden = std::str::from_utf8(data.peek(PEEK).await)
            .ok()
            .and_then(|raw| Form::values(raw).next())
            .filter(|field| field.name == "_method")
            .and_then(|field| field.value.parse::<Method>().ok())
            .is_some_and(|method| method == request.method());
        if overridden {
            request.set_method(Method::Post);
        }
    }
}
