//! Time-based one-time passwords (RFC 6238: HMAC-SHA-1, 6 digits, 30-second
//! steps, one step of drift either way) with `totp-rs`, the enrolment QR
//! code as server-rendered SVG with `qrcode`, and recovery codes.

use qrcode::QrCode;
use qrcode::render::svg;
use rand::Rng;
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, TOTP};

use crate::error::{AppError, AppResult};

/// Digits of a code.
pub const DIGITS: usize = 6;
/// Seconds per time step.
pub const STEP: i64 = 30;
/// Bytes of a new secret: 160 bits, as RFC 4226 recommends.
pub const SECRET_BYTES: usize = 20;
/// The issuer authenticator apps show beside the account name.
pub const ISSUER: &str = "Portero";
/// Recovery codes issued at once.
pub const RECOVERY_CODES: usize = 10;

/// Characters of recovery codes: lower-case letters and digits without the
/// ones people confuse (0/o, 1/l/i).
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
/// Characters per recovery code (about 50 bits), shown as `xxxxx-xxxxx`.
const RECOVERY_LEN: usize = 10;

/// A fresh random secret.
pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; SECRET_BYTES];
    rand::thread_rng().fill(&mut secret[..]);
    secret
}

fn totp(secret: &[u8], account: &str) -> AppResult<TOTP> {
    TOTP::new(
        Algorithm::SHA1,
        DIGITS,
        1,
        STEP as u64,
        secret.to_vec(),
        Some(ISSUER.to_owned()),
        account.to_owned(),
    )
    .map_err(|error| AppError::Internal(format!("TOTP parameters: {error}")))
}

/// What an authenticator app needs: the secret in base32 (to type in) and
/// the `otpauth://` URI (the QR code's content).
pub fn provisioning(secret: &[u8], account: &str) -> AppResult<(String, String)> {
    let totp = totp(secret, account)?;
    Ok((totp.get_secret_base32(), totp.get_url()))
}

/// The QR code of `uri` as an inline `<svg>` element (no XML declaration),
/// with a title for screen readers.
pub fn qr_svg(uri: &str) -> AppResult<String> {
    let code =
        QrCode::new(uri.as_bytes()).map_err(|error| AppError::Internal(format!("QR: {error}")))?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    let start = image.find("<svg").unwrap_or(0);
    Ok(image[start..].replacen(
        "<svg ",
        "<svg role=\"img\" aria-label=\"QR code for your authenticator app\" ",
        1,
    ))
}

/// The time step of a Unix time.
pub fn step_of(unix_time: i64) -> i64 {
    unix_time.div_euclid(STEP)
}

/// The code of one time step.
pub fn code_at_step(secret: &[u8], step: i64) -> AppResult<String> {
    let totp = totp(secret, "")?;
    Ok(totp.generate((step.max(0) * STEP) as u64))
}

/// Whether `input` has the shape of a TOTP code (6 digits, spaces allowed).
pub fn looks_like_code(input: &str) -> bool {
    let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    digits.len() == DIGITS && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The step whose code is `input`: the current one, the one before or the
/// one after (clock drift), and only a step later than `after`, the last
/// one accepted, so a code is never accepted twice.
pub fn matching_step(
    secret: &[u8],
    input: &str,
    unix_time: i64,
    after: Option<i64>,
) -> AppResult<Option<i64>> {
    if !looks_like_code(input) {
        return Ok(None);
    }
    let input: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    let now = step_of(unix_time);
    let mut found = None;
    // Every candidate is computed and compared, so timing does not say which matched.
    for step in [now - 1, now, now + 1] {
        let code = code_at_step(secret, step)?;
        let same: bool = code.as_bytes().ct_eq(input.as_bytes()).into();
        if same && after.is_none_or(|last| step > last) {
            found = Some(step);
        }
    }
    Ok(found)
}

/// A fresh set of recovery codes, formatted as shown (`xxxxx-xxxxx`).
pub fn new_recovery_codes() -> Vec<String> {
    let mut rng = rand::thread_rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let chars: String = (0..RECOVERY_LEN)
                .map(|_| RECOVERY_ALPHABET[rng.gen_range(0..RECOVERY_ALPHABET.len())] as char)
                .collect();
            format!("{}-{}", &chars[..5], &chars[5..])
        })
        .collect()
}

/// A recovery code as typed (any case, spaces and dashes anywhere) in the
/// form it is hashed in, or `None` when it cannot be one.
pub fn normal_recovery_code(input: &str) -> Option<String> {
    let chars: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (chars.len() == RECOVERY_LEN && chars.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)))
        .then_some(chars)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 rows, last six digits.
    #[test]
    fn codes_match_the_rfc_test_vectors() {
        let secret = b"12345678901234567890";
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(code_at_step(secret, step_of(time)).expect("code"), code);
        }
    }

    #[test]
    fn one_step_of_drift_is_accepted_and_replays_are_not() {
        let secret = new_secret();
        let now = 1_700_000_015;
        let step = step_of(now);
        for drift in [-1, 0, 1] {
            let code = code_at_step(&secret, step + drift).expect("code");
            assert_eq!(
                matching_step(&secret, &code, now, None).expect("check"),
                Some(step + drift)
            );
            // Already used (or an older step used): refused.
            assert_eq!(
                matching_step(&secret, &code, now, Some(step + drift)).expect("check"),
                None
            );
        }
        for far in [-2, 2] {
            let code = code_at_step(&secret, step + far).expect("code");
            assert_eq!(
                matching_step(&secret, &code, now, None).expect("check"),
                None
            );
        }
        let spaced = code_at_step(&secret, step).expect("code");
        let spaced = format!("{} {}", &spaced[..3], &spaced[3..]);
        assert!(
            matching_step(&secret, &spaced, now, None)
                .expect("check")
                .is_some()
        );
        assert_eq!(
            matching_step(&secret, "12345x", now, None).expect("check"),
            None
        );
    }

    #[test]
    fn provisioning_names_the_issuer_and_account() {
        let (base32, uri) = provisioning(b"12345678901234567890", "alice").expect("uri");
        assert_eq!(base32, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert!(uri.starts_with("otpauth://totp/Portero:alice?"), "{uri}");
        assert!(
            uri.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
            "{uri}"
        );
        assert!(uri.contains("issuer=Portero"), "{uri}");
        let svg = qr_svg(&uri).expect("svg");
        assert!(svg.starts_with("<svg role=\"img\""), "{svg}");
        assert!(!svg.contains("<?xml") && !svg.contains("style"), "{svg}");
    }

    #[test]
    fn recovery_codes_are_distinct_and_read_back_however_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RECOVERY_CODES);
        let code = &codes[0];
        let normal = normal_recovery_code(code).expect("valid");
        assert_eq!(normal.len(), RECOVERY_LEN);
        assert_eq!(
            normal_recovery_code(&format!(" {} ", code.to_uppercase().replace('-', " "))),
            Some(normal)
        );
        assert_eq!(normal_recovery_code("abcde-fghi"), None);
        assert_eq!(normal_recovery_code("abcde-fgh0i"), None);
        assert!(!looks_like_code(code));
    }
}
