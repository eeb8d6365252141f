//! Portero: accounts with server-side sessions, a product catalog and sales,
//! as HTML pages and a JSON API. `rocket()` builds exactly what `portero
//! serve` runs, so the tests exercise the production application.

pub mod actor;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod compression;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod headers;
pub mod i18n;
pub mod limits;
pub mod mail;
pub mod metrics;
pub mod outage;
pub mod problem;
pub mod request_id;
pub mod routes;
pub mod secret_key;
pub mod seed;
pub mod services;
pub mod standby;
pub mod state;
pub mod telemetry;
pub mod views;

use std::time::Duration as StdDuration;

use rocket::fairing::AdHoc;
use rocket::figment::Figment;
use rocket::figment::providers::Serialized;
use rocket::{Build, Rocket};
use rocket_db_pools::Database;
use rocket_dyn_templates::Template;

use crate::clock::Clock;
use crate::config::AppConfig;
use crate::db::Db;
use crate::state::AppState;

/// How often the sweeper deletes expired sessions, old login failures and
/// audit events past their retention.
const SWEEP_INTERVAL: StdDuration = StdDuration::from_secs(600);

pub use services::housekeeping::sweep;

/// Builds the application from a figment (see [`config::figment`]) and a clock.
pub fn build(figment: Figment, clock: Clock) -> Result<Rocket<Build>, String> {
    config::validate(&figment)?;
    let app_config = AppConfig::from_figment(&figment).map_err(|e| config::describe(&e))?;
    let templates = assets::TemplateCopy::write()
        .map_err(|e| format!("portero: cannot unpack the templates: {e}"))?;
    let figment = figment
        .merge(Serialized::global("template_dir", templates.path()))
        // Read by the patched Rocket's server (vendor/README.md).
        .merge(Serialized::global(
            "header_read_timeout",
            app_config.header_read_timeout,
        ))
        .merge(Serialized::global(
            "connection_limit",
            limits::connection_limit(app_config.connection_limit),
        ));
    let state =
        AppState::new(app_config.clone(), clock.clone()).map_err(|e| format!("portero: {e}"))?;

    let rocket = rocket::custom(figment)
        .attach(Db::init())
        .attach(secret_key::fairing(clock))
        .attach(auth::vault::fairing())
        .attach(Template::custom(|engines| {
            engines.tera.register_function("t", i18n::tera_function());
            engines
                .tera
                .register_function("asset", assets::asset_function);
        }))
        .attach(AdHoc::on_ignite("templates loaded", |rocket| async move {
            drop(templates);
            rocket
        }))
        .attach(telemetry::RequestLog)
        .attach(outage::RetryAfter)
        .attach(telemetry::liftoff_banner())
        .attach(headers::SecurityHeaders {
            hsts: app_config.https,
        })
        .attach(compression::Compression)
        .attach(AdHoc::on_liftoff("sweeper", |rocket| {
            Box::pin(async move {
                let (Some(db), Some(state)) = (Db::fetch(rocket), rocket.state::<AppState>())
                else {
                    return;
                };
                let (pool, config, clock) =
                    ((**db).clone(), state.config.clone(), state.clock.clone());
                rocket::tokio::spawn(async move {
                    loop {
                        sweep(&pool, &config, &clock).await;
                        rocket::tokio::time::sleep(SWEEP_INTERVAL).await;
                    }
                });
            })
        }))
        .attach(AdHoc::on_liftoff("mail sender", |rocket| {
            Box::pin(async move {
                if let (Some(db), Some(state)) = (Db::fetch(rocket), rocket.state::<AppState>()) {
                    mail::sender::spawn(
                        (**db).clone(),
                        state.config.clone(),
                        state.clock.clone(),
                        state.mail.wake_handle(),
                    );
                }
            })
        }))
        .manage(state)
        .mount("/", routes::pages::routes())
        .mount("/", routes::health::routes())
        .mount("/", routes::metrics::routes())
        .mount("/", routes::docs::routes())
        .mount("/docs", routes::docs::swagger())
        .mount("/static", assets::routes())
        .register("/", routes::pages::catchers::catchers())
        .register("/api", problem::catchers());
    Ok(routes::api::mount(rocket))
}

/// The application as `portero serve` runs it.
pub fn rocket() -> Result<Rocket<Build>, String> {
    build(config::figment(), Clock::default())
}
