//! The contract tier's check of a request's query parameters against the operation's: a
//! required one missing, a value that is not of the documented type, or one outside the
//! documented enum, range, length or format is refused, as a real service refuses it. Names
//! the contract does not declare pass: services ignore parameters they do not know, and so do
//! the lists' filters.

use serde_json::Value;

use super::scalars::Scalars;
use crate::contract::QueryParam;

/// A query string's (name, value) pairs, decoded as forms are (`%XX`, `+` a space), in order.
pub fn pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default()
}

/// Why the query's `pairs` break the operation's parameters, or None when they keep to them.
pub fn refusal(
    declared: &[QueryParam],
    pairs: &[(String, String)],
    scalars: &Scalars,
) -> Option<String> {
    for param in declared {
        let mut values = pairs
            .iter()
            .filter(|(k, _)| *k == param.name)
            .map(|(_, v)| v.as_str())
            .peekable();
        if values.peek().is_none() {
            if param.required {
                return Some(format!("query parameter '{}' is required", param.name));
            }
            continue;
        }
        // A list-typed parameter is sent repeated or comma-separated; each value is one item.
        let (schema, split) = match param.schema.get("items") {
            Some(items) if types(&param.schema).contains(&"array") => (items, true),
            _ => (&param.schema, false),
        };
        let mut count = 0u64;
        for raw in values {
            let items: Vec<&str> = if split {
                raw.split(',').collect()
            } else {
                vec![raw]
            };
            count += items.len() as u64;
            for item in items {
                let Some(value) = typed(schema, item) else {
                    return Some(format!(
                        "query parameter '{}': '{item}' is not {}",
                        param.name,
                        types(schema).join(" or ")
                    ));
                };
                if !scalars.allows(schema, &value) {
                    return Some(format!(
                        "query parameter '{}': '{item}' breaks its contract ({})",
                        param.name,
                        limits(schema)
                    ));
                }
            }
        }
        let bound = |k: &str| param.schema.get(k).and_then(Value::as_u64);
        if split
            && (bound("maxItems").is_some_and(|n| count > n)
                || bound("minItems").is_some_and(|n| count < n))
        {
            return Some(format!(
                "query parameter '{}': {count} items break its contract ({})",
                param.name,
                limits(&param.schema)
            ));
        }
    }
    None
}

/// The schema's `type`, one name or several.
fn types(schema: &Value) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The query text as the JSON value of the first type it reads as, or None when it reads as
/// none of the stated types (an untyped parameter is a string).
fn typed(schema: &Value, text: &str) -> Option<Value> {
    let stated = types(schema);
    if stated.is_empty() {
        return Some(Value::String(text.to_string()));
    }
    stated.iter().find_map(|t| match *t {
        "integer" => text.parse::<i64>().ok().map(Value::from),
        "number" => text
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(Value::from),
        "boolean" => match text {
            "true" | "True" | "TRUE" => Some(Value::Bool(true)),
            "false" | "False" | "FALSE" => Some(Value::Bool(false)),
            _ => None,
        },
        "string" => Some(Value::String(text.to_string())),
        _ => None,
    })
}

/// The schema's constraints, as the refusal names them (`minimum: 0, maximum: 100`).
fn limits(schema: &Value) -> String {
    [
        "enum",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "pattern",
        "format",
        "minItems",
        "maxItems",
    ]
    .iter()
    .filter_map(|k| schema.get(*k).map(|v| format!("{k}: {v}")))
    .collect::<Vec<_>>()
    .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params() -> Vec<QueryParam> {
        let q = |name: &str, required: bool, schema: Value| QueryParam {
            name: name.into(),
            required,
            schema,
        };
        vec![
            q(
                "limit",
                false,
                json!({"type": "integer", "minimum": 0, "maximum": 100}),
            ),
            q(
                "status",
                false,
                json!({"type": "string", "enum": ["ACTIVE", "DOWN"]}),
            ),
            q("marker", true, json!({"type": "string", "maxLength": 8})),
            q(
                "ids",
                false,
                json!({"type": "array", "items": {"type": "string", "maxLength": 3}, "maxItems": 3}),
            ),
            q("detail", false, json!({"type": "boolean"})),
        ]
    }

    fn check(query: &str) -> Option<String> {
        let declared = params();
        let scalars = Scalars::of(declared.iter().map(|q| &q.schema));
        refusal(&declared, &pairs(Some(query)), &scalars)
    }

    #[test]
    fn a_query_within_the_contract_passes() {
        for ok in [
            "marker=m",
            "marker=m&limit=0&limit=100",
            "marker=m&status=ACTIVE&status=DOWN",
            "marker=m&ids=a,bb&ids=ccc",
            "marker=m&detail=true&unknown=anything",
            "marker=a%20b",
        ] {
            assert_eq!(check(ok), None, "{ok}");
        }
    }

    #[test]
    fn each_breach_is_refused_naming_the_parameter() {
        for (bad, says) in [
            ("limit=1", "'marker' is required"),
            (
                "marker=m&limit=101",
                "'limit': '101' breaks its contract (minimum: 0, maximum: 100)",
            ),
            ("marker=m&limit=-1", "'limit': '-1' breaks"),
            ("marker=m&limit=ten", "'limit': 'ten' is not integer"),
            (
                "marker=m&status=GONE",
                "'status': 'GONE' breaks its contract (enum",
            ),
            ("marker=123456789", "'marker': '123456789' breaks"),
            ("marker=m&ids=a,long", "'ids': 'long' breaks"),
            // Items are counted across repeated and comma-separated values.
            (
                "marker=m&ids=a,b&ids=c,d",
                "'ids': 4 items break its contract",
            ),
            ("marker=m&detail=yes", "'detail': 'yes' is not boolean"),
        ] {
            let got = check(bad).unwrap_or_default();
            assert!(got.contains(says), "{bad}: {got}");
        }
    }

    #[test]
    fn no_query_passes_unless_a_parameter_is_required() {
        let declared = params();
        let scalars = Scalars::default();
        assert!(refusal(&declared, &[], &scalars).is_some());
        assert_eq!(refusal(&declared[..2], &[], &scalars), None);
    }
}
