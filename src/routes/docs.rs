//! API documentation pages, served from local files only.

use rocket::serde::json::Json;
use rocket::{Route, get, routes};
use rocket_dyn_templates::Template;
use rocket_okapi::swagger_ui::SwaggerUIConfig;
use serde_json::json;

/// ReDoc at `/redoc` (bundle vendored in `static/redoc/`).
pub fn routes() -> Vec<Route> {
    routes![redoc]
}

/// Swagger UI at `/docs` (mounted there), from `static/swagger-ui/`: the
/// page links its files by fingerprinted URLs, so a browser downloads them
/// once (compressed) and reuses them without asking until they change.
pub fn swagger() -> Vec<Route> {
    routes![swagger_page, swagger_index, swagger_config]
}

/// The settings `static/swagger-ui/swagger-initializer.js` starts with.
fn swagger_settings() -> SwaggerUIConfig {
    SwaggerUIConfig {
        url: "/api/openapi.json".to_owned(),
        ..SwaggerUIConfig::default()
    }
}

#[get("/")]
fn swagger_page() -> Template {
    Template::render("swagger", json!({}))
}

/// The page's address when rocket_okapi served it; its links are absolute,
/// so it works from either.
#[get("/index.html")]
fn swagger_index() -> Template {
    swagger_page()
}

#[get("/swagger-ui-config.json")]
fn swagger_config() -> Json<SwaggerUIConfig> {
    Json(swagger_settings())
}

#[get("/redoc")]
fn redoc() -> Template {
    Template::render("redoc", json!({ "spec_url": "/api/openapi.json" }))
}
