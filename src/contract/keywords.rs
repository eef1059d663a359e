//! The `x-maxBytes` keyword: a length limit in UTF-8 bytes.
//!
//! The reference pages state some limits in bytes ("最大支持255个字节"); JSON Schema's
//! `maxLength` counts characters, so byte limits get a keyword of their own.

use jsonschema::paths::Location;
use jsonschema::{Keyword, ValidationError};
use serde_json::{Map, Value};

/// The keyword's name in derived schemas.
pub const MAX_BYTES: &str = "x-maxBytes";

struct MaxBytes {
    limit: u64,
}

impl<'i> Keyword<'i> for MaxBytes {
    fn validate(&self, instance: &'i Value) -> Result<(), ValidationError<'i>> {
        match instance {
            Value::String(s) if s.len() as u64 > self.limit => {
                Err(ValidationError::custom(format!(
                    "{} bytes is longer than the maximum of {} UTF-8 bytes",
                    s.len(),
                    self.limit
                )))
            }
            _ => Ok(()),
        }
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        match instance {
            Value::String(s) => s.len() as u64 <= self.limit,
            _ => true,
        }
    }
}

/// Builds the keyword from its schema value; the value must be a non-negative integer.
pub fn max_bytes_factory<'a>(
    _parent: &'a Map<String, Value>,
    value: &'a Value,
    _location: Location,
) -> Result<Box<dyn for<'i> Keyword<'i>>, ValidationError<'a>> {
    match value.as_u64() {
        Some(limit) => Ok(Box::new(MaxBytes { limit })),
        None => Err(ValidationError::schema(
            "x-maxBytes must be a non-negative integer",
        )),
    }
}

/// Compiles a schema with conform's keywords registered.
pub fn compile(schema: &Value) -> Result<jsonschema::Validator, String> {
    jsonschema::options()
        .with_keyword(MAX_BYTES, max_bytes_factory)
        .build(schema)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn byte_limit_counts_utf8_bytes_not_characters() {
        let v = compile(&json!({"type": "string", "x-maxBytes": 255})).unwrap();
        assert!(v.is_valid(&json!("字".repeat(85))));
        assert!(!v.is_valid(&json!("字".repeat(86))));
        assert!(v.is_valid(&json!("a".repeat(255))));
        let long = json!("字".repeat(86));
        let errors: Vec<_> = v.iter_errors(&long).collect();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].to_string().contains("258 bytes"));
    }

    #[test]
    fn a_bad_limit_is_a_schema_error() {
        assert!(compile(&json!({"x-maxBytes": "many"})).is_err());
    }
}
