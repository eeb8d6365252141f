//! argon2id hashing and verification, always off the async workers.

use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::config::AppConfig;
use crate::domain::Password;
use crate::error::{AppError, AppResult};

/// Hashes and verifies passwords with argon2id.
///
/// Each hash holds `argon2_memory_kib` of memory and one core for tens of
/// milliseconds, so work runs in `spawn_blocking` behind a semaphore sized to
/// the CPUs: a burst of logins queues instead of exhausting memory.
#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    permits: Arc<Semaphore>,
    /// A hash of a random password made with the current parameters at start.
    /// Unknown accounts are verified against it, so they cost what a wrong
    /// password costs and timing does not reveal which accounts exist.
    dummy_hash: Arc<str>,
}

impl PasswordHasher {
    pub fn new(config: &AppConfig) -> Result<Self, String> {
        let params = Params::new(
            config.argon2_memory_kib,
            config.argon2_iterations,
            config.argon2_parallelism,
            None,
        )
        .map_err(|e| format!("invalid argon2 parameters: {e}"))?;
        let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
        let random: [u8; 16] = rand::random();
        let dummy_hash = hash_with(&params, &hex::encode(random))
            .map_err(|e| format!("cannot compute the dummy hash: {e}"))?;
        Ok(PasswordHasher {
            params,
            permits: Arc::new(Semaphore::new(cpus)),
            dummy_hash: dummy_hash.into(),
        })
    }

    /// A PHC string for a new password.
    pub async fn hash(&self, password: &Password) -> AppResult<String> {
        let secret = password.expose().to_owned();
        let params = self.params.clone();
        self.run(move || hash_with(&params, &secret).map_err(AppError::internal))
            .await?
    }

    /// Checks a candidate against a stored hash, or against the dummy hash
    /// when there is none; `false` in the second case whatever the input.
    pub async fn verify(&self, candidate: &str, stored: Option<&str>) -> AppResult<bool> {
        let exists = stored.is_some();
        let hash = stored.map_or_else(|| self.dummy_hash.to_string(), str::to_owned);
        let candidate = candidate.to_owned();
        let matches = self
            .run(move || match PasswordHash::new(&hash) {
                Ok(parsed) => Argon2::default()
                    .verify_password(candidate.as_bytes(), &parsed)
                    .is_ok(),
                Err(_) => false,
            })
            .await?;
        Ok(exists && matches)
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> AppResult<T> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(AppError::internal)?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(AppError::internal)
    }
}

/// A synchronous argon2id hash, for start-up and the CLI's demo seed.
pub fn hash_with(params: &Params, secret: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    Ok(argon2.hash_password(secret.as_bytes(), &salt)?.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PasswordContext;

    fn cheap() -> PasswordHasher {
        let config = AppConfig {
            argon2_memory_kib: 1024,
            argon2_iterations: 1,
            ..AppConfig::default()
        };
        PasswordHasher::new(&config).unwrap()
    }

    #[tokio::test]
    async fn hashes_verify_and_use_argon2id() {
        let hasher = cheap();
        let password =
            Password::parse("correct horse battery", PasswordContext::default()).unwrap();
        let hash = hasher.hash(&password).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"), "{hash}");
        assert!(
            hasher
                .verify("correct horse battery", Some(&hash))
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify("wrong horse battery", Some(&hash))
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn unknown_accounts_never_verify() {
        let hasher = cheap();
        assert!(!hasher.verify("anything at all", None).await.unwrap());
        assert!(!hasher.verify("x", Some("not a phc string")).await.unwrap());
    }

    #[test]
    fn default_parameters_are_owasp() {
        let hasher = PasswordHasher::new(&AppConfig::default()).unwrap();
        assert!(
            hasher
                .dummy_hash
                .starts_with("$argon2id$v=19$m=19456,t=2,p=1$")
        );
    }
}
