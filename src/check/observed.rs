//! Observed coverage: which documented rules one request and its answer exercised, judged from
//! the traffic itself rather than from a case's tags. A request exercises a limit when a value
//! sits at it or past it; a type, a closed list or a pattern whenever a value is sent there
//! (each value is checked against them, inside or outside); a required field when its object
//! is sent without it; an answer
//! exercises the success status it carries, an unknown id's rule when it is the documented 404,
//! the auth rule when it is a 401. Pure: the same exchange gives the same rule ids.

use serde_json::Value;

use crate::contract::rules::{self, Constraint};
use crate::contract::{Contract, Operation, SchemaKind};

/// One exchange, as the runner saw it.
#[derive(Debug, Clone, Copy)]
pub struct Exchange<'a> {
    /// The request body, when it was JSON.
    pub request: Option<&'a Value>,
    /// Each resource path parameter with whether its value is another project's (the target
    /// names such ids `other_project_…`).
    pub foreign_ids: &'a [(String, bool)],
    /// The status that came back.
    pub status: u16,
}

/// The ids of the rules of `op` this exchange exercised, in rule order, each once.
pub fn exercised(contract: &Contract, op: &Operation, x: &Exchange<'_>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut hit = |target: &str, c: Constraint| {
        let id = rules::rule_id(&op.id, target, &c);
        if !out.contains(&id) {
            out.push(id);
        }
    };
    if op.success.contains(&x.status) {
        hit(&format!("status/{}", x.status), Constraint::Success);
    }
    if x.status == 401 {
        hit("auth", Constraint::Auth);
    }
    if x.status == 404 {
        for (param, foreign) in x.foreign_ids {
            hit(&format!("path/{param}"), Constraint::Exists);
            if *foreign {
                hit(&format!("path/{param}"), Constraint::Isolation);
            }
        }
    }
    let (Some(schema), Some(body)) = (contract.schema(&op.id, SchemaKind::Request), x.request)
    else {
        return out;
    };
    hit("body", Constraint::Type);
    // A body map bound to a path parameter (one metadata item) is checked against it on every
    // request that sends the map.
    if let Some((param, parents)) = rules::bound_param(op, Some(schema)) {
        let at = format!("/{}", parents.join("/"));
        if values_at(body, &at).iter().any(Value::is_object) {
            hit(&format!("path/{param}"), Constraint::Binding);
        }
    }
    for site in rules::every_site(schema) {
        let values = values_at(body, &site.pointer);
        if site.required && values.is_empty() && parent_present(body, &site.pointer) {
            hit(&site.pointer, Constraint::Required);
        }
        for (c, _) in rules::constraints_of(site.schema) {
            if values.iter().any(|v| exercises(&c, site.schema, v)) {
                hit(&site.pointer, c);
            }
        }
    }
    out
}

/// Whether a value exercises a constraint of its schema: at or past a limit, and any value
/// for a type, a closed list or a pattern.
fn exercises(c: &Constraint, schema: &Value, v: &Value) -> bool {
    let limit = |k: &str| schema.get(k).and_then(Value::as_f64);
    match c {
        // Every value sent is checked against these, whether it fits or not.
        Constraint::Type | Constraint::Enum | Constraint::Pattern => true,
        Constraint::MaxBytes => v
            .as_str()
            .zip(limit("x-maxBytes"))
            .is_some_and(|(s, n)| s.len() as f64 >= n),
        Constraint::MaxLength => v
            .as_str()
            .zip(limit("maxLength"))
            .is_some_and(|(s, n)| s.chars().count() as f64 >= n),
        Constraint::MinLength => v
            .as_str()
            .zip(limit("minLength"))
            .is_some_and(|(s, n)| (s.chars().count() as f64) <= n),
        Constraint::Minimum => v
            .as_f64()
            .zip(limit("minimum"))
            .is_some_and(|(x, n)| x <= n),
        Constraint::Maximum => v
            .as_f64()
            .zip(limit("maximum"))
            .is_some_and(|(x, n)| x >= n),
        _ => false,
    }
}

/// The values a rule pointer names in a body: `*` takes every entry of a map or list, `{key}`
/// the keys of a map (as strings).
fn values_at(body: &Value, pointer: &str) -> Vec<Value> {
    let mut here = vec![body.clone()];
    for raw in pointer.split('/').skip(1) {
        let token = crate::pointer::unescape(raw);
        let token: &str = &token;
        let mut next = Vec::new();
        for v in &here {
            match (token, v) {
                ("*", Value::Object(m)) => next.extend(m.values().cloned()),
                ("*", Value::Array(a)) => next.extend(a.iter().cloned()),
                ("{key}", Value::Object(m)) => {
                    next.extend(m.keys().map(|k| Value::String(k.clone())));
                }
                (name, Value::Object(m)) => next.extend(m.get(name).cloned()),
                _ => {}
            }
        }
        here = next;
    }
    here
}

/// Whether the object that would hold the pointer's last field was sent.
fn parent_present(body: &Value, pointer: &str) -> bool {
    match pointer.rsplit_once('/') {
        Some((parent, _)) if !parent.is_empty() => {
            values_at(body, parent).iter().any(Value::is_object)
        }
        _ => body.is_object(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contract() -> Contract {
        Contract::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas"))
            .expect("the committed contract loads")
    }

    fn seen(op: &str, body: Value, status: u16, ids: &[(String, bool)]) -> Vec<String> {
        let c = contract();
        let op = c.operation(op).expect("a seed operation").clone();
        exercised(
            &c,
            &op,
            &Exchange {
                request: Some(&body),
                foreign_ids: ids,
                status,
            },
        )
    }

    #[test]
    fn limits_count_at_and_past_them_and_not_below() {
        let op = "evs.update_snapshot.v2";
        let rule = "rule:evs.update_snapshot.v2:/snapshot/name:maxBytes";
        let name = |n: usize| serde_json::json!({"snapshot": {"name": "a".repeat(n)}});
        assert!(seen(op, name(255), 200, &[]).contains(&rule.to_string()));
        assert!(seen(op, name(256), 400, &[]).contains(&rule.to_string()));
        assert!(!seen(op, name(254), 200, &[]).contains(&rule.to_string()));
        // Multi-byte characters reach the byte limit before the character limit.
        let wide = serde_json::json!({"snapshot": {"name": "字".repeat(86)}});
        assert!(seen(op, wide, 400, &[]).contains(&rule.to_string()));
    }

    #[test]
    fn statuses_types_and_ids_come_from_the_exchange() {
        let op = "evs.update_snapshot.v2";
        let ok = seen(op, serde_json::json!({"snapshot": {"name": "x"}}), 200, &[]);
        assert!(ok.contains(&"rule:evs.update_snapshot.v2:status/200:status".to_string()));
        let typed = seen(op, serde_json::json!({"snapshot": {"name": 5}}), 400, &[]);
        assert!(typed.contains(&"rule:evs.update_snapshot.v2:/snapshot/name:type".to_string()));
        // A value of the right type is checked against it too.
        assert!(ok.contains(&"rule:evs.update_snapshot.v2:/snapshot/name:type".to_string()));
        assert!(!ok.contains(&"rule:evs.update_snapshot.v2:/snapshot/description:type".to_string()));
        let ids = [("snapshot_id".to_string(), true)];
        let missing = seen(
            op,
            serde_json::json!({"snapshot": {"name": "x"}}),
            404,
            &ids,
        );
        assert!(
            missing.contains(&"rule:evs.update_snapshot.v2:path/snapshot_id:exists".to_string())
        );
        assert!(
            missing.contains(&"rule:evs.update_snapshot.v2:path/snapshot_id:isolation".to_string())
        );
        assert!(!missing.iter().any(|r| r.ends_with(":status")));
    }

    #[test]
    fn pointers_reach_map_values_and_keys() {
        let body = serde_json::json!({"meta": {"k1": "v", "k2": 3}});
        assert_eq!(values_at(&body, "/meta/*").len(), 2);
        assert_eq!(
            values_at(&body, "/meta/{key}"),
            vec![Value::String("k1".into()), Value::String("k2".into())]
        );
        assert!(values_at(&body, "/nope/x").is_empty());
        assert!(parent_present(&body, "/meta/k1"));
        assert!(!parent_present(&body, "/other/x"));
    }
}
