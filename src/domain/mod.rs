//! Validated values. Each type's `parse` is its only constructor, so code
//! past the request edge never holds an unchecked username, e-mail or password.
//! Errors name the field, so one failure feeds a page's message under the
//! input and the API's `errors[]` alike.

pub mod email;
mod password;
mod person;
pub mod product;
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

/// One problem with one input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct FieldError {
    /// The input's name, as in the form or JSON body (`username`, `email`, …).
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
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

    pub fn single(field: &str, message: impl Into<String>) -> Self {
        FieldErrors(vec![FieldError::new(field, message)])
    }

    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// Keeps the value when it parsed, records the message under `field` otherwise.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
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
