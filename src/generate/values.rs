//! Values for generated cases: strings exactly at and one past a documented limit, a value inside
//! and outside a pattern or enum, a wrong JSON type, and proptest strategies that draw valid
//! request bodies from a schema (byte limits included, which a plain JSON Schema fuzzer ignores).

use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Just, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use regex::Regex;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::contract::rules::declared_type;

/// The generator's plain valid string, replaced by a target variable where a field names a
/// resource id.
pub const PLACEHOLDER: &str = "conform";

/// Whether a body field names another resource (`volume_id`): its value is the target's
/// variable of the same name, never made-up text, since a made-up id names nothing and the
/// request fails for a reason other than the rule under test. Only a key that can be a
/// variable's name is one.
pub fn is_reference(key: &str) -> bool {
    key.ends_with("_id") && key.len() > 3 && crate::case::vars::is_name(key)
}

/// A list of ids of other resources (`volume_ids`): made-up ones name nothing.
pub fn is_reference_list(key: &str) -> bool {
    key.ends_with("_ids") && key.len() > 4
}

/// The largest array limit a boundary case is written for, and the most items a generated
/// value holds: past it the body would be larger than any server takes for reasons of its own,
/// so the limit is left to the contract tier.
pub const MAX_ITEMS_CASE: usize = 1000;

/// `n` valid items of an array schema (copies of its simplest valid item: no `uniqueItems` is
/// ever derived, so copies are as valid as distinct items).
pub fn items(schema: &Value, n: usize) -> Value {
    let item = schema.get("items").map_or(Value::Null, simple_value);
    Value::Array(vec![item; n])
}

/// One item of a list-typed query parameter as query text: its simplest valid item, or None
/// where that is no scalar a comma-separated list can carry.
pub fn query_item(schema: &Value) -> Option<String> {
    let items = schema.get("items")?;
    let text = match simple_value(items) {
        Value::String(s) => s,
        // An item of no stated type is text.
        Value::Object(o) if o.is_empty() => "conform".to_string(),
        v @ (Value::Number(_) | Value::Bool(_)) => v.to_string(),
        _ => return None,
    };
    (!text.is_empty() && !text.contains(',')).then_some(text)
}

/// Stands for the run id in generated values; `conform run` fills it in.
pub const RUN_ID: &str = "${run_id}";

/// What a run id looks like (12 lower-case hex digits, see `conform run`), to check a name that
/// will carry one against its field's pattern and limits.
const RUN_ID_SAMPLE: &str = "0123456789ab";

/// Makes the name a create body sends carry the run id, so that `conform restore` can find what
/// a create made when its id never arrived (a killed run): the placeholder, or no name at all,
/// becomes `conform-${run_id}` (or `${run_id}`); with `any` (a case expected to succeed),
/// another name's first 12 characters become `${run_id}`, its length in characters kept (and its
/// length in bytes, under a byte limit), so a boundary case still sends a name at its boundary.
/// Each only where the result keeps within the field's pattern and limits. The name sits at
/// `/name` or under the body's one envelope (`/vpc/name`). Returns the name replaced and the
/// new one.
pub fn carry_run_id(
    body: &mut Value,
    request: &Value,
    any: bool,
) -> Option<(Option<String>, String)> {
    let props = |schema: &Value| schema.get("properties").and_then(Value::as_object).cloned();
    let top = props(request)?;
    let (slot, field) = if let Some(field) = top.get("name") {
        (body.as_object_mut()?, field.clone())
    } else {
        // The one object of the body whose schema names a `name` (`{"dry_run": true,
        // "security_group": {"name": …}}`).
        let obj = body.as_object_mut()?;
        let mut named = obj.iter_mut().filter_map(|(k, v)| {
            let field = props(top.get(k)?)?.get("name")?.clone();
            v.as_object_mut().map(|inner| (inner, field))
        });
        let one = named.next()?;
        if named.next().is_some() {
            return None;
        }
        one
    };
    if declared_type(&field) != Some("string") || field.get("enum").is_some() {
        return None;
    }
    let current = match slot.get("name") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return None,
    };
    let candidates: Vec<String> = match current.as_deref() {
        None | Some(PLACEHOLDER) => vec![format!("{PLACEHOLDER}-{RUN_ID}"), RUN_ID.to_string()],
        Some(s) if any && !s.contains(RUN_ID) => {
            let rest: String = s.chars().skip(RUN_ID_SAMPLE.len()).collect();
            let mut c = format!("{RUN_ID}{rest}");
            // A value at a byte limit stays at it: one-byte filler makes up what the run id's
            // one-byte characters took from the wide ones they replaced.
            if limit(&field, "x-maxBytes").is_some() {
                let pad = filler(&field, &["a", "1"]);
                let sample = |c: &str| c.replace(RUN_ID, RUN_ID_SAMPLE).len();
                while pad.len() == 1 && sample(&c) < s.len() {
                    c.push_str(pad);
                }
            }
            vec![c]
        }
        Some(_) => return None,
    };
    let re = pattern_of(&field);
    let fits = |c: &str| {
        let sample = c.replace(RUN_ID, RUN_ID_SAMPLE);
        re.as_ref().is_none_or(|r| r.is_match(&sample))
            && limit(&field, "maxLength").is_none_or(|m| sample.chars().count() <= m)
            && limit(&field, "minLength").is_none_or(|m| sample.chars().count() >= m)
            && limit(&field, "x-maxBytes").is_none_or(|m| sample.len() <= m)
    };
    let new = candidates.into_iter().find(|c| fits(c))?;
    slot.insert("name".into(), Value::String(new.clone()));
    Some((current, new))
}

/// Characters tried, in order, as filler for a string that must match a pattern: a 3-byte one
/// first so byte limits are reached with multi-byte text where the pattern allows it.
const FILLERS: &[&str] = &["字", "a", "é", "1", "_", "-", "."];

/// The pattern of a schema, compiled (patterns are checked when the contract loads, but a
/// pattern the `regex` crate rejects simply gets no pattern-aware values).
pub fn pattern_of(schema: &Value) -> Option<Regex> {
    schema
        .get("pattern")
        .and_then(Value::as_str)
        .and_then(|p| Regex::new(p).ok())
}

fn limit(schema: &Value, key: &str) -> Option<usize> {
    schema
        .get(key)
        .and_then(Value::as_u64)
        .and_then(|n| usize::try_from(n).ok())
}

/// A filler character whose repetitions match the schema's pattern, preferring `prefer`.
fn filler(schema: &Value, prefer: &[&'static str]) -> &'static str {
    let re = pattern_of(schema);
    prefer
        .iter()
        .chain(FILLERS)
        .copied()
        .find(|c| {
            re.as_ref()
                .is_none_or(|r| r.is_match(c) && r.is_match(&c.repeat(3)))
        })
        .unwrap_or("a")
}

/// A short valid string for a schema: an enum's first value, else text that matches the pattern
/// and the limits.
pub fn simple_string(schema: &Value) -> String {
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|a| a.iter().find_map(Value::as_str))
    {
        return first.to_string();
    }
    let re = pattern_of(schema);
    let fits = |s: &str| {
        re.as_ref().is_none_or(|r| r.is_match(s))
            && limit(schema, "maxLength").is_none_or(|m| s.chars().count() <= m)
            && limit(schema, "x-maxBytes").is_none_or(|m| s.len() <= m)
            && limit(schema, "minLength").is_none_or(|m| s.chars().count() >= m)
    };
    for candidate in [PLACEHOLDER, "conform-1", "c1", "c"] {
        if fits(candidate) {
            return candidate.to_string();
        }
    }
    let min = limit(schema, "minLength").unwrap_or(1).max(1);
    let repeated = filler(schema, &["a"]).repeat(min);
    if fits(&repeated) {
        return repeated;
    }
    // A pattern no repeated character fits (a number range: `^(?:[1-9]|[1-4]\d|50)$`): a
    // string drawn from the pattern itself, with a fixed seed so the suite is stable.
    schema
        .get("pattern")
        .and_then(Value::as_str)
        .and_then(|p| {
            let bare = p.trim_start_matches('^').trim_end_matches('$');
            let strategy = proptest::string::string_regex(bare).ok()?;
            let mut runner = TestRunner::deterministic();
            (0..32).find_map(|_| {
                let s = strategy.new_tree(&mut runner).ok()?.current();
                fits(&s).then_some(s)
            })
        })
        .unwrap_or(repeated)
}

/// A simple valid value of any schema (objects get their required properties).
pub fn simple_value(schema: &Value) -> Value {
    // A closed list of values of any type: its first value is valid whatever else is stated.
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|a| a.iter().find(|v| !v.is_null()))
    {
        return first.clone();
    }
    // One of several bodies: the first alternative's, which (its own required fields present)
    // is what tells it apart from the others; `{}` would match none.
    if let Some(first) = alternatives(schema).and_then(|a| a.first()) {
        let mut value = simple_value(first);
        // Fields the schema states beside its alternatives apply to every one of them.
        if schema.get("properties").is_some() || schema.get("required").is_some() {
            let mut outer = schema.clone();
            if let Some(o) = outer.as_object_mut() {
                o.remove("oneOf");
                o.remove("anyOf");
            }
            if let (Value::Object(v), Value::Object(extra)) = (&mut value, simple_value(&outer)) {
                for (k, x) in extra {
                    v.entry(k).or_insert(x);
                }
            }
        }
        return value;
    }
    match declared_type(schema) {
        Some("string") => Value::String(simple_string(schema)),
        Some("integer") => json!(schema.get("minimum").and_then(Value::as_i64).unwrap_or(1)),
        Some("number") => json!(schema.get("minimum").and_then(Value::as_f64).unwrap_or(1.0)),
        Some("boolean") => json!(true),
        Some("array") => {
            // As few items as the array must hold, each a valid item (a page's absurd count
            // is held to the largest a case is written for, not allocated).
            let n = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
            items(
                schema,
                usize::try_from(n).map_or(MAX_ITEMS_CASE, |n| n.min(MAX_ITEMS_CASE)),
            )
        }
        Some("object") | None => {
            let mut m = Map::new();
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (name, sub) in props {
                    if required.contains(&name.as_str()) {
                        m.insert(name.clone(), simple_value(sub));
                    }
                }
            }
            if let Some(values) = schema.get("additionalProperties").filter(|v| v.is_object()) {
                let key = schema
                    .get("propertyNames")
                    .map_or_else(|| "conform".to_string(), simple_string);
                m.insert(key, simple_value(values));
            }
            Value::Object(m)
        }
        Some(_) => Value::Null,
    }
}

/// The alternatives of a `oneOf` (or `anyOf`) schema, when it has any.
fn alternatives(schema: &Value) -> Option<&Vec<Value>> {
    schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
}

/// A value of another JSON type than the schema declares.
pub fn wrong_type(schema: &Value) -> (Value, &'static str) {
    match declared_type(schema) {
        Some("string") => (json!(42), "integer"),
        Some("integer") | Some("number") => (json!("42"), "string"),
        Some("boolean") => (json!("true"), "string"),
        Some("array") => (json!({}), "object"),
        _ => (json!("conform"), "string"),
    }
}

/// A string of exactly `bytes` UTF-8 bytes made of 3-byte characters where the pattern allows
/// (topped up with 1-byte ones), and its character count.
pub fn bytes_at_limit(schema: &Value, bytes: usize) -> String {
    let f = filler(schema, &["字"]);
    let wide = bytes / f.len();
    let mut s = f.repeat(wide);
    let narrow = filler(schema, &["a", "1"]);
    while s.len() + narrow.len() <= bytes && narrow.len() == 1 {
        s.push_str(narrow);
    }
    s
}

/// `n` characters, multi-byte where the pattern and the byte limit (`x-maxBytes`) allow (so a
/// byte-counting target refuses them wrongly), one-byte ones where a byte limit leaves no room;
/// None when `n` characters cannot fit in the byte limit or the mix breaks the pattern.
pub fn chars_at_limit(schema: &Value, n: usize) -> Option<String> {
    let wide = filler(schema, &["字"]);
    let Some(bytes) = limit(schema, "x-maxBytes") else {
        return Some(wide.repeat(n));
    };
    let room = bytes.checked_sub(n)?;
    // Each wide character costs `len - 1` bytes more than a one-byte one.
    let extra = wide.len().saturating_sub(1);
    let w = room.checked_div(extra).map_or(n, |fit| n.min(fit));
    let narrow = filler(schema, &["a", "1"]);
    let s = format!("{}{}", wide.repeat(w), narrow.repeat(n - w));
    let fits = s.len() <= bytes && pattern_of(schema).as_ref().is_none_or(|r| r.is_match(&s));
    fits.then_some(s)
}

/// Whether a string keeps within the schema's byte limit (`x-maxBytes`), if it has one.
pub fn within_bytes(schema: &Value, s: &str) -> bool {
    limit(schema, "x-maxBytes").is_none_or(|m| s.len() <= m)
}

/// `n` one-byte characters.
pub fn ascii_chars(schema: &Value, n: usize) -> String {
    filler(schema, &["a", "1"]).repeat(n)
}

/// `n - 1` one-byte characters and one 2-byte character: `n` characters, `n + 1` bytes.
pub fn mixed_width(schema: &Value, n: usize) -> Option<String> {
    let re = pattern_of(schema);
    let s = format!("{}é", ascii_chars(schema, n.checked_sub(1)?));
    re.as_ref().is_none_or(|r| r.is_match(&s)).then_some(s)
}

/// A string that does not match the schema's pattern but keeps within its limits.
pub fn outside_pattern(schema: &Value) -> Option<String> {
    let re = pattern_of(schema)?;
    let max = limit(schema, "maxLength").unwrap_or(usize::MAX);
    ["bad key!", "a b", "!", "字", "a/b", "#", "%"]
        .iter()
        .find(|c| !re.is_match(c) && c.chars().count() <= max)
        .map(|c| c.to_string())
}

/// Every documented value of an enum, in the page's order, without `null` (an optional field's
/// "absent", not a value to send) and without repeats.
pub fn enum_values(schema: &Value) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for v in schema
        .get("enum")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if !v.is_null() && !out.contains(v) {
            out.push(v.clone());
        }
    }
    out
}

/// A value as a case's description shows it: text quoted, anything else as JSON.
pub fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => format!("'{s}'"),
        other => other.to_string(),
    }
}

/// A string that is none of the enum's values.
pub fn outside_enum(schema: &Value) -> Option<String> {
    let values = schema.get("enum")?.as_array()?;
    ["conform-undocumented", "conform-undocumented-2"]
        .iter()
        .find(|c| !values.iter().any(|v| v.as_str() == Some(c)))
        .map(|c| c.to_string())
}

/// A deterministic runner for one draw: the seed, the operation and the draw's label are hashed
/// into a ChaCha seed, so each draw is reproducible on its own and independent of the others.
pub fn runner(seed: u64, label: &str) -> TestRunner {
    let digest = Sha256::digest(format!("{seed}:{label}").as_bytes());
    let mut bytes = [0u8; 32];
    bytes.copy_from_slice(&digest);
    TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
    )
}

/// Draws one value from a strategy; `None` when the strategy rejects too often.
pub fn draw(strategy: &BoxedStrategy<Value>, runner: &mut TestRunner) -> Option<Value> {
    strategy.new_tree(runner).ok().map(|t| t.current())
}

/// The values an `enum` lists, `null` left out (none when there is no `enum`).
fn listed(schema: &Value) -> Vec<Value> {
    schema
        .get("enum")
        .and_then(Value::as_array)
        .map_or(Vec::new(), |values| {
            values.iter().filter(|v| !v.is_null()).cloned().collect()
        })
}

/// A strategy over strings honouring enum, pattern, minLength, maxLength and x-maxBytes.
fn string_strategy(schema: &Value) -> BoxedStrategy<Value> {
    let values = listed(schema);
    if !values.is_empty() {
        return proptest::sample::select(values).boxed();
    }
    let max_chars = limit(schema, "maxLength");
    let max_bytes = limit(schema, "x-maxBytes");
    let min_chars = limit(schema, "minLength").unwrap_or(0);
    let fits = move |s: &str| {
        s.chars().count() >= min_chars
            && max_chars.is_none_or(|m| s.chars().count() <= m)
            && max_bytes.is_none_or(|m| s.len() <= m)
            // `$` would start an interpolation when the case runs.
            && !s.contains('$')
    };
    if let Some(p) = schema.get("pattern").and_then(Value::as_str) {
        // proptest's generator wants the bare expression; the anchors are implied by a full match.
        let bare = p.trim_start_matches('^').trim_end_matches('$');
        if let Ok(s) = proptest::string::string_regex(bare) {
            return s
                .prop_filter("within the documented limits", move |s| fits(s))
                .prop_map(Value::String)
                .boxed();
        }
    }
    // Mixed widths: ASCII, 2-byte and 3-byte characters, so byte and character limits differ.
    let ch = prop_oneof![
        4 => proptest::char::range('a', 'z'),
        1 => proptest::char::range('0', '9'),
        1 => Just(' '),
        1 => Just('é'),
        2 => proptest::char::range('一', '龥'),
    ];
    let upper = max_chars.unwrap_or(64).min(max_bytes.unwrap_or(usize::MAX));
    let lower = min_chars.max(1).min(upper);
    proptest::collection::vec(ch, lower..=upper.max(lower))
        .prop_map(move |chars| {
            // Trim to the byte limit from the end: the limit is in bytes, not characters.
            let mut s: String = chars.into_iter().collect();
            if let Some(m) = max_bytes {
                while s.len() > m {
                    s.pop();
                }
            }
            s
        })
        .prop_filter("within the documented limits", move |s| fits(s))
        .prop_map(Value::String)
        .boxed()
}

/// A proptest strategy drawing values the schema accepts. `single_map_entry` makes free-form maps
/// hold exactly one entry (the path names the key).
pub fn strategy(schema: &Value, single_map_entry: bool) -> BoxedStrategy<Value> {
    // One of several bodies: a draw picks an alternative, then a body of it.
    if let Some(alts) = alternatives(schema) {
        return proptest::strategy::Union::new(alts.iter().map(|a| strategy(a, single_map_entry)))
            .boxed();
    }
    match declared_type(schema) {
        Some("string") => string_strategy(schema),
        // A number with listed values is one of them (`period`: 60, 300, 900 or 3600), as a
        // string's is.
        Some("integer") | Some("number") if !listed(schema).is_empty() => {
            proptest::sample::select(listed(schema)).boxed()
        }
        Some("integer") => {
            let lo = schema.get("minimum").and_then(Value::as_i64).unwrap_or(0);
            let hi = schema
                .get("maximum")
                .and_then(Value::as_i64)
                .unwrap_or(lo.saturating_add(1000));
            (lo..=hi.max(lo)).prop_map(|n| json!(n)).boxed()
        }
        Some("number") => (0u32..1000).prop_map(|n| json!(f64::from(n) / 4.0)).boxed(),
        Some("boolean") => any::<bool>().prop_map(Value::Bool).boxed(),
        Some("array") => {
            let items = schema
                .get("items")
                .map_or_else(|| Just(json!("x")).boxed(), |i| strategy(i, false));
            // Up to three items more than the least, within the most the array holds: a draw
            // outside the stated count would be no valid body (0 to 3 where none is stated).
            let count = |k: &str| {
                schema
                    .get(k)
                    .and_then(Value::as_u64)
                    .and_then(|n| usize::try_from(n).ok())
            };
            let lo = count("minItems").unwrap_or(0);
            let hi = count("maxItems")
                .unwrap_or(usize::MAX)
                .min(lo.saturating_add(3))
                .max(lo);
            proptest::collection::vec(items, lo..=hi)
                .prop_map(Value::Array)
                .boxed()
        }
        Some("object") | None => object_strategy(schema, single_map_entry),
        Some(_) => Just(Value::Null).boxed(),
    }
}

fn object_strategy(schema: &Value, single_map_entry: bool) -> BoxedStrategy<Value> {
    let required: Vec<String> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let mut fields: Vec<BoxedStrategy<Option<(String, Value)>>> = Vec::new();
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (name, sub) in props {
            let n = name.clone();
            // An id of another resource is the placeholder (later the target's variable), not
            // random text.
            // Whatever its pattern or length: a made-up id names nothing, whatever its shape.
            let reference = sub.get("type") == Some(&json!("string"))
                && sub.get("enum").is_none()
                && is_reference(name);
            let s = if reference {
                Just(json!(PLACEHOLDER)).boxed()
            } else {
                strategy(sub, single_map_entry)
            }
            .prop_map(move |v| (n.clone(), v));
            fields.push(if required.contains(name) {
                s.prop_map(Some).boxed()
            } else {
                proptest::option::weighted(0.6, s).boxed()
            });
        }
    }
    let has_properties = !fields.is_empty();
    let map = schema
        .get("additionalProperties")
        .filter(|v| v.is_object())
        .map(|values| {
            let keys = schema
                .get("propertyNames")
                .map_or_else(|| string_strategy(&json!({"type": "string", "minLength": 1, "maxLength": 16, "pattern": "^[a-z][a-z0-9_]*$"})), string_strategy);
            let size = if single_map_entry { 1..=1 } else { 1..=3 };
            proptest::collection::btree_map(
                keys.prop_filter_map("a string key", |k| k.as_str().map(str::to_string)),
                strategy(values, false),
                size,
            )
            .boxed()
        });
    let map = map.unwrap_or_else(|| Just(Default::default()).boxed());
    (fields, map)
        .prop_map(|(fields, map)| {
            let mut m: Map<String, Value> = fields.into_iter().flatten().collect();
            m.extend(map);
            Value::Object(m)
        })
        // An update that names nothing to update is not a meaningful valid body.
        .prop_filter("at least one field", move |v| {
            !has_properties || v.as_object().is_some_and(|o| !o.is_empty())
        })
        .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page's absurd item count (`最少1000000000000个`) is no allocation of that size.
    #[test]
    fn an_absurd_least_count_is_held_to_the_case_limit() {
        let schema = json!({"type": "array", "minItems": 1_000_000_000_000u64,
            "items": {"type": "string"}});
        assert_eq!(
            simple_value(&schema).as_array().map(Vec::len),
            Some(MAX_ITEMS_CASE)
        );
        let few = json!({"type": "array", "minItems": 2, "items": {"type": "integer"}});
        assert_eq!(simple_value(&few), json!([1, 1]));
    }

    /// A number with listed values is drawn from them, so every draw is a valid body.
    #[test]
    fn drawn_numbers_with_listed_values_are_one_of_them() {
        let mut runner = TestRunner::deterministic();
        for schema in [
            json!({"type": "integer", "enum": [60, 300, 900, 3600]}),
            json!({"type": "number", "enum": [0.5, 1.5]}),
        ] {
            let values = schema["enum"].as_array().cloned().unwrap_or_default();
            for _ in 0..32 {
                let v = strategy(&schema, false)
                    .new_tree(&mut runner)
                    .unwrap()
                    .current();
                assert!(values.contains(&v), "{v} not in {values:?}");
            }
        }
    }

    /// Random arrays hold as many items as their schema states, so every draw is a valid body.
    #[test]
    fn drawn_arrays_hold_the_stated_count_of_items() {
        let counted =
            json!({"type": "array", "minItems": 1, "maxItems": 2, "items": {"type": "integer"}});
        let open = json!({"type": "array", "items": {"type": "integer"}});
        let mut runner = TestRunner::deterministic();
        let (mut least, mut most) = (usize::MAX, 0);
        for _ in 0..64 {
            let n = |schema: &Value, runner: &mut TestRunner| {
                let tree = strategy(schema, false).new_tree(runner).unwrap();
                tree.current().as_array().map_or(0, Vec::len)
            };
            let c = n(&counted, &mut runner);
            assert!((1..=2).contains(&c), "{c} items");
            let o = n(&open, &mut runner);
            least = least.min(o);
            most = most.max(o);
        }
        assert_eq!(
            (least, most),
            (0, 3),
            "no count stated: 0 to 3 items as before"
        );
    }

    #[test]
    fn a_create_name_carries_the_run_id_within_its_limits() {
        let request = |name: Value| {
            json!({"type": "object", "properties": {
                "dry_run": {"type": "boolean"},
                "vpc": {"type": "object", "properties": {"name": name, "cidr": {"type": "string"}}}
            }})
        };
        let plain = request(json!({"type": "string", "maxLength": 64}));
        // The placeholder, or no name at all, becomes one that carries the run id.
        let mut body = json!({"dry_run": false, "vpc": {"name": "conform"}});
        assert_eq!(
            carry_run_id(&mut body, &plain, false),
            Some((Some("conform".into()), "conform-${run_id}".into()))
        );
        assert_eq!(body["vpc"]["name"], "conform-${run_id}");
        let mut body = json!({"vpc": {"cidr": "x"}});
        assert!(carry_run_id(&mut body, &plain, false).is_some());
        assert_eq!(body["vpc"]["name"], "conform-${run_id}");
        // A name under test keeps its value in a case expected to fail.
        let mut body = json!({"vpc": {"name": "a".repeat(65)}});
        assert_eq!(carry_run_id(&mut body, &plain, false), None);
        // One expected to succeed keeps its length: the run id takes its first 12 characters.
        let mut body = json!({"vpc": {"name": "字".repeat(64)}});
        let (_, new) = carry_run_id(&mut body, &plain, true).unwrap();
        assert_eq!(new, format!("${{run_id}}{}", "字".repeat(52)));
        // Under a byte limit, the bytes are kept too.
        let bytes = request(json!({"type": "string", "x-maxBytes": 60}));
        let mut body = json!({"vpc": {"name": "字".repeat(20)}});
        let (_, new) = carry_run_id(&mut body, &bytes, true).unwrap();
        assert_eq!(new.replace(RUN_ID, RUN_ID_SAMPLE).len(), 60, "{new}");
        // Too short for the run id, a pattern without hex digits, or an enum: left alone.
        for name in [
            json!({"type": "string", "maxLength": 8}),
            json!({"type": "string", "pattern": "^[A-Z]+$"}),
            json!({"type": "string", "enum": ["conform"]}),
        ] {
            let mut body = json!({"vpc": {"name": "conform"}});
            assert_eq!(
                carry_run_id(&mut body, &request(name.clone()), true),
                None,
                "{name}"
            );
            assert_eq!(body["vpc"]["name"], "conform");
        }
        // The run id alone where the prefix does not fit.
        let mut body = json!({"vpc": {"name": "conform"}});
        let short = request(json!({"type": "string", "maxLength": 12}));
        assert_eq!(
            carry_run_id(&mut body, &short, false)
                .map(|c| c.1)
                .as_deref(),
            Some("${run_id}")
        );
    }

    #[test]
    fn limits_are_exact() {
        let s = json!({"type": "string", "x-maxBytes": 255});
        let at = bytes_at_limit(&s, 255);
        assert_eq!((at.len(), at.chars().count()), (255, 85));
        let at = bytes_at_limit(&s, 256);
        assert_eq!(at.len(), 256);
        let m = mixed_width(&s, 255).unwrap();
        assert_eq!((m.len(), m.chars().count()), (256, 255));
    }

    /// A pattern no repeated character fits still gets a valid value, drawn from it.
    #[test]
    fn a_number_range_pattern_gets_a_value_it_accepts() {
        let s = json!({"type": "string", "pattern": "^(?:[1-9]|[1-4]\\d{1}|50)$"});
        let v = simple_string(&s);
        assert!(pattern_of(&s).unwrap().is_match(&v), "{v}");
        assert_eq!(v, simple_string(&s), "stable");
    }

    /// A character limit's at-limit value keeps within a byte limit on the same field: as many
    /// 3-byte characters as the bytes allow, the rest one-byte; none when the characters alone
    /// are over the bytes.
    #[test]
    fn character_limits_keep_within_a_byte_limit() {
        let s = json!({"type": "string", "maxLength": 36, "x-maxBytes": 36});
        let at = chars_at_limit(&s, 36).unwrap();
        assert_eq!((at.chars().count(), at.len()), (36, 36));
        let s = json!({"type": "string", "maxLength": 10, "x-maxBytes": 20});
        let at = chars_at_limit(&s, 10).unwrap();
        assert_eq!(at.chars().count(), 10);
        assert!(at.len() <= 20 && at.contains('字'), "{at}");
        assert_eq!(
            chars_at_limit(&json!({"maxLength": 10, "x-maxBytes": 9}), 10),
            None
        );
        let free = chars_at_limit(&json!({"maxLength": 4}), 4).unwrap();
        assert_eq!(free.len(), 12);
        assert!(!within_bytes(&json!({"x-maxBytes": 4}), "é1234"));
    }

    #[test]
    fn pattern_values_respect_the_pattern() {
        let s = json!({"type": "string", "maxLength": 255, "pattern": "^[A-Za-z0-9\\-_:.]+$"});
        let at = chars_at_limit(&s, 255).unwrap();
        assert!(pattern_of(&s).unwrap().is_match(&at));
        assert_eq!(at.chars().count(), 255);
        let out = outside_pattern(&s).unwrap();
        assert!(!pattern_of(&s).unwrap().is_match(&out));
    }

    #[test]
    fn draws_are_reproducible_and_valid() {
        let schema = json!({"type": "object", "required": ["s"], "properties": {"s": {"type": "object", "properties": {"name": {"type": "string", "x-maxBytes": 10}}}}});
        let strat = strategy(&schema, false);
        let a = draw(&strat, &mut runner(7, "x")).unwrap();
        let b = draw(&strat, &mut runner(7, "x")).unwrap();
        assert_eq!(a, b);
        for i in 0..50 {
            let v = draw(&strat, &mut runner(i, "x")).unwrap();
            if let Some(n) = v.pointer("/s/name").and_then(Value::as_str) {
                assert!(n.len() <= 10, "{n}");
            }
        }
    }

    #[test]
    fn simple_values_keep_closed_lists_and_array_sizes_of_any_type() {
        let version = json!({"type": "integer", "enum": [4, 6]});
        assert_eq!(simple_value(&version), json!(4));
        let tags =
            json!({"type": "array", "minItems": 2, "items": {"type": "string", "enum": ["a"]}});
        assert_eq!(simple_value(&tags), json!(["a", "a"]));
        assert_eq!(simple_value(&json!({"type": "array"})), json!([]));
    }

    #[test]
    fn a_one_of_gives_a_body_of_exactly_one_alternative_and_draws_from_each() {
        let schema = json!({"oneOf": [
            {"type": "object", "required": ["os-start"], "properties": {"os-start": {"type": "object"}}},
            {"type": "object", "required": ["os-stop"], "properties": {"os-stop": {"type": "object", "required": ["type"], "properties": {"type": {"type": "string", "enum": ["HARD"]}}}}}
        ]});
        let body = simple_value(&schema);
        assert_eq!(body, json!({"os-start": {}}));
        let v = crate::contract::keywords::compile(&schema).expect("compiles");
        assert!(v.is_valid(&body), "{body}");
        let strat = strategy(&schema, false);
        let keys: std::collections::BTreeSet<String> = (0..20)
            .filter_map(|i| draw(&strat, &mut runner(i, "alt")))
            .filter_map(|b| b.as_object().and_then(|o| o.keys().next().cloned()))
            .collect();
        assert!(
            keys.contains("os-start") && keys.contains("os-stop"),
            "{keys:?}"
        );
    }
}
