//! A case resolved at load: typed steps with their endpoint, statuses, compiled patterns,
//! assertions and captures already parsed, so the runner and the checks never parse a case
//! file's raw values again and nothing can fail late or silently.

use std::collections::BTreeMap;
use std::path::PathBuf;

use regex::Regex;
use serde_json::Value;

use super::vars::{VarError, Vars};
use crate::contract::{Contract, Operation};
use crate::diagnostic::Position;

/// A loaded, validated case.
#[derive(Debug, Clone)]
pub struct Case {
    /// Path under the cases folder without the extension.
    pub id: String,
    /// The file.
    pub path: PathBuf,
    /// What the case shows (the documented rule it exercises).
    pub description: Option<String>,
    /// Tags for `--tag`.
    pub tags: Vec<String>,
    /// The case's operation id (validated against the contract).
    pub operation: String,
    /// Target capabilities the case needs (`auth`, `token`, `aksk`).
    pub requires: Vec<String>,
    /// The resource the case mutates, when it cannot be told from the paths.
    pub resource: Option<String>,
    /// Case variables in order, each with its position.
    pub vars: Vec<(String, Value, Position)>,
    /// Steps, run in order.
    pub steps: Vec<Step>,
    /// Steps that always run after the others.
    pub teardown: Vec<Step>,
    /// Response headers the snapshot records.
    pub snapshot_headers: Vec<String>,
    /// Compiled snapshot redactions.
    pub snapshot_rules: crate::snapshot::redact::Rules,
}

impl Case {
    /// Steps then teardown steps.
    pub fn all_steps(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().chain(self.teardown.iter())
    }

    /// The case's variables defined on top of the run's, in order.
    pub fn scope(&self, run: &Vars) -> Result<Vars, (Position, VarError)> {
        let mut scope = run.clone();
        let defs: Vec<(String, Value)> = self
            .vars
            .iter()
            .map(|(k, v, _)| (k.clone(), v.clone()))
            .collect();
        scope
            .define_in_order(&defs)
            .map_err(|(i, e)| (self.vars[i].2, e))?;
        Ok(scope)
    }
}

/// Where a step's request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// An operation of the contract (its id, validated at load).
    Operation(String),
    /// An out-of-contract request.
    Raw {
        /// HTTP method.
        method: String,
        /// Path template with `${…}` variables.
        path: String,
        /// The service whose base URL is used.
        service: String,
    },
}

/// A step's endpoint as the runner needs it: one place answers method, template and service.
#[derive(Debug, Clone, Copy)]
pub struct Route<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// Path template (`{name}` for operations, `${name}` for raw paths).
    pub template: &'a str,
    /// The service.
    pub service: &'a str,
    /// The operation, for contract steps.
    pub operation: Option<&'a Operation>,
}

impl Route<'_> {
    /// Whether the request changes something.
    pub fn mutates(&self) -> bool {
        !matches!(self.method, "GET" | "HEAD" | "OPTIONS")
    }
}

/// The body of a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// No body.
    None,
    /// A JSON body (with variables).
    Json(Value),
    /// A raw text body, sent as is (malformed-body cases).
    Raw(String),
}

/// One status or a class of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusSpec {
    /// Exactly this status.
    Code(u16),
    /// Any status of this class: `4xx` is `Class(4)`.
    Class(u8),
}

impl StatusSpec {
    /// Whether a status matches.
    pub fn allows(self, status: u16) -> bool {
        match self {
            StatusSpec::Code(c) => c == status,
            StatusSpec::Class(k) => status / 100 == u16::from(k),
        }
    }

    /// Whether every status it allows is a success.
    pub fn is_success(self) -> bool {
        match self {
            StatusSpec::Code(c) => (200..300).contains(&c),
            StatusSpec::Class(k) => k == 2,
        }
    }
}

impl std::fmt::Display for StatusSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StatusSpec::Code(c) => write!(f, "{c}"),
            StatusSpec::Class(k) => write!(f, "{k}xx"),
        }
    }
}

/// JSON types an assertion can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonType {
    /// A string.
    String,
    /// An integer.
    Integer,
    /// Any number.
    Number,
    /// true or false.
    Boolean,
    /// An object.
    Object,
    /// An array.
    Array,
    /// null.
    Null,
}

impl JsonType {
    /// Parses a type name.
    pub fn parse(s: &str) -> Option<JsonType> {
        Some(match s {
            "string" => JsonType::String,
            "integer" => JsonType::Integer,
            "number" => JsonType::Number,
            "boolean" => JsonType::Boolean,
            "object" => JsonType::Object,
            "array" => JsonType::Array,
            "null" => JsonType::Null,
            _ => return None,
        })
    }

    /// The type's name.
    pub fn name(self) -> &'static str {
        match self {
            JsonType::String => "string",
            JsonType::Integer => "integer",
            JsonType::Number => "number",
            JsonType::Boolean => "boolean",
            JsonType::Object => "object",
            JsonType::Array => "array",
            JsonType::Null => "null",
        }
    }

    /// Whether a value is of this type (an integer is a number too).
    pub fn holds(self, v: &Value) -> bool {
        match self {
            JsonType::String => v.is_string(),
            JsonType::Integer => v.is_i64() || v.is_u64(),
            JsonType::Number => v.is_number(),
            JsonType::Boolean => v.is_boolean(),
            JsonType::Object => v.is_object(),
            JsonType::Array => v.is_array(),
            JsonType::Null => v.is_null(),
        }
    }
}

/// One assertion on the JSON body; every predicate given must hold.
#[derive(Debug, Clone)]
pub struct BodyCheck {
    /// RFC 6901 pointer.
    pub pointer: String,
    /// Exact value (with variables until expanded).
    pub equals: Option<Value>,
    /// Compiled pattern for string values.
    pub matches: Option<Regex>,
    /// JSON type.
    pub type_: Option<JsonType>,
    /// Length in UTF-8 bytes.
    pub bytes: Option<u64>,
    /// Length in characters (or items).
    pub chars: Option<u64>,
    /// Must resolve.
    pub present: bool,
    /// Must not resolve.
    pub absent: bool,
    /// An item of the array contains this (with variables until expanded).
    pub includes: Option<Value>,
    /// No item of the array contains this (with variables until expanded).
    pub excludes: Option<Value>,
    /// Where the assertion is written.
    pub position: Position,
}

/// One assertion on a response header.
#[derive(Debug, Clone)]
pub struct HeaderCheck {
    /// Header name.
    pub name: String,
    /// Exact value (with variables until expanded).
    pub equals: Option<String>,
    /// Compiled pattern.
    pub matches: Option<Regex>,
    /// Must not be sent.
    pub absent: bool,
    /// Where the assertion is written.
    pub position: Position,
}

/// Where a capture reads from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Capture {
    /// A JSON pointer into the body.
    Body(String),
    /// A JSON pointer into the body, read as text: a number becomes its decimal string (AOM
    /// answers the new alarm's `alarmId` as an integer where its requests take `alarm_id` as a
    /// string), so a body field typed string gets `"2137"`, not `2137`.
    Text(String),
    /// A response header.
    Header(String),
    /// The first key of the object at a JSON pointer, in the answer's order (a metadata key to
    /// read one item of a map nothing else names).
    FirstKey(String),
    /// A JSON pointer into the request the step sent, `{"body": …, "path": {param: value}}`:
    /// the key a client chose for what it created (`/body/name`, `/path/id`).
    Sent(String),
}

impl std::fmt::Display for Capture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Capture::Body(p) => write!(f, "{p}"),
            Capture::Text(p) => write!(f, "{p} as text"),
            Capture::Header(h) => write!(f, "header {h}"),
            Capture::FirstKey(p) => write!(f, "the first key of {p}"),
            Capture::Sent(p) => write!(f, "{p} of the request sent"),
        }
    }
}

/// What a response must look like.
#[derive(Debug, Clone)]
pub struct Expect {
    /// Allowed statuses (None: the operation's documented success statuses).
    pub status: Option<Vec<StatusSpec>>,
    /// Check the body against the contract.
    pub schema: bool,
    /// Body assertions.
    pub body: Vec<BodyCheck>,
    /// Header assertions.
    pub headers: Vec<HeaderCheck>,
}

impl Default for Expect {
    /// The operation's documented statuses, the contract's schema, no assertions.
    fn default() -> Expect {
        Expect {
            status: None,
            schema: true,
            body: Vec::new(),
            headers: Vec::new(),
        }
    }
}

impl Expect {
    /// The statuses a step accepts: its own, else the operation's documented success statuses,
    /// else 200.
    pub fn statuses(&self, op: Option<&Operation>) -> Vec<StatusSpec> {
        match &self.status {
            Some(s) => s.clone(),
            None => op.map_or_else(
                || vec![StatusSpec::Code(200)],
                |o| o.success.iter().map(|c| StatusSpec::Code(*c)).collect(),
            ),
        }
    }

    /// The assertions with their variables expanded.
    pub fn expanded(&self, scope: &Vars) -> Result<Expect, VarError> {
        let mut out = self.clone();
        for a in &mut out.body {
            for v in [&mut a.equals, &mut a.includes, &mut a.excludes] {
                if let Some(e) = v.as_ref() {
                    *v = Some(scope.expand(e)?);
                }
            }
        }
        for h in &mut out.headers {
            if let Some(e) = &h.equals {
                h.equals = Some(scope.expand_text(e)?);
            }
        }
        Ok(out)
    }
}

/// One request and what is expected of its response.
#[derive(Debug, Clone)]
pub struct Step {
    /// Label (its name, or `step N` / `teardown N`).
    pub name: String,
    /// 0-based index among the steps (or among the teardown steps).
    pub index: usize,
    /// A teardown step.
    pub teardown: bool,
    /// Where the step is written.
    pub position: Position,
    /// Where the body is written (the step's position when there is none).
    pub body_position: Position,
    /// Where the request goes.
    pub endpoint: Endpoint,
    /// Path parameters (default: the variable of the same name).
    pub params: BTreeMap<String, Value>,
    /// Query parameters, in order.
    pub query: Vec<(String, Value)>,
    /// Request headers, names lower-cased, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Body,
    /// The expectations.
    pub expect: Expect,
    /// Captures, in order.
    pub captures: Vec<(String, Capture)>,
    /// Sent again until the answer reaches a state.
    pub until: Option<Until>,
}

/// A read sent again until the answer reaches a state (`until:` in a case file).
#[derive(Debug, Clone, PartialEq)]
pub struct Until {
    /// Where the state is (a JSON pointer, `*` allowed).
    pub pointer: String,
    /// The states that end the wait.
    pub values: Vec<Value>,
    /// The pause between two reads.
    pub every: std::time::Duration,
    /// The longest wait.
    pub within: std::time::Duration,
}

impl Until {
    /// Whether an answer reached one of the states.
    pub fn reached(&self, json: Option<&Value>) -> bool {
        json.and_then(|j| crate::pointer::resolve(j, &self.pointer))
            .is_some_and(|v| self.values.contains(v))
    }
}

impl Step {
    /// The step's route. Operation ids were validated at load, so a missing operation means the
    /// contract changed under the case; the caller reports it.
    pub fn route<'a>(&'a self, contract: &'a Contract) -> Option<Route<'a>> {
        match &self.endpoint {
            Endpoint::Operation(id) => {
                let op = contract.operation(id)?;
                Some(Route {
                    method: &op.method,
                    template: &op.path,
                    service: &op.service,
                    operation: Some(op),
                })
            }
            Endpoint::Raw {
                method,
                path,
                service,
            } => Some(Route {
                method,
                template: path,
                service,
                operation: None,
            }),
        }
    }

    /// The operation id, or the raw request's `METHOD path`.
    pub fn label(&self) -> String {
        match &self.endpoint {
            Endpoint::Operation(id) => id.clone(),
            Endpoint::Raw { method, path, .. } => format!("{method} {path}"),
        }
    }

    /// The request path with every variable and path parameter filled in.
    pub fn render_path(&self, route: &Route<'_>, scope: &Vars) -> Result<String, VarError> {
        let Some(op) = route.operation else {
            return scope.expand_text(route.template);
        };
        let mut err = None;
        op.render_path(|name| {
            let v = match self.params.get(name) {
                Some(v) => scope.expand(v),
                None => scope
                    .get(name)
                    .cloned()
                    .ok_or_else(|| VarError::Undefined(name.into())),
            };
            match v {
                Ok(Value::String(s)) => Some(s),
                Ok(other) => Some(other.to_string()),
                Err(e) => {
                    err = Some(e);
                    None
                }
            }
        })
        .map_err(|missing| err.unwrap_or(VarError::Undefined(missing)))
    }
}
