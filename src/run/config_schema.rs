//! The JSON Schema of `conform.yaml`, committed as `schemas/conform.schema.json` for editors
//! (`conform init` names it on the config's first line, for yaml-language-server).
//!
//! It is built here from one table per type, beside the types that read the file
//! ([`Config`](super::target::Config), [`TargetConfig`](super::target::TargetConfig),
//! [`AuthConfig`](super::target::AuthConfig), [`SnapshotOptions`], [`Redaction`]). The tests
//! hold the two together: each type's fields are named by a pattern without `..`, so a field
//! added to a type does not compile until its table is looked at, and each table entry is sent
//! through serde; another compares the committed file with what this builds (`conform
//! config-schema > schemas/conform.schema.json` writes it).
//!
//! [`SnapshotOptions`]: crate::case::model::SnapshotOptions
//! [`Redaction`]: crate::case::model::Redaction

use serde_json::{json, Map, Value};

/// Where `conform init`'s first line points, relative to the config file.
pub const SCHEMA_PATH: &str = "schemas/conform.schema.json";

/// One property: name, description, schema.
type Field = (&'static str, &'static str, Value);

/// A closed object (the types deny unknown fields) of these properties.
fn object(description: &str, fields: Vec<Field>, required: &[&str]) -> Value {
    let mut properties = Map::new();
    for (name, doc, mut schema) in fields {
        if let Value::Object(o) = &mut schema {
            o.insert("description".into(), Value::String(doc.into()));
        }
        properties.insert(name.into(), schema);
    }
    let mut o = json!({
        "type": "object",
        "description": description,
        "additionalProperties": false,
        "properties": properties,
    });
    if !required.is_empty() {
        o["required"] = json!(required);
    }
    o
}

fn string() -> Value {
    json!({"type": "string", "minLength": 1})
}

fn strings() -> Value {
    json!({"type": "array", "items": {"type": "string"}})
}

/// `Redaction`: exactly one of pointer or regex.
fn redaction() -> Value {
    let mut o = object(
        "A value replaced by <redacted>: {pointer: /a/*/b} or {regex: \"…\"}.",
        vec![
            (
                "pointer",
                "A JSON pointer; * matches any key or index.",
                string(),
            ),
            ("regex", "A regex over string values.", string()),
        ],
        &[],
    );
    o["minProperties"] = json!(1);
    o["maxProperties"] = json!(1);
    o
}

/// `SnapshotOptions`.
fn snapshot() -> Value {
    object(
        "Snapshot redactions and skipped paths for this target.",
        vec![
            (
                "headers",
                "Response headers to record (secret headers never are).",
                strings(),
            ),
            (
                "redact",
                "Values replaced by <redacted>.",
                json!({"type": "array", "items": redaction()}),
            ),
            (
                "skip",
                "Pointers (with *) whose values are recorded as <skipped> and never compared.",
                strings(),
            ),
        ],
        &[],
    )
}

/// The variant tag of an `AuthConfig`.
fn tag(kind: &str) -> Field {
    ("type", "The kind of auth.", json!({"const": kind}))
}

/// `AuthConfig`: one closed object per variant, told apart by `type`.
fn auth() -> Value {
    let env = |what: &'static str| -> Field {
        (
            what,
            "An environment variable's name (the value itself never goes in the file).",
            string(),
        )
    };
    json!({
        "oneOf": [
            object("No auth.", vec![tag("none")], &["type"]),
            object(
                "A token read from an environment variable, sent as X-Auth-Token.",
                vec![tag("token"), env("token_env")],
                &["type", "token_env"],
            ),
            object(
                "An IAM user's password, exchanged for a token (POST /v3/auth/tokens) once per run.",
                vec![
                    tag("password"),
                    env("user_env"),
                    env("password_env"),
                    env("domain_env"),
                    ("iam_endpoint", "IAM endpoint (default: HUAWEICLOUD_SDK_IAM_ENDPOINT, else https://iam.<region>.myhuaweicloud.com).", string()),
                ],
                &["type", "user_env", "password_env", "domain_env"],
            ),
            object(
                "AK/SK signing (SDK-HMAC-SHA256); the variables default to HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK and HUAWEICLOUD_SDK_SECURITY_TOKEN.",
                vec![tag("aksk"), env("ak_env"), env("sk_env"), env("security_token_env")],
                &["type"],
            ),
        ]
    })
}

/// `TargetConfig`.
fn target() -> Value {
    object(
        "One target: a base URL per service (or a region), its variables, auth and rules.",
        vec![
            ("services", "Base URL per service (http:// or https://).", json!({"type": "object", "additionalProperties": {"type": "string", "pattern": "^https?://"}})),
            ("region", "A region: expands to https://<service>.<region>.myhuaweicloud.com for evs and ecs.", string()),
            ("vars", "Variables the cases use (project_id, snapshot_id, …).", json!({"type": "object"})),
            ("auth", "How requests authenticate. Secrets never go in the file: the entries name environment variables.", auth()),
            ("strict", "Undocumented response fields fail cases (default false).", json!({"type": "boolean"})),
            ("snapshot", "Snapshot rules of this target.", snapshot()),
            ("mutations", "allowed lets cases that change resources run against this target (default forbidden).", json!({"enum": ["allowed", "forbidden"]})),
            ("allow_create", "Resource kinds cases may create on this target: a kind of the resource table (vpc.v1), a kind without its API version (vpc), or all. None by default; --allow-create adds to them.", json!({"type": "array", "items": {"type": "string", "minLength": 1}})),
        ],
        &[],
    )
}

/// The schema of `conform.yaml` (`Config`).
pub fn config_schema() -> Value {
    let mut root = object(
        "conform.yaml: where `conform run --target NAME` sends requests.",
        vec![(
            "targets",
            "Targets by name.",
            json!({"type": "object", "additionalProperties": target()}),
        )],
        &[],
    );
    let mut head = Map::new();
    head.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    head.insert("title".into(), json!("conform.yaml"));
    if let Value::Object(o) = &mut root {
        head.append(o);
    }
    Value::Object(head)
}

/// The committed file's text: the schema, pretty, with a final newline.
pub fn config_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&config_schema()).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::super::target::{AuthConfig, Config, Mutations, TargetConfig};
    use super::*;
    use crate::case::model::{Redaction, SnapshotOptions};

    /// The properties a schema object lists.
    fn properties(schema: &Value) -> Vec<&str> {
        let mut v: Vec<&str> = schema["properties"]
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        v.sort_unstable();
        v
    }

    fn sorted<const N: usize>(mut names: [&'static str; N]) -> Vec<&'static str> {
        names.sort_unstable();
        names.to_vec()
    }

    // The patterns below have no `..`: a field added to a type stops this compiling until the
    // field is named here, and then the comparison with the schema's table fails until the
    // table has it too.
    fn config_fields(c: &Config) -> Vec<&'static str> {
        let Config { targets: _ } = c;
        sorted(["targets"])
    }

    fn target_fields(t: &TargetConfig) -> Vec<&'static str> {
        let TargetConfig {
            services: _,
            region: _,
            vars: _,
            auth: _,
            strict: _,
            snapshot: _,
            mutations: _,
            allow_create: _,
        } = t;
        sorted([
            "services",
            "region",
            "vars",
            "auth",
            "strict",
            "snapshot",
            "mutations",
            "allow_create",
        ])
    }

    fn snapshot_fields(s: &SnapshotOptions) -> Vec<&'static str> {
        let SnapshotOptions {
            headers: _,
            redact: _,
            skip: _,
        } = s;
        sorted(["headers", "redact", "skip"])
    }

    fn redaction_fields(r: &Redaction) -> Vec<&'static str> {
        let Redaction {
            pointer: _,
            regex: _,
        } = r;
        sorted(["pointer", "regex"])
    }

    /// Every variant's tag and fields (the tag is `type`).
    fn auth_variants() -> Vec<(&'static str, Vec<&'static str>)> {
        let every = |a: &AuthConfig| -> (&'static str, Vec<&'static str>) {
            match a {
                AuthConfig::None {} => ("none", sorted(["type"])),
                AuthConfig::Token { token_env: _ } => ("token", sorted(["type", "token_env"])),
                AuthConfig::Password {
                    user_env: _,
                    password_env: _,
                    domain_env: _,
                    iam_endpoint: _,
                } => (
                    "password",
                    sorted([
                        "type",
                        "user_env",
                        "password_env",
                        "domain_env",
                        "iam_endpoint",
                    ]),
                ),
                AuthConfig::Aksk {
                    ak_env: _,
                    sk_env: _,
                    security_token_env: _,
                } => (
                    "aksk",
                    sorted(["type", "ak_env", "sk_env", "security_token_env"]),
                ),
            }
        };
        let s = String::new;
        [
            AuthConfig::None {},
            AuthConfig::Token { token_env: s() },
            AuthConfig::Password {
                user_env: s(),
                password_env: s(),
                domain_env: s(),
                iam_endpoint: None,
            },
            AuthConfig::Aksk {
                ak_env: s(),
                sk_env: s(),
                security_token_env: s(),
            },
        ]
        .iter()
        .map(every)
        .collect()
    }

    #[test]
    fn the_schema_lists_every_field_of_the_types_that_read_the_file_and_no_other() {
        let schema = config_schema();
        assert_eq!(properties(&schema), config_fields(&Config::default()));
        let target = &schema["properties"]["targets"]["additionalProperties"];
        let t: TargetConfig = serde_saphyr::from_str("{}").expect("an empty target parses");
        assert_eq!(properties(target), target_fields(&t));
        let snapshot = &target["properties"]["snapshot"];
        assert_eq!(
            properties(snapshot),
            snapshot_fields(&SnapshotOptions::default())
        );
        let redaction = &snapshot["properties"]["redact"]["items"];
        assert_eq!(
            properties(redaction),
            redaction_fields(&Redaction::default())
        );
        let variants = target["properties"]["auth"]["oneOf"]
            .as_array()
            .expect("auth variants");
        let expected = auth_variants();
        assert_eq!(variants.len(), expected.len());
        for (schema, (tag, fields)) in variants.iter().zip(expected) {
            assert_eq!(schema["properties"]["type"]["const"], tag);
            assert_eq!(properties(schema), fields, "{tag}");
        }
        let modes = &target["properties"]["mutations"]["enum"];
        for (word, mode) in [
            ("allowed", Mutations::Allowed),
            ("forbidden", Mutations::Forbidden),
        ] {
            assert!(modes.as_array().is_some_and(|m| m.contains(&json!(word))));
            assert_eq!(serde_saphyr::from_str::<Mutations>(word).ok(), Some(mode));
        }
    }

    /// Each auth variant with every property the schema lists parses, and so does it with one
    /// property more for neither.
    #[test]
    fn serde_and_the_schema_agree_on_every_auth_variant_and_on_unknown_fields() {
        let schema = config_schema();
        let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
        let target = &schema["properties"]["targets"]["additionalProperties"];
        for variant in target["properties"]["auth"]["oneOf"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let mut auth = Map::new();
            for name in properties(variant) {
                let value = variant["properties"][name]["const"]
                    .as_str()
                    .unwrap_or("SOME_VARIABLE");
                auth.insert(name.into(), json!(value));
            }
            let doc = json!({"targets": {"t": {"region": "r", "auth": auth}}});
            let text = doc.to_string();
            assert!(validator.is_valid(&doc), "{text}");
            assert!(serde_saphyr::from_str::<Config>(&text).is_ok(), "{text}");
            auth.insert("unknown_field".into(), json!("x"));
            let doc = json!({"targets": {"t": {"region": "r", "auth": auth}}});
            let text = doc.to_string();
            assert!(!validator.is_valid(&doc), "{text}");
            assert!(serde_saphyr::from_str::<Config>(&text).is_err(), "{text}");
        }
        for typo in [
            json!({"target": {}}),
            json!({"targets": {"t": {"regoin": "r"}}}),
            json!({"targets": {"t": {"snapshot": {"skipp": []}}}}),
        ] {
            assert!(!validator.is_valid(&typo), "{typo}");
            assert!(
                serde_saphyr::from_str::<Config>(&typo.to_string()).is_err(),
                "{typo}"
            );
        }
    }

    #[test]
    fn the_committed_schema_is_the_one_the_code_builds() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SCHEMA_PATH);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == config_schema_text(),
            "{} is stale: run `cargo run -- config-schema > {SCHEMA_PATH}`",
            path.display()
        );
    }
}
