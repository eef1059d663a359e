//! The contract: the operation index and the schema registry.
//!
//! `schemas/` is written by [`derive`](mod@derive) and read here. The registry compiles every validator once
//! at start-up and hands them out by (operation, kind); nothing here knows about HTTP or cases.

pub mod derive;
pub mod deviations;
pub mod key_value;
pub mod keywords;
pub mod openapi;
pub mod resources;
pub mod rules;
pub mod spelling;
pub mod template;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Name of the operation index inside a schemas directory.
pub const INDEX_FILE: &str = "operations.json";
/// Name of the documented error-code table inside a schemas directory.
pub const ERROR_CODES_FILE: &str = "error-codes.json";
/// Schema file of a request body.
pub const REQUEST_FILE: &str = "request.schema.json";
/// Schema file of the error envelope.
pub const ERROR_FILE: &str = "error.schema.json";

/// Where an answer shows a field sent as `display_X` under OpenStack's plain name `X` (Manila's
/// share update takes `display_name` and answers `name`): the plain pointer, when the answer
/// documents it and not the sent one.
pub fn display_alias(pointer: &str, answer: &serde_json::Value) -> Option<String> {
    let (parent, last) = pointer.rsplit_once('/')?;
    let plain = format!("{parent}/{}", last.strip_prefix("display_")?);
    let at = |p: &str| {
        crate::pointer::tokens(p).try_fold(answer, |cur, t| cur.get("properties")?.get(t.as_ref()))
    };
    (at(pointer).is_none() && at(&plain).is_some()).then_some(plain)
}

/// Schema file of a response body for a status.
pub fn response_file(status: u16) -> String {
    format!("response.{status}.schema.json")
}

/// A page an operation was derived from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The page's file name.
    pub file: String,
    /// Its language (`zh`, `en`).
    pub lang: String,
    /// How a page without a URI was joined to this operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joined_by: Option<String>,
}

/// One request body of a shared endpoint (`evs.volume_action.v2#os-extend`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alternative {
    /// The name a case uses after `#`: the body's own top-level key(s).
    pub name: String,
    /// Index of this alternative in the request schema's `oneOf`.
    pub index: usize,
    /// Pages documenting this body.
    pub sources: Vec<String>,
}

/// Separator between an operation id and an alternative name in a case's `operation:`.
pub const ALTERNATIVE_SEPARATOR: char = '#';

/// Splits `op#alt` into the operation id and the alternative name, if any.
pub fn split_operation_ref(reference: &str) -> (&str, Option<&str>) {
    match reference.split_once(ALTERNATIVE_SEPARATOR) {
        Some((id, alt)) => (id, Some(alt)),
        None => (reference, None),
    }
}

/// A documented query parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryParam {
    /// Name.
    pub name: String,
    /// Whether it is mandatory.
    pub required: bool,
    /// Its JSON Schema.
    pub schema: Value,
}

/// A state the resource must be in for the operation (a page's constraints section).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Precondition {
    /// The resource attribute, e.g. `vm_state`.
    pub field: String,
    /// The values the page allows.
    pub allowed: Vec<String>,
    /// The attribute's other documented values (from its status-list page), which are refused.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<String>,
    /// Where the page states it: `page:line`.
    pub source: String,
}

/// One operation of the contract, as listed in `operations.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    /// Stable id, e.g. `evs.update_snapshot.v2`.
    pub id: String,
    /// The service (`evs`, `ecs`).
    pub service: String,
    /// The page title.
    pub title: String,
    /// HTTP method.
    pub method: String,
    /// Path template, e.g. `/v2/{project_id}/snapshots/{snapshot_id}`.
    pub path: String,
    /// Path parameters in order.
    pub path_params: Vec<String>,
    /// Documented query parameters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub query_params: Vec<QueryParam>,
    /// Documented success statuses.
    pub success: Vec<u16>,
    /// Whether a request body is documented.
    pub request_body: bool,
    /// Whether a success response body is documented.
    pub response_body: bool,
    /// Pages the operation comes from.
    pub sources: Vec<Source>,
    /// States the resource must be in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preconditions: Vec<Precondition>,
    /// Request bodies of a shared endpoint: several pages document one method and path with
    /// different bodies; the request schema is a `oneOf` with one alternative per entry, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<Alternative>,
    /// Disagreements between pages of the operation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<String>,
    /// What the deriver inferred rather than read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The path names no project and the service's request headers document `X-Project-Id`:
    /// the header (sent with AK/SK credentials) chooses the project, not the path.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub project_header: bool,
}

impl Operation {
    /// An operation with only its id, service, method and path (its path parameters read from
    /// the path): success 200 with a body, no request body, nothing else documented.
    pub fn new(id: &str, service: &str, method: &str, path: &str) -> Operation {
        Operation {
            id: id.into(),
            service: service.into(),
            title: String::new(),
            method: method.into(),
            path: path.into(),
            path_params: template::params(path),
            query_params: Vec::new(),
            success: vec![200],
            request_body: false,
            response_body: true,
            sources: Vec::new(),
            preconditions: Vec::new(),
            alternatives: Vec::new(),
            conflicts: Vec::new(),
            notes: Vec::new(),
            project_header: false,
        }
    }

    /// Fills the path template from a lookup; returns the first missing name on failure.
    pub fn render_path(
        &self,
        lookup: impl FnMut(&str) -> Option<String>,
    ) -> Result<String, String> {
        // A segment may hold several parameters (`{region}:{floatingip_id}`).
        template::render(&self.path, lookup)
    }
}

/// Percent-encodes one path segment (RFC 3986 unreserved characters stay).
pub fn percent_encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One documented error code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ErrorCode {
    /// The code, e.g. `EVS.5404`.
    pub code: String,
    /// The message the service returns with it.
    pub message: String,
}

/// Documented error codes: service → status → codes.
pub type ErrorCodes = BTreeMap<String, BTreeMap<u16, Vec<ErrorCode>>>;

/// Which schema of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SchemaKind {
    /// The request body.
    Request,
    /// A success response body for a status.
    Response(u16),
    /// The error envelope.
    Error,
}

/// Errors loading a contract.
#[derive(Debug, thiserror::Error)]
pub enum ContractError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file is not valid JSON or not of the expected shape.
    #[error("{path}:{line}:{column}: {message}")]
    Json {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// An `op#alt` reference names an alternative the operation does not have.
    #[error("operation {operation} has no request alternative '{alternative}' (it has: {known})")]
    UnknownAlternative {
        /// The operation id.
        operation: String,
        /// The name asked for.
        alternative: String,
        /// The names it has, comma-separated.
        known: String,
    },
    /// An `op` or `op#alt` reference names no operation.
    #[error("no operation '{0}' in the contract")]
    UnknownOperation(String),
    /// A schema does not compile.
    #[error("{path}: invalid schema: {message}")]
    Schema {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, ContractError> {
    let text =
        crate::input::read_text(path, crate::input::CONTRACT).map_err(|e| ContractError::Io {
            path: path.to_path_buf(),
            source: e.into(),
        })?;
    serde_json::from_str(&text).map_err(|e| ContractError::Json {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

/// A loaded contract with compiled validators.
pub struct Contract {
    /// Operations in index order.
    pub operations: Vec<Operation>,
    /// Raw schemas, by operation id and kind.
    pub schemas: BTreeMap<(String, SchemaKind), Value>,
    /// Documented error codes.
    pub error_codes: ErrorCodes,
    /// The resource table (empty when the contract declares none).
    pub resources: resources::ResourceTable,
    validators: BTreeMap<(String, SchemaKind), jsonschema::Validator>,
    /// Request schemas of shared-endpoint alternatives, by `op#alt`, with their validators.
    alternatives: BTreeMap<String, (Value, jsonschema::Validator)>,
}

impl std::fmt::Debug for Contract {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Contract")
            .field("operations", &self.operations.len())
            .finish()
    }
}

impl Contract {
    /// Loads `operations.json`, every schema and the error codes, compiling each validator once.
    pub fn load(dir: &Path) -> Result<Contract, ContractError> {
        let operations: Vec<Operation> = read_json(&dir.join(INDEX_FILE))?;
        let codes_path = dir.join(ERROR_CODES_FILE);
        let error_codes = if codes_path.exists() {
            read_json(&codes_path)?
        } else {
            ErrorCodes::new()
        };
        let mut schemas = BTreeMap::new();
        for op in &operations {
            let op_dir = dir.join(&op.id);
            let mut kinds = vec![(SchemaKind::Error, op_dir.join(ERROR_FILE))];
            if op.request_body {
                kinds.push((SchemaKind::Request, op_dir.join(REQUEST_FILE)));
            }
            if op.response_body {
                for s in &op.success {
                    kinds.push((SchemaKind::Response(*s), op_dir.join(response_file(*s))));
                }
            }
            for (kind, path) in kinds {
                if path.exists() {
                    schemas.insert((op.id.clone(), kind), read_json::<Value>(&path)?);
                }
            }
        }
        let mut contract = Contract::from_parts(operations, schemas, error_codes, dir)?;
        let table_path = dir.join(resources::RESOURCES_FILE);
        if table_path.exists() {
            let table: resources::ResourceTable = read_json(&table_path)?;
            table.validate().map_err(|e| ContractError::Schema {
                path: table_path.clone(),
                message: e.to_string(),
            })?;
            contract.resources = table;
        }
        Ok(contract)
    }

    /// Builds a contract from values already in memory (derive's self-check, tests).
    pub fn from_parts(
        operations: Vec<Operation>,
        schemas: BTreeMap<(String, SchemaKind), Value>,
        error_codes: ErrorCodes,
        dir: &Path,
    ) -> Result<Contract, ContractError> {
        let mut validators = BTreeMap::new();
        for ((id, kind), schema) in &schemas {
            let v = keywords::compile(schema).map_err(|message| ContractError::Schema {
                path: dir.join(id).join(kind_file(*kind)),
                message,
            })?;
            validators.insert((id.clone(), *kind), v);
        }
        let mut contract = Contract {
            operations,
            schemas,
            error_codes,
            resources: resources::ResourceTable::default(),
            validators,
            alternatives: BTreeMap::new(),
        };
        // Each alternative of a shared endpoint is addressable as `op#alt`, so everything that
        // looks an operation up by a case's reference (load, run, reports) works unchanged.
        let mut alternatives = BTreeMap::new();
        for op in &contract.operations {
            for alt in &op.alternatives {
                let Some(schema) = contract.alternative_schema(&op.id, alt) else {
                    continue;
                };
                let v = keywords::compile(&schema).map_err(|message| ContractError::Schema {
                    path: dir.join(&op.id).join(REQUEST_FILE),
                    message: format!("alternative '{}': {message}", alt.name),
                })?;
                alternatives.insert(
                    format!("{}{ALTERNATIVE_SEPARATOR}{}", op.id, alt.name),
                    (schema, v),
                );
            }
        }
        contract.alternatives = alternatives;
        Ok(contract)
    }

    /// An operation by id, or by `op#alt` (None when the operation has no such alternative).
    pub fn operation(&self, reference: &str) -> Option<&Operation> {
        self.operation_alternative(reference).ok().map(|(op, _)| op)
    }

    /// Resolves `op` or `op#alt` to the operation and, when named, its request alternative.
    pub fn operation_alternative(
        &self,
        reference: &str,
    ) -> Result<(&Operation, Option<&Alternative>), ContractError> {
        let (id, alt) = split_operation_ref(reference);
        let op = self
            .operations
            .iter()
            .find(|o| o.id == id)
            .ok_or_else(|| ContractError::UnknownOperation(id.to_string()))?;
        let Some(alt) = alt else {
            return Ok((op, None));
        };
        match op.alternatives.iter().find(|a| a.name == alt) {
            Some(a) => Ok((op, Some(a))),
            None => Err(ContractError::UnknownAlternative {
                operation: id.to_string(),
                alternative: alt.to_string(),
                known: op
                    .alternatives
                    .iter()
                    .map(|a| a.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    /// The request schema of one alternative (its `oneOf` entry, or `anyOf` where the
    /// alternatives overlap, standalone with `$schema`).
    pub fn alternative_schema(&self, id: &str, alternative: &Alternative) -> Option<Value> {
        let request = self.schema(id, SchemaKind::Request)?;
        let mut alt = request
            .get("oneOf")
            .or_else(|| request.get("anyOf"))?
            .get(alternative.index)?
            .clone();
        if let (Value::Object(m), Some(d)) = (&mut alt, request.get("$schema")) {
            m.insert("$schema".into(), d.clone());
        }
        Some(alt)
    }

    /// The known id closest to an unknown one, for "did you mean".
    pub fn closest_id(&self, id: &str) -> Option<&str> {
        self.operations
            .iter()
            .map(|o| (strsim::jaro_winkler(id, &o.id), o.id.as_str()))
            .filter(|(score, _)| *score > 0.7)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, id)| id)
    }

    /// Whether a service's error pages name codes for a status: only then is the exact status
    /// expected, where otherwise its class is.
    pub fn documents(&self, service: &str, status: u16) -> bool {
        self.error_codes
            .get(service)
            .is_some_and(|m| m.get(&status).is_some_and(|c| !c.is_empty()))
    }

    /// The compiled validator for an operation's schema; for `op#alt`, the request validator is
    /// the alternative's.
    pub fn validator(&self, reference: &str, kind: SchemaKind) -> Option<&jsonschema::Validator> {
        if kind == SchemaKind::Request {
            if let Some((_, v)) = self.alternatives.get(reference) {
                return Some(v);
            }
        }
        let (id, _) = split_operation_ref(reference);
        self.validators.get(&(id.to_string(), kind))
    }

    /// The raw schema for an operation's schema; for `op#alt`, the request schema is the
    /// alternative's.
    pub fn schema(&self, reference: &str, kind: SchemaKind) -> Option<&Value> {
        if kind == SchemaKind::Request {
            if let Some((s, _)) = self.alternatives.get(reference) {
                return Some(s);
            }
        }
        let (id, _) = split_operation_ref(reference);
        self.schemas.get(&(id.to_string(), kind))
    }
}

/// The file name of a schema kind.
pub fn kind_file(kind: SchemaKind) -> String {
    match kind {
        SchemaKind::Request => REQUEST_FILE.to_string(),
        SchemaKind::Response(s) => response_file(s),
        SchemaKind::Error => ERROR_FILE.to_string(),
    }
}
