use super::has_control_chars;

use crate::i18n::Msg;

/// A first or last name: 1–64 characters, trimmed, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_LEN: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, Msg> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(Msg::new("required"));
        }
        if name.chars().count() > Self::MAX_LEN {
            return Err(Msg::new("too-long").arg("max", Self::MAX_LEN));
        }
        if has_control_chars(name) {
            return Err(Msg::new("control-characters"));
        }
        Ok(PersonName(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Optional free text such as a postal address: blank means "none".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionalText(Option<String>);

impl OptionalText {
    /// Parses text of at most `max` characters; newlines are allowed (addresses).
    pub fn parse(raw: Option<&str>, max: usize) -> Result<Self, Msg> {
        let text = raw.map(str::trim).filter(|text| !text.is_empty());
        if let Some(text) = text {
            if text.chars().count() > max {
                return Err(Msg::new("too-long").arg("max", max));
            }
            if text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\r')
            {
                return Err(Msg::new("control-characters"));
            }
        }
        Ok(OptionalText(text.map(str::to_owned)))
    }

    pub fn into_inner(self) -> Option<String> {
        self.0
    }
}

/// An optional phone number: digits with common separators, 5–32 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(Option<String>);

impl Phone {
    pub fn parse(raw: Option<&str>) -> Result<Self, Msg> {
        let Some(phone) = raw.map(str::trim).filter(|text| !text.is_empty()) else {
            return Ok(Phone(None));
        };
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        let allowed = phone
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || " -().".contains(c) || (c == '+' && i == 0));
        if !allowed || digits < 5 || phone.len() > 32 {
            return Err(Msg::new("phone-invalid"));
        }
        Ok(Phone(Some(phone.to_owned())))
    }

    pub fn into_inner(self) -> Option<String> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(PersonName::parse("  Ada ").unwrap().as_str(), "Ada");
        assert!(PersonName::parse("   ").is_err());
        assert!(PersonName::parse(&"x".repeat(64)).is_ok());
        assert!(PersonName::parse(&"x".repeat(65)).is_err());
        assert!(PersonName::parse("a\u{0}b").is_err());
        assert_eq!(
            PersonName::parse("O'Brien-Núñez").unwrap().as_str(),
            "O'Brien-Núñez"
        );
    }

    #[test]
    fn optional_text_blank_is_none() {
        assert_eq!(
            OptionalText::parse(Some("   "), 10).unwrap().into_inner(),
            None
        );
        assert_eq!(OptionalText::parse(None, 10).unwrap().into_inner(), None);
        assert_eq!(
            OptionalText::parse(Some("1 Main St\nTown"), 20)
                .unwrap()
                .into_inner()
                .as_deref(),
            Some("1 Main St\nTown")
        );
        assert!(OptionalText::parse(Some("abcdefghijk"), 10).is_err());
        assert!(OptionalText::parse(Some("a\u{7}b"), 10).is_err());
    }

    #[test]
    fn phones() {
        assert!(Phone::parse(Some("+34 600 123 456")).is_ok());
        assert!(Phone::parse(Some("(555) 123-4567")).is_ok());
        assert!(Phone::parse(Some("12-34")).is_err());
        assert!(Phone::parse(Some("555+1234")).is_err());
        assert!(Phone::parse(Some("call me")).is_err());
        assert_eq!(Phone::parse(Some("")).unwrap().into_inner(), None);
    }
}
