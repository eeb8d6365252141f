//! API documentation pages, served from local files only.

use rocket::{Route, get, routes};

use crate::assets::{Asset, Validators};
use rocket_dyn_templates::Template;
use rocket_okapi::swagger_ui::{SwaggerUIConfig, make_swagger_ui};
use serde_json::json;

/// ReDoc at `/redoc` (bundle vendored in `static/redoc/`).
pub fn routes() -> Vec<Route> {
    routes![redoc]
}

/// Swagger UI at `/docs`; rocket_okapi embeds its files in the binary,
/// except the two icons its page links to, which are Portero's own.
pub fn swagger() -> Vec<Route> {
    let mut routes: Vec<Route> = make_swagger_ui(&SwaggerUIConfig {
        url: "/api/openapi.json".to_owned(),
        ..SwaggerUIConfig::default()
    })
    .into();
    routes.extend(routes![favicon]);
    routes
}

#[get("/<name>", rank = 20)]
fn favicon(name: &str, validators: Validators) -> Option<Asset> {
    match name {
        "favicon-16x16.png" | "favicon-32x32.png" => {
            crate::assets::embedded(&format!("docs/{name}"), &validators)
        }
        _ => None,
    }
}

#[get("/redoc")]
fn redoc() -> Template {
    Template::render("redoc", json!({ "spec_url": "/api/openapi.json" }))
}
