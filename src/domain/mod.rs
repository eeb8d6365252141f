//! Validated values. Each type's `parse` is its only constructor, so code
//! past the request edge never holds an unchecked username, e-mail or password.
//! Errors name the field, so one failure feeds a page's message under the
//! input and the API's `errors[]` alike.

pub mod email;
mod password;
mod person;
mod product;
mod role;
mod username;

pub use email::Email;
pub use password::{Password, PasswordContext};
pub use person::{OptionalText, PersonName, Phone};
pub use product::{
    ProductName, Sku, parse_description, parse_price_cents, parse_quantity, parse_stock,
};
pub use role::Role;
pub use username::Username;

use schemars::JsonSchema;
use serde::Serialize;

use crate::i18n::{Lang, Msg};

/// One problem with one input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct FieldError {
    /// The input's name, as in the form or JSON body (`username`, `email`, …).
    pub field: String,
    /// What is wrong, as a stable code (`username-length`, `email-invalid`, …;
    /// `invalid` when there is no finer one). Unlike `message`, it does
    /// not change with the language.
    pub code: String,
    /// The problem in words, in the request's language (`Accept-Language`).
    pub message: String,
    #[serde(skip)]
    #[schemars(skip)]
    msg: Msg,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<Msg>) -> Self {
        let msg = message.into();
        FieldError {
            field: field.into(),
            code: msg.code().to_owned(),
            message: msg.to_string(),
            msg,
        }
    }

    /// The same problem, reported under another field name.
    pub fn for_field(self, field: &str) -> FieldError {
        FieldError {
            field: field.to_owned(),
            ..self
        }
    }

    /// What is wrong, not yet in words.
    pub fn msg(&self) -> &Msg {
        &self.msg
    }

    /// The same error with its message in `lang`.
    pub fn localized(&self, lang: Lang) -> FieldError {
        FieldError {
            message: self.msg.render(lang),
            ..self.clone()
        }
    }
}

/// Collects field errors so a form reports every problem at once.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: &str, message: impl Into<Msg>) -> Self {
        FieldErrors(vec![FieldError::new(field, message)])
    }

    pub fn add(&mut self, error: FieldError) {
        self.0.push(error);
    }

    pub fn push(&mut self, field: &str, message: impl Into<Msg>) {
        self.0.push(FieldError::new(field, message));
    }

    /// Keeps the value when it parsed, records the message under `field` otherwise.
    pub fn check<T, M: Into<Msg>>(&mut self, field: &str, result: Result<T, M>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.push(field, message);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }

    pub fn as_slice(&self) -> &[FieldError] {
        &self.0
    }

    /// `Ok(())` when nothing was recorded.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
}

fn has_control_chars(text: &str) -> bool {
    text.chars().any(char::is_control)
}
