//! Two-factor sign-in from a client's side: an authenticator app computed
//! here from the secret the server showed (RFC 6238 with `totp-rs`), on a
//! pinned clock so every code falls in a known time step.

use rocket::http::Status;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;
use totp_rs::{Algorithm, Secret, TOTP};

use super::TestApp;

/// Ten seconds into a time step: a step boundary is never crossed by accident.
pub const PINNED_AT: OffsetDateTime = datetime!(2030-01-01 00:00:10 UTC);

/// The code an authenticator app shows for `secret` (base32, spaces
/// allowed) at `at`.
pub fn totp_code(secret: &str, at: OffsetDateTime) -> String {
    let secret: String = secret.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = Secret::Encoded(secret).to_bytes().expect("a base32 secret");
    let totp = TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes, None, String::new()).expect("TOTP");
    totp.generate(at.unix_timestamp() as u64)
}

impl TestApp {
    /// Pins this app's clock (see [`PINNED_AT`]).
    pub fn pin_clock(&self) {
        self.clock.pin(PINNED_AT);
    }

    /// The app's code for `secret`, `steps` time steps from now.
    pub fn code_in(&self, secret: &str, steps: i64) -> String {
        totp_code(
            secret,
            self.clock.now() + time::Duration::seconds(30 * steps),
        )
    }

    /// Turns two-factor sign-in on for the logged-in client through the
    /// API; returns the secret and the recovery codes. The clock then moves
    /// to the next step, so the next code is not a replay of this one.
    pub async fn enable_mfa(&self) -> (String, Vec<String>) {
        let (status, enrolment) = self.post_json("/api/me/mfa", &json!({})).await;
        assert_eq!(status, Status::Ok, "{enrolment}");
        let secret = enrolment["secret"].as_str().expect("secret").to_owned();
        let code = self.code_in(&secret, 0);
        let (status, body) = self
            .post_json("/api/me/mfa/confirm", &json!({ "code": code }))
            .await;
        assert_eq!(status, Status::Ok, "{body}");
        let codes = body["recovery_codes"]
            .as_array()
            .expect("recovery codes")
            .iter()
            .map(|c| c.as_str().expect("a code").to_owned())
            .collect();
        self.clock.advance(30);
        (secret, codes)
    }

    /// The password step of an account with a second factor: asserts the
    /// 401 with `mfa_required` and returns the `mfa_token`.
    pub async fn password_step(&self, login: &str) -> String {
        let (status, body) = self.login_api(login, super::PASSWORD).await;
        assert_eq!(status, Status::Unauthorized, "{body}");
        assert_eq!(body["mfa_required"], json!(true), "{body}");
        body["mfa_token"].as_str().expect("mfa_token").to_owned()
    }

    /// `POST /api/auth/login/code`.
    pub async fn code_step(&self, mfa_token: &str, code: &str) -> (Status, Value) {
        self.post_json(
            "/api/auth/login/code",
            &json!({ "mfa_token": mfa_token, "code": code }),
        )
        .await
    }
}
