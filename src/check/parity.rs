//! Differential parity: the differences between two targets' answers to the same step, after
//! both were redacted (so ids and timestamps compare by role, not by value).

use serde_json::Value;

use super::{short, CheckKind, Finding, Severity};

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn finding(pointer: String, expected: String, actual: String, message: String) -> Finding {
    Finding {
        check: CheckKind::Parity,
        severity: Severity::Failure,
        pointer,
        expected,
        actual,
        message,
    }
}

/// Differences between the target's answer (`ours`) and the compare target's (`theirs`).
pub fn compare(
    ours_status: u16,
    ours: &Value,
    theirs_status: u16,
    theirs: &Value,
    compare_target: &str,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if ours_status != theirs_status {
        out.push(finding(
            String::new(),
            theirs_status.to_string(),
            ours_status.to_string(),
            format!("status differs from {compare_target}"),
        ));
    }
    walk(ours, theirs, String::new(), compare_target, &mut out);
    out
}

fn walk(ours: &Value, theirs: &Value, pointer: String, other: &str, out: &mut Vec<Finding>) {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, av) in a {
                let p = crate::pointer::child(&pointer, k);
                match b.get(k) {
                    Some(bv) => walk(av, bv, p, other, out),
                    None => out.push(finding(
                        p,
                        "(absent)".into(),
                        short(av),
                        format!("field only here, not in {other}"),
                    )),
                }
            }
            for (k, bv) in b.iter().filter(|(k, _)| !a.contains_key(*k)) {
                let p = crate::pointer::child(&pointer, k);
                out.push(finding(
                    p,
                    short(bv),
                    "(absent)".into(),
                    format!("field missing here, present in {other}"),
                ));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                out.push(finding(
                    pointer.clone(),
                    format!("{} items", b.len()),
                    format!("{} items", a.len()),
                    format!("array length differs from {other}"),
                ));
            }
            for (i, (av, bv)) in a.iter().zip(b).enumerate() {
                walk(av, bv, format!("{pointer}/{i}"), other, out);
            }
        }
        (a, b) if kind(a) != kind(b) => out.push(finding(
            pointer,
            format!("{} {}", kind(b), short(b)),
            format!("{} {}", kind(a), short(a)),
            format!("type differs from {other}"),
        )),
        (a, b) if a != b => out.push(finding(
            pointer,
            short(b),
            short(a),
            format!("value differs from {other}"),
        )),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn status_shape_type_and_value_differences() {
        let ours = json!({"snapshot": {"size": "1", "name": "a", "extra": 1, "list": [1, 2]}});
        let theirs = json!({"snapshot": {"size": 1, "name": "b", "gone": true, "list": [1]}});
        let f = compare(200, &ours, 201, &theirs, "mock");
        let msgs: Vec<(String, String)> = f
            .iter()
            .map(|f| (f.pointer.clone(), f.message.clone()))
            .collect();
        assert_eq!(
            msgs,
            vec![
                ("".into(), "status differs from mock".into()),
                (
                    "/snapshot/extra".into(),
                    "field only here, not in mock".into()
                ),
                (
                    "/snapshot/list".into(),
                    "array length differs from mock".into()
                ),
                ("/snapshot/name".into(), "value differs from mock".into()),
                ("/snapshot/size".into(), "type differs from mock".into()),
                (
                    "/snapshot/gone".into(),
                    "field missing here, present in mock".into()
                ),
            ]
        );
        assert!(compare(200, &json!({"a": [1]}), 200, &json!({"a": [1]}), "m").is_empty());
    }
}
