//! Updates that name the field they change in the body: a body of exactly two fields, an
//! enumerated `X_key` and its `X_value` (SCM's certificate update sends `modify_key: CERT_NAME`
//! with `modify_value`), sets the item's field the key names, in lower case (`cert_name`).
//! The generator checks such an update by the field a read shows, and the contract tier stores
//! it there.

use serde_json::{Map, Value};

/// The pair of an update's request schema: the key field, the fields its enumeration names
/// (`CERT_NAME`), and the value field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    /// The field naming what changes (`modify_key`).
    pub key: String,
    /// The values the key may take, as the request sends them (`CERT_NAME`, `DESCRIPTION`).
    pub names: Vec<String>,
    /// The field holding the new value (`modify_value`).
    pub value: String,
}

impl KeyValue {
    /// The pair in a request schema: an object of exactly two properties, a string `X_key`
    /// with an enumeration and a string `X_value`; any other shape is none.
    pub fn of(schema: &Value) -> Option<KeyValue> {
        let props = schema.get("properties")?.as_object()?;
        if props.len() != 2 {
            return None;
        }
        let (key, key_schema) = props.iter().find(|(k, _)| k.ends_with("_key"))?;
        let value = format!("{}_value", key.strip_suffix("_key")?);
        let string = |s: &Value| s.get("type").and_then(Value::as_str) == Some("string");
        if !string(key_schema) || !props.get(&value).is_some_and(string) {
            return None;
        }
        let names: Vec<String> = key_schema
            .get("enum")?
            .as_array()?
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        (!names.is_empty()).then(|| KeyValue {
            key: key.clone(),
            names,
            value,
        })
    }

    /// The item's field a key value names: the value in lower case (`CERT_NAME` → `cert_name`).
    pub fn field(name: &str) -> String {
        name.to_ascii_lowercase()
    }

    /// The body setting `name`'s field to `value`.
    pub fn body(&self, name: &str, value: Value) -> Value {
        let mut o = Map::new();
        o.insert(self.key.clone(), Value::String(name.to_string()));
        o.insert(self.value.clone(), value);
        Value::Object(o)
    }

    /// An update body as the item's fields: `{cert_name: v}` for `{modify_key: CERT_NAME,
    /// modify_value: v}`. None where the body does not name one of the key's values.
    pub fn as_fields(&self, body: &Value) -> Option<Value> {
        let name = body.get(&self.key)?.as_str()?;
        if !self.names.iter().any(|n| n == name) {
            return None;
        }
        let value = body.get(&self.value)?.clone();
        let mut o = Map::new();
        o.insert(KeyValue::field(name), value);
        Some(Value::Object(o))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// An enumerated `modify_key` beside a string `modify_value` is the pair; a third field,
    /// a key without an enumeration or a value of another stem is not.
    #[test]
    fn a_key_and_its_value_make_the_pair() {
        let s = json!({"type": "string"});
        let pair = json!({"properties": {
            "modify_key": {"type": "string", "enum": ["CERT_NAME", "DESCRIPTION"]},
            "modify_value": s,
        }});
        let kv = KeyValue::of(&pair).expect("a pair");
        assert_eq!(kv.key, "modify_key");
        assert_eq!(kv.value, "modify_value");
        assert_eq!(kv.names, ["CERT_NAME", "DESCRIPTION"]);
        let body = kv.body("CERT_NAME", json!("new"));
        assert_eq!(
            body,
            json!({"modify_key": "CERT_NAME", "modify_value": "new"})
        );
        assert_eq!(kv.as_fields(&body), Some(json!({"cert_name": "new"})));
        assert_eq!(
            kv.as_fields(&json!({"modify_key": "OTHER", "modify_value": "x"})),
            None
        );
        let mut third = pair.clone();
        third["properties"]["name"] = s.clone();
        assert_eq!(KeyValue::of(&third), None);
        let mut open = pair.clone();
        open["properties"]["modify_key"] = s.clone();
        assert_eq!(KeyValue::of(&open), None);
        let other = json!({"properties": {
            "modify_key": {"type": "string", "enum": ["A"]},
            "new_value": s,
        }});
        assert_eq!(KeyValue::of(&other), None);
    }
}
