//! API documentation pages, served from local files only.

use rocket::{Route, get, routes};
use rocket_dyn_templates::Template;
use rocket_okapi::swagger_ui::{SwaggerUIConfig, make_swagger_ui};
use serde_json::json;

/// ReDoc at `/redoc` (bundle vendored in `static/redoc/`).
pub fn routes() -> Vec<Route> {
    routes![redoc]
}

/// Swagger UI at `/docs`; rocket_okapi embeds its files in the binary.
pub fn swagger() -> Vec<Route> {
    make_swagger_ui(&SwaggerUIConfig {
        url: "/api/openapi.json".to_owned(),
        ..SwaggerUIConfig::default()
    })
    .into()
}

#[get("/redoc")]
fn redoc() -> Template {
    Template::render("redoc", json!({ "spec_url": "/api/openapi.json" }))
}
