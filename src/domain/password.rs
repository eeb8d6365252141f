use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;

use crate::i18n::Msg;

/// The most common passwords, lower-cased; see `common_passwords.SOURCE.md`.
static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../auth/common_passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect()
});

/// What a new password must not equal.
#[derive(Debug, Clone, Copy, Default)]
pub struct PasswordContext<'a> {
    pub username: Option<&'a str>,
    pub email: Option<&'a str>,
}

/// A new password that meets the policy (NIST SP 800-63B): 8–128 characters,
/// not a common password, not the username or e-mail.
///
/// `Debug` never shows the value, so a stray `{:?}` cannot log it.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub const MIN_LEN: usize = 8;
    pub const MAX_LEN: usize = 128;

    pub fn parse(raw: &str, context: PasswordContext<'_>) -> Result<Self, Msg> {
        let len = raw.chars().count();
        if len < Self::MIN_LEN {
            return Err(Msg::new("too-short").arg("min", Self::MIN_LEN));
        }
        if len > Self::MAX_LEN {
            return Err(Msg::new("too-long").arg("max", Self::MAX_LEN));
        }
        let folded = raw.to_lowercase();
        if COMMON_PASSWORDS.contains(folded.as_str()) {
            return Err(Msg::new("password-common"));
        }
        let equals = |other: Option<&str>| other.is_some_and(|o| o.trim().to_lowercase() == folded);
        if equals(context.username) {
            return Err(Msg::new("password-is-username"));
        }
        if equals(context.email) {
            return Err(Msg::new("password-is-email"));
        }
        Ok(Password(raw.to_owned()))
    }

    /// The secret itself, for hashing only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// How many entries the common-password list holds.
    pub fn common_list_len() -> usize {
        COMMON_PASSWORDS.len()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<Password, Msg> {
        Password::parse(raw, PasswordContext::default())
    }

    #[test]
    fn enforces_length_in_characters() {
        assert!(parse("Xq7-v9p").is_err());
        assert!(parse("Xq7-v9pL").is_ok());
        assert!(parse(&"ñ".repeat(128)).is_ok());
        assert!(parse(&"ñ".repeat(129)).is_err());
    }

    #[test]
    fn ships_a_large_common_list() {
        assert!(
            Password::common_list_len() >= 10_000,
            "{}",
            Password::common_list_len()
        );
    }

    #[test]
    fn rejects_common_passwords_in_any_case() {
        assert!(parse("password").is_err());
        assert!(parse("PassWord1").is_err() || parse("Password").is_err());
        assert!(parse("12345678").is_err());
        assert!(parse("iloveyou").is_err());
    }

    #[test]
    fn rejects_username_and_email() {
        let context = PasswordContext {
            username: Some("longusername"),
            email: Some("someone@example.com"),
        };
        assert!(Password::parse("LongUserName", context).is_err());
        assert!(Password::parse("Someone@Example.com", context).is_err());
        assert!(Password::parse("a fine passphrase", context).is_ok());
    }

    #[test]
    fn debug_hides_the_secret() {
        let password = parse("a fine passphrase").unwrap();
        assert!(!format!("{password:?}").contains("fine"));
    }
}
