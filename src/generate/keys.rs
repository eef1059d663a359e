//! Keys a client chooses: a kind keyed by a name (a secret, a namespace) or created by a PUT
//! naming its own id is made by a setup that sends a key of its own. The key carries the run id
//! (so `conform restore` can tell it is the run's) and a short digest of the case and variable
//! it is made for (so two cases of one run never choose the same one), within the field's
//! documented pattern and length.

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::values::{pattern_of, RUN_ID};

/// What a run id looks like once `conform run` fills it in (12 lower-case hex digits).
const RUN_ID_SAMPLE: &str = "0123456789ab";

/// A run-unique key for `seed` (the case and variable), the first of a few shapes that fits the
/// field's pattern and limits: `conform-${run_id}-1a2b3c4d`, then shorter ones without the
/// separators. A field no shape fits gets the first.
pub fn unique(field: Option<&Value>, seed: &str) -> String {
    let digest = Sha256::digest(seed.as_bytes());
    let tag: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    let shapes = [
        format!("conform-{RUN_ID}-{tag}"),
        format!("conform_{RUN_ID}_{tag}"),
        format!("conform{RUN_ID}{tag}"),
        format!("c{RUN_ID}{tag}"),
        format!("c{RUN_ID}"),
    ];
    let Some(field) = field else {
        return shapes[0].clone();
    };
    let re = pattern_of(field);
    let limit = |key: &str| field.get(key).and_then(Value::as_u64);
    let fits = |shape: &String| {
        let sample = shape.replace(RUN_ID, RUN_ID_SAMPLE);
        let n = sample.chars().count() as u64;
        re.as_ref().is_none_or(|r| r.is_match(&sample))
            && limit("maxLength").is_none_or(|m| n <= m)
            && limit("minLength").is_none_or(|m| n >= m)
            && limit("x-maxBytes").is_none_or(|m| sample.len() as u64 <= m)
    };
    shapes
        .iter()
        .find(|s| fits(s))
        .unwrap_or(&shapes[0])
        .clone()
}

/// The schema of the field a body pointer names (`/keypair/name`), through `properties`.
pub fn field_schema<'s>(schema: &'s Value, pointer: &str) -> Option<&'s Value> {
    crate::pointer::tokens(pointer).try_fold(schema, |s, key| property(s, &key))
}

/// A property of an object schema, else of its first alternative (`oneOf`, `anyOf`): the one
/// a setup's body is built from (`values::simple_value`).
fn property<'s>(schema: &'s Value, key: &str) -> Option<&'s Value> {
    schema
        .get("properties")
        .and_then(|p| p.get(key))
        .or_else(|| {
            let all = schema.get("oneOf").or_else(|| schema.get("anyOf"))?;
            property(all.as_array()?.first()?, key)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A key carries the run id, differs by seed, and keeps to the field's pattern and limits.
    #[test]
    fn a_chosen_key_is_run_unique_and_fits_its_field() {
        let a = unique(None, "case-a/secret_name");
        let b = unique(None, "case-b/secret_name");
        assert!(a.starts_with("conform-${run_id}-"), "{a}");
        assert_ne!(a, b);
        assert_eq!(
            a,
            unique(None, "case-a/secret_name"),
            "the same seed, the same key"
        );
        let no_dash = json!({"type": "string", "pattern": "^[a-z0-9_]{1,64}$"});
        let k = unique(Some(&no_dash), "s");
        assert!(k.starts_with("conform_${run_id}_"), "{k}");
        let short = json!({"type": "string", "maxLength": 24});
        let k = unique(Some(&short), "s");
        assert!(
            k.replace(RUN_ID, RUN_ID_SAMPLE).chars().count() <= 24,
            "{k}"
        );
        assert!(k.contains(RUN_ID));
        let schema = json!({"properties": {"keypair": {"properties": {"name": no_dash}}}});
        assert_eq!(field_schema(&schema, "/keypair/name"), Some(&no_dash));
        assert_eq!(field_schema(&schema, "/keypair/other"), None);
        // Of a request of alternatives, the first one's (the setup's body is built from it).
        let alternatives =
            json!({"oneOf": [{"properties": {"name": no_dash}}, {"properties": {}}]});
        assert_eq!(field_schema(&alternatives, "/name"), Some(&no_dash));
    }
}
