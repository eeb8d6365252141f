use std::fmt;

use crate::i18n::Msg;

/// A login name: 3–32 of `a-z 0-9 _ . -`, stored lower-case.
///
/// Input is lower-cased before it is checked, so `Alice` and `alice` are the
/// same name and collide on sign-up.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    pub const MIN_LEN: usize = 3;
    pub const MAX_LEN: usize = 32;

    pub fn parse(raw: &str) -> Result<Self, Msg> {
        let name = raw.trim().to_lowercase();
        if name.is_empty() {
            return Err(Msg::new("username-required"));
        }
        let len = name.chars().count();
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&len) {
            return Err(Msg::new("username-length")
                .arg("min", Self::MIN_LEN)
                .arg("max", Self::MAX_LEN));
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'))
        {
            return Err(Msg::new("username-characters"));
        }
        Ok(Username(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Username;

    #[test]
    fn lower_cases_and_trims() {
        assert_eq!(Username::parse("  Alice_01 ").unwrap().as_str(), "alice_01");
    }

    #[test]
    fn accepts_the_allowed_alphabet() {
        assert!(Username::parse("a.b-c_9").is_ok());
    }

    #[test]
    fn enforces_length() {
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("abc").is_ok());
        assert!(Username::parse(&"a".repeat(32)).is_ok());
        assert!(Username::parse(&"a".repeat(33)).is_err());
        assert!(Username::parse("").is_err());
    }

    #[test]
    fn rejects_other_characters() {
        for bad in [
            "al ice", "alice!", "ali@ce", "émile", "a'; drop", "<b>x</b>",
        ] {
            assert!(Username::parse(bad).is_err(), "{bad} was accepted");
        }
    }
}
