//! The case's own assertions on the body and headers.

use serde_json::Value;

use super::{short, CheckKind, Finding, Observed};
use crate::case::typed::Expect;

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Whether `item` contains `wanted`: an object holds each of the wanted fields (recursively),
/// an integer matches the string of its digits, anything else is equal.
fn contains(item: &Value, wanted: &Value) -> bool {
    match (item, wanted) {
        (Value::Object(i), Value::Object(w)) => w
            .iter()
            .all(|(k, wv)| i.get(k).is_some_and(|iv| contains(iv, wv))),
        // An integer id a create answered is the same id where a list shows it as a string
        // of its digits (AOM documents its rule id as a number made and a string listed).
        (Value::String(s), Value::Number(n)) | (Value::Number(n), Value::String(s))
            if n.is_i64() || n.is_u64() =>
        {
            *s == n.to_string()
        }
        _ => item == wanted,
    }
}

/// Body assertions. Values in `equals` are already interpolated by the runner.
pub fn body(expect: &Expect, observed: &Observed<'_>, findings: &mut Vec<Finding>) {
    let null = Value::Null;
    for a in &expect.body {
        let p = a.pointer.as_str();
        let value = observed.json.and_then(|j| crate::pointer::resolve(j, p));
        let fail = |expected: String, actual: String, message: String| {
            Finding::failure(CheckKind::Body, p, expected, actual, message)
        };
        if a.absent {
            if let Some(v) = value {
                findings.push(fail(
                    "absent".into(),
                    short(v),
                    format!("{p} should be absent"),
                ));
            }
            continue;
        }
        let Some(v) = value else {
            if a.excludes.is_some() && !a.present {
                continue; // No list, nothing listed.
            }
            // Show what did come back, so the author sees the real envelope.
            let seen: String = String::from_utf8_lossy(observed.body)
                .chars()
                .take(200)
                .collect();
            let more = if observed.body.len() > seen.len() {
                "…"
            } else {
                ""
            };
            findings.push(fail(
                "present".into(),
                "(absent)".into(),
                format!("{p} is missing; the body was: {seen}{more}"),
            ));
            continue;
        };
        if let Some(e) = &a.equals {
            if e != v {
                findings.push(fail(short(e), short(v), format!("{p} differs")));
            }
        }
        for (wanted, include) in [(&a.includes, true), (&a.excludes, false)] {
            let Some(wanted) = wanted else { continue };
            let Some(items) = v.as_array() else {
                findings.push(fail(
                    "an array".into(),
                    type_name(v).into(),
                    format!("{p} is not an array"),
                ));
                continue;
            };
            let found = items.iter().any(|item| contains(item, wanted));
            if found != include {
                let (expected, message) = if include {
                    (
                        format!("an item containing {}", short(wanted)),
                        format!("no item of {p} contains {}", short(wanted)),
                    )
                } else {
                    (
                        format!("no item containing {}", short(wanted)),
                        format!("an item of {p} contains {}", short(wanted)),
                    )
                };
                findings.push(fail(expected, format!("{} items", items.len()), message));
            }
        }
        if let Some(t) = a.type_ {
            if !t.holds(v) {
                findings.push(fail(
                    t.name().into(),
                    type_name(v).into(),
                    format!("{p} has the wrong type"),
                ));
            }
        }
        if let Some(re) = &a.matches {
            let pattern = re.as_str();
            match v.as_str() {
                Some(s) if re.is_match(s) => {}
                Some(s) => findings.push(fail(
                    format!("/{pattern}/"),
                    short(&Value::String(s.into())),
                    format!("{p} does not match"),
                )),
                None => findings.push(fail(
                    format!("/{pattern}/"),
                    short(v),
                    format!("{p} is not a string"),
                )),
            }
        }
        if let Some(n) = a.bytes {
            match v.as_str() {
                Some(s) if s.len() as u64 == n => {}
                Some(s) => findings.push(fail(
                    format!("{n} bytes"),
                    format!("{} bytes", s.len()),
                    format!("{p} has the wrong length in UTF-8 bytes"),
                )),
                None => findings.push(fail(
                    format!("{n} bytes"),
                    type_name(v).into(),
                    format!("{p} is not a string"),
                )),
            }
        }
        if let Some(n) = a.chars {
            let len = match v {
                Value::String(s) => Some(s.chars().count()),
                Value::Array(x) => Some(x.len()),
                Value::Object(o) => Some(o.len()),
                _ => None,
            };
            match len {
                Some(l) if l as u64 == n => {}
                Some(l) => findings.push(fail(
                    format!("{n} characters"),
                    format!("{l}"),
                    format!("{p} has the wrong length"),
                )),
                None => findings.push(fail(
                    format!("{n} characters"),
                    short(if v.is_null() { &null } else { v }),
                    format!("{p} has no length"),
                )),
            }
        }
    }
}

/// Header assertions.
pub fn headers(expect: &Expect, observed: &Observed<'_>, findings: &mut Vec<Finding>) {
    for h in &expect.headers {
        let name = &h.name;
        let actual = observed.header(name);
        let fail = |expected: String, message: String| {
            Finding::failure(
                CheckKind::Header,
                name.clone(),
                expected,
                actual.unwrap_or("(absent)").to_string(),
                message,
            )
        };
        if h.absent {
            if actual.is_some() {
                findings.push(fail(
                    "absent".into(),
                    format!("header {name} should be absent"),
                ));
            }
            continue;
        }
        let Some(a) = actual else {
            findings.push(fail("present".into(), format!("header {name} is missing")));
            continue;
        };
        if let Some(want) = &h.equals {
            if a != want {
                findings.push(fail(want.clone(), format!("header {name} differs")));
            }
        }
        if let Some(re) = &h.matches {
            if !re.is_match(a) {
                findings.push(fail(
                    format!("/{}/", re.as_str()),
                    format!("header {name} does not match"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::contains;
    use serde_json::json;

    #[test]
    fn an_integer_id_is_found_as_the_string_of_its_digits() {
        let item = json!({"alarm_rule_id": "2137", "name": "a"});
        assert!(contains(&item, &json!({"alarm_rule_id": 2137})));
        assert!(contains(&json!({"id": 7}), &json!({"id": "7"})));
        assert!(!contains(&item, &json!({"alarm_rule_id": 2138})));
        assert!(!contains(&json!({"id": "7.0"}), &json!({"id": 7})));
        assert!(!contains(&json!({"id": 7.5}), &json!({"id": "7.5"})));
    }
}
