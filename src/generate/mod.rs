//! Contract → cases: for each operation, YAML cases that exercise every documented rule.
//!
//! Boundaries (at each limit a success, one past it a 400; byte limits with 3-byte characters,
//! character limits with characters, and a mixed-width string that tells the two apart), types and
//! shape (a wrong JSON type per field, each required field missing, the wrapper null or an array,
//! an empty body, malformed JSON), patterns and enums (one value inside, one outside), path (an
//! unknown id, another project's id, a body key that differs from the path's), auth (no token),
//! and seeded random valid and invalid bodies drawn from proptest strategies built from the
//! schema. Every case names its rule (a `rule:…` tag and its description, with the page and line
//! that state it). Where the documentation states no status, a case expects a class (`4xx`)
//! rather than a guess. The output is deterministic: the same contract and seed give the same
//! bytes. Nothing here sends a request.

mod alternatives;
pub mod keys;
pub mod producers;
pub mod stateful;
pub mod values;
pub mod vars_template;

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use crate::case::typed::Capture;
use crate::contract::resources::ClientKey;
use crate::contract::rules;
use crate::contract::rules::{
    bound_param, constraints_of, is_resource_param, rule_id, sites, source_of, Constraint, Site,
    SiteKind,
};
use crate::contract::{Contract, Operation, SchemaKind};
use producers::{Plan, PlannedStep, Planner, Producer, Producers};

/// Default seed of the random bodies.
pub const DEFAULT_SEED: u64 = 1;
/// Default number of random valid (and of invalid) bodies per operation.
pub const DEFAULT_SAMPLES: usize = 4;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// Operation ids; empty means every operation of the contract.
    pub operations: Vec<String>,
    /// Seed of the random bodies.
    pub seed: u64,
    /// Random valid bodies per operation, and as many invalid ones.
    pub samples: usize,
    /// Which operations get the case sending no credential.
    pub auth_cases: AuthCases,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            operations: Vec::new(),
            seed: DEFAULT_SEED,
            samples: DEFAULT_SAMPLES,
            auth_cases: AuthCases::default(),
        }
    }
}

/// Which operations get the case that sends no credential and expects 401.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthCases {
    /// One per service: its 401 is documented for the whole service and enforced in front of
    /// every operation, so one read (safe on a real region) proves it.
    #[default]
    PerService,
    /// One per operation, for a service that may leave a single operation open.
    PerOperation,
}

/// One generated case file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedCase {
    /// The id relative to the output folder, without extension
    /// (`evs/update_snapshot_v2/snapshot_name__max_bytes_over`).
    pub id: String,
    /// The YAML text.
    pub yaml: String,
}

/// Why generation stopped.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// An operation id the contract does not have.
    #[error("unknown operation '{id}'{}", .suggestion.as_ref().map(|s| format!(" (did you mean '{s}'?)")).unwrap_or_default())]
    UnknownOperation {
        /// The id asked for.
        id: String,
        /// The closest known id.
        suggestion: Option<String>,
    },
}

/// Generates the cases of the selected operations, sorted by id.
pub fn generate(
    contract: &Contract,
    options: &Options,
) -> Result<Vec<GeneratedCase>, GenerateError> {
    for id in &options.operations {
        if contract.operation(id).is_none() {
            return Err(GenerateError::UnknownOperation {
                id: id.clone(),
                suggestion: contract.closest_id(id).map(str::to_string),
            });
        }
    }
    let mut out = Vec::new();
    let producers = Producers::of(contract);
    let chosen: Vec<&Operation> = contract
        .operations
        .iter()
        .filter(|o| options.operations.is_empty() || options.operations.contains(&o.id))
        .collect();
    let auth = auth_operations(contract, &chosen, options.auth_cases);
    for op in chosen {
        let mut g = OpGen::new(contract, op, options, &producers);
        g.auth = auth.contains(op.id.as_str());
        g.all();
        out.extend(g.cases);
    }
    let selected =
        |id: &str| options.operations.is_empty() || options.operations.iter().any(|o| o == id);
    out.extend(stateful::cases(contract, &producers, &selected));
    out.sort_by(|a, b| a.id.cmp(&b.id));
    for case in &mut out {
        case.yaml = yaml_printable(&case.yaml);
    }
    Ok(out)
}

/// The case text with every character YAML does not allow unescaped (DEL, the C1 controls but
/// NEL, U+FFFE and U+FFFF; JSON escapes only those below U+0020) written as a `\uXXXX` escape.
/// Generated values are JSON strings, which are YAML double-quoted scalars, so the escape reads
/// back as the same character; a value drawn from a pattern may hold any of them.
fn yaml_printable(text: &str) -> String {
    let unprintable =
        |c: char| matches!(c, '\u{7f}'..='\u{84}' | '\u{86}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}');
    if !text.contains(unprintable) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unprintable(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// The folder of an operation's cases: `evs.update_snapshot.v2` → `evs/update_snapshot_v2`.
pub fn operation_dir(id: &str) -> String {
    match id.split_once('.') {
        Some((service, rest)) => format!("{service}/{}", rest.replace('.', "_")),
        None => id.to_string(),
    }
}

/// A file-name-safe label of a rule pointer: `/snapshot/name` → `snapshot_name`,
/// `/meta/*` → `meta_values`, `/meta/{key}` → `meta_keys`.
fn label(pointer: &str) -> String {
    let s: String = pointer
        .trim_start_matches('/')
        .replace("/*", "/values")
        .replace("/{key}", "/keys")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() {
        "body".into()
    } else {
        s
    }
}

/// What a case expects as status.
#[derive(Debug, Clone)]
enum Status {
    /// Exact documented statuses.
    Codes(Vec<u16>),
    /// Status classes (`4xx`) where the docs state no exact status.
    Classes(Vec<&'static str>),
}

impl Status {
    /// Whether the case expects success (every status a 2xx).
    fn succeeds(&self) -> bool {
        matches!(self, Status::Codes(c) if c.iter().all(|s| (200..300).contains(s)))
    }

    fn yaml(&self) -> String {
        match self {
            Status::Codes(c) if c.len() == 1 => c[0].to_string(),
            Status::Codes(c) => json!(c).to_string(),
            Status::Classes(c) if c.len() == 1 => json!(c[0]).to_string(),
            Status::Classes(c) => json!(c).to_string(),
        }
    }

    fn text(&self) -> String {
        match self {
            Status::Codes(c) => c
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(" or "),
            Status::Classes(c) => c.join(" or "),
        }
    }
}

/// One case being built.
struct Draft {
    name: String,
    description: String,
    rules: Vec<String>,
    params: Map<String, Value>,
    query: Map<String, Value>,
    headers: Map<String, Value>,
    body: Option<Value>,
    raw_body: Option<String>,
    status: Status,
    assertions: Vec<Value>,
    /// What the target must offer for the case to run (`auth`, `project-header`), besides
    /// the variables it reads.
    requires: Vec<&'static str>,
    step: String,
    /// The stateful property a case tests (`namespace`, `invalid_ids`), named in its tags.
    property: Option<&'static str>,
}

struct OpGen<'a> {
    contract: &'a Contract,
    producers: &'a Producers<'a>,
    op: &'a Operation,
    options: &'a Options,
    request: Option<&'a Value>,
    validator: Option<&'a jsonschema::Validator>,
    bound: Option<(&'a str, Vec<String>)>,
    /// For a read or delete of one sub-item (a metadata key): how a case gets one that exists.
    sub_item: Option<SubItem>,
    /// The path parameter naming an entry of a map a list below the resource shows
    /// ([`rules::keyed_list`]), if the path names one.
    listed_key: Option<String>,
    invalid: Status,
    cases: Vec<GeneratedCase>,
    page: String,
    /// The `oneOf` alternative whose cases are being made, if any.
    alternative: Option<alternatives::Alternative<'a>>,
    /// Whether this operation gets the case sending no credential ([`auth_operations`]).
    auth: bool,
}

impl<'a> OpGen<'a> {
    fn new(
        contract: &'a Contract,
        op: &'a Operation,
        options: &'a Options,
        producers: &'a Producers<'a>,
    ) -> OpGen<'a> {
        let request = contract
            .schema(&op.id, SchemaKind::Request)
            .filter(|_| op.request_body);
        // A body that breaks a documented rule is a 400 where the service documents 400 codes;
        // otherwise the docs are silent and only the class is expected.
        let invalid = if contract.documents(&op.service, 400) {
            Status::Codes(vec![400])
        } else {
            Status::Classes(vec!["4xx"])
        };
        OpGen {
            contract,
            producers,
            op,
            options,
            request,
            validator: contract.validator(&op.id, SchemaKind::Request),
            bound: bound_param(op, request),
            sub_item: sub_item_writer(contract, op).or_else(|| sub_item_reader(contract, op)),
            listed_key: rules::keyed_list(contract, op).map(|(_, key, _)| key),
            invalid,
            cases: Vec::new(),
            page: source_of(op, None),
            alternative: None,
            auth: false,
        }
    }

    /// A create of a kind the client keys sends a key of the case's own where it would send the
    /// generator's plain one (`conform`, `conform-${run_id}`): a case that creates one and does
    /// not delete it (an unknown field accepted) must not make another case's create conflict.
    fn own_key(&self, d: &mut Draft) {
        let Some(ClientKey::Body(at)) = self.producers.created_by(self.op).and_then(|k| k.key)
        else {
            return;
        };
        let Some(body) = d.body.as_mut() else {
            return;
        };
        // A case expected to make one names it even where the key is optional (CCI's
        // `metadata.name`): what it made is read and deleted by that key.
        if d.status.succeeds() && body.pointer(at).is_none() {
            crate::pointer::set(body, at, Value::String(values::PLACEHOLDER.into()));
        }
        let plain = |s: &str| {
            s == values::PLACEHOLDER || s == format!("{}-{}", values::PLACEHOLDER, values::RUN_ID)
        };
        if let Some(old) = body
            .pointer(at)
            .and_then(Value::as_str)
            .filter(|s| plain(s))
            .map(str::to_string)
        {
            let field = self.request.and_then(|r| keys::field_schema(r, at));
            let key = keys::unique(field, &format!("{}/{}", self.op.id, d.name));
            crate::pointer::set(body, at, Value::String(key.clone()));
            // An answer checked to show the value sent shows the key sent instead.
            for a in d.assertions.iter_mut().filter(|a| a["pointer"] == *at) {
                replace_string(a, &old, &key);
            }
        }
    }

    /// Whether a path parameter names a resource: an id, the key of a kind the client keys
    /// (`secret_name`, `namespace`), which a setup makes as it makes an id, or whatever stands
    /// where a kind's item id does.
    fn names_resource(&self, param: &str) -> bool {
        is_resource_param(param)
            || self.producers.names_key(param, &self.op.path)
            || self.producers.identifies(param)
            || self.contract.resources.names_item(param, &self.op.path)
    }

    fn documents(&self, status: u16) -> bool {
        self.contract.documents(&self.op.service, status)
    }

    fn documented_codes(&self, status: u16) -> Vec<String> {
        let mut codes: BTreeSet<String> = BTreeSet::new();
        if let Some(list) = self
            .contract
            .error_codes
            .get(&self.op.service)
            .and_then(|m| m.get(&status))
        {
            codes.extend(list.iter().map(|c| c.code.clone()));
        }
        codes.into_iter().collect()
    }

    /// Where the error pages name the codes of a status (a handful, so the list says which
    /// error this is), the envelope's code must be one of them. `/*/code` reads the code under
    /// whatever kind key the envelope has; a flat envelope (`error_code`, `error_msg`) names its
    /// code field at the top.
    fn code_assertion(&self, status: &Status) -> Option<Value> {
        const HANDFUL: usize = 8;
        let Status::Codes(codes) = status else {
            return None;
        };
        let [status] = codes.as_slice() else {
            return None;
        };
        let envelope = self.contract.schema(&self.op.id, SchemaKind::Error)?;
        // The string field named like a code among an object's documented properties.
        let code_in = |schema: &Value| -> Option<String> {
            schema
                .get("properties")
                .and_then(Value::as_object)?
                .iter()
                .find(|(name, s)| {
                    name.to_ascii_lowercase().contains("code")
                        && s.get("type").and_then(Value::as_str) == Some("string")
                })
                .map(|(name, _)| name.clone())
        };
        let nested = || {
            let under_kind = envelope
                .get("additionalProperties")
                .and_then(code_in)
                .map(|c| format!("/*/{c}"));
            under_kind.or_else(|| {
                envelope
                    .get("properties")
                    .and_then(Value::as_object)?
                    .iter()
                    .find_map(|(k, s)| code_in(s).map(|c| format!("/{k}/{c}")))
            })
        };
        // Where the envelope documents no code field, nothing says where the code is.
        let pointer = code_in(envelope).map(|c| format!("/{c}")).or_else(nested)?;
        let documented = self.documented_codes(*status);
        if documented.is_empty() || documented.len() > HANDFUL {
            return None;
        }
        let alternatives: Vec<String> = documented.iter().map(|c| regex::escape(c)).collect();
        Some(json!({"pointer": pointer, "matches": format!("^(?:{})$", alternatives.join("|"))}))
    }

    fn success(&self) -> Status {
        Status::Codes(self.op.success.clone())
    }

    fn all(&mut self) {
        // A `oneOf` request has no single body: its body cases are made per alternative.
        if !self.alternative_cases() {
            self.success_case();
            if let Some(request) = self.request {
                self.shape_cases(request);
                for site in rules::every_site(request) {
                    self.site_cases(&site);
                }
                self.binding_case();
                self.random_cases(request);
            }
        }
        self.query_cases();
        self.path_cases();
        self.query_id_cases();
        self.precondition_cases();
        self.auth_case();
    }

    /// Cases for the query parameters' documented limits, each beside an otherwise valid
    /// request: a required one left out, a value of another type, each enum value's first
    /// inside and one outside, each bound at the limit and one past, lengths at and past theirs.
    fn query_cases(&mut self) {
        /// What a query case expects: the success status, the invalid one, or either (a filter
        /// value the page does not list may be refused or match nothing; never a 5xx).
        #[derive(Clone, Copy)]
        enum Outcome {
            Accepted,
            Refused,
            Either,
        }
        let body = self.base_body();
        if body.as_ref().is_some_and(|b| !self.accepts(b)) {
            return;
        }
        for q in &self.op.query_params {
            let target = format!("query/{}", q.name);
            let schema = &q.schema;
            let source = source_of(self.op, Some(schema));
            // (case suffix, the value sent or None for none, outcome, constraint, what it is)
            let mut tries: Vec<(String, Option<Value>, Outcome, Constraint, String)> = Vec::new();
            if q.required {
                tries.push((
                    "required_missing".into(),
                    None,
                    Outcome::Refused,
                    Constraint::Required,
                    "left out".into(),
                ));
            }
            for (constraint, _) in constraints_of(schema) {
                match constraint {
                    Constraint::Type => {
                        // A number that is not one cannot be read; a boolean filter may be.
                        let outcome = match rules::declared_type(schema) {
                            Some("integer" | "number") => Outcome::Refused,
                            Some("boolean") => Outcome::Either,
                            _ => continue,
                        };
                        let what = "'conform', not of its type".to_string();
                        tries.push((
                            "type_wrong".into(),
                            Some(json!("conform")),
                            outcome,
                            constraint,
                            what,
                        ));
                    }
                    Constraint::Enum => {
                        for (k, inside) in values::enum_values(schema).into_iter().enumerate() {
                            let what = format!("{}, a documented value", values::shown(&inside));
                            let suffix = enum_inside_name(k);
                            tries.push((
                                suffix,
                                Some(inside),
                                Outcome::Accepted,
                                constraint.clone(),
                                what,
                            ));
                        }
                        if let Some(out) = values::outside_enum(schema) {
                            let what = format!("'{out}', not a documented value");
                            tries.push((
                                "enum_outside".into(),
                                Some(json!(out)),
                                Outcome::Either,
                                constraint,
                                what,
                            ));
                        }
                    }
                    Constraint::Minimum | Constraint::Maximum => {
                        let min = constraint == Constraint::Minimum;
                        let key = if min { "minimum" } else { "maximum" };
                        let Some(n) = schema.get(key).and_then(Value::as_i64) else {
                            continue;
                        };
                        let (at, past, over) = if min {
                            ("minimum_at_limit", n.checked_sub(1), "minimum_past")
                        } else {
                            ("maximum_at_limit", n.checked_add(1), "maximum_past")
                        };
                        let what = format!("{n}, at the limit");
                        tries.push((
                            at.into(),
                            Some(json!(n)),
                            Outcome::Accepted,
                            constraint.clone(),
                            what,
                        ));
                        if let Some(p) = past {
                            let what = format!("{p}, one past the limit");
                            tries.push((
                                over.into(),
                                Some(json!(p)),
                                Outcome::Refused,
                                constraint,
                                what,
                            ));
                        }
                    }
                    Constraint::MaxLength => {
                        let Some(n) = schema.get("maxLength").and_then(Value::as_u64) else {
                            continue;
                        };
                        let n = n as usize;
                        let at = json!(values::ascii_chars(schema, n));
                        let what = format!("{n} characters, at the limit");
                        tries.push((
                            "maxlength_at_limit".into(),
                            Some(at),
                            Outcome::Accepted,
                            constraint.clone(),
                            what,
                        ));
                        let past = json!(values::ascii_chars(schema, n + 1));
                        let what = format!("{} characters, one past the limit", n + 1);
                        tries.push((
                            "maxlength_past".into(),
                            Some(past),
                            Outcome::Either,
                            constraint,
                            what,
                        ));
                    }
                    Constraint::MaxItems => {
                        // A list in a query is one comma-separated value (the form the tier
                        // and Huawei Cloud's services read); no items is no filter at all, so
                        // only the most items is a limit a query can be sent at and past.
                        let Some(n) = schema
                            .get("maxItems")
                            .and_then(Value::as_u64)
                            .and_then(|n| usize::try_from(n).ok())
                            .filter(|n| *n <= values::MAX_ITEMS_CASE)
                        else {
                            continue;
                        };
                        let Some(item) = values::query_item(schema) else {
                            continue;
                        };
                        let list = |k: usize| json!(vec![item.as_str(); k].join(","));
                        tries.push((
                            "max_items_at_limit".into(),
                            Some(list(n)),
                            Outcome::Accepted,
                            constraint.clone(),
                            format!("{n} items, at the limit"),
                        ));
                        tries.push((
                            "max_items_over".into(),
                            Some(list(n + 1)),
                            Outcome::Refused,
                            constraint,
                            format!("{} items, one over the limit", n + 1),
                        ));
                    }
                    _ => {}
                }
            }
            // A value expected accepted must be one the whole schema accepts: a length at the
            // limit of a parameter that also lists its values (SCM's `sort_dir`, ASC or DESC,
            // at most 32 characters) is no value the service takes, so that case is not written.
            // (A list is sent as text, its items each the simplest valid one.)
            let whole = crate::contract::keywords::compile(schema).ok();
            let list = rules::declared_type(schema) == Some("array");
            tries.retain(|(_, value, outcome, _, _)| match (outcome, value, &whole) {
                (Outcome::Accepted, Some(v), Some(whole)) => list || whole.is_valid(v),
                _ => true,
            });
            let lbl = format!("query_{}", label(&format!("/{}", q.name)));
            for (suffix, value, outcome, constraint, what) in tries {
                let (status, verb) = match outcome {
                    Outcome::Accepted => (self.success(), "accepted"),
                    Outcome::Refused => (self.invalid.clone(), "refused"),
                    Outcome::Either => (
                        Status::Classes(vec!["2xx", "4xx"]),
                        "refused or matches nothing, never a server error",
                    ),
                };
                let mut d = self.draft(
                    &format!("query {} {}", q.name, suffix.replace('_', " ")),
                    &format!("{lbl}__{suffix}"),
                    format!(
                        "Query parameter '{}' ({source}): {what} is {verb} ({}).",
                        q.name,
                        status.text()
                    ),
                    vec![rule_id(&self.op.id, &target, &constraint)],
                    body.clone(),
                    status,
                );
                match value {
                    Some(v) => d.query.insert(q.name.clone(), v),
                    None => d.query.remove(&q.name),
                };
                self.push(d);
            }
        }
    }

    /// One case per documented state: the resource comes from the target variable
    /// `<state>_<id parameter>` (`paused_server_id`), so a target without one skips the case.
    fn precondition_cases(&mut self) {
        let Some(param) = rules::resource_param(self.op).map(str::to_string) else {
            return;
        };
        for p in &self.op.preconditions {
            let rule = rule_id(&self.op.id, &p.field, &Constraint::Precondition);
            let states = p
                .allowed
                .iter()
                .map(|s| (s, true))
                .chain(p.refused.iter().map(|s| (s, false)));
            for (state, ok) in states {
                // The docs list the refused states but state no status for them.
                let status = if ok {
                    self.success()
                } else {
                    Status::Classes(vec!["4xx"])
                };
                let outcome = if ok {
                    format!("accepted ({})", status.text())
                } else {
                    format!("refused with {}", status.text())
                };
                let body = self.base_body();
                if ok && body.as_ref().is_some_and(|b| !self.accepts(b)) {
                    continue;
                }
                let mut d = self.draft(
                    &format!("{} {state}", p.field),
                    &format!("state_{}__{state}", p.field),
                    format!("The resource's {} must be one of {} ({}): a resource in state {state} is {outcome}.", p.field, p.allowed.join(", "), p.source),
                    vec![rule.clone()],
                    body,
                    status,
                );
                d.params
                    .insert(param.clone(), Value::String(state_reference(state, &param)));
                self.push(d);
            }
        }
    }

    /// A valid body: every required field, plus every optional field of the objects on the way
    /// (so an update names something to update).
    fn base_body(&self) -> Option<Value> {
        let request = self.request?;
        let mut body = values::simple_value(request);
        let required_only = body.clone();
        fill_optional(&mut body, request);
        // An optional field can make an alternative's body match another alternative as well.
        if self.alternative.is_some() && !self.accepts(&body) && self.accepts(&required_only) {
            return Some(required_only);
        }
        Some(body)
    }

    fn bound_key(body: &Value, parents: &[String]) -> Option<String> {
        let mut cur = body;
        for p in parents {
            cur = cur.get(p)?;
        }
        cur.as_object()?.keys().next().cloned()
    }

    fn params_for(&self, body: Option<&Value>) -> Map<String, Value> {
        let mut params = Map::new();
        for p in &self.op.path_params {
            // A create by PUT names the new one: a key of its own, no variable.
            if let Some(ClientKey::Path(own)) =
                self.producers.created_by(self.op).and_then(|k| k.key)
            {
                if own == p {
                    let key = keys::unique(None, &format!("{}/{p}", self.op.id));
                    params.insert(p.clone(), Value::String(key));
                    continue;
                }
            }
            if p == "project_id" || self.names_resource(p) {
                continue;
            }
            let value = match (&self.bound, body) {
                (Some((param, parents)), Some(b)) if param == p => {
                    Self::bound_key(b, parents).unwrap_or_else(|| "conform".into())
                }
                // A read or delete of a sub-item (a metadata key) needs one that exists: a setup
                // step writes it where the contract has the write, or reads the list and
                // captures one; else it comes from a target variable of the same name, or the
                // case is skipped. A parameter before the last one is a scope the setup fills
                // as this request does (CCI's `{namespace}` above an ingress's `{name}`).
                _ if matches!(self.op.method.as_str(), "GET" | "HEAD" | "DELETE")
                    && self.op.path_params.last() == Some(p)
                    && self
                        .sub_item
                        .as_ref()
                        .is_none_or(|s| s.param != *p || s.captured) =>
                {
                    format!("${{{p}}}")
                }
                _ => "conform".into(),
            };
            params.insert(p.clone(), Value::String(value));
        }
        params
    }

    /// The query parameter (or body field) naming one of a kind no path names, where this
    /// operation is that kind's read, update or delete.
    /// Whether a create `body` leaves empty the key its client chooses (a queue's `queue_name`
    /// where the page sets no least length): what it made could not be read or undone by it.
    fn names_nothing(&self, body: &Value) -> bool {
        let key = self.producers.created_by(self.op).and_then(|p| p.key);
        matches!(key, Some(ClientKey::Body(at)) if body.pointer(at).and_then(Value::as_str) == Some(""))
    }

    fn query_named(&self) -> Option<&'a str> {
        self.producers
            .iter()
            .find(|p| p.names_at(self.op))
            .and_then(|p| p.query_id)
    }

    /// The required query parameters, each a simple valid value, except the id of a kind no
    /// path names on its read or delete: the variable a setup captures it into (`${asset_id}`).
    fn required_query(&self) -> Map<String, Value> {
        let named = self.query_named();
        self.op
            .query_params
            .iter()
            .filter(|q| q.required)
            .map(|q| {
                let v = match named {
                    Some(id) if id == q.name => Value::String(format!("${{{id}}}")),
                    _ => values::simple_value(&q.schema),
                };
                (q.name.clone(), v)
            })
            .collect()
    }

    fn draft(
        &self,
        step: &str,
        name: &str,
        description: String,
        rules: Vec<String>,
        body: Option<Value>,
        status: Status,
    ) -> Draft {
        Draft {
            name: name.to_string(),
            description,
            rules,
            params: self.params_for(body.as_ref()),
            // A required query parameter is always sent, so that its absence is not why a case
            // fails.
            query: self.required_query(),
            headers: Map::new(),
            body,
            raw_body: None,
            status,
            assertions: Vec::new(),
            requires: Vec::new(),
            step: step.to_string(),
            property: None,
        }
    }

    /// Whether a case may expect success with this body: the request schema accepts it and, for
    /// an alternative's case, by matching that alternative.
    fn accepts(&self, body: &Value) -> bool {
        self.validator.is_none_or(|v| v.is_valid(body))
            && self.alternative.as_ref().is_none_or(|a| a.matches(body))
    }

    /// Whether a case may expect refusal: the whole request schema refuses the body (a body that
    /// breaks one alternative but matches another is accepted).
    fn refuses(&self, body: &Value) -> bool {
        self.validator.is_some_and(|v| !v.is_valid(body))
    }

    fn success_case(&mut self) {
        let status = self.success();
        let body = self.base_body();
        // A success case must send what the contract accepts, or the runner refuses the suite.
        if body.as_ref().is_some_and(|b| !self.accepts(b)) {
            return;
        }
        let rule = rule_id(
            &self.op.id,
            &format!("status/{}", self.op.success.first().copied().unwrap_or(200)),
            &Constraint::Success,
        );
        let mut rules = vec![rule];
        for s in self.op.success.iter().skip(1) {
            rules.push(rule_id(
                &self.op.id,
                &format!("status/{s}"),
                &Constraint::Success,
            ));
        }
        let d = self.draft(
            "valid request",
            "success",
            format!(
                "A valid request answers the documented success status {} ({}).",
                status.text(),
                self.page
            ),
            rules,
            body,
            status,
        );
        self.push(d);
    }

    fn shape_cases(&mut self, request: &Value) {
        let root_rule = rule_id(&self.op.id, "body", &Constraint::Type);
        let invalid = self.invalid.clone();
        let d = Draft {
            raw_body: Some(String::new()),
            ..self.draft(
                "empty body",
                "body__empty",
                format!(
                    "The request body is a JSON object ({}); an empty body is refused with {}.",
                    self.page,
                    invalid.text()
                ),
                vec![root_rule.clone()],
                None,
                invalid.clone(),
            )
        };
        let mut d = d;
        d.params = self.params_for(self.base_body().as_ref());
        self.push(d);
        // An array or an extra property only breaks the shape of an object body.
        let object_body = matches!(rules::declared_type(request), Some("object") | None);
        if let Some(base) = self.base_body().filter(|_| object_body) {
            let text = base.to_string();
            let cut: String = text.chars().take(text.chars().count() / 2).collect();
            let mut d = self.draft(
                "malformed JSON",
                "body__malformed_json",
                format!(
                    "The request body is JSON ({}); a body cut in half is refused with {}.",
                    self.page,
                    invalid.text()
                ),
                vec![root_rule.clone()],
                None,
                invalid.clone(),
            );
            d.params = self.params_for(Some(&base));
            d.raw_body = Some(cut);
            self.push(d);
            let d = self.draft(
                "array body",
                "body__array",
                format!(
                    "The request body is a JSON object ({}); an array is refused with {}.",
                    self.page,
                    invalid.text()
                ),
                vec![root_rule.clone()],
                Some(json!([base])),
                invalid.clone(),
            );
            let mut d = d;
            d.params = self.params_for(self.base_body().as_ref());
            self.push(d);
            // An unknown field: the docs do not say whether it is refused or ignored, so the case
            // only requires that the answer is not a server error (and follows the contract).
            let mut extra = base.clone();
            if let Some(o) = extra.as_object_mut() {
                o.insert("conform_undocumented".into(), json!("x"));
            }
            let d = self.draft(
                "unknown top-level field",
                "body__unknown_field",
                format!("The docs are silent on undocumented fields ({}): a body with one is refused (4xx) or accepted (2xx), never a 5xx.", self.page),
                vec![root_rule],
                Some(extra),
                Status::Classes(vec!["2xx", "4xx"]),
            );
            self.push(d);
        }
    }

    fn site_cases(&mut self, site: &Site<'_>) {
        // Only the required fields and the field under test: another optional field could make
        // the outcome depend on a rule the docs do not state (which of two aliases wins).
        let Some(request) = self.request else {
            return;
        };
        let mut base = values::simple_value(request);
        if !ensure_parents(&mut base, &site.parents, request) {
            return;
        }
        let source = source_of(self.op, Some(site.schema));
        let lbl = label(&site.pointer);
        let invalid = self.invalid.clone();
        let where_ = format!("{} ({source})", site.pointer);
        let set = |value: Value| -> Option<Value> {
            let mut body = base.clone();
            place(&mut body, site, value)?;
            Some(body)
        };
        if site.required {
            let rule = rule_id(&self.op.id, &site.pointer, &Constraint::Required);
            let mut body = base.clone();
            if let Some(parent) = rules::object_at_mut(&mut body, &site.parents) {
                parent.remove(&site.name);
                self.case_if(
                    false,
                    &format!("{lbl}__required_missing"),
                    "required field missing",
                    format!(
                        "{where_} is required; a body without it is refused with {}.",
                        invalid.text()
                    ),
                    vec![rule],
                    body,
                    invalid.clone(),
                    Vec::new(),
                );
            }
        }
        for (constraint, detail) in constraints_of(site.schema) {
            let rule = rule_id(&self.op.id, &site.pointer, &constraint);
            let schema = site.schema;
            let spot = Spot {
                site,
                lbl: &lbl,
                where_: &where_,
                detail: &detail,
                rule: &rule,
                set: &set,
            };
            match constraint {
                Constraint::Type => {
                    let (wrong, kind) = values::wrong_type(schema);
                    if site.kind == SiteKind::MapKey {
                        continue; // JSON object keys are always strings.
                    }
                    if let Some(body) = set(wrong) {
                        self.case_if(
                            false,
                            &format!("{lbl}__type_{kind}"),
                            &format!("{kind} instead of {detail}"),
                            format!(
                                "{where_} is a {detail}; {kind} is refused with {}.",
                                invalid.text()
                            ),
                            vec![rule.clone()],
                            body,
                            invalid.clone(),
                            Vec::new(),
                        );
                    }
                    if detail == "object" && site.kind == SiteKind::Property {
                        for (v, what) in [(Value::Null, "null"), (json!([]), "array")] {
                            if let Some(body) = set(v) {
                                self.case_if(
                                    false,
                                    &format!("{lbl}__type_{what}"),
                                    &format!("{what} instead of object"),
                                    format!(
                                        "{where_} is an object; {what} is refused with {}.",
                                        invalid.text()
                                    ),
                                    vec![rule.clone()],
                                    body,
                                    invalid.clone(),
                                    Vec::new(),
                                );
                            }
                        }
                    }
                }
                Constraint::MaxBytes => {
                    let Some(n) = schema
                        .get("x-maxBytes")
                        .and_then(Value::as_u64)
                        .and_then(|n| usize::try_from(n).ok())
                    else {
                        continue;
                    };
                    let at = values::bytes_at_limit(schema, n);
                    let over = values::bytes_at_limit(schema, n + 1);
                    // A character limit stricter than the bytes leaves no valid value at them.
                    let chars_fit = schema
                        .get("maxLength")
                        .and_then(Value::as_u64)
                        .is_none_or(|m| at.chars().count() as u64 <= m);
                    if chars_fit {
                        self.boundary(
                            &spot,
                            "max_bytes_at_limit",
                            &format!(
                                "{} bytes ({} characters), at the limit",
                                at.len(),
                                at.chars().count()
                            ),
                            Value::String(at),
                            true,
                        );
                    }
                    self.boundary(
                        &spot,
                        "max_bytes_over",
                        &format!(
                            "{} bytes ({} characters), one byte past the limit",
                            over.len(),
                            over.chars().count()
                        ),
                        Value::String(over),
                        false,
                    );
                    if let Some(m) = values::mixed_width(schema, n) {
                        self.boundary(&spot, "max_bytes_mixed_width", &format!("{} characters but {} bytes (one 2-byte character), over a byte limit", m.chars().count(), m.len()), Value::String(m), false);
                    }
                }
                Constraint::MaxLength => {
                    let Some(n) = schema
                        .get("maxLength")
                        .and_then(Value::as_u64)
                        .and_then(|n| usize::try_from(n).ok())
                    else {
                        continue;
                    };
                    let over = values::ascii_chars(schema, n + 1);
                    // A byte limit stricter than the characters leaves no valid value at it.
                    if let Some(at) = values::chars_at_limit(schema, n) {
                        self.boundary(
                            &spot,
                            "max_length_at_limit",
                            &format!(
                                "{} characters ({} bytes), at the limit",
                                at.chars().count(),
                                at.len()
                            ),
                            Value::String(at),
                            true,
                        );
                    }
                    self.boundary(
                        &spot,
                        "max_length_over",
                        &format!("{} characters, one past the limit", over.chars().count()),
                        Value::String(over),
                        false,
                    );
                    if let Some(m) =
                        values::mixed_width(schema, n).filter(|m| values::within_bytes(schema, m))
                    {
                        self.boundary(
                            &spot,
                            "max_length_mixed_width",
                            &format!(
                                "{} characters in {} bytes, at a character limit",
                                m.chars().count(),
                                m.len()
                            ),
                            Value::String(m),
                            true,
                        );
                    }
                }
                Constraint::MinLength => {
                    let Some(n) = schema
                        .get("minLength")
                        .and_then(Value::as_u64)
                        .and_then(|n| usize::try_from(n).ok())
                    else {
                        continue;
                    };
                    let at = values::ascii_chars(schema, n);
                    self.boundary(
                        &spot,
                        "min_length_at_limit",
                        &format!("{n} characters, at the lower limit"),
                        Value::String(at),
                        true,
                    );
                    let under = values::ascii_chars(schema, n - 1);
                    self.boundary(
                        &spot,
                        "min_length_under",
                        &format!("{} characters, one under the lower limit", n - 1),
                        Value::String(under),
                        false,
                    );
                }
                Constraint::Pattern => {
                    let inside = values::simple_string(schema);
                    self.boundary(
                        &Spot {
                            detail: &format!("matching {detail}"),
                            ..spot
                        },
                        "pattern_inside",
                        &format!("'{inside}', which matches"),
                        Value::String(inside.clone()),
                        true,
                    );
                    if let Some(out) = values::outside_pattern(schema) {
                        self.boundary(
                            &Spot {
                                detail: &format!("matching {detail}"),
                                ..spot
                            },
                            "pattern_outside",
                            &format!("'{out}', which does not match"),
                            Value::String(out),
                            false,
                        );
                    }
                }
                Constraint::Enum => {
                    // Every documented value is accepted: the first as `enum_inside`, the k-th
                    // as `enum_inside_k` (a value of another type than the field's is no case).
                    for (k, inside) in values::enum_values(schema).into_iter().enumerate() {
                        let suffix = enum_inside_name(k);
                        self.boundary(
                            &Spot {
                                detail: &format!("one of {detail}"),
                                ..spot
                            },
                            &suffix,
                            &format!("{}, a documented value", values::shown(&inside)),
                            inside,
                            true,
                        );
                    }
                    if let Some(out) = values::outside_enum(schema) {
                        self.boundary(
                            &Spot {
                                detail: &format!("one of {detail}"),
                                ..spot
                            },
                            "enum_outside",
                            &format!("'{out}', not a documented value"),
                            Value::String(out),
                            false,
                        );
                    }
                }
                Constraint::Minimum | Constraint::Maximum => {
                    let key = if constraint == Constraint::Minimum {
                        "minimum"
                    } else {
                        "maximum"
                    };
                    let Some(n) = schema.get(key).and_then(Value::as_i64) else {
                        continue;
                    };
                    let past = if constraint == Constraint::Minimum {
                        n - 1
                    } else {
                        n + 1
                    };
                    self.boundary(
                        &spot,
                        &format!("{key}_at_limit"),
                        &format!("{n}, at the limit"),
                        json!(n),
                        true,
                    );
                    self.boundary(
                        &spot,
                        &format!("{key}_past"),
                        &format!("{past}, one past the limit"),
                        json!(past),
                        false,
                    );
                }
                Constraint::MinItems | Constraint::MaxItems => {
                    let min = constraint == Constraint::MinItems;
                    let key = if min { "minItems" } else { "maxItems" };
                    let Some(n) = schema
                        .get(key)
                        .and_then(Value::as_u64)
                        .and_then(|n| usize::try_from(n).ok())
                        .filter(|n| *n <= values::MAX_ITEMS_CASE)
                    else {
                        continue;
                    };
                    let (stem, past, side) = if min {
                        ("min_items", n - 1, "under")
                    } else {
                        ("max_items", n + 1, "over")
                    };
                    // Made-up ids name nothing: a correct server refuses a list of them however
                    // many it holds, so only the refusal past the limit is a case.
                    if !values::is_reference_list(&site.name) {
                        self.boundary(
                            &spot,
                            &format!("{stem}_at_limit"),
                            &format!("{n} items, at the limit"),
                            values::items(schema, n),
                            true,
                        );
                    }
                    self.boundary(
                        &spot,
                        &format!("{stem}_{side}"),
                        &format!("{past} items, one {side} the limit"),
                        values::items(schema, past),
                        false,
                    );
                }
                Constraint::Precedence => self.precedence(site, &rule, &base, &source),
                _ => {}
            }
        }
    }

    /// One boundary case: `value` at the site, expecting success (`ok`) or the invalid status.
    #[allow(clippy::too_many_arguments)]
    fn boundary(&mut self, spot: &Spot<'_, '_>, suffix: &str, what: &str, value: Value, ok: bool) {
        let Spot {
            site,
            lbl,
            where_,
            detail,
            rule,
            set,
        } = *spot;
        // A made-up id at a limit names nothing: a correct server refuses it as not found, so
        // only the refusals past a reference's limits are cases.
        if ok && site.kind == SiteKind::Property && values::is_reference(&site.name) {
            return;
        }
        let Some(body) = set(value.clone()) else {
            return;
        };
        let mut status = if ok {
            self.success()
        } else {
            self.invalid.clone()
        };
        // An empty map key is also an empty path segment when the path names the key: routing
        // may answer before the body is read, so only the class is certain.
        if !ok
            && site.kind == SiteKind::MapKey
            && self.bound.is_some()
            && value.as_str() == Some("")
        {
            status = Status::Classes(vec!["4xx"]);
        }
        let mut assertions = Vec::new();
        // At a limit, the stored value comes back unchanged where the response documents the
        // same field (a target that truncates is caught here).
        if ok && site.kind == SiteKind::Property {
            if let (Some(resp), Value::String(_)) = (self.response_schema(), &value) {
                // Only where the response documents a string there too: a field the request
                // takes as "true" and the answer as a boolean cannot come back unchanged.
                let field = schema_at(resp, &site.pointer);
                let answered = field.map(rules::declared_type);
                // Nor where the answer's own limits on the field refuse the value (a page
                // merged in limits the answer to 36 bytes where the request takes 36 characters).
                let answerable = field.is_some_and(|f| {
                    crate::contract::keywords::compile(f).is_ok_and(|v| v.is_valid(&value))
                });
                if matches!(answered, Some(None | Some("string"))) && answerable {
                    assertions.push(json!({"pointer": site.pointer, "equals": value}));
                }
            }
        }
        let outcome = if ok {
            format!("accepted ({})", status.text())
        } else {
            format!("refused with {}", status.text())
        };
        self.case_if(
            ok,
            &format!("{lbl}__{suffix}"),
            &format!("{} {}", site.pointer, suffix.replace('_', " ")),
            format!("{where_}: {detail}. {what} is {outcome}."),
            vec![rule.to_string()],
            body,
            status,
            assertions,
        );
    }

    fn response_schema(&self) -> Option<&'a Value> {
        let s = *self.op.success.first()?;
        self.contract
            .schema(&self.op.id, SchemaKind::Response(s))
            .filter(|_| self.op.response_body)
    }

    /// `x-precedence`: with both fields given, the winner's value is the one stored.
    fn precedence(&mut self, site: &Site<'_>, rule: &str, base: &Value, source: &str) {
        let Some(winner) = site.schema.get("x-precedence").and_then(Value::as_str) else {
            return;
        };
        let mut body = base.clone();
        let Some(parent) = rules::object_at_mut(&mut body, &site.parents) else {
            return;
        };
        parent.insert(winner.to_string(), json!("conform-winner"));
        parent.insert(site.name.clone(), json!("conform-loser"));
        let winner_pointer = format!(
            "{}/{}",
            site.pointer.rsplit_once('/').map_or("", |p| p.0),
            winner
        );
        let mut assertions = Vec::new();
        if self
            .response_schema()
            .is_some_and(|r| schema_at(r, &winner_pointer).is_some())
        {
            assertions.push(json!({"pointer": winner_pointer, "equals": "conform-winner"}));
        }
        let status = self.success();
        self.case_if(true, &format!("{}__precedence", label(&site.pointer)), "both fields given", format!("{} ({source}): when both are given, {winner} wins; the answer shows the {winner} value.", site.pointer), vec![rule.to_string()], body, status, assertions);
    }

    /// Adds a body case after checking it agrees with the contract: a success case must send a
    /// body the request schema accepts, an invalid one a body it refuses (else the case would not
    /// test the rule it names, and is left out).
    #[allow(clippy::too_many_arguments)]
    fn case_if(
        &mut self,
        ok: bool,
        id: &str,
        step: &str,
        description: String,
        rules: Vec<String>,
        body: Value,
        status: Status,
        assertions: Vec<Value>,
    ) {
        let agrees = if ok {
            self.accepts(&body)
        } else {
            self.refuses(&body)
        };
        if !agrees {
            return;
        }
        let mut d = self.draft(step, id, description, rules, Some(body), status);
        d.assertions = assertions;
        self.push(d);
    }

    fn binding_case(&mut self) {
        let Some((param, parents)) = self.bound.clone() else {
            return;
        };
        let Some(mut body) = self.base_body() else {
            return;
        };
        let params = self.params_for(Some(&body));
        // Rename the body's key so that it differs from the path's.
        let Some(map) = rules::object_at_mut(&mut body, &parents) else {
            return;
        };
        let Some((k, v)) = map.iter().next().map(|(k, v)| (k.clone(), v.clone())) else {
            return;
        };
        map.remove(&k);
        map.insert(format!("{k}-other"), v);
        let mismatch = self
            .contract
            .error_codes
            .get(&self.op.service)
            .and_then(|m| {
                m.iter().find(|(_, codes)| {
                    codes
                        .iter()
                        .any(|c| c.message.to_lowercase().contains("uri mismatch"))
                })
            })
            .map(|(s, _)| *s);
        let status = match mismatch {
            Some(s) => Status::Codes(vec![s]),
            None => Status::Classes(vec!["4xx"]),
        };
        let rule = rule_id(&self.op.id, &format!("path/{param}"), &Constraint::Binding);
        let mut d = self.draft("body key differs from the path", &format!("path_{param}__binding_mismatch"), format!("The path's {{{param}}} names the body's key ({}); a body whose key differs is refused with {}.", self.page, status.text()), vec![rule], Some(body), status);
        d.params = params;
        self.push(d);
    }

    fn random_cases(&mut self, request: &Value) {
        let single = self.bound.is_some();
        let strategy = values::strategy(request, single);
        for i in 0..self.options.samples {
            let mut runner =
                values::runner(self.options.seed, &format!("{}:valid:{i}", self.op.id));
            let Some(mut body) = values::draw(&strategy, &mut runner) else {
                continue;
            };
            if !self.accepts(&body) || self.names_nothing(&body) {
                continue;
            }
            // A kind no path names: the drawn body names the one the setup made, as a valid
            // request must.
            if let Some(id) = self.query_named() {
                if let Some(v) = body.get_mut(id).filter(|v| v.is_string()) {
                    *v = Value::String(format!("${{{id}}}"));
                }
            }
            let rules = body_rules(self.op, request, &body);
            let status = self.success();
            let n = i + 1;
            let d = self.draft(
                &format!("valid body {n} of {} (seed {})", self.options.samples, self.options.seed),
                &format!("data__valid_{n:02}"),
                format!("Random body {n} drawn (seed {}) within every documented type and limit ({}): it is accepted ({}). Reproduce with `conform generate --seed {}`.", self.options.seed, self.page, status.text(), self.options.seed),
                rules,
                Some(body),
                status,
            );
            self.push(d);
        }
        for i in 0..self.options.samples {
            let mut runner =
                values::runner(self.options.seed, &format!("{}:invalid:{i}", self.op.id));
            let Some(mut body) = values::draw(&strategy, &mut runner) else {
                continue;
            };
            let Some((rule, what, source)) = self.break_one(request, &mut body, i) else {
                continue;
            };
            let n = i + 1;
            let d = self.draft(
                &format!("invalid body {n} of {} (seed {})", self.options.samples, self.options.seed),
                &format!("data__invalid_{n:02}"),
                format!("Random body {n} (seed {}) with one documented rule broken ({what}, {source}): it is refused with a 4xx, never a 5xx. Reproduce with `conform generate --seed {}`.", self.options.seed, self.options.seed),
                vec![rule],
                Some(body),
                Status::Classes(vec!["4xx"]),
            );
            self.push(d);
        }
    }

    /// Breaks one rule of a valid body, chosen by the draw index; returns the rule and a phrase.
    fn break_one(
        &self,
        request: &Value,
        body: &mut Value,
        index: usize,
    ) -> Option<(String, String, String)> {
        let all = rules::every_site(request);
        let n = all.len();
        for k in 0..n {
            let site = &all[(index + k) % n];
            for (constraint, detail) in constraints_of(site.schema) {
                let value = match constraint {
                    Constraint::Type if site.kind != SiteKind::MapKey => {
                        values::wrong_type(site.schema).0
                    }
                    Constraint::MaxBytes => {
                        let n = site.schema.get("x-maxBytes")?.as_u64()? as usize;
                        Value::String(values::bytes_at_limit(site.schema, n + 1))
                    }
                    Constraint::MaxLength => {
                        let n = site.schema.get("maxLength")?.as_u64()? as usize;
                        Value::String(values::ascii_chars(site.schema, n + 1))
                    }
                    Constraint::Pattern => Value::String(values::outside_pattern(site.schema)?),
                    Constraint::Enum => Value::String(values::outside_enum(site.schema)?),
                    _ => continue,
                };
                let mut candidate = body.clone();
                if place(&mut candidate, site, value).is_some() && self.refuses(&candidate) {
                    *body = candidate;
                    return Some((
                        rule_id(&self.op.id, &site.pointer, &constraint),
                        format!("{} {}", site.pointer, detail),
                        source_of(self.op, Some(site.schema)),
                    ));
                }
            }
        }
        None
    }

    fn path_cases(&mut self) {
        let body = self.base_body();
        let not_found = if self.documents(404) {
            Status::Codes(vec![404])
        } else {
            Status::Classes(vec!["4xx"])
        };
        let codes = self.documented_codes(404);
        let code_note = if codes.is_empty() {
            String::new()
        } else {
            format!(" (documented codes: {})", codes.join(", "))
        };
        let names_project = self.op.path_params.iter().any(|n| n == "project_id");
        // A create by PUT makes what its path names: an unknown one is no error there.
        let chosen = match self.producers.created_by(self.op).and_then(|k| k.key) {
            Some(ClientKey::Path(own)) => Some(own.as_str()),
            _ => None,
        };
        for p in self.op.path_params.iter().filter(|p| {
            (is_resource_param(p) || self.producers.identifies(p)) && Some(p.as_str()) != chosen
        }) {
            let mut d = self.draft(
                &format!("unknown {p}"),
                &format!("path_{p}__unknown"),
                format!(
                    "An unknown {p} is not found: {}{code_note} ({}).",
                    not_found.text(),
                    self.page
                ),
                vec![rule_id(
                    &self.op.id,
                    &format!("path/{p}"),
                    &Constraint::Exists,
                )],
                body.clone(),
                not_found.clone(),
            );
            d.params.insert(p.clone(), json!("${missing_id}"));
            d.assertions.extend(self.code_assertion(&not_found));
            d.property = Some("resource_exists");
            self.push(d);
            // Invalid ids: whatever the service makes of an id that cannot be one, it is the
            // client's error, never a server error.
            let mut d = self.draft(
                &format!("malformed {p}"),
                &format!("path_{p}__malformed"),
                format!(
                    "A {p} that cannot be an id ({} characters) is refused with a 4xx, never a server error ({}).",
                    malformed_id().len(),
                    self.page
                ),
                vec![rule_id(
                    &self.op.id,
                    &format!("path/{p}"),
                    &Constraint::Exists,
                )],
                body.clone(),
                Status::Classes(vec!["4xx"]),
            );
            d.params.insert(p.clone(), json!(malformed_id()));
            d.property = Some("invalid_ids");
            self.push(d);
            // Where the path names no project, the header chooses it where the service
            // documents one; else the token does, and another project needs its credentials.
            if !names_project {
                if self.made_here(p) {
                    let mut d = self.asked_from_another_project(
                        &format!("{p} asked from another project"),
                        &format!("path_{p}__other_project"),
                        &format!("path/{p}"),
                        body.clone(),
                        &not_found,
                    );
                    d.assertions.extend(self.code_assertion(&not_found));
                    self.push(d);
                }
                continue;
            }
            // A kind made in the token's own project ([`Producer::made_in_tokens_project`]) is
            // made here and asked for under another project's path; any other is made in the
            // other project and asked for under this one's.
            let token_made = self
                .producers
                .for_param(p, &self.op.service, &self.op.path)
                .is_some_and(|k| k.made_in_tokens_project(self.contract))
                || !self.makeable_in_another_project(p);
            let (step, which) = if token_made {
                (
                    format!("{p} under another project's path"),
                    format!("A {p} of this project asked for under another project's path"),
                )
            } else {
                (
                    format!("{p} of another project"),
                    format!("A {p} of another project"),
                )
            };
            let mut d = self.draft(
                &step,
                &format!("path_{p}__other_project"),
                format!(
                    "{which} behaves like an unknown one: {} ({}).",
                    not_found.text(),
                    self.page
                ),
                vec![rule_id(
                    &self.op.id,
                    &format!("path/{p}"),
                    &Constraint::Isolation,
                )],
                body.clone(),
                not_found.clone(),
            );
            if token_made {
                d.params
                    .insert("project_id".into(), json!("${other_project_id}"));
            } else {
                d.params
                    .insert(p.clone(), json!(format!("${{other_project_{p}}}")));
            }
            d.assertions.extend(self.code_assertion(&not_found));
            d.property = Some("namespace");
            self.push(d);
        }
        self.absent_sub_item_case(&not_found, &code_note);
    }

    /// A read of a sub-item (a metadata key) the resource does not hold, under one that
    /// exists: not found, where the service documents 404 (a missing key is otherwise as likely
    /// an empty answer) and the contract can show what it holds: the item's own PUT writes it,
    /// or a list shows the keys. A key only a POST of many writes, and nothing lists, is beyond
    /// what a mock of the contract can know; a delete of an absent key is left out, as many
    /// services answer it as done.
    fn absent_sub_item_case(&mut self, not_found: &Status, code_note: &str) {
        let Some(sub) = self.sub_item.as_ref() else {
            return;
        };
        let shown = !sub.posted || self.listed_key.is_some();
        let read = matches!(self.op.method.as_str(), "GET" | "HEAD");
        if !read || !shown || !self.documents(404) {
            return;
        }
        let param = sub.param.clone();
        let mut d = self.draft(
            &format!("absent {param}"),
            &format!("path_{param}__absent"),
            format!(
                "A {param} the resource does not hold is not found: {}{code_note} ({}).",
                not_found.text(),
                self.page
            ),
            vec![rule_id(
                &self.op.id,
                &format!("path/{param}"),
                &Constraint::Exists,
            )],
            self.base_body(),
            not_found.clone(),
        );
        d.params.insert(param, json!(format!("{SUB_ITEM}-absent")));
        d.assertions.extend(self.code_assertion(not_found));
        d.property = Some("resource_exists");
        self.push(d);
    }

    /// The read and delete of a kind no path names, by an unknown id and by another
    /// project's one in their query: each is not found, as for an id in a path.
    fn query_id_cases(&mut self) {
        let Some(q) = self.query_named() else {
            return;
        };
        if !self
            .op
            .query_params
            .iter()
            .any(|p| p.required && p.name == q)
        {
            return;
        }
        let body = self.base_body();
        let not_found = if self.documents(404) {
            Status::Codes(vec![404])
        } else {
            Status::Classes(vec!["4xx"])
        };
        let names_project = self.op.path_params.iter().any(|n| n == "project_id");
        let mut variants = vec![(
            "unknown",
            "missing_id".to_string(),
            format!(
                "An unknown {q} is not found: {} ({}).",
                not_found.text(),
                self.page
            ),
            Constraint::Exists,
            "resource_exists",
        )];
        // Another project's one needs the project in the path (the token chooses it otherwise).
        if names_project {
            variants.push((
                "other_project",
                format!("other_project_{q}"),
                format!(
                    "A {q} of another project behaves like an unknown one: {} ({}).",
                    not_found.text(),
                    self.page
                ),
                Constraint::Isolation,
                "namespace",
            ));
        }
        // Where no path names the project, the header asks from another one.
        if !names_project && self.made_here(q) {
            let mut d = self.asked_from_another_project(
                &format!("{q}: asked from another project"),
                &format!("query_{q}__other_project"),
                &format!("query/{q}"),
                body.clone(),
                &not_found,
            );
            d.query
                .insert(q.to_string(), Value::String(format!("${{{q}}}")));
            d.assertions.extend(self.code_assertion(&not_found));
            self.push(d);
        }
        for (label, var, description, constraint, property) in variants {
            let mut d = self.draft(
                &format!("{q}: {}", label.replace('_', " ")),
                &format!("query_{q}__{label}"),
                description,
                vec![rule_id(&self.op.id, &format!("query/{q}"), &constraint)],
                body.clone(),
                not_found.clone(),
            );
            d.query
                .insert(q.to_string(), Value::String(format!("${{{var}}}")));
            d.assertions.extend(self.code_assertion(&not_found));
            d.property = Some(property);
            self.push(d);
        }
    }

    /// Whether what `param` names can be made in another project as it can in this one: the
    /// setup planned there leaves no variable that the setup planned here makes. VPC's port
    /// needs a network, which only the token's own project makes (its create path names no
    /// project): another project's port could not be made, so the case makes one here and
    /// asks for it under the other project's path.
    fn makeable_in_another_project(&self, param: &str) -> bool {
        let planner = Planner {
            producers: self.producers,
            contract: self.contract,
        };
        let (service, path) = (self.op.service.as_str(), self.op.path.as_str());
        let planned_in = |project_var: &str| {
            let mut plan = Plan {
                seed: self.op.id.clone(),
                ..Plan::default()
            };
            planner.need(&mut plan, param, service, path, project_var);
            plan
        };
        // The variables a planned setup leaves to the target.
        let left = |plan: &Plan| {
            let mut texts = Vec::new();
            for step in &plan.setup {
                let values = step.params.values().chain(step.query.values());
                for v in values.chain(step.body.iter()) {
                    crate::case::vars::strings_of(v, &mut texts);
                }
            }
            texts
                .iter()
                .flat_map(|t| crate::case::vars::references(t))
                .filter(|r| !plan.defines(r))
                .collect::<BTreeSet<String>>()
        };
        let here = planned_in("project_id");
        !left(&planned_in("other_project_id"))
            .iter()
            .any(|v| here.defines(v))
    }

    /// Whether the project header chooses this operation's project ([`Operation::project_header`])
    /// and a kind of the resource table makes what `param` names: the case's setup makes one in
    /// this project to ask for from another. An id the service cannot make (a held one, the
    /// same in every project of a mock) or a job the tier keeps apart from its kinds is not.
    fn made_here(&self, param: &str) -> bool {
        self.op.project_header
            && self
                .producers
                .for_param(param, &self.op.service, &self.op.path)
                .is_some()
    }

    /// A request for this project's resource (its setup makes it here) sent from another
    /// project, which the `X-Project-Id` header chooses where the path names none: it behaves
    /// like an unknown one. It needs a target whose header chooses the project (AK/SK, or
    /// none: a token's scope would win), property `namespace`.
    fn asked_from_another_project(
        &self,
        step: &str,
        name: &str,
        rule_at: &str,
        body: Option<Value>,
        not_found: &Status,
    ) -> Draft {
        let mut d = self.draft(
            step,
            name,
            format!(
                "A resource of this project asked for from another one (X-Project-Id) behaves like an unknown one: {} ({}).",
                not_found.text(),
                self.page
            ),
            vec![rule_id(&self.op.id, rule_at, &Constraint::Isolation)],
            body,
            not_found.clone(),
        );
        d.headers
            .insert("X-Project-Id".into(), json!("${other_project_id}"));
        d.requires.push("project-header");
        d.property = Some("namespace");
        d
    }

    fn auth_case(&mut self) {
        if !self.auth {
            return;
        }
        let body = self.base_body();
        let mut d = self.draft(
            "no token",
            "auth__missing_token",
            format!(
                "A request without credentials is refused with 401 (documented for {}; {}).",
                self.op.service, self.page
            ),
            vec![rule_id(&self.op.id, "auth", &Constraint::Auth)],
            body,
            Status::Codes(vec![401]),
        );
        // Empty credential headers stop the runner adding the target's own, and are not sent:
        // the request carries no credential at all, whatever the target's auth kind.
        d.headers.insert("Authorization".into(), json!(""));
        d.headers.insert("X-Auth-Token".into(), json!(""));
        d.requires.push("auth");
        self.push(d);
    }

    fn push(&mut self, mut d: Draft) {
        if let Some(b) = d.body.as_mut() {
            bind_ids(b, self.base_body().as_ref(), self.request);
            // The update of a kind no path names names the one it changes in its body: the
            // generator's own value there becomes the variable a setup captures it into.
            if let Some(id) = self.query_named() {
                let base = self.base_body();
                let chosen = base
                    .as_ref()
                    .and_then(|x| x.get(id))
                    .and_then(Value::as_str);
                if let Some(v) = b
                    .get_mut(id)
                    .filter(|v| v.as_str().is_some() && v.as_str() == chosen)
                {
                    *v = Value::String(format!("${{{id}}}"));
                }
            }
        }
        self.name_with_run_id(&mut d);
        if let Some(a) = &self.alternative {
            d.name = a.case_name(&d.name);
            d.description = a.describe(self.op, &d.description);
        }
        self.own_key(&mut d);
        let id = format!("{}/{}", operation_dir(&self.op.id), d.name);
        if self.cases.iter().any(|c| c.id == id) {
            return;
        }
        // Under a resource that does not exist (or is another project's) any key names nothing:
        // no list is read for one, and the case needs no variable for it.
        if let Some(sub) = self.sub_item.as_ref().filter(|s| s.captured) {
            let placeholder = sub.value();
            if !self.owns_resources(&d)
                && d.params.get(&sub.param).and_then(Value::as_str) == Some(placeholder.as_str())
            {
                d.params.insert(sub.param.clone(), json!(SUB_ITEM));
            }
        }
        // A key only the collection's POST writes is written where the case makes what it
        // hangs on; elsewhere (a fixture in some state, which every case naming it shares) a
        // read or delete of the same key would take what another case needs: the key is then
        // the target's variable. Not under an unknown, malformed or other project's one: there
        // the key names nothing whatever it is.
        let names_none = matches!(
            d.property,
            Some("resource_exists" | "invalid_ids" | "namespace")
        );
        if let Some(sub) = self.sub_item.as_ref().filter(|s| s.posted && !names_none) {
            if !self.owns_resources(&d)
                && d.params.get(&sub.param).and_then(Value::as_str) == Some(SUB_ITEM)
            {
                d.params
                    .insert(sub.param.clone(), json!(format!("${{{}}}", sub.param)));
            }
        }
        self.bind_renamed_parents(&mut d);
        let plan = self.plan(&d);
        self.name_the_one_made(&mut d, &plan);
        let yaml = self.render(&d, &plan);
        self.cases.push(GeneratedCase { id, yaml });
    }

    /// A create's body names what it makes with the run id (see [`values::carry_run_id`]):
    /// the placeholder name in every case, any name in a case expected to succeed (a boundary
    /// case's name keeps its boundary). Assertions that echo the name follow it, and so does a
    /// description's byte count.
    fn name_with_run_id(&self, d: &mut Draft) {
        let (Some(request), Some(body)) = (self.request, d.body.as_mut()) else {
            return;
        };
        if self
            .contract
            .resources
            .creating(&self.op.method, &self.op.path)
            .is_none()
        {
            return;
        }
        // A case without a name (one about the name being required) keeps it missing, also
        // where another object of the body has a name of its own (SMS's `target_server`).
        let name_required = format!("/name:{}", Constraint::Required.name());
        if crate::contract::resources::name_pointer(body).is_none()
            || d.rules.iter().any(|r| r.ends_with(&name_required))
        {
            return;
        }
        let succeeds = match &d.status {
            Status::Codes(c) => c.iter().all(|s| (200..300).contains(s)),
            Status::Classes(c) => c.iter().all(|c| *c == "2xx"),
        };
        let Some((Some(old), new)) = values::carry_run_id(body, request, succeeds) else {
            return;
        };
        // Only assertions on a name follow it: another field sent with the placeholder's
        // value (a description of `conform`) still comes back as `conform`.
        for a in d.assertions.iter_mut().filter(|a| on_a_name(a)) {
            replace_string(a, &old, &new);
        }
        // A run id is 12 one-byte characters, whatever the run.
        let new_bytes = new.len() - values::RUN_ID.len() + 12;
        if new_bytes != old.len() {
            d.description = d.description.replace(
                &format!("({} bytes)", old.len()),
                &format!("({new_bytes} bytes)"),
            );
        }
    }

    /// A path parameter left to its variable that stands for a parent kind's id under another
    /// name ([`Producers::renamed`]: the dataset's `{resource_id}`) names the one the setup
    /// makes under the kind's own parameter, so the case's children and parents are one.
    fn bind_renamed_parents(&self, d: &mut Draft) {
        for p in &self.op.path_params {
            if d.params.contains_key(p) || !self.names_resource(p) {
                continue;
            }
            if let Some(k) = self.producers.renamed(p, &self.op.path) {
                d.params
                    .insert(p.clone(), json!(format!("${{{}}}", k.id_param)));
            }
        }
    }

    /// What the case's request names that must exist first, made by setup steps: the ids its
    /// path leaves to their variable, another project's resource it reads, the ids its body
    /// names. A case whose request creates a resource captures the new id and deletes it after.
    /// The kind this operation updates through its collection, naming the one it changes by
    /// a field the create sent ([`crate::contract::resources::ResourceKind::update_names`]).
    fn updated_by_name(&self) -> Option<&Producer<'a>> {
        self.producers
            .iter()
            .find(|p| p.update_names.is_some() && p.update.is_some_and(|u| u.id == self.op.id))
    }

    /// Where this operation updates a kind through its collection, a case's body names the one
    /// its setup made, by the value that create sent.
    fn name_the_one_made(&self, d: &mut Draft, plan: &Plan) {
        let Some(p) = self.updated_by_name() else {
            return;
        };
        let Some(at) = p.update_names else {
            return;
        };
        let sent = plan
            .setup
            .iter()
            .rev()
            .find(|s| s.operation == p.create.id)
            .and_then(|s| s.body.as_ref()?.pointer(at).cloned());
        if let (Some(sent), Some(body)) = (sent, d.body.as_mut()) {
            if body.pointer(at).is_some() {
                crate::pointer::set(body, at, sent);
            }
        }
    }

    fn plan(&self, d: &Draft) -> Plan {
        let planner = Planner {
            producers: self.producers,
            contract: self.contract,
        };
        let mut plan = Plan {
            seed: format!("{}/{}", self.op.id, d.name),
            ..Plan::default()
        };
        let (service, path) = (self.op.service.as_str(), self.op.path.as_str());
        for p in self
            .op
            .path_params
            .iter()
            .filter(|p| self.names_resource(p))
        {
            match d.params.get(p).and_then(Value::as_str) {
                None => {
                    planner.need(&mut plan, p, service, path, "project_id");
                }
                Some(v) if v == format!("${{other_project_{p}}}") => {
                    planner.need(&mut plan, p, service, path, "other_project_id");
                }
                Some(v) => {
                    // A parent named otherwise: made under its kind's own parameter.
                    if let Some(k) = self
                        .producers
                        .renamed(p, path)
                        .filter(|k| v == format!("${{{}}}", k.id_param))
                    {
                        planner.need(&mut plan, k.id_param, service, path, "project_id");
                    }
                }
            }
        }
        // Another project's one of a kind no path names, in the query.
        for (q, v) in &d.query {
            if v.as_str() == Some(format!("${{other_project_{q}}}").as_str()) {
                planner.need(&mut plan, q, service, path, "other_project_id");
            }
        }
        let mut texts = Vec::new();
        // The query names a kind no path names by its id (`?asset_id=${asset_id}`).
        for v in d.body.iter().chain(d.query.values()) {
            crate::case::vars::strings_of(v, &mut texts);
        }
        for name in texts.iter().flat_map(|t| crate::case::vars::references(t)) {
            if is_resource_param(&name) {
                planner.need(&mut plan, &name, service, path, "project_id");
            }
        }
        // An update of the collection names the one it changes by name: a case expected to
        // succeed makes one first ([`OpGen::name_the_one_made`] names it).
        if let Some(p) = self.updated_by_name().filter(|_| d.status.succeeds()) {
            planner.need(&mut plan, p.id_param, service, path, "project_id");
        }
        self.capture_sent_params(d, &mut plan);
        // The item is written (or read) where the resources it hangs on are made by the case
        // itself (not where the case names an unknown or another project's one: the write
        // would fail).
        if let Some(sub) = self.sub_item.as_ref().filter(|_| self.owns_resources(d)) {
            if d.params.get(&sub.param).and_then(Value::as_str) == Some(sub.value().as_str()) {
                let mut step = sub.step.clone();
                // The step names the same resources as the case.
                for (k, v) in &d.params {
                    if *k != sub.param {
                        step.params.insert(k.clone(), v.clone());
                    }
                }
                if sub.captured {
                    self.create_with_entry(&mut plan, &step);
                    plan.defined.push(sub.param.clone());
                }
                plan.setup.push(step);
            }
        }
        plan
    }

    /// Where the read capturing a sub-item's key reads an item the plan's own setup creates
    /// (APIG's gateway response, whose `responses` map the read's first key is taken from),
    /// the create sends one entry of that map, so the read has a key to capture: a create
    /// sending only what is required would leave the map empty.
    fn create_with_entry(&self, plan: &mut Plan, read: &PlannedStep) {
        let Some((_, Capture::FirstKey(at))) = &read.capture else {
            return;
        };
        let Some(p) = self
            .producers
            .iter()
            .find(|p| p.read.is_some_and(|r| r.id == read.operation))
        else {
            return;
        };
        let Some(map) = self
            .contract
            .schema(&p.create.id, SchemaKind::Request)
            .and_then(|s| schema_at(s, at))
            .filter(|m| m.get("properties").is_none())
        else {
            return;
        };
        let Some(values) = map.get("additionalProperties").filter(|v| v.is_object()) else {
            return;
        };
        // A key the map documents (its `propertyNames` enum), else the generator's word.
        let key = map
            .pointer("/propertyNames/enum/0")
            .and_then(Value::as_str)
            .unwrap_or(SUB_ITEM)
            .to_string();
        let entry = json!({ key: values::simple_value(values) });
        if let Some(create) = plan
            .setup
            .iter_mut()
            .rev()
            .find(|s| s.operation == p.create.id)
        {
            if let Some(body) = create.body.as_mut() {
                crate::pointer::set(body, at, entry);
            }
        }
    }

    /// A path parameter that is no id (`trigger_type_code`) but a field the create of a kind
    /// the path names sends is the value that create sent: captured from its request, as
    /// RESTler binds a consumer to its producer by name, rather than left to the target.
    fn capture_sent_params(&self, d: &Draft, plan: &mut Plan) {
        for p in &self.op.path_params {
            let left = d.params.get(p).and_then(Value::as_str) == Some(&format!("${{{p}}}"));
            // The key of an entry a list below the resource shows (SMN's `{name}` of a topic's
            // attribute) names that entry, not a field the resource's create sent.
            let entry = self.listed_key.as_ref() == Some(p);
            if !left || self.names_resource(p) || plan.defines(p) || entry {
                continue;
            }
            // The setup creating a kind this path names by its id, nearest kind first.
            let creates = plan.setup.iter_mut().rev().filter(|s| {
                s.capture.as_ref().is_some_and(|(var, _)| {
                    // An asynchronous create captures its job; the id follows from it.
                    let var = var.strip_suffix("_job").unwrap_or(var);
                    self.op.path_params.iter().any(|p| p == var)
                        && self
                            .producers
                            .iter()
                            .any(|k| k.create.id == s.operation && k.id_param == var)
                })
            });
            for step in creates {
                if let Some(at) = step.sent_field(p) {
                    step.sent.push((p.clone(), Capture::Sent(at)));
                    plan.defined.push(p.clone());
                    break;
                }
            }
        }
    }

    /// Whether the case's path names only resources its own setup makes (or the target's),
    /// none it made unknown or took from another project.
    fn owns_resources(&self, d: &Draft) -> bool {
        self.op
            .path_params
            .iter()
            .filter(|p| self.names_resource(p))
            .all(|p| !d.params.contains_key(p) || self.held_in_accepted_state(d, p))
    }

    /// Whether the case names the resource `param` through the target's instance held in a
    /// state the operation accepts (`${stopped_server_id}`): it exists, and a sub-item written
    /// on it first is there for the case, as on one the case makes.
    fn held_in_accepted_state(&self, d: &Draft, param: &str) -> bool {
        let named = d.params.get(param).and_then(Value::as_str);
        self.op
            .preconditions
            .iter()
            .flat_map(|p| &p.allowed)
            .any(|state| named == Some(state_reference(state, param).as_str()))
    }

    /// The capture and teardown of a case whose request is a kind's create expected to succeed.
    fn created_here(&self, d: &Draft) -> Option<(String, Capture, Option<PlannedStep>)> {
        // A create answering only a job holds no id to capture here: its cases make one the
        // way setups do, through the job.
        let producer = self
            .producers
            .created_by(self.op)
            .filter(|p| p.job.is_none())?;
        let Status::Codes(codes) = &d.status else {
            return None;
        };
        if codes.is_empty() || !codes.iter().all(|c| (200..300).contains(c)) {
            return None;
        }
        let var = producer.id_param.to_string();
        let mut params = d.params.clone();
        producer.parents_sent(d.body.as_ref(), &mut params);
        let teardown = producer.teardown(self.contract, params, &var);
        // A key the client chose is what the request sent.
        let capture = match producer.key {
            Some(ClientKey::Body(at)) => Capture::Sent(format!("/body{at}")),
            Some(ClientKey::Path(p)) => Capture::Sent(crate::pointer::child("/path", p)),
            None => producer.id_capture(),
        };
        Some((var, capture, teardown))
    }

    /// Variables a case refers to: path parameters it leaves to their default variable, and every
    /// `${name}` it writes, less what its setup steps capture.
    fn variables(&self, d: &Draft, plan: &Plan) -> Vec<String> {
        let mut vars = BTreeSet::new();
        for p in &self.op.path_params {
            if !d.params.contains_key(p) {
                vars.insert(p.clone());
            }
        }
        let mut texts = Vec::new();
        for v in d.params.values().chain(&d.body).chain(d.headers.values()) {
            crate::case::vars::strings_of(v, &mut texts);
        }
        // Setup and teardown steps read their operations' parameters too.
        for s in plan.setup.iter().chain(&plan.teardown) {
            vars.extend(s.reads(self.contract));
        }
        for t in texts {
            for name in crate::case::vars::references(&t) {
                vars.insert(name);
            }
        }
        vars.into_iter().filter(|v| !plan.defines(v)).collect()
    }

    fn render(&self, d: &Draft, plan: &Plan) -> String {
        let reference = self
            .alternative
            .as_ref()
            .map_or(self.op.id.as_str(), |a| a.reference());
        let mut tags = vec!["generated".to_string()];
        tags.extend(d.property.map(|p| format!("property:{p}")));
        tags.extend(d.rules.iter().cloned());
        let mut requires: Vec<String> = d.requires.iter().map(ToString::to_string).collect();
        requires.extend(
            self.variables(d, plan)
                .into_iter()
                .map(|v| format!("var:{v}")),
        );
        let mut y = header(reference, &d.description, &tags, &requires);
        y.push_str("steps:\n");
        for s in &plan.setup {
            render_planned(&mut y, s);
        }
        y.push_str(&format!("  - name: {}\n", q(&d.step)));
        let empty = d.params.is_empty()
            && d.query.is_empty()
            && d.headers.is_empty()
            && d.body.is_none()
            && d.raw_body.is_none();
        y.push_str(if empty {
            "    request: {}\n"
        } else {
            "    request:\n"
        });
        request_map(&mut y, "params", &d.params);
        request_map(&mut y, "query", &d.query);
        request_map(&mut y, "headers", &d.headers);
        if let Some(b) = &d.body {
            y.push_str(&format!("      body: {b}\n"));
        }
        if let Some(r) = &d.raw_body {
            y.push_str(&format!("      raw_body: {}\n", q(r)));
        }
        y.push_str("    expect:\n");
        y.push_str(&format!("      status: {}\n", d.status.yaml()));
        if !d.assertions.is_empty() {
            y.push_str("      body:\n");
            for a in &d.assertions {
                y.push_str(&format!("        - {a}\n"));
            }
        }
        let created = self.created_here(d);
        if let Some((var, capture, _)) = &created {
            y.push_str(&format!(
                "    capture: {{{}: {}}}\n",
                q(var),
                capture_yaml(capture)
            ));
        }
        let teardown: Vec<&PlannedStep> = created
            .as_ref()
            .and_then(|(_, _, t)| t.as_ref())
            .into_iter()
            .chain(plan.teardown.iter())
            .collect();
        if !teardown.is_empty() {
            y.push_str("teardown:\n");
            for s in teardown {
                render_planned(&mut y, s);
            }
        }
        y
    }
}

/// The operations that get the case sending no credential: every one that can be refused
/// with 401, or per service the one needing least (a read before a write, fewer path
/// parameters first), so a target with no auth skips one case per service rather than one per
/// operation.
fn auth_operations<'c>(
    contract: &Contract,
    chosen: &[&'c Operation],
    mode: AuthCases,
) -> BTreeSet<&'c str> {
    // Version documents are read before a client holds a token, and a token is issued to one
    // that holds none: no 401 to expect of either.
    let refusable = chosen.iter().filter(|op| {
        let discovery = op.method.eq_ignore_ascii_case("GET")
            && crate::contract::template::is_version_template(&op.path);
        let issue = crate::contract::template::is_token_issue(&op.method, &op.path);
        contract.documents(&op.service, 401) && !discovery && !issue
    });
    if mode == AuthCases::PerOperation {
        return refusable.map(|op| op.id.as_str()).collect();
    }
    fn cost(op: &Operation) -> (bool, usize, &str) {
        let ids = op.path_params.iter().filter(|p| *p != "project_id").count();
        (!op.method.eq_ignore_ascii_case("GET"), ids, op.id.as_str())
    }
    let mut best: std::collections::BTreeMap<&str, &Operation> = Default::default();
    for op in refusable {
        let slot = best.entry(op.service.as_str()).or_insert(op);
        if cost(op) < cost(slot) {
            *slot = op;
        }
    }
    best.values().map(|op| op.id.as_str()).collect()
}

/// An id no service issues: over-long, with characters ids do not have.
fn malformed_id() -> String {
    format!("conform-not-an-id.-~!*()-{}", "x".repeat(256))
}

/// The sub-item a read or delete case writes first.
const SUB_ITEM: &str = "conform";

/// How a read or delete of one sub-item (a metadata key) gets one that exists.
#[derive(Debug, Clone)]
struct SubItem {
    /// The path parameter naming the item.
    param: String,
    /// The setup step: the write of the item [`SUB_ITEM`], or the read of the list that
    /// captures a key into the parameter's variable.
    step: PlannedStep,
    /// Whether the step captures the key rather than writing one.
    captured: bool,
    /// Whether the step writes through the collection's POST ([`sub_item_poster`]).
    posted: bool,
}

impl SubItem {
    /// What the case's own step sends as the parameter when the setup step provides it.
    fn value(&self) -> String {
        if self.captured {
            format!("${{{}}}", self.param)
        } else {
            SUB_ITEM.to_string()
        }
    }
}

/// For a GET, HEAD or DELETE of one sub-item (`…/metadata/{key}`): the PUT of the same path
/// whose body binds that parameter, as a setup step writing the item [`SUB_ITEM`]; else the
/// POST to the collection that writes entries of its one map ([`sub_item_poster`]).
fn sub_item_writer(contract: &Contract, op: &Operation) -> Option<SubItem> {
    if !matches!(op.method.as_str(), "GET" | "HEAD" | "DELETE") {
        return None;
    }
    sub_item_putter(contract, op).or_else(|| sub_item_poster(contract, op))
}

/// The PUT of a sub-item's own path whose body binds its parameter (`PUT …/metadata/{key}`
/// with `{"meta": {key: value}}`), writing the item [`SUB_ITEM`].
fn sub_item_putter(contract: &Contract, op: &Operation) -> Option<SubItem> {
    let template = crate::contract::derive::resources::normalise(&op.path);
    let write = contract.operations.iter().find(|o| {
        o.method == "PUT" && crate::contract::derive::resources::normalise(&o.path) == template
    })?;
    // A PUT with no body (Nova's `PUT …/tags/{tag}`) makes the item its path names.
    if !write.request_body {
        let (_, last) = op.path.rsplit_once('/')?;
        let param = crate::contract::template::sole_param(last)?;
        if param == "project_id" || is_resource_param(param) {
            return None;
        }
        let mut params = Map::new();
        params.insert(param.to_string(), json!(SUB_ITEM));
        let step = PlannedStep {
            name: format!("setup: write {param} {SUB_ITEM}"),
            operation: write.id.clone(),
            params,
            status: json!(write.success).to_string(),
            ..PlannedStep::default()
        };
        return Some(SubItem {
            param: param.to_string(),
            step,
            captured: false,
            posted: false,
        });
    }
    let request = contract.schema(&write.id, SchemaKind::Request)?;
    let (param, parents) = bound_param(write, Some(request))?;
    let mut body = values::simple_value(request);
    let map = rules::object_at_mut(&mut body, &parents)?;
    let value = map.values().next().cloned()?;
    map.clear();
    map.insert(SUB_ITEM.into(), value);
    let mut params = Map::new();
    params.insert(param.to_string(), json!(SUB_ITEM));
    let step = PlannedStep {
        name: format!("setup: write {param} {SUB_ITEM}"),
        operation: write.id.clone(),
        params,
        body: Some(body),
        status: json!(write.success).to_string(),
        ..PlannedStep::default()
    };
    Some(SubItem {
        param: param.to_string(),
        step,
        captured: false,
        posted: false,
    })
}

/// The POST to a sub-item's collection whose body is one free-form map (ECS's v1
/// `POST …/cloudservers/{server_id}/metadata` beside `DELETE …/metadata/{key}`, where no PUT
/// of the item is documented): it writes entries of that map, so a setup sending the one
/// entry [`SUB_ITEM`] makes the item the case then reads or deletes.
fn sub_item_poster(contract: &Contract, op: &Operation) -> Option<SubItem> {
    let (collection, last) = op.path.rsplit_once('/')?;
    let param = crate::contract::template::sole_param(last)?;
    if param == "project_id" || is_resource_param(param) {
        return None;
    }
    let template = crate::contract::derive::resources::normalise(collection);
    let write = contract.operations.iter().find(|o| {
        o.method == "POST"
            && o.request_body
            && crate::contract::derive::resources::normalise(&o.path) == template
    })?;
    let request = contract.schema(&write.id, SchemaKind::Request)?;
    let maps: Vec<Site<'_>> = sites(request)
        .into_iter()
        .filter(|s| s.kind == rules::SiteKind::MapValue)
        .collect();
    let [map] = maps.as_slice() else {
        return None;
    };
    if map.parents.iter().any(|p| p == "*") {
        return None;
    }
    let mut body = values::simple_value(request);
    let entries = rules::object_at_mut(&mut body, &map.parents)?;
    let value = entries
        .values()
        .next()
        .cloned()
        .unwrap_or_else(|| values::simple_value(map.schema));
    entries.clear();
    entries.insert(SUB_ITEM.into(), value);
    let step = PlannedStep {
        name: format!("setup: write {param} {SUB_ITEM}"),
        operation: write.id.clone(),
        body: Some(body),
        status: json!(write.success).to_string(),
        ..PlannedStep::default()
    };
    Some(SubItem {
        param: param.to_string(),
        step,
        captured: false,
        posted: true,
    })
}

/// For a GET or HEAD of one sub-item (`…/metadata/{key}`) where the contract has no write of
/// it: the list of the same map (`GET …/metadata`) as a setup step capturing its first key, so
/// the read names an item that exists without a variable of the target. A delete does not read
/// one this way: it would remove an item nothing puts back.
fn sub_item_reader(contract: &Contract, op: &Operation) -> Option<SubItem> {
    if !matches!(op.method.as_str(), "GET" | "HEAD") {
        return None;
    }
    let (list, param, parents) = rules::keyed_list(contract, op)?;
    let pointer: String = parents
        .iter()
        .map(|p| format!("/{}", crate::pointer::escape(p)))
        .collect();
    let step = PlannedStep {
        name: format!("setup: read a {param} of the list"),
        operation: list.id.clone(),
        status: json!(list.success).to_string(),
        capture: Some((param.clone(), Capture::FirstKey(pointer))),
        ..PlannedStep::default()
    };
    Some(SubItem {
        param,
        step,
        captured: true,
        posted: false,
    })
}

/// The first lines of a generated case file: the mark `write` knows it by, the operation, the
/// description, the tags and what it requires.
fn header(operation: &str, description: &str, tags: &[String], requires: &[String]) -> String {
    let mut y = String::from(
        "# Generated by `conform generate` from the contract: regenerate rather than edit.\n",
    );
    y.push_str(&format!("operation: {}\n", q(operation)));
    y.push_str(&format!("description: {}\n", q(description)));
    y.push_str(&format!("tags: {}\n", json!(tags)));
    if !requires.is_empty() {
        y.push_str(&format!("requires: {}\n", json!(requires)));
    }
    y
}

/// One map of a step's request (`params`, `query`, `headers`) as a JSON flow line, if any.
fn request_map(y: &mut String, key: &str, map: &Map<String, Value>) {
    if !map.is_empty() {
        y.push_str(&format!("      {key}: {}\n", Value::Object(map.clone())));
    }
}

/// A setup or teardown step, in the case file's YAML.
fn render_planned(y: &mut String, s: &PlannedStep) {
    y.push_str(&format!("  - name: {}\n", q(&s.name)));
    y.push_str(&format!("    operation: {}\n", q(&s.operation)));
    if s.params.is_empty() && s.query.is_empty() && s.body.is_none() {
        y.push_str("    request: {}\n");
    } else {
        y.push_str("    request:\n");
        request_map(y, "params", &s.params);
        request_map(y, "query", &s.query);
        if let Some(b) = &s.body {
            y.push_str(&format!("      body: {b}\n"));
        }
    }
    if s.assertions.is_empty() {
        y.push_str(&format!("    expect: {{status: {}}}\n", s.status));
    } else {
        y.push_str(&format!(
            "    expect:\n      status: {}\n      body:\n",
            s.status
        ));
        for a in &s.assertions {
            y.push_str(&format!("        - {a}\n"));
        }
    }
    let captures: Vec<String> = s
        .capture
        .iter()
        .chain(&s.sent)
        .map(|(var, spec)| format!("{}: {}", q(var), capture_yaml(spec)))
        .collect();
    if !captures.is_empty() {
        y.push_str(&format!("    capture: {{{}}}\n", captures.join(", ")));
    }
    if let Some(until) = &s.until {
        y.push_str(&format!("    until: {until}\n"));
    }
}

/// A body field that names another resource ([`values::is_reference`]) takes the target's
/// variable of the same name, as hand-written cases do. Only a value the generator chose is
/// replaced (the placeholder, or the valid body's own value where `base` has the same one),
/// never a value a case chose (a wrong type, a limit), nor one of a documented enum.
fn bind_ids(v: &mut Value, base: Option<&Value>, schema: Option<&Value>) {
    match v {
        Value::Object(o) => {
            for (k, child) in o.iter_mut() {
                let base = base.and_then(|b| b.get(k));
                let schema = schema
                    .and_then(|s| s.get("properties"))
                    .and_then(|p| p.get(k));
                let chosen = child.as_str().is_some_and(|s| {
                    s == values::PLACEHOLDER || base.and_then(Value::as_str) == Some(s)
                });
                let enumerated = schema.is_some_and(|s| s.get("enum").is_some());
                if values::is_reference(k) && chosen && !enumerated {
                    *child = Value::String(format!("${{{k}}}"));
                } else {
                    bind_ids(child, base, schema);
                }
            }
        }
        Value::Array(a) => {
            let items = schema.and_then(|s| s.get("items"));
            for (i, x) in a.iter_mut().enumerate() {
                bind_ids(x, base.and_then(|b| b.get(i)), items);
            }
        }
        _ => {}
    }
}

/// The variable naming the target's instance of `param` held in `state`
/// (`${stopped_server_id}`): written by the state cases, recognised where a case names it.
fn state_reference(state: &str, param: &str) -> String {
    format!("${{{state}_{param}}}")
}

/// A JSON string is a valid YAML double-quoted scalar: one quoting rule, no surprises.
fn q(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

/// A capture as a case file writes it.
fn capture_yaml(spec: &Capture) -> String {
    match spec {
        Capture::Body(p) => q(p),
        Capture::Text(p) => format!("{{text: {}}}", q(p)),
        Capture::Header(h) => format!("{{header: {}}}", q(h)),
        Capture::FirstKey(p) => format!("{{first_key: {}}}", q(p)),
        Capture::Sent(p) => format!("{{sent: {}}}", q(p)),
    }
}

/// Fills every optional property of the objects that lie on the way to the documented fields,
/// except the ids of other resources: an optional one would only make the case need a resource
/// it does not test.
fn fill_optional(body: &mut Value, schema: &Value) {
    let (Some(obj), Some(props)) = (
        body.as_object_mut(),
        schema.get("properties").and_then(Value::as_object),
    ) else {
        return;
    };
    for (name, sub) in props {
        let names_a_resource = is_resource_param(name) && sub.get("enum").is_none();
        if names_a_resource && !obj.contains_key(name) {
            continue;
        }
        let v = obj
            .entry(name.clone())
            .or_insert_with(|| values::simple_value(sub));
        fill_optional(v, sub);
    }
}

/// Creates what is missing on the way to a property (objects, a list's first item); map levels
/// must already hold an entry.
fn ensure_parents(body: &mut Value, parents: &[String], schema: &Value) -> bool {
    let mut cur = body;
    let mut at = Some(schema);
    for p in parents {
        let sub = at.and_then(|s| match p.as_str() {
            "*" => s.get("items").or_else(|| s.get("additionalProperties")),
            _ => s.get("properties").and_then(|props| props.get(p)),
        });
        // What a missing level starts as: the simplest valid value of its schema (a list with
        // one simplest item), so the body stays valid but for the field under test.
        let made = || sub.map_or_else(|| json!({}), values::simple_value);
        cur = match (cur, p == "*") {
            (Value::Array(a), true) => {
                if a.is_empty() {
                    a.push(made());
                }
                &mut a[0]
            }
            (Value::Object(o), true) => match o.values_mut().next() {
                Some(v) => v,
                None => return false,
            },
            (Value::Object(o), false) => o.entry(p.clone()).or_insert_with(made),
            _ => return false,
        };
        at = sub;
    }
    cur.is_object()
}

/// Puts a value at a site of a body; for a map key, renames the map's single key.
fn place(body: &mut Value, site: &Site<'_>, value: Value) -> Option<()> {
    let parent = rules::object_at_mut(body, &site.parents)?;
    match site.kind {
        SiteKind::Property => {
            parent.insert(site.name.clone(), value);
        }
        SiteKind::MapValue => {
            let v = parent.values_mut().next()?;
            *v = value;
        }
        SiteKind::MapKey => {
            let key = value.as_str()?.to_string();
            let (old, v) = parent.iter().next().map(|(k, v)| (k.clone(), v.clone()))?;
            parent.remove(&old);
            parent.insert(key, v);
        }
    }
    Some(())
}

/// The type and limit rules a valid body exercises (the fields it carries).
fn body_rules(op: &Operation, request: &Value, body: &Value) -> Vec<String> {
    let mut out = vec![rule_id(&op.id, "body", &Constraint::Type)];
    for site in rules::every_site(request) {
        let present = match site.kind {
            SiteKind::Property => {
                let mut b = body.clone();
                rules::object_at_mut(&mut b, &site.parents)
                    .is_some_and(|p| p.contains_key(&site.name))
            }
            _ => {
                let mut b = body.clone();
                rules::object_at_mut(&mut b, &site.parents).is_some_and(|p| !p.is_empty())
            }
        };
        if present {
            for (c, _) in constraints_of(site.schema) {
                if matches!(
                    c,
                    Constraint::Type
                        | Constraint::MaxBytes
                        | Constraint::MaxLength
                        | Constraint::Pattern
                        | Constraint::Enum
                ) {
                    out.push(rule_id(&op.id, &site.pointer, &c));
                }
            }
        }
    }
    out
}

/// The case name of a field's k-th documented value (from 0): `enum_inside`, then
/// `enum_inside_2`, `enum_inside_3`, …
fn enum_inside_name(k: usize) -> String {
    match k {
        0 => "enum_inside".to_string(),
        k => format!("enum_inside_{}", k + 1),
    }
}

/// The schema a schema documents at a (plain) JSON pointer.
fn schema_at<'s>(schema: &'s Value, pointer: &str) -> Option<&'s Value> {
    let mut cur = schema;
    for part in pointer.split('/').skip(1) {
        let part = crate::pointer::unescape(part).into_owned();
        // An index into an array is its item (`/hosts/0/name`).
        cur = match cur.get("items") {
            Some(item) if part.parse::<usize>().is_ok() => item,
            _ => cur.get("properties")?.get(&part)?,
        };
    }
    Some(cur)
}

/// Writes generated cases under a folder (`<out>/<id>.yaml`), creating folders, with the
/// template of the variables nothing creates ([`vars_template::FILE`]). Files of earlier
/// generations that are no longer produced are removed, so the folder is exactly the output.
pub fn write(cases: &[GeneratedCase], out: &std::path::Path) -> std::io::Result<usize> {
    if out.exists() {
        for entry in walkdir::WalkDir::new(out).into_iter().flatten() {
            let p = entry.path();
            if entry.file_type().is_file() && p.extension().is_some_and(|e| e == "yaml") {
                let is_generated = std::fs::read_to_string(p)
                    .is_ok_and(|t| t.starts_with("# Generated by `conform generate`"));
                if is_generated {
                    std::fs::remove_file(p)?;
                }
            }
        }
    }
    for c in cases {
        let path = out.join(format!("{}.yaml", c.id));
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, &c.yaml)?;
    }
    // The variables nothing creates, once; a stale template of an earlier generation goes.
    let template = out.join(vars_template::FILE);
    match vars_template::template(cases) {
        Some(text) => {
            std::fs::create_dir_all(out)?;
            std::fs::write(&template, text)?;
        }
        None if template.exists() => std::fs::remove_file(&template)?,
        None => {}
    }
    Ok(cases.len())
}

/// What every boundary case of one constraint of one site shares: where the value goes, how it
/// is named and described, the rule it exercises.
#[derive(Clone, Copy)]
struct Spot<'a, 'b> {
    site: &'a Site<'b>,
    lbl: &'a str,
    where_: &'a str,
    detail: &'a str,
    rule: &'a str,
    set: &'a dyn Fn(Value) -> Option<Value>,
}

/// Replaces every string equal to `old` in a value.
/// Whether an assertion may hold the name: any but one that a field other than a name equals
/// (`{"pointer": "/description", "equals": …}`); a list's `includes` holds the name inside.
fn on_a_name(assertion: &Value) -> bool {
    let pointer = assertion.get("pointer").and_then(Value::as_str);
    assertion.get("equals").is_none() || pointer.is_none_or(|p| p.ends_with("/name"))
}

fn replace_string(v: &mut Value, old: &str, new: &str) {
    match v {
        Value::String(s) if s == old => *s = new.to_string(),
        Value::Array(a) => a.iter_mut().for_each(|x| replace_string(x, old, new)),
        Value::Object(o) => o.values_mut().for_each(|x| replace_string(x, old, new)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value holding characters YAML refuses raw (DEL, C1 controls) is written escaped, and
    /// reads back as the same characters.
    #[test]
    fn unprintable_characters_are_escaped_and_read_back() {
        let value = "a\u{7f}b\u{96}c\u{85}d\u{ffff}";
        let text = yaml_printable(&format!("body: {}\n", q(value)));
        assert!(text.is_ascii() || !text.contains('\u{7f}'), "{text}");
        assert!(
            text.contains("\\u007f") && text.contains("\\u0096"),
            "{text}"
        );
        let back: std::collections::BTreeMap<String, String> =
            serde_saphyr::from_str(&text).expect("YAML reads it");
        assert_eq!(back["body"], value);
    }
}
