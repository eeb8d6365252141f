//! Keys for second-factor secrets, derived from the application's secret
//! key with HKDF-SHA-256 (one key per use, named by the `info` string).
//!
//! TOTP secrets are sealed with XChaCha20-Poly1305 (random 192-bit nonces,
//! so no counter has to be kept across processes), with the account id as
//! associated data: a sealed secret copied onto another account does not
//! open. Recovery codes are kept as HMAC-SHA-256 under a second key, so a
//! database dump alone allows no offline guessing of either.
//!
//! The application key reaches this module at ignition (it may come from
//! the database; see `secret_key.rs`), hence the `OnceLock`.

use std::sync::OnceLock;

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rocket::fairing::AdHoc;
use rocket::figment::value::Value;
use sha2::Sha256;

use crate::error::{AppError, AppResult};
use crate::state::AppState;

const NONCE_LEN: usize = 24;
const SALT: &[u8] = b"portero two-factor";

/// The derived keys. No `Debug`: they must never reach a log.
pub struct Keys {
    seal: XChaCha20Poly1305,
    recovery: [u8; 32],
}

impl Keys {
    /// Derives the keys from the application key's bytes.
    pub fn derive(app_key: &[u8]) -> Self {
        let hkdf = Hkdf::<Sha256>::new(Some(SALT), app_key);
        let mut seal = [0u8; 32];
        let mut recovery = [0u8; 32];
        // 32 bytes is far below HKDF-SHA-256's 8160-byte limit: cannot fail.
        let _ = hkdf.expand(b"totp secret seal v1", &mut seal);
        let _ = hkdf.expand(b"recovery code mac v1", &mut recovery);
        Keys {
            seal: XChaCha20Poly1305::new(&seal.into()),
            recovery,
        }
    }

    /// `nonce || ciphertext` of `secret`, bound to `user_id`.
    pub fn seal(&self, user_id: i64, secret: &[u8]) -> AppResult<Vec<u8>> {
        let nonce: [u8; NONCE_LEN] = rand::random();
        let aad = user_id.to_be_bytes();
        let sealed = self
            .seal
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: secret,
                    aad: &aad,
                },
            )
            .map_err(|_| AppError::Internal("cannot seal a TOTP secret".into()))?;
        let mut out = nonce.to_vec();
        out.extend(sealed);
        Ok(out)
    }

    /// The secret sealed for `user_id`; an error when the key changed or the
    /// row was tampered with.
    pub fn open(&self, user_id: i64, sealed: &[u8]) -> AppResult<Vec<u8>> {
        if sealed.len() <= NONCE_LEN {
            return Err(AppError::Internal(
                "a sealed TOTP secret is truncated".into(),
            ));
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let aad = user_id.to_be_bytes();
        self.seal
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| {
                AppError::Internal(
                    "a TOTP secret does not open: was the secret key changed? \
                     (reset the account's two-factor sign-in)"
                        .into(),
                )
            })
    }

    /// What the database keeps of a recovery code of `user_id`.
    pub fn recovery_hash(&self, user_id: i64, code: &str) -> Vec<u8> {
        // A 32-byte key is always accepted by HMAC.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.recovery)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(&user_id.to_be_bytes());
        mac.update(code.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

/// The keys of this process, set once at ignition.
#[derive(Default)]
pub struct Vault(OnceLock<Keys>);

impl Vault {
    pub fn keys(&self) -> AppResult<&Keys> {
        self.0
            .get()
            .ok_or_else(|| AppError::Internal("two-factor keys are not set".into()))
    }

    pub fn set(&self, keys: Keys) {
        let _ = self.0.set(keys);
    }
}

/// The bytes of the configured (or stored) secret key: base64 or hex text
/// as `ROCKET_SECRET_KEY` takes it, or an array of bytes.
fn key_bytes(value: &Value) -> Option<Vec<u8>> {
    match value {
        Value::String(_, text) => {
            let text = text.trim();
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .ok()
                .or_else(|| hex::decode(text).ok())
                .or_else(|| (!text.is_empty()).then(|| text.as_bytes().to_vec()))
        }
        Value::Array(_, items) => items
            .iter()
            .map(|item| item.to_u128().and_then(|n| u8::try_from(n).ok()))
            .collect(),
        _ => None,
    }
}

/// Derives the keys from the secret key once it is known. Attach after
/// the secret key's fairing.
pub fn fairing() -> AdHoc {
    AdHoc::try_on_ignite("two-factor keys", |rocket| async move {
        let bytes = rocket
            .figment()
            .find_value("secret_key")
            .ok()
            .and_then(|value| key_bytes(&value));
        match (bytes, rocket.state::<AppState>()) {
            (Some(bytes), Some(state)) => {
                state.vault.set(Keys::derive(&bytes));
                Ok(rocket)
            }
            (None, _) => {
                tracing::error!("no secret key to derive the two-factor keys from");
                Err(rocket)
            }
            (_, None) => Err(rocket),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_for_its_account_and_key() {
        let keys = Keys::derive(b"one application key of 32 bytes!");
        let sealed = keys.seal(7, b"twenty bytes secret!").expect("seal");
        assert_ne!(&sealed[NONCE_LEN..], b"twenty bytes secret!");
        assert_eq!(
            keys.open(7, &sealed).expect("open"),
            b"twenty bytes secret!"
        );
        assert!(keys.open(8, &sealed).is_err());
        assert!(keys.open(7, &sealed[..NONCE_LEN]).is_err());
        let other = Keys::derive(b"another application key, 32 byte");
        assert!(other.open(7, &sealed).is_err());
        // A fresh nonce each time.
        assert_ne!(
            keys.seal(7, b"x").expect("seal"),
            keys.seal(7, b"x").expect("seal")
        );
    }

    #[test]
    fn recovery_hashes_depend_on_key_account_and_code() {
        let keys = Keys::derive(b"k1");
        let a = keys.recovery_hash(1, "abcde-fghij");
        assert_eq!(a, keys.recovery_hash(1, "abcde-fghij"));
        assert_ne!(a, keys.recovery_hash(2, "abcde-fghij"));
        assert_ne!(a, keys.recovery_hash(1, "abcde-fghik"));
        assert_ne!(a, Keys::derive(b"k2").recovery_hash(1, "abcde-fghij"));
    }

    #[test]
    fn key_text_is_read_as_base64_hex_or_bytes() {
        let base64 = Value::from("AAEC");
        assert_eq!(key_bytes(&base64), Some(vec![0, 1, 2]));
        // Six characters cannot be padded base64.
        let hex = Value::from("0a0b0c");
        assert_eq!(key_bytes(&hex), Some(vec![10, 11, 12]));
        let array = Value::from(vec![1u8, 2, 3]);
        assert_eq!(key_bytes(&array), Some(vec![1, 2, 3]));
        assert_eq!(key_bytes(&Value::from(true)), None);
    }
}
