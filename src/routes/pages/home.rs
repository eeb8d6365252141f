use rocket::{Route, get, routes};
use rocket_dyn_templates::Template;
use serde_json::json;

use super::PageContext;

pub fn routes() -> Vec<Route> {
    routes![home]
}

#[get("/")]
fn home(page: PageContext) -> Template {
    page.render("home", json!({}))
}
