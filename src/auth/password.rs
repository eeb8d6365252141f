//! argon2id hashing and verification, on threads of their own.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::oneshot;

use crate::config::AppConfig;
use crate::domain::Password;
use crate::error::{AppError, AppResult};

/// Hashes and verifies passwords with argon2id.
///
/// Each hash holds one core and `argon2_memory_kib` of memory for tens of
/// milliseconds. The work goes to a pool of its own, one thread per CPU fed
/// from one FIFO queue: a burst of logins waits its turn instead of
/// exhausting memory, both cores hash without pause while logins are
/// waiting, and nothing else (file reads, other blocking calls in tokio's
/// blocking pool) competes for these threads. Each thread keeps its argon2
/// memory between hashes, sparing a 19 MiB allocation, and the page faults
/// that come with it, per login.
#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    pool: Arc<HashPool>,
    /// A hash of a random password made with the current parameters at start.
    /// Unknown accounts are verified against it, so they cost what a wrong
    /// password costs and timing does not reveal which accounts exist.
    dummy_hash: Arc<str>,
}

/// Work for a hashing thread, given the thread's argon2 memory.
type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

/// The hashing threads and their queue; the threads end once the last
/// clone of the hasher is dropped (the queue's sender with it).
struct HashPool {
    queue: Mutex<mpsc::Sender<Job>>,
}

impl HashPool {
    fn start(threads: usize) -> std::io::Result<HashPool> {
        let (sender, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..threads {
            let receiver = Arc::clone(&receiver);
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || {
                    let mut memory = Vec::new();
                    loop {
                        // The lock is held only while waiting for the next job.
                        let job = match receiver.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(&mut memory),
                            Err(_) => return,
                        }
                    }
                })?;
        }
        Ok(HashPool {
            queue: Mutex::new(sender),
        })
    }

    /// Runs `work` on a hashing thread once one is free; waits without
    /// holding an async worker.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> AppResult<T> {
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move |memory| {
            // The waiter may be gone (a cancelled request): nothing to tell.
            let _ = done.send(work(memory));
        });
        self.queue
            .lock()
            .map_err(|_| AppError::internal("the hashing queue is poisoned"))?
            .send(job)
            .map_err(AppError::internal)?;
        result.await.map_err(AppError::internal)
    }
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
        let pool = HashPool::start(cpus)
            .map_err(|e| format!("cannot start the password hashing threads: {e}"))?;
        Ok(PasswordHasher {
            params,
            pool: Arc::new(pool),
            dummy_hash: dummy_hash.into(),
        })
    }

    /// A PHC string for a new password.
    pub async fn hash(&self, password: &Password) -> AppResult<String> {
        let secret = password.expose().to_owned();
        let params = self.params.clone();
        self.pool
            .run(move |memory| hash_in(&params, &secret, memory).map_err(AppError::internal))
            .await?
    }

    /// Checks a candidate against a stored hash, or against the dummy hash
    /// when there is none; `false` in the second case whatever the input.
    pub async fn verify(&self, candidate: &str, stored: Option<&str>) -> AppResult<bool> {
        let exists = stored.is_some();
        let hash = stored.map_or_else(|| self.dummy_hash.to_string(), str::to_owned);
        let candidate = candidate.to_owned();
        let matches = self
            .pool
            .run(move |memory| verify_in(&candidate, &hash, memory))
            .await?;
        Ok(exists && matches)
    }
}

/// A synchronous argon2id hash, for start-up and the CLI's demo seed.
pub fn hash_with(params: &Params, secret: &str) -> Result<String, argon2::password_hash::Error> {
    hash_in(params, secret, &mut Vec::new())
}

/// An argon2id PHC string for `secret`, computed in `memory` (grown to the
/// parameters' size when smaller).
fn hash_in(
    params: &Params,
    secret: &str,
    memory: &mut Vec<Block>,
) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let output = Output::init_with(
        params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN),
        |out| {
            Ok(argon2.hash_password_into_with_memory(
                secret.as_bytes(),
                salt_bytes,
                out,
                blocks(memory, params),
            )?)
        },
    )?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: params.try_into()?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

/// Whether `candidate` is the password behind the PHC string `stored`,
/// computed with the stored hash's own algorithm, version and parameters;
/// false for anything unparsable. The comparison is constant-time.
fn verify_in(candidate: &str, stored: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let computed = Output::init_with(expected.len(), |out| {
        Ok(argon2.hash_password_into_with_memory(
            candidate.as_bytes(),
            salt_bytes,
            out,
            blocks(memory, &params),
        )?)
    });
    computed.is_ok_and(|computed| computed == expected)
}

/// The first `params.block_count()` blocks of `memory`, growing it if needed.
/// Stale contents are harmless: argon2 overwrites every block it reads.
fn blocks<'m>(memory: &'m mut Vec<Block>, params: &Params) -> &'m mut [Block] {
    let needed = params.block_count();
    if memory.len() < needed {
        memory.resize(needed, Block::default());
    }
    &mut memory[..needed]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PasswordContext;
    use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};

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
    fn reused_memory_gives_the_reference_hashes() {
        // Hashes made in a shared buffer verify with the stock argon2 code,
        // and hashes made by the stock code verify here, whatever the buffer
        // held before (a larger hash's leftovers included).
        let big = Params::new(4096, 1, 1, None).unwrap();
        let small = Params::new(1024, 2, 1, None).unwrap();
        let mut memory = Vec::new();
        let first = hash_in(&big, "first secret", &mut memory).unwrap();
        let second = hash_in(&small, "second secret", &mut memory).unwrap();
        assert_eq!(memory.len(), big.block_count());
        for (hash, secret) in [(&first, "first secret"), (&second, "second secret")] {
            let parsed = PasswordHash::new(hash).unwrap();
            assert!(
                Argon2::default()
                    .verify_password(secret.as_bytes(), &parsed)
                    .is_ok()
            );
        }
        let salt = SaltString::generate(&mut OsRng);
        let stock = Argon2::new(Algorithm::Argon2i, Version::V0x10, small.clone())
            .hash_password(b"old scheme", &salt)
            .unwrap()
            .to_string();
        assert!(verify_in("old scheme", &stock, &mut memory));
        assert!(!verify_in("old schemE", &stock, &mut memory));
        assert!(verify_in("first secret", &first, &mut memory));
        assert!(!verify_in("second secret", &first, &mut memory));
    }

    #[test]
    fn malformed_hashes_never_verify() {
        let mut memory = Vec::new();
        let good = hash_in(&Params::new(1024, 1, 1, None).unwrap(), "pw", &mut memory).unwrap();
        let without_hash = good.rsplit_once('$').unwrap().0.to_owned();
        for stored in [
            "",
            "$argon2id$v=19$m=1024,t=1,p=1",
            without_hash.as_str(),
            &good.replace("$argon2id$", "$scrypt$"),
            &good.replace("v=19", "v=7"),
            &good.replace("m=1024", "m=1"),
        ] {
            assert!(!verify_in("pw", stored, &mut memory), "{stored}");
        }
    }

    #[tokio::test]
    async fn a_burst_is_queued_and_every_caller_answered() {
        let hasher = cheap();
        let password = Password::parse("a burst of logins", PasswordContext::default()).unwrap();
        let hash = hasher.hash(&password).await.unwrap();
        let checks = (0..16).map(|n| {
            let hasher = hasher.clone();
            let hash = hash.clone();
            tokio::spawn(async move {
                let candidate = if n % 2 == 0 {
                    "a burst of logins"
                } else {
                    "wrong"
                };
                hasher.verify(candidate, Some(&hash)).await.unwrap() == (n % 2 == 0)
            })
        });
        for check in checks {
            assert!(check.await.unwrap());
        }
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
