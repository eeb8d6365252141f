//! Turning a JSON value into a request type with every problem named.
//! serde stops at the first error and accepts an array for a struct (as a
//! tuple of its fields); clients are better served by FastAPI's way: the
//! body must be an object, and a 422 lists each missing, unknown or
//! mistyped field at once.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use serde_path_to_error::Segment;

use crate::domain::{FieldError, FieldErrors};

/// At most this many problems are reported (and decoding attempts made).
const MAX_ERRORS: usize = 50;

/// Decodes `value` as `T`, or names every field that stops it.
pub fn decode<T: DeserializeOwned + JsonSchema>(value: Value) -> Result<T, FieldErrors> {
    let Value::Object(mut object) = value else {
        return Err(FieldErrors::single(
            "body",
            format!("Send a JSON object, not {}.", kind_of(&value)),
        ));
    };
    let mut errors: Vec<FieldError> = Vec::new();
    // Array elements dropped so far, so that later errors keep the index
    // the client sent: for each array, the original index of each element left.
    let mut kept: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    loop {
        let error = match serde_path_to_error::deserialize::<_, T>(Value::Object(object.clone())) {
            Ok(decoded) if errors.is_empty() => return Ok(decoded),
            Ok(_) => break,
            Err(error) => error,
        };
        let mut segments: Vec<Segment> = error.path().iter().cloned().collect();
        let message = error.inner().to_string();
        let (reason, missing) = if let Some(name) = quoted_after(&message, "missing field `") {
            segments.push(Segment::Map { key: name });
            ("This field is required.".to_owned(), true)
        } else if let Some(name) = quoted_after(&message, "unknown field `") {
            if segments.last().is_none_or(|last| !is_key(last, &name)) {
                segments.push(Segment::Map { key: name });
            }
            ("Unknown field.".to_owned(), false)
        } else {
            (explain(&message), false)
        };
        let name = render(&segments, &kept);
        if !errors.iter().any(|e| e.field == name) {
            errors.push(FieldError::new(name, reason));
        }
        if errors.len() >= MAX_ERRORS {
            break;
        }
        if missing && segments.len() == 1 {
            // serde reports only the first missing member; the schema knows them all.
            for required in required_fields::<T>() {
                if !object.contains_key(&required) && !errors.iter().any(|e| e.field == required) {
                    errors.push(FieldError::new(required, "This field is required."));
                }
            }
            break;
        }
        if !drop_culprit(&mut object, &segments, &mut kept) {
            break;
        }
    }
    Err(errors.into_iter().fold(FieldErrors::new(), |mut all, e| {
        all.push(&e.field, e.message);
        all
    }))
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn is_key(segment: &Segment, name: &str) -> bool {
    matches!(segment, Segment::Map { key } if key == name)
}

/// The name between the backquotes after `prefix` in serde's message.
fn quoted_after(message: &str, prefix: &str) -> Option<String> {
    let rest = message.strip_prefix(prefix)?;
    rest.split('`').next().map(str::to_owned)
}

/// serde's "invalid type: string \"x\", expected i64" without the value
/// (which may be a secret) and in words.
fn explain(message: &str) -> String {
    let Some((_, expected)) = message.split_once(", expected ") else {
        return "This value is not valid here.".to_owned();
    };
    let expected = match expected.trim() {
        "i64" | "i32" | "u64" | "u32" | "usize" => "a whole number",
        "a boolean" | "bool" => "true or false",
        "a string" => "a string",
        "a sequence" => "an array",
        other => return format!("Expected {}.", other.trim_end_matches('.')),
    };
    format!("Expected {expected}.")
}

/// `items[2].quantity`, with the indexes the client sent.
fn render(segments: &[Segment], kept: &BTreeMap<String, Vec<usize>>) -> String {
    let mut name = String::new();
    let mut parent: Option<&str> = None;
    for (depth, segment) in segments.iter().enumerate() {
        match segment {
            Segment::Map { key } => {
                if !name.is_empty() {
                    name.push('.');
                }
                name.push_str(key);
                parent = (depth == 0).then_some(key.as_str());
            }
            Segment::Seq { index } => {
                let original = parent
                    .and_then(|key| kept.get(key))
                    .and_then(|left| left.get(*index))
                    .copied()
                    .unwrap_or(*index);
                name.push_str(&format!("[{original}]"));
                parent = None;
            }
            Segment::Enum { variant } => {
                name.push('.');
                name.push_str(variant);
            }
            Segment::Unknown => {}
        }
    }
    if name.is_empty() {
        "body".to_owned()
    } else {
        name
    }
}

/// Removes what caused the last error so the next attempt can find the
/// next one: the element of a top-level array, else the top-level member.
/// `false` when there is nothing left to remove.
fn drop_culprit(
    object: &mut Map<String, Value>,
    segments: &[Segment],
    kept: &mut BTreeMap<String, Vec<usize>>,
) -> bool {
    let Some(Segment::Map { key }) = segments.first() else {
        return false;
    };
    if let (Some(Segment::Seq { index }), Some(Value::Array(items))) =
        (segments.get(1), object.get_mut(key))
        && *index < items.len()
    {
        items.remove(*index);
        let left = kept
            .entry(key.clone())
            .or_insert_with(|| (0..=items.len()).collect());
        if *index < left.len() {
            left.remove(*index);
        }
        return true;
    }
    object.remove(key).is_some()
}

fn required_fields<T: JsonSchema>() -> Vec<String> {
    let root = schemars::r#gen::SchemaSettings::openapi3()
        .into_generator()
        .into_root_schema_for::<T>();
    root.schema
        .object
        .map(|object| object.required.into_iter().collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)] // read through Debug only
    struct Line {
        id: i64,
        quantity: i64,
    }

    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Order {
        name: String,
        count: i64,
        #[serde(default)]
        note: Option<String>,
        lines: Vec<Line>,
    }

    fn fields(value: Value) -> Vec<(String, String)> {
        decode::<Order>(value)
            .expect_err("invalid")
            .into_vec()
            .into_iter()
            .map(|e| (e.field, e.message))
            .collect()
    }

    #[test]
    fn a_valid_object_decodes() {
        let order: Order =
            decode(json!({"name": "a", "count": 1, "lines": [{"id": 1, "quantity": 2}]}))
                .expect("valid");
        assert_eq!(order.lines.len(), 1);
    }

    #[test]
    fn only_objects_are_bodies() {
        for body in [json!(["a", 1, null, []]), json!(null), json!("x"), json!(3)] {
            let errors = fields(body);
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].0, "body");
            assert!(errors[0].1.starts_with("Send a JSON object"), "{errors:?}");
        }
    }

    #[test]
    fn every_missing_field_is_named() {
        let mut names: Vec<String> = fields(json!({})).into_iter().map(|e| e.0).collect();
        names.sort_unstable();
        assert_eq!(names, ["count", "lines", "name"]);
    }

    #[test]
    fn wrong_types_unknown_and_missing_fields_all_at_once() {
        let errors = fields(json!({
            "name": 5,
            "count": "three",
            "colour": "red",
            "lines": [
                {"id": 1, "quantity": 1},
                {"id": "x", "quantity": 1},
                {"id": 3},
                {"id": 4, "quantity": true},
            ],
        }));
        let message = |field: &str| {
            errors
                .iter()
                .find(|e| e.0 == field)
                .map(|e| e.1.as_str())
                .unwrap_or_default()
        };
        let mut names: Vec<&str> = errors.iter().map(|e| e.0.as_str()).collect();
        names.sort_unstable();
        assert_eq!(
            names,
            [
                "colour",
                "count",
                "lines[1].id",
                "lines[2].quantity",
                "lines[3].quantity",
                "name",
            ],
            "{errors:?}"
        );
        assert_eq!(message("name"), "Expected a string.");
        assert_eq!(message("count"), "Expected a whole number.");
        assert_eq!(message("colour"), "Unknown field.");
        assert_eq!(message("lines[2].quantity"), "This field is required.");
        // The value sent is never echoed (it could be a secret).
        assert!(errors.iter().all(|e| !e.1.contains("three")));
    }
}
