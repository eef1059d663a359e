//! The case-file model. YAML and JSON files share it; unknown fields are errors.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::Spanned;

/// One case file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    /// Operation id from the contract (steps may override it).
    pub operation: Spanned<String>,
    /// What the case shows.
    #[serde(default)]
    pub description: Option<String>,
    /// Tags for `--tag`.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The resource the case mutates, when it cannot be told from the paths.
    #[serde(default)]
    pub resource: Option<String>,
    /// Target capabilities the case needs (`auth`): skipped where the target lacks them.
    #[serde(default)]
    pub requires: Vec<Spanned<String>>,
    /// Case-local variables, expanded in order (a name the run defines keeps the run's value).
    #[serde(default)]
    pub vars: VarDefs,
    /// Steps, run in order.
    pub steps: Vec<Spanned<Step>>,
    /// Steps that always run after the others, also after a failure, a timeout or Ctrl-C.
    #[serde(default)]
    pub teardown: Vec<Spanned<Step>>,
    /// What the response snapshots record and redact.
    #[serde(default)]
    pub snapshot: Option<Spanned<SnapshotOptions>>,
}

/// A case's `vars:`, in the order written, each value with its position.
#[derive(Debug, Clone, Default)]
pub struct VarDefs(pub Vec<(String, Spanned<Value>)>);

impl<'de> Deserialize<'de> for VarDefs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<VarDefs, D::Error> {
        struct Ordered;
        impl<'de> serde::de::Visitor<'de> for Ordered {
            type Value = VarDefs;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a map of variable names to values")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<VarDefs, A::Error> {
                let mut out: Vec<(String, Spanned<Value>)> = Vec::new();
                // A set beside the list: a linear search per key made reading quadratic.
                let mut names = std::collections::HashSet::new();
                while let Some((k, v)) = m.next_entry::<String, Spanned<Value>>()? {
                    if !names.insert(k.clone()) {
                        return Err(serde::de::Error::custom(format!(
                            "variable '{k}' is defined twice"
                        )));
                    }
                    out.push((k, v));
                }
                Ok(VarDefs(out))
            }
        }
        d.deserialize_map(Ordered)
    }
}

/// Snapshot options of a case (or a target).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotOptions {
    /// Response headers to record (secret headers never are).
    #[serde(default)]
    pub headers: Vec<String>,
    /// Values replaced by `<redacted>`: `{pointer: /a/*/b}` or `{regex: "…"}`.
    #[serde(default)]
    pub redact: Vec<Redaction>,
    /// Pointers (with `*`) whose values are recorded as `<skipped>` and so never compared.
    #[serde(default)]
    pub skip: Vec<String>,
}

/// One redaction rule.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Redaction {
    /// A JSON pointer; `*` matches any key or index.
    #[serde(default)]
    pub pointer: Option<String>,
    /// A regex over string values.
    #[serde(default)]
    pub regex: Option<String>,
}

impl SnapshotOptions {
    /// Compiles the rules; the error names the bad pointer or regex.
    pub fn rules(&self) -> Result<crate::snapshot::redact::Rules, String> {
        let mut rules = crate::snapshot::redact::Rules::default();
        for r in &self.redact {
            match (&r.pointer, &r.regex) {
                (Some(p), None) => {
                    crate::pointer::check(p).map_err(|e| e.to_string())?;
                    rules.pointers.push(p.clone());
                }
                (None, Some(re)) => rules.regexes.push(regex::Regex::new(re).map_err(|e| {
                    format!(
                        "invalid regex '{re}': {}",
                        e.to_string().lines().last().unwrap_or_default()
                    )
                })?),
                _ => return Err("a redaction is either {pointer: …} or {regex: …}".into()),
            }
        }
        for p in &self.skip {
            crate::pointer::check(p).map_err(|e| e.to_string())?;
            rules.skip.push(p.clone());
        }
        Ok(rules)
    }
}

/// One request and what is expected of its response.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// A label for reports.
    #[serde(default)]
    pub name: Option<String>,
    /// Another operation of the contract for this step.
    #[serde(default)]
    pub operation: Option<Spanned<String>>,
    /// The request.
    #[serde(default)]
    pub request: Request,
    /// The expectations.
    #[serde(default)]
    pub expect: Expect,
    /// Values taken from the response for later steps: `name: /pointer` or `name: {header: X}`.
    #[serde(default)]
    pub capture: BTreeMap<String, Spanned<Value>>,
    /// Send the read again until the answer reaches a state (an asynchronous job).
    #[serde(default)]
    pub until: Option<Spanned<Until>>,
}

/// `until: {pointer: /status, in: [SUCCESS, FAIL], every: 2s, within: 10m}`: the step is sent
/// again (pausing up to `every`) until the value at `pointer` is one of `in`, for at most `within`;
/// then its expectations are checked against the last answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Until {
    /// Where the state is.
    pub pointer: String,
    /// The states that end the wait (a job's SUCCESS and FAIL alike).
    #[serde(rename = "in")]
    pub values: Vec<Value>,
    /// The longest pause between two reads (default 2s; the first is an eighth of it).
    #[serde(default)]
    pub every: Option<String>,
    /// The longest wait (default 5m).
    #[serde(default)]
    pub within: Option<String>,
}

/// A request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// Path parameters (default: the variable of the same name).
    #[serde(default)]
    pub params: BTreeMap<String, Value>,
    /// Query parameters.
    #[serde(default)]
    pub query: BTreeMap<String, Value>,
    /// Headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A JSON body.
    #[serde(default)]
    pub body: Option<Spanned<Value>>,
    /// A raw text body, sent as is (malformed-body cases).
    #[serde(default)]
    pub raw_body: Option<String>,
    /// Out-of-contract request: method (with `path` and `service`).
    #[serde(default)]
    pub method: Option<String>,
    /// Out-of-contract request: path template.
    #[serde(default)]
    pub path: Option<String>,
    /// Out-of-contract request: the service whose base URL is used.
    #[serde(default)]
    pub service: Option<String>,
}

/// What a response must look like.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// One status or a list.
    #[serde(default)]
    pub status: Option<Spanned<Value>>,
    /// Check the body against the contract (default: true for contract operations).
    #[serde(default)]
    pub schema: Option<bool>,
    /// Assertions on the JSON body.
    #[serde(default)]
    pub body: Vec<Spanned<BodyAssertion>>,
    /// Assertions on headers: `name: value` (equals) or `name: {matches|equals|present|absent}`.
    #[serde(default)]
    pub headers: BTreeMap<String, Spanned<Value>>,
}

/// One assertion at a JSON pointer; every predicate given must hold.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodyAssertion {
    /// RFC 6901 pointer (`""` is the whole body).
    pub pointer: String,
    /// Exact JSON value.
    #[serde(default)]
    pub equals: Option<Value>,
    /// Regex the string value must match.
    #[serde(default)]
    pub matches: Option<String>,
    /// JSON type: string, integer, number, boolean, object, array, null.
    #[serde(default, rename = "type")]
    pub type_: Option<String>,
    /// Length of the string value in UTF-8 bytes.
    #[serde(default)]
    pub bytes: Option<u64>,
    /// Length of the string value in characters (or of an array / object).
    #[serde(default)]
    pub chars: Option<u64>,
    /// The pointer must resolve.
    #[serde(default)]
    pub present: Option<bool>,
    /// The pointer must not resolve.
    #[serde(default)]
    pub absent: Option<bool>,
    /// The array at the pointer holds an item containing this value (an object matches an item
    /// holding each of its fields, recursively): "the list shows what was created".
    #[serde(default)]
    pub includes: Option<Value>,
    /// No item of the array at the pointer contains this value (a missing array holds nothing).
    #[serde(default)]
    pub excludes: Option<Value>,
}
