//! Response-side drift over a whole run: which documented response fields no answer carried
//! (the page says it, the service never sent it) and which undocumented fields answers carried
//! (with how often). Fields are named by JSON pointers whose `*` stands for any array index or
//! map key. Pure: the caller feeds it the answers.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::contract::rules;

/// The fields a response schema documents, as pointers (`/snapshot/name`, `/snapshots/*/id`).
pub fn documented(schema: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk_schema(schema, String::new(), &mut out, 0);
    out
}

fn walk_schema(schema: &Value, at: String, out: &mut Vec<String>, depth: usize) {
    // Schemas are trees from pages; a bound keeps a malformed one from recursing far.
    if depth > 32 {
        return;
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (name, sub) in props {
            let p = crate::pointer::child(&at, name);
            out.push(p.clone());
            walk_schema(sub, p, out, depth + 1);
        }
    }
    // A list's items are not fields of their own (an answer carries `/list/*/id`, never
    // `/list/*`), but a map's values are: an answer carries `/meta/key1`.
    if let Some(sub) = schema.get("items").filter(|s| s.is_object()) {
        walk_schema(sub, format!("{at}/*"), out, depth + 1);
    }
    if let Some(sub) = schema.get("additionalProperties").filter(|s| s.is_object()) {
        out.push(format!("{at}/*"));
        walk_schema(sub, format!("{at}/*"), out, depth + 1);
    } else if !at.is_empty()
        && rules::declared_type(schema) == Some("object")
        && schema.get("properties").is_none()
        && schema.get("additionalProperties") != Some(&Value::Bool(false))
    {
        // An object whose fields the page does not list is free-form: its keys are the
        // user's (metadata, tags), not undocumented fields.
        out.push(format!("{at}/*"));
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        for sub in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            walk_schema(sub, at.clone(), out, depth + 1);
        }
    }
}

/// The fields an answer carried, as pointers with array indices written `*`.
pub fn carried(body: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk_value(body, String::new(), &mut out);
    out.sort();
    out.dedup();
    out
}

fn walk_value(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, sub) in m {
                let p = crate::pointer::child(&at, k);
                out.push(p.clone());
                walk_value(sub, p, out);
            }
        }
        Value::Array(a) => {
            for sub in a {
                walk_value(sub, format!("{at}/*"), out);
            }
        }
        _ => {}
    }
}

/// One operation's response drift over a run.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct FieldDrift {
    /// Answers with a JSON body of a documented success status that were looked at.
    pub answers: usize,
    /// Documented fields no answer carried.
    pub never_seen: Vec<String>,
    /// Undocumented fields answers carried, with how many answers did (only the outermost
    /// undocumented field of a subtree).
    pub undocumented: BTreeMap<String, usize>,
}

impl FieldDrift {
    /// Folds the answers to one operation in: the documented fields (of every success status)
    /// and each answer's body.
    pub fn of<'a>(
        documented: &[String],
        answers: impl IntoIterator<Item = &'a Value>,
    ) -> FieldDrift {
        let mut drift = FieldDrift::default();
        let mut seen = vec![false; documented.len()];
        for body in answers {
            drift.answers += 1;
            let fields = carried(body);
            for (i, d) in documented.iter().enumerate() {
                seen[i] |= fields.iter().any(|c| crate::pointer::matches(d, c));
            }
            let undocumented: Vec<&String> = fields
                .iter()
                .filter(|c| !documented.iter().any(|d| crate::pointer::matches(d, c)))
                .collect();
            for c in &undocumented {
                let nested = undocumented
                    .iter()
                    .any(|o| o.len() < c.len() && c.starts_with(&format!("{o}/")));
                if !nested {
                    *drift.undocumented.entry((*c).clone()).or_default() += 1;
                }
            }
        }
        if drift.answers > 0 {
            // A map's entries are the user's: an empty map leaves out nothing the page promised.
            drift.never_seen = documented
                .iter()
                .zip(&seen)
                .filter(|(d, s)| !**s && !d.ends_with("/*"))
                .map(|(d, _)| d.clone())
                .collect();
        }
        drift
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn documented_fields_never_carried_and_undocumented_ones_carried_are_told_apart() {
        let schema = json!({"type": "object", "properties": {
            "snapshot": {"type": "object", "properties": {
                "id": {"type": "string"},
                "updated_at": {"type": "string"},
                "metadata": {"type": "object", "additionalProperties": {"type": "string"}}
            }},
            "links": {"type": "array", "items": {"type": "object", "properties": {"href": {}}}},
            "tags": {"type": "object"}
        }});
        let docs = documented(&schema);
        assert!(docs.contains(&"/snapshot/metadata".to_string()));
        assert!(docs.contains(&"/links/*/href".to_string()));
        assert!(docs.contains(&"/snapshot/metadata/*".to_string()));
        assert!(
            docs.contains(&"/tags/*".to_string()),
            "a free-form object's keys are the user's"
        );
        let a = json!({"snapshot": {"id": "1", "metadata": {"k": "v"}, "extra": {"deep": 1}}});
        let b = json!({"snapshot": {"id": "2", "extra": {"deep": 2}}, "links": [{"href": "x"}], "tags": {"mine": "y"}});
        let drift = FieldDrift::of(&docs, [&a, &b]);
        assert_eq!(drift.answers, 2);
        assert_eq!(drift.never_seen, vec!["/snapshot/updated_at".to_string()]);
        assert_eq!(
            drift.undocumented,
            BTreeMap::from([("/snapshot/extra".to_string(), 2)]),
            "only the outermost undocumented field, counted per answer"
        );
        // No answer, no verdict on what was never seen.
        assert!(FieldDrift::of(&docs, []).never_seen.is_empty());
    }
}
