//! The key that seals private cookies. A configured key (`ROCKET_SECRET_KEY`
//! or `secret_key` in `Rocket.toml`) always wins. Without one, the first
//! process on a database makes a key and stores it there; every process on
//! that database, and every restart, then uses the same key, so sessions
//! survive restarts and any process serves any user.
//!
//! Rocket reads its configuration after the ignite fairings have run, so a
//! fairing attached after the database pool can still supply the key.

use base64::Engine as _;
use rand::RngCore;
use rocket::fairing::AdHoc;
use rocket::figment::providers::Serialized;

use crate::clock::Clock;
use crate::db::Db;

/// Where the stored key lives, for the log line and the docs.
pub const STORED_IN: &str = "the database table secret_key";

/// Supplies the stored key when none is configured. Attach after `Db::init()`.
pub fn fairing(clock: Clock) -> AdHoc {
    AdHoc::try_on_ignite("secret key", |rocket| async move {
        // A configuration that cannot be read fails at ignition with its own message.
        let configured = rocket::Config::try_from(rocket.figment())
            .map(|config| config.secret_key.is_provided())
            .unwrap_or(true);
        if configured {
            tracing::info!("secret key: the configured one (ROCKET_SECRET_KEY or Rocket.toml)");
            return Ok(rocket);
        }
        let Some(db) = rocket.state::<Db>() else {
            return Err(rocket);
        };
        let stored = match db.acquire().await {
            Ok(mut conn) => {
                crate::db::secret_key::get_or_insert(&mut conn, &generate(), clock.now()).await
            }
            Err(error) => Err(error),
        };
        match stored {
            Ok((key, created)) => {
                tracing::info!(
                    "secret key: {} {STORED_IN}, shared by every process on it; \
                     set ROCKET_SECRET_KEY (e.g. `openssl rand -base64 32`) to use your own",
                    if created {
                        "made one and stored it in"
                    } else {
                        "read from"
                    }
                );
                let figment = rocket
                    .figment()
                    .clone()
                    .merge(Serialized::global("secret_key", key));
                Ok(rocket.configure(figment))
            }
            Err(error) => {
                tracing::error!(%error, "cannot read or store the secret key in the database");
                Err(rocket)
            }
        }
    })
}

/// A fresh 256-bit key, base64 as `ROCKET_SECRET_KEY` takes it.
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_are_256_bit_and_differ() {
        let (a, b) = (generate(), generate());
        assert_ne!(a, b);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&a)
            .expect("base64");
        assert_eq!(bytes.len(), 32);
    }
}
