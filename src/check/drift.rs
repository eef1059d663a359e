//! Drift: fields the response has but the documented schema does not name.

use serde_json::Value;

/// Pointers of undocumented fields, walking the schema's `properties`, `items` and
/// `additionalProperties` (an object that states `additionalProperties` documents its keys).
pub fn undocumented(schema: &Value, instance: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(schema, instance, String::new(), &mut out);
    out
}

fn walk(schema: &Value, instance: &Value, pointer: String, out: &mut Vec<String>) {
    match instance {
        Value::Object(obj) => {
            let props = schema.get("properties").and_then(Value::as_object);
            let additional = schema.get("additionalProperties");
            for (k, v) in obj {
                let child = crate::pointer::child(&pointer, k);
                match (props.and_then(|p| p.get(k)), additional) {
                    (Some(s), _) => walk(s, v, child, out),
                    (None, Some(a)) if a.is_object() => walk(a, v, child, out),
                    (None, Some(_)) => {}
                    (None, None) if props.is_some() => out.push(child),
                    (None, None) => {}
                }
            }
        }
        Value::Array(items) => {
            if let Some(s) = schema.get("items") {
                for (i, v) in items.iter().enumerate() {
                    walk(s, v, format!("{pointer}/{i}"), out);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn undocumented_fields_are_found_at_any_depth() {
        let schema = json!({"type": "object", "properties": {"snapshot": {"type": "object", "properties": {"id": {}, "metadata": {"type": "object"}}}}});
        let body =
            json!({"snapshot": {"id": "x", "extra": 1, "metadata": {"free": "form"}}, "top": true});
        assert_eq!(
            undocumented(&schema, &body),
            vec!["/snapshot/extra", "/top"]
        );
    }

    #[test]
    fn maps_and_envelopes_document_their_keys() {
        let envelope = json!({"additionalProperties": {"type": "object", "properties": {"message": {}, "code": {}}}});
        assert!(undocumented(
            &envelope,
            &json!({"badRequest": {"message": "m", "code": "c"}})
        )
        .is_empty());
        assert_eq!(
            undocumented(
                &envelope,
                &json!({"badRequest": {"message": "m", "code": "c", "x": 1}})
            ),
            vec!["/badRequest/x"]
        );
    }
}
