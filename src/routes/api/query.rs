//! Query parameters under `/api`, read by the handler instead of by
//! Rocket. Rocket turns `Option<i64>` from `page=abc` into a silent `None`
//! (the default page); the contract wants a 422 naming the parameter, with
//! every bad parameter listed at once.

use std::marker::PhantomData;

use rocket::form::{self, DataField, FromForm, Options, ValueField};
use rocket_okapi::okapi::openapi3::{OpenApi, Parameter, ParameterValue};
use schemars::JsonSchema;
use schemars::r#gen::SchemaGenerator;
use schemars::schema::{InstanceType, Metadata, Schema, SchemaObject, StringValidation};
use serde_json::json;
use time::OffsetDateTime;

use crate::config::AppConfig;
use crate::db::users::UserSort;
use crate::domain::{FieldErrors, Role};
use crate::error::AppError;
use crate::routes::paging::{Paging, parse_instant};

/// The raw values given for one query parameter; `read` parses them.
/// Never fails as a guard, so a bad value reaches the handler and is
/// reported with the others.
pub struct Query<T> {
    values: Vec<String>,
    kind: PhantomData<fn() -> T>,
}

impl<T: QueryValue> Query<T> {
    /// The parsed value; `None` when absent, or when invalid (then the
    /// reason is recorded under `name`, so the caller must check `errors`).
    pub fn read(self, name: &str, errors: &mut FieldErrors) -> Option<T> {
        match self.values.as_slice() {
            [] => None,
            [one] => errors.check(name, T::parse(one)),
            _ => {
                errors.push(name, format!("Give `{name}` once."));
                None
            }
        }
    }
}

#[rocket::async_trait]
impl<'v, T: Send + 'static> FromForm<'v> for Query<T> {
    type Context = Vec<String>;

    fn init(_: Options) -> Self::Context {
        Vec::new()
    }

    fn push_value(values: &mut Self::Context, field: ValueField<'v>) {
        values.push(field.value.to_owned());
    }

    async fn push_data(_: &mut Self::Context, _: DataField<'v, '_>) {}

    fn finalize(values: Self::Context) -> form::Result<'v, Self> {
        Ok(Query {
            values,
            kind: PhantomData,
        })
    }
}

/// `page` and `per_page` of a list that takes no other parameter.
pub fn paging(
    page: Query<i64>,
    per_page: Query<i64>,
    config: &AppConfig,
) -> Result<Paging, AppError> {
    let mut errors = FieldErrors::new();
    let paging = read_paging(page, per_page, config, &mut errors);
    settle(errors, paging)
}

/// Reads `page` and `per_page` beside the caller's other parameters.
pub fn read_paging(
    page: Query<i64>,
    per_page: Query<i64>,
    config: &AppConfig,
    errors: &mut FieldErrors,
) -> Option<Paging> {
    let page = page.read("page", errors);
    let per_page = per_page.read("per_page", errors);
    Paging::check(page, per_page, config, errors)
}

/// The paging once every parameter was read: a 422 listing each bad one.
pub fn settle(errors: FieldErrors, paging: Option<Paging>) -> Result<Paging, AppError> {
    errors.into_result()?;
    paging.ok_or_else(|| AppError::internal("paging refused without a reason"))
}

/// A type a query parameter can hold: how it is parsed and documented.
pub trait QueryValue: Sized {
    fn parse(text: &str) -> Result<Self, String>;
    fn schema(generator: &mut SchemaGenerator) -> SchemaObject;
}

impl<T: QueryValue> JsonSchema for Query<T> {
    fn is_referenceable() -> bool {
        false
    }

    fn schema_name() -> String {
        "QueryParameter".to_owned()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut schema = T::schema(generator);
        // rocket_okapi marks a query parameter optional only when its
        // schema is nullable; `finish_spec` removes the flag again.
        schema.extensions.insert("nullable".to_owned(), json!(true));
        Schema::Object(schema)
    }
}

fn described(mut schema: SchemaObject, description: &str) -> SchemaObject {
    schema.metadata = Some(Box::new(Metadata {
        description: Some(description.to_owned()),
        ..Metadata::default()
    }));
    schema
}

fn typed(instance: InstanceType) -> SchemaObject {
    SchemaObject {
        instance_type: Some(instance.into()),
        ..SchemaObject::default()
    }
}

impl QueryValue for i64 {
    fn parse(text: &str) -> Result<Self, String> {
        text.parse().map_err(|_| {
            let digits = text.trim_start_matches(['-', '+']);
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                format!("Use a number from {} to {}.", i64::MIN, i64::MAX)
            } else {
                "Use a whole number.".to_owned()
            }
        })
    }

    fn schema(_: &mut SchemaGenerator) -> SchemaObject {
        SchemaObject {
            format: Some("int64".to_owned()),
            ..typed(InstanceType::Integer)
        }
    }
}

impl QueryValue for bool {
    fn parse(text: &str) -> Result<Self, String> {
        match text {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err("Use true or false.".to_owned()),
        }
    }

    fn schema(_: &mut SchemaGenerator) -> SchemaObject {
        typed(InstanceType::Boolean)
    }
}

impl QueryValue for Role {
    fn parse(text: &str) -> Result<Self, String> {
        text.parse()
    }

    fn schema(generator: &mut SchemaGenerator) -> SchemaObject {
        match Role::json_schema(generator) {
            Schema::Object(schema) => described(schema, "Only accounts with this role."),
            Schema::Bool(_) => typed(InstanceType::String),
        }
    }
}

impl QueryValue for UserSort {
    fn parse(text: &str) -> Result<Self, String> {
        UserSort::parse(text).ok_or_else(|| {
            let names: Vec<&str> = UserSort::ALL.iter().map(|sort| sort.as_str()).collect();
            format!("Sort by one of: {}.", names.join(", "))
        })
    }

    fn schema(_: &mut SchemaGenerator) -> SchemaObject {
        let schema = SchemaObject {
            enum_values: Some(UserSort::ALL.iter().map(|s| json!(s.as_str())).collect()),
            ..typed(InstanceType::String)
        };
        described(schema, "Order of the list; `_desc` reverses it.")
    }
}

impl QueryValue for OffsetDateTime {
    fn parse(text: &str) -> Result<Self, String> {
        parse_instant(text)
    }

    fn schema(_: &mut SchemaGenerator) -> SchemaObject {
        let format = |name: &str| {
            Schema::Object(SchemaObject {
                format: Some(name.to_owned()),
                ..typed(InstanceType::String)
            })
        };
        let schema = SchemaObject {
            subschemas: Some(Box::new(schemars::schema::SubschemaValidation {
                any_of: Some(vec![format("date"), format("date-time")]),
                ..Default::default()
            })),
            ..typed(InstanceType::String)
        };
        described(
            schema,
            "A date (`2026-11-27`, midnight UTC) or an RFC 3339 timestamp.",
        )
    }
}

/// Search text of at most `MAX` characters.
pub struct SearchText<const MAX: usize>(pub String);

impl<const MAX: usize> QueryValue for SearchText<MAX> {
    fn parse(text: &str) -> Result<Self, String> {
        if text.chars().count() > MAX {
            return Err(format!("Use at most {MAX} characters."));
        }
        Ok(SearchText(text.to_owned()))
    }

    fn schema(_: &mut SchemaGenerator) -> SchemaObject {
        let schema = SchemaObject {
            string: Some(Box::new(StringValidation {
                max_length: Some(u32::try_from(MAX).unwrap_or(u32::MAX)),
                ..StringValidation::default()
            })),
            ..typed(InstanceType::String)
        };
        described(
            schema,
            "Text found anywhere in the searched fields, ignoring case and accents.",
        )
    }
}

/// Last touches to the query parameters of the finished document: all are
/// optional (the `nullable` flag only told rocket_okapi so), and `page`
/// and `per_page` carry the configured limits.
pub fn finish_spec(spec: &mut OpenApi, config: Option<&AppConfig>) {
    for item in spec.paths.values_mut() {
        for operation in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            for parameter in &mut operation.parameters {
                if let rocket_okapi::okapi::openapi3::RefOr::Object(parameter) = parameter {
                    finish_parameter(parameter, config);
                }
            }
        }
    }
}

fn finish_parameter(parameter: &mut Parameter, config: Option<&AppConfig>) {
    if parameter.location != "query" {
        return;
    }
    let ParameterValue::Schema { schema, .. } = &mut parameter.value else {
        return;
    };
    schema.extensions.remove("nullable");
    let (max, description) = match parameter.name.as_str() {
        "page" => (config.map(|c| c.max_page), "Page number, from 1."),
        "per_page" => (
            config.map(|c| c.max_per_page),
            "Items per page (20 unless given).",
        ),
        _ => return,
    };
    let number = schema.number();
    number.minimum = Some(1.0);
    #[allow(clippy::cast_precision_loss)] // configured limits are small
    if let Some(max) = max {
        number.maximum = Some(max as f64);
    }
    parameter.description = Some(description.to_owned());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read<T: QueryValue>(values: &[&str]) -> (Option<T>, Vec<String>) {
        let query = Query::<T> {
            values: values.iter().map(|v| (*v).to_owned()).collect(),
            kind: PhantomData,
        };
        let mut errors = FieldErrors::new();
        let value = query.read("p", &mut errors);
        let messages = errors.into_vec().into_iter().map(|e| e.message).collect();
        (value, messages)
    }

    #[test]
    fn numbers_refuse_text_and_overflow_with_a_reason() {
        assert_eq!(read::<i64>(&["42"]).0, Some(42));
        assert_eq!(read::<i64>(&[]), (None, vec![]));
        assert_eq!(read::<i64>(&["abc"]).1, ["Use a whole number."]);
        assert!(read::<i64>(&["99999999999999999999"]).1[0].contains("9223372036854775807"));
        assert_eq!(read::<i64>(&["1", "2"]).1, ["Give `p` once."]);
    }

    #[test]
    fn booleans_sorts_roles_and_dates() {
        assert_eq!(read::<bool>(&["true"]).0, Some(true));
        assert_eq!(read::<bool>(&["yes"]).1, ["Use true or false."]);
        assert!(read::<UserSort>(&["bogus"]).1[0].contains("username_desc"));
        assert_eq!(read::<Role>(&["admin"]).0, Some(Role::Admin));
        assert_eq!(read::<Role>(&["superuser"]).1.len(), 1);
        assert!(read::<OffsetDateTime>(&["2026-11-27"]).0.is_some());
        assert_eq!(read::<OffsetDateTime>(&["2026-13-45"]).1.len(), 1);
        assert!(read::<SearchText<3>>(&["abcd"]).1[0].contains('3'));
        assert_eq!(
            read::<SearchText<3>>(&["abc"]).0.map(|s| s.0).as_deref(),
            Some("abc")
        );
    }
}
