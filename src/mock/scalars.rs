//! Whether an echoed request value is one the response schema allows where it is copied (its
//! enum, pattern, format, lengths, bounds), for the contract tier. Each constrained schema of the
//! contract's success answers is compiled once, on first use: compiling a validator for every
//! echoed field was most of a create's cost in the tier.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

/// Keywords that constrain a scalar; a schema with none of them allows any value of its type.
const CONSTRAINTS: [&str; 8] = [
    "x-maxBytes",
    "enum",
    "pattern",
    "format",
    "maxLength",
    "minLength",
    "maximum",
    "minimum",
];

/// Validators of the constrained schemas under some roots, by address: the roots are borrowed
/// from a contract the tier holds, unchanged, for as long as it holds these. A schema from
/// elsewhere is compiled when asked about, as before.
#[derive(Default)]
pub struct Scalars {
    /// Schema address → its validator, once compiled (None: it does not compile, and allows
    /// everything).
    compiled: HashMap<usize, OnceLock<Option<jsonschema::Validator>>>,
}

impl std::fmt::Debug for Scalars {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Scalars({} schemas)", self.compiled.len())
    }
}

fn constrained(schema: &Value) -> bool {
    CONSTRAINTS.iter().any(|k| schema.get(*k).is_some())
}

fn address(schema: &Value) -> usize {
    std::ptr::from_ref(schema) as usize
}

impl Scalars {
    /// The constrained schemas under these roots, found as the echo walks them (through
    /// `properties` and `items`); none is compiled yet.
    pub fn of<'a>(roots: impl IntoIterator<Item = &'a Value>) -> Scalars {
        fn walk(schema: &Value, out: &mut HashMap<usize, OnceLock<Option<jsonschema::Validator>>>) {
            if constrained(schema) {
                out.entry(address(schema)).or_default();
            }
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                props.values().for_each(|s| walk(s, out));
            }
            if let Some(items) = schema.get("items") {
                walk(items, out);
            }
        }
        let mut compiled = HashMap::new();
        roots.into_iter().for_each(|r| walk(r, &mut compiled));
        Scalars { compiled }
    }

    /// Whether a (small, scalar) schema allows a value; a schema that does not compile allows it.
    pub fn allows(&self, schema: &Value, v: &Value) -> bool {
        if !constrained(schema) {
            return true;
        }
        // The byte limit is conform's own keyword, which the validator does not know.
        let over_bytes = schema
            .get("x-maxBytes")
            .and_then(Value::as_u64)
            .zip(v.as_str())
            .is_some_and(|(max, s)| s.len() as u64 > max);
        if over_bytes {
            return false;
        }
        let valid = |val: &jsonschema::Validator| val.is_valid(v);
        match self.compiled.get(&address(schema)) {
            Some(cell) => cell
                .get_or_init(|| jsonschema::validator_for(schema).ok())
                .as_ref()
                .is_none_or(valid),
            None => jsonschema::validator_for(schema)
                .ok()
                .as_ref()
                .is_none_or(valid),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn known_schemas_compile_once_and_others_still_answer() {
        let root = json!({"properties": {
            "state": {"type": "string", "enum": ["ACTIVE", "DOWN"]},
            "name": {"type": "string"},
            "pools": {"items": {"type": "string", "pattern": "^p-"}},
            "bad": {"type": "string", "pattern": "("}
        }});
        let scalars = Scalars::of([&root]);
        assert_eq!(scalars.compiled.len(), 3, "{scalars:?}");
        let state = &root["properties"]["state"];
        assert!(scalars.allows(state, &json!("DOWN")));
        assert!(!scalars.allows(state, &json!("weird")));
        let cell = &scalars.compiled[&address(state)];
        assert!(
            cell.get().is_some_and(Option::is_some),
            "compiled once, kept"
        );
        let item = &root["properties"]["pools"]["items"];
        assert!(!scalars.allows(item, &json!("x")));
        assert!(scalars.allows(&root["properties"]["name"], &json!("anything")));
        // A byte limit counts UTF-8 bytes: 3 characters of 3 bytes are over 8.
        let bytes = json!({"type": "string", "x-maxBytes": 8});
        assert!(!scalars.allows(&bytes, &json!("字字字")));
        assert!(scalars.allows(&bytes, &json!("字字")));
        assert!(
            scalars.allows(&root["properties"]["bad"], &json!("x")),
            "does not compile"
        );
        let elsewhere = json!({"maximum": 3});
        assert!(!scalars.allows(&elsewhere, &json!(4)));
        assert!(scalars.allows(&elsewhere, &json!(3)));
    }
}
