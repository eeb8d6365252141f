//! The JSON Schema of request fields, built from the constants the domain
//! parsers check, so the document states the limits the server enforces
//! and cannot drift from them. Used as `#[schemars(schema_with = "…")]`.
//!
//! Patterns are written for what a client may send: the parsers fold case
//! (usernames down, SKUs up) and trim surrounding whitespace, so a pattern
//! admits both cases; "no control characters" and "not blank" are spelled
//! out because JSON Schema has no words for them.

use std::ops::RangeInclusive;

use schemars::r#gen::SchemaGenerator;
use schemars::schema::{InstanceType, Metadata, NumberValidation, Schema, SchemaObject};
use serde_json::json;

use crate::domain::{
    Email, Password, PersonName, Phone, ProductName, Sku, Username, product, time_zone,
};
use crate::services::accounts::MAX_ADDRESS_LEN;

/// Control characters (Unicode `Cc`), which no one-line text may hold.
const CONTROL: &str = r"\x00-\x1f\x7f-\x9f";
/// What `str::trim` removes (Unicode `White_Space`), spelled out because
/// regex engines disagree on `\s`.
const SPACE: &str = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
/// Control characters other than tab, line feed and carriage return.
const CONTROL_BUT_LINES: &str = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f";

fn string(min: Option<usize>, max: Option<usize>, pattern: Option<String>) -> SchemaObject {
    let mut schema = SchemaObject {
        instance_type: Some(InstanceType::String.into()),
        ..SchemaObject::default()
    };
    let validation = schema.string();
    validation.min_length = min.and_then(|n| u32::try_from(n).ok());
    validation.max_length = max.and_then(|n| u32::try_from(n).ok());
    validation.pattern = pattern;
    schema
}

#[allow(clippy::cast_precision_loss)] // the bounds are far below 2^53
fn integer(range: RangeInclusive<i64>) -> Schema {
    Schema::Object(SchemaObject {
        instance_type: Some(InstanceType::Integer.into()),
        format: Some("int64".to_owned()),
        number: Some(Box::new(NumberValidation {
            minimum: Some(*range.start() as f64),
            maximum: Some(*range.end() as f64),
            ..NumberValidation::default()
        })),
        ..SchemaObject::default()
    })
}

fn with_description(mut schema: SchemaObject, description: &str) -> Schema {
    schema.metadata = Some(Box::new(Metadata {
        description: Some(description.to_owned()),
        ..Metadata::default()
    }));
    Schema::Object(schema)
}

/// `null` allowed too: it clears the value in a PATCH.
fn nullable(schema: Schema) -> Schema {
    match schema {
        Schema::Object(mut object) => {
            object.extensions.insert("nullable".to_owned(), json!(true));
            Schema::Object(object)
        }
        other => other,
    }
}

/// Text with at least one visible character and no control character.
fn one_line(max: usize) -> SchemaObject {
    string(
        Some(1),
        Some(max),
        Some(format!("^[^{CONTROL}]*[^{SPACE}{CONTROL}][^{CONTROL}]*$")),
    )
}

pub fn token_name(_: &mut SchemaGenerator) -> Schema {
    Schema::Object(one_line(crate::services::tokens::MAX_NAME_LEN))
}

pub fn username(_: &mut SchemaGenerator) -> Schema {
    let schema = string(
        None,
        None,
        Some(format!(
            "^[{SPACE}]*[{}]{{{},{}}}[{SPACE}]*$",
            Username::CHARS,
            Username::MIN_LEN,
            Username::MAX_LEN
        )),
    );
    with_description(
        schema,
        "Letters, digits, `_`, `.` and `-`; stored in lower case (`Alice` is `alice`).",
    )
}

/// ASCII addresses `Email::parse` accepts: a local part of atom characters
/// in dot-separated runs, and a domain of at least two DNS labels (letters,
/// digits, inner hyphens). The parser also takes longer dotless local parts
/// and non-ASCII addresses whose scripts are consistent, which no pattern
/// states.
pub fn email(_: &mut SchemaGenerator) -> Schema {
    const ATOM: &str = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]";
    const LABEL: &str = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    // At most MAX_LOCAL_LEN characters before the `@`: atoms with an
    // optional dot between each two (so at most half as many atoms).
    let pattern = format!(
        "^[{SPACE}]*{ATOM}(?:\\.?{ATOM}){{0,{more}}}@{LABEL}(?:\\.{LABEL})+[{SPACE}]*$",
        more = Email::MAX_LOCAL_LEN / 2 - 1
    );
    // No `format: email`: validators' idea of it differs from the parser's
    // (surrounding spaces, which the parser trims); the pattern is exact.
    let schema = string(None, Some(Email::MAX_LEN), Some(pattern));
    with_description(
        schema,
        "Stored in lower case, the domain in IDNA ASCII; look-alike spellings are refused.",
    )
}

/// `Idempotency-Key`: 1 to 255 visible ASCII characters.
pub fn idempotency_key() -> SchemaObject {
    string(
        None,
        None,
        Some(format!(
            "^[\\x21-\\x7e]{{1,{}}}$",
            crate::services::idempotency::MAX_KEY_LEN
        )),
    )
}

pub fn password(_: &mut SchemaGenerator) -> Schema {
    let schema = string(Some(Password::MIN_LEN), Some(Password::MAX_LEN), None);
    with_description(
        schema,
        "Not a common password, and not the username or e-mail address.",
    )
}

pub fn person_name(_: &mut SchemaGenerator) -> Schema {
    Schema::Object(one_line(PersonName::MAX_LEN))
}

pub fn address(_: &mut SchemaGenerator) -> Schema {
    let schema = string(
        None,
        Some(MAX_ADDRESS_LEN),
        Some(format!("^[^{CONTROL_BUT_LINES}\\t]*$")),
    );
    nullable(with_description(
        schema,
        "Several lines allowed; blank or `null` means none.",
    ))
}

pub fn phone(_: &mut SchemaGenerator) -> Schema {
    // At least five digits among spaces and `-().`, a `+` only first.
    let schema = string(
        None,
        Some(Phone::MAX_LEN),
        Some(format!(
            "^[{SPACE}]*(\\+?(?:[ ().-]*[0-9]){{5}}[0-9 ().-]*)?[{SPACE}]*$"
        )),
    );
    nullable(with_description(
        schema,
        "Digits with spaces and `+ - ( ) .`; blank or `null` means none.",
    ))
}

pub fn sku(_: &mut SchemaGenerator) -> Schema {
    let schema = string(
        None,
        None,
        Some(format!(
            "^[{SPACE}]*[{}]{{1,{}}}[{SPACE}]*$",
            Sku::CHARS,
            Sku::MAX_LEN
        )),
    );
    with_description(schema, "Unique; stored in upper case.")
}

/// One of the listed IANA names: the list is what the server accepts
/// (also in another letter case, which no enum can say), so generated
/// clients and contract tests offer exactly the profile's choices.
pub fn time_zone(_: &mut SchemaGenerator) -> Schema {
    let mut schema = string(None, None, None);
    schema.enum_values = Some(
        time_zone::choices()
            .iter()
            .map(|name| json!(name))
            .collect(),
    );
    with_description(
        schema,
        "The IANA time zone the pages show dates in (`Europe/Madrid`, `UTC`); stored as listed.",
    )
}

pub fn product_name(_: &mut SchemaGenerator) -> Schema {
    Schema::Object(one_line(ProductName::MAX_LEN))
}

pub fn description(_: &mut SchemaGenerator) -> Schema {
    Schema::Object(string(
        None,
        Some(product::DESCRIPTION_MAX_LEN),
        Some(format!("^[^{CONTROL_BUT_LINES}]*$")),
    ))
}

pub fn price_cents(_: &mut SchemaGenerator) -> Schema {
    integer(product::PRICE_CENTS)
}

pub fn stock(_: &mut SchemaGenerator) -> Schema {
    integer(product::STOCK)
}

pub fn quantity(_: &mut SchemaGenerator) -> Schema {
    integer(product::QUANTITY)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern_of(schema: Schema) -> String {
        match schema {
            Schema::Object(object) => object.string.and_then(|s| s.pattern).expect("a pattern"),
            Schema::Bool(_) => panic!("not an object"),
        }
    }

    #[test]
    fn patterns_are_built_from_the_parsers_limits() {
        let mut generator = SchemaGenerator::default();
        let username = pattern_of(username(&mut generator));
        assert!(username.contains("[A-Za-z0-9_.-]{3,32}"), "{username}");
        assert!(username.starts_with(&format!("^[{SPACE}]*")), "{username}");
        let sku = pattern_of(sku(&mut generator));
        assert!(sku.contains("[A-Za-z0-9_.-]{1,32}"), "{sku}");
        let Schema::Object(quantity) = quantity(&mut generator) else {
            panic!("not an object")
        };
        let number = quantity.number.expect("bounds");
        assert_eq!((number.minimum, number.maximum), (Some(1.0), Some(1000.0)));
    }
}
