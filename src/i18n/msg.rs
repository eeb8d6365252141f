//! A message not yet put into words: what the domain and the services
//! return (an id of the .ftl files with its arguments), written in the
//! request's language at the edge. The id doubles as the stable `code`
//! the API reports beside each field error.

use std::borrow::Cow;
use std::fmt;

use super::{Arg, Lang};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    id: Cow<'static, str>,
    args: Vec<(&'static str, Arg)>,
    /// Text from code not yet given a message id: shown as it is, in
    /// every language.
    literal: bool,
    /// Translated, yet reported under the generic code `invalid`.
    generic_code: bool,
}

impl Msg {
    pub fn new(id: &'static str) -> Self {
        Msg {
            id: Cow::Borrowed(id),
            args: Vec::new(),
            literal: false,
            generic_code: false,
        }
    }

    /// Keeps the API `code` at `invalid`: for messages the API reported
    /// under that code before they were translated, so clients that
    /// match on it see no change.
    pub fn reported_as_invalid(mut self) -> Self {
        self.generic_code = true;
        self
    }

    /// Adds the argument `$name`.
    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    /// The stable code: the message id (`invalid` for a literal text).
    pub fn code(&self) -> &str {
        if self.literal || self.generic_code {
            "invalid"
        } else {
            &self.id
        }
    }

    pub fn render(&self, lang: Lang) -> String {
        if self.literal {
            return self.id.clone().into_owned();
        }
        lang.t_with(&self.id, &self.args)
    }
}

impl From<&str> for Msg {
    fn from(text: &str) -> Self {
        Msg {
            id: Cow::Owned(text.to_owned()),
            args: Vec::new(),
            literal: true,
            generic_code: false,
        }
    }
}

impl From<String> for Msg {
    fn from(text: String) -> Self {
        Msg {
            id: Cow::Owned(text),
            args: Vec::new(),
            literal: true,
            generic_code: false,
        }
    }
}

/// In English: logs, the command line, and tests that read messages.
impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

impl Msg {
    /// Whether the English text contains `part` (for tests and callers
    /// that used to search the message string).
    pub fn contains(&self, part: &str) -> bool {
        self.to_string().contains(part)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_renders_per_language_and_a_literal_as_it_is() {
        let msg = Msg::new("throttled-minutes").arg("minutes", 2_i64);
        assert_eq!(msg.code(), "throttled-minutes");
        assert!(msg.render(Lang::Es).starts_with("Demasiados"));
        assert_eq!(
            msg.to_string(),
            "Too many failed attempts. Try again in 2 minutes."
        );
        let literal = Msg::from("Plain text.");
        assert_eq!(literal.code(), "invalid");
        assert_eq!(literal.render(Lang::Es), "Plain text.");
        assert!(literal.contains("Plain"));
        let generic = Msg::new("quantity-range")
            .arg("max", 1000_i64)
            .reported_as_invalid();
        assert_eq!(generic.code(), "invalid");
        assert!(generic.render(Lang::Es).starts_with("Una cantidad"));
    }
}
