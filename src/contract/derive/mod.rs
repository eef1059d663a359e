//! Derivation: reference pages → the contract (`schemas/`).
//!
//! Pipeline: read pages (markdown or plain text) → classify (operation, error codes, enumeration)
//! → per operation page, field trees → schemas → group by method and path (several bodies for
//! one endpoint become `oneOf` alternatives) → join pages without a URI by structure → merge
//! languages → check every documented example against its schema → write.
//! No page stops a run: unparseable pages are listed in [`Derived::skipped`], and every
//! contradiction the pages contain is a [`defects::Defect`]; the schemas keep what the tables say.
//! Nothing here names a page or an operation: everything comes from what the pages say.

pub mod constraints;
pub mod created_ids;
pub mod defects;
pub mod facts;
pub mod fields;
pub mod linked;
pub mod manifest;
pub mod markdown;
pub mod merge;
pub mod naming;
pub mod page;
pub mod plaintext;
pub mod query_kinds;
pub mod references;
pub mod resources;
pub mod write;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use self::defects::Defect;
use self::fields::{Builder, Columns, Field, Presence};
use self::manifest::Manifest;
use self::page::{Block, Page, SectionKind, Table};
use self::references::Enums;
use crate::contract::{ErrorCodes, Operation, QueryParam, SchemaKind};

/// JSON Schema dialect of every derived schema.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Everything that can go wrong while deriving.
#[derive(Debug, thiserror::Error)]
pub enum DeriveError {
    /// A file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A page could not be parsed.
    #[error("{file}:{line}: {message}")]
    Page {
        /// The page's path as given to derive.
        file: String,
        /// 1-based line (0 when unknown).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The manifest is broken.
    #[error("{file}:{line}:{column}: {message}")]
    Manifest {
        /// The manifest file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A page without a URI could not be joined to an operation.
    #[error("{file}:{line}: {message}")]
    Join {
        /// The page's path as given to derive.
        file: String,
        /// 1-based line (the page as a whole: 1).
        line: usize,
        /// Why.
        message: String,
    },
    /// Nothing to derive from.
    #[error("no operation pages found in {0}")]
    NoOperations(String),
    /// A derived schema does not compile: a derive bug, caught before anything is written so
    /// that no contract the loader (and the mock) would refuse reaches the disk.
    #[error("{operation}/{file}: the derived schema does not compile ({message}); nothing was written: this is a conform bug, please report it with the page")]
    InvalidSchema {
        /// The operation id.
        operation: String,
        /// The schema's file name.
        file: String,
        /// The compiler's complaint.
        message: String,
    },
}

/// The result of a derivation, ready to be written or checked.
#[derive(Debug, Default)]
pub struct Derived {
    /// Operations sorted by id.
    pub operations: Vec<Operation>,
    /// Schemas by (operation id, kind).
    pub schemas: BTreeMap<(String, SchemaKind), Value>,
    /// Documented error codes.
    pub error_codes: ErrorCodes,
    /// The resource table: inferred from the operations, extended by the manifest.
    pub resources: crate::contract::resources::ResourceTable,
    /// Operation id → the first of its pages' success examples that its response schema
    /// accepts (what a resource kind's instance looks like).
    pub examples: BTreeMap<String, Value>,
    /// What the deriver did, one line each (joins, inferences, conflicts).
    pub log: Vec<String>,
    /// Contradictions in the documentation (the schemas keep what the tables say).
    pub defects: Vec<Defect>,
    /// Pages that yield no operation, each with the reason: unparseable pages (file, line, what
    /// was expected) and pages that state no URI and join no operation.
    pub skipped: Vec<Skipped>,
}

/// A page that yields no operation, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// The page's path as given to derive.
    pub page: String,
    /// 1-based line the reason points at (1 when it concerns the whole page).
    pub line: usize,
    /// What was expected and not found.
    pub reason: String,
}

impl Skipped {
    fn from_error(path: &Path, e: &DeriveError) -> Skipped {
        match e {
            DeriveError::Page {
                file,
                line,
                message,
            } => Skipped {
                page: file.clone(),
                line: (*line).max(1),
                reason: message.clone(),
            },
            other => Skipped {
                page: path.display().to_string(),
                line: 1,
                reason: other.to_string(),
            },
        }
    }
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: skipped: {}", self.page, self.line, self.reason)
    }
}

/// A documented example and where it is.
#[derive(Debug, Clone)]
pub struct Example {
    /// The example body.
    pub value: Value,
    /// 1-based line of its code block.
    pub line: usize,
}

/// What one operation page contributes.
#[derive(Debug, Clone)]
pub struct PageContract {
    /// The page's file name (as listed in the operation's sources).
    pub file: String,
    /// The page's path as given to derive (for defects).
    pub path: String,
    /// Language code.
    pub lang: String,
    /// Title.
    pub title: String,
    /// Service.
    pub service: String,
    /// Method and path, when the page states them.
    pub endpoint: Option<(String, String)>,
    /// Path parameters documented in the URI table.
    pub path_params: Vec<String>,
    /// Query parameters.
    pub query: Vec<QueryParam>,
    /// Request body schema.
    pub request: Option<Value>,
    /// Success response schema.
    pub response: Option<Value>,
    /// Error envelope schema, if the page documents one.
    pub error: Option<Value>,
    /// Documented success statuses (empty: the page states none).
    pub success: Vec<u16>,
    /// Request examples.
    pub request_examples: Vec<Example>,
    /// Success response examples.
    pub response_examples: Vec<Example>,
    /// Error examples.
    pub error_examples: Vec<Example>,
    /// Status codes the page's examples use (status, line).
    pub statuses_used: Vec<(u16, usize)>,
    /// Line of the status section, when there is one.
    pub status_line: Option<usize>,
    /// Line of the URI section, when there is one.
    pub uri_line: Option<usize>,
    /// Rows whose declared type disagrees with the table they link to (body, disagreement).
    pub table_disagreements: Vec<(String, fields::Disagreement)>,
    /// Rows whose table number names another table than their caption or link (body, what).
    pub table_misreferences: Vec<(String, fields::Misreference)>,
    /// Every status the status section lists (success and error).
    pub statuses_listed: Vec<u16>,
    /// Line of the request table (or of the page title when there is none).
    pub request_line: usize,
    /// Line of the response table (or of the page title when there is none).
    pub response_line: usize,
    /// Field paths of the request and response, for structural joins.
    pub shape: (BTreeSet<String>, BTreeSet<String>),
    /// Notes (inferences) for the derive output.
    pub notes: Vec<String>,
    /// States the resource must be in (constraints section).
    pub preconditions: Vec<crate::contract::Precondition>,
    /// Request rows' constraint-like phrases that yield no constraint: (JSON Pointer, row
    /// source `page:line`, phrase).
    pub unread_constraints: Vec<(String, Option<String>, String)>,
    /// Request rows whose bounds contradict each other: (JSON Pointer, row source, conflict).
    pub constraint_conflicts: Vec<(String, Option<String>, constraints::Conflict)>,
    /// Pages the status section points to for its codes (file name, line of the link).
    pub status_links: Vec<(String, usize)>,
    /// Those of [`PageContract::status_links`] that are not among the pages read (filled by
    /// [`derive`], which knows every page).
    pub missing_status_pages: Vec<(String, usize)>,
}

/// Reads every page under the inputs (files or folders, recursively, in name order).
pub fn collect_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, DeriveError> {
    let mut files = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|source| DeriveError::Io {
            path: input.clone(),
            source,
        })?;
        if meta.is_dir() {
            let mut found: Vec<PathBuf> = walkdir::WalkDir::new(input)
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                .map(|e| e.into_path())
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(input.clone());
        }
    }
    Ok(files)
}

/// Reads and parses one page, choosing the parser by content.
pub fn read_page(path: &Path) -> Result<Page, DeriveError> {
    let file_name = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let fail = |line: usize, message: String| DeriveError::Page {
        file: path.display().to_string(),
        line,
        message,
    };
    let bytes = crate::input::read(path, crate::input::PAGE).map_err(|e| match e {
        crate::input::InputError::Io(source) => DeriveError::Io {
            path: path.to_path_buf(),
            source,
        },
        other => fail(1, format!("the page is {other}")),
    })?;
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(fail(
            1,
            "the page is empty: expected a title and sections".into(),
        ));
    }
    let line_at = |offset: usize| 1 + bytes[..offset].iter().filter(|&&b| b == b'\n').count();
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        return Err(fail(
            line_at(nul),
            "the page holds binary data (a NUL byte), not text".into(),
        ));
    }
    let text = match String::from_utf8(bytes.clone()) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            return Err(fail(
                line_at(at),
                format!("the page is not UTF-8 text (invalid byte at offset {at})"),
            ));
        }
    };
    let is_markdown = text.contains("<table")
        || text
            .lines()
            .any(|l| l.starts_with("# ") || l.starts_with("## "));
    if is_markdown {
        markdown::parse(path, &file_name, &text)
    } else {
        plaintext::parse(path, &file_name, &text)
    }
}

/// The service of a page: the manifest's mapping, else its folder's name.
fn service_of(path: &Path, file_name: &str, manifest: &Manifest) -> Option<String> {
    if let Some(s) = manifest.service_of(file_name) {
        return Some(s.to_string());
    }
    let folder = path.parent()?.file_name()?.to_string_lossy().to_lowercase();
    folder
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
        .then_some(folder)
}

static STATUS_USED: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    crate::statics::regex(r"(?i)(?:status\s*code|状态码)\s*(?:为|是|:|：)?\s*([1-5]\d\d)\b")
});

/// A JSON example in a code block: the block may open with the request line
/// (`POST https://{endpoint}/v2/...`) before the body.
fn parse_example(text: &str) -> Option<Value> {
    // The body starts on a line of its own; the request line may hold braces (`{endpoint}`).
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with(['{', '[']) {
            let start = offset + (line.len() - trimmed.len());
            let body = text[start..].trim();
            // Pages' examples are hand-written: a trailing comma or a comment (JSON5) still
            // shows the body's shape.
            let parsed = serde_json::from_str::<Value>(body)
                .ok()
                .or_else(|| json5::from_str::<Value>(body).ok());
            if let Some(v) = parsed.filter(|v| v.is_object() || v.is_array()) {
                return Some(v);
            }
        }
        offset += line.len();
    }
    None
}

/// Which way the examples of a section go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Request,
    Response,
}

/// Examples of a page by direction, with the status lines the example sections use.
fn examples(page: &Page) -> (Vec<Example>, Vec<Example>, Vec<(u16, usize)>) {
    let mut requests = Vec::new();
    let mut responses = Vec::new();
    let mut statuses = Vec::new();
    for section in &page.sections {
        let mut direction = match section.kind {
            SectionKind::Request | SectionKind::RequestExample | SectionKind::Examples => {
                Direction::Request
            }
            SectionKind::Response | SectionKind::ResponseExample => Direction::Response,
            _ => continue,
        };
        for block in &section.blocks {
            match block {
                Block::Text(t) => {
                    if let Some(c) = STATUS_USED.captures(&t.text) {
                        if let Ok(n) = c[1].parse() {
                            statuses.push((n, section.line));
                        }
                    }
                    // Mixed example sections (样例) caption each example.
                    if section.kind == SectionKind::Examples {
                        let lower = t.text.to_lowercase();
                        if t.text.contains("响应") || lower.contains("response") {
                            direction = Direction::Response;
                        } else if t.text.contains("请求") || lower.contains("request") {
                            direction = Direction::Request;
                        }
                    }
                }
                Block::Code { text, line } => {
                    if let Some(c) = STATUS_USED.captures(text) {
                        if let Ok(n) = c[1].parse() {
                            statuses.push((n, *line));
                        }
                    }
                    if let Some(value) = parse_example(text) {
                        let e = Example { value, line: *line };
                        match direction {
                            Direction::Request => requests.push(e),
                            Direction::Response => responses.push(e),
                        }
                    }
                }
                Block::Table(_) => {}
            }
        }
    }
    (requests, responses, statuses)
}

/// An error example: one key whose value holds `message` and `code`, or a flat body with an
/// error code and an error message (`error_code` / `error_msg`).
pub fn is_error_example(v: &Value) -> bool {
    v.as_object().is_some_and(|o| {
        let nested = o.len() == 1
            && o.values()
                .next()
                .and_then(Value::as_object)
                .is_some_and(|inner| inner.contains_key("message") && inner.contains_key("code"));
        nested || is_flat_error(o)
    })
}

/// A flat error body (`error_code`, `error_msg`), which no envelope table documents.
pub(crate) fn is_flat_error(o: &serde_json::Map<String, Value>) -> bool {
    o.contains_key("error_code") && (o.contains_key("error_msg") || o.contains_key("error_message"))
}

/// The error envelope: exactly one key (badRequest, itemNotFound, …) holding message and code.
pub fn envelope_schema(inner: &[Field], builder: &mut Builder<'_>) -> Value {
    let mut value = builder.object(inner, None, "/*");
    if let Value::Object(m) = &mut value {
        let mut names: Vec<Value> = Vec::new();
        for f in inner {
            if !names.iter().any(|n| n == &f.name) {
                names.push(json!(f.name));
            }
        }
        m.insert("required".into(), Value::Array(names));
    }
    json!({
        "$schema": DIALECT,
        "type": "object",
        "minProperties": 1,
        "maxProperties": 1,
        "additionalProperties": value,
    })
}

/// The envelope's inner fields as the error examples show them (when no table documents them).
fn envelope_from_examples(examples: &[Example]) -> Option<Vec<Field>> {
    // Only the one-key envelope is read here; a flat error body has no envelope to learn.
    let inner = examples
        .iter()
        .filter_map(|e| e.value.as_object())
        .find(|o| !is_flat_error(o))?
        .values()
        .next()?
        .as_object()?;
    Some(
        inner
            .iter()
            .map(|(name, v)| Field {
                name: name.clone(),
                ty: match v {
                    Value::Number(_) => fields::Ty::Integer,
                    _ => fields::Ty::String,
                },
                type_name: None,
                required: Some(true),
                paragraphs: Vec::new(),
                links: Vec::new(),
                children: None,
                is_error_envelope: false,
                source: None,
            })
            .collect(),
    )
}

fn section_tables(page: &Page, kind: SectionKind) -> Vec<&Table> {
    page.sections_of(kind)
        .flat_map(|s| s.blocks.iter())
        .filter_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .collect()
}

/// What a table of a request or response section documents, by its caption.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TableRole {
    /// Body fields.
    Body,
    /// Query parameters ("Query参数").
    Query,
    /// Path parameters ("路径参数"), already documented by the URI.
    Path,
    /// Request headers ("请求Header参数": the token, the content type): neither body fields
    /// nor query parameters.
    Header,
}

fn table_role(t: &Table) -> TableRole {
    let title = t.title.as_deref().unwrap_or("").to_lowercase();
    if title.contains("header") || title.contains("消息头") || title.contains("请求头") {
        TableRole::Header
    } else if has_word(&title, "query") || title.contains("查询参数") {
        TableRole::Query
    } else if title.contains("路径参数") || title.contains("path param") {
        TableRole::Path
    } else {
        TableRole::Body
    }
}

/// Whether `word` stands alone in a caption (`Query参数`, `query 参数`): a type name that
/// merely contains it (`QuerySample`, `JobQueryBean`) captions the fields of a body object.
fn has_word(title: &str, word: &str) -> bool {
    title.match_indices(word).any(|(at, _)| {
        let before = title[..at].chars().next_back();
        let after = title[at + word.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// What a request table documents, its caption corrected by what the page shows: a GET or HEAD
/// sends no body, so its parameter table lists query parameters whatever its caption; a table
/// captioned as query parameters of a request whose documented example body holds its fields
/// lists body fields (pages copied from another API style keep the caption).
fn request_table_role(t: &Table, method: &str, example: Option<&Value>, path: &str) -> TableRole {
    let role = table_role(t);
    match role {
        TableRole::Body if matches!(method, "GET" | "HEAD") => TableRole::Query,
        TableRole::Query if matches!(method, "POST" | "PUT" | "PATCH") => {
            let Some(keys) = example.and_then(Value::as_object) else {
                return role;
            };
            let names: Vec<String> = fields::read_table(t, path)
                .map(|rows| rows.into_iter().map(|f| f.name).collect())
                .unwrap_or_default();
            let shown = names.iter().filter(|n| keys.contains_key(*n)).count();
            // Most of the table's fields are the example body's: a body table.
            if shown > 0 && shown * 2 >= names.len() {
                TableRole::Body
            } else {
                role
            }
        }
        _ => role,
    }
}

/// The tables of a page's response sections, split by the status they are documented for
/// ("状态码为 200 时:", "Status code: 400"): success tables first, then the tables of the first
/// error status (their body is the error envelope).
fn response_tables(page: &Page) -> (Vec<&Table>, Vec<&Table>) {
    let mut success = Vec::new();
    let mut error = Vec::new();
    let mut first_error: Option<u16> = None;
    for section in page.sections_of(SectionKind::Response) {
        let mut status: Option<u16> = None;
        for block in &section.blocks {
            match block {
                Block::Text(t) => {
                    if let Some(n) = STATUS_USED
                        .captures(&t.text)
                        .and_then(|c| c[1].parse::<u16>().ok())
                    {
                        status = Some(n);
                    }
                }
                Block::Table(t) => match status {
                    Some(n) if n >= 300 => {
                        if *first_error.get_or_insert(n) == n {
                            error.push(t);
                        }
                    }
                    _ => success.push(t),
                },
                Block::Code { .. } => {}
            }
        }
    }
    (success, error)
}

fn shape_of(fields: &[Field], prefix: &str, out: &mut BTreeSet<String>) {
    for f in fields.iter().filter(|f| !f.is_error_envelope) {
        let p = format!("{prefix}/{}", f.name);
        out.insert(p.clone());
        if let Some(children) = &f.children {
            shape_of(children, &p, out);
        }
    }
}

/// The pages a status section points to for its codes (`请参见[状态码](状态码.md)`): file name
/// (the link's path without folders and anchor) and line.
fn status_links(page: &Page) -> Vec<(String, usize)> {
    let Some(section) = page.section(SectionKind::Status) else {
        return Vec::new();
    };
    let mut out: Vec<(String, usize)> = Vec::new();
    for block in &section.blocks {
        let Block::Text(t) = block else { continue };
        for link in &t.links {
            let target = link.href.split('#').next().unwrap_or_default();
            if target.is_empty() || target.contains("://") {
                continue;
            }
            let file = target.rsplit('/').next().unwrap_or(target).to_string();
            if !out.iter().any(|(f, _)| *f == file) {
                out.push((file, t.line.max(section.line)));
            }
        }
    }
    out
}

/// Prose giving examples ("例如200、202或者204", "such as 200 or 204") names statuses an API may
/// use, not those this operation states: the text from the marker to the end of its sentence is
/// left out when statuses are read.
fn without_examples(text: &str) -> std::borrow::Cow<'_, str> {
    EXAMPLE_CLAUSE.replace_all(text, "")
}

static EXAMPLE_CLAUSE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    crate::statics::regex(
        r"(?i)(?:例如|比如|譬如|诸如|如：|如:|such as|e\.g\.|for example|for instance)[^。；;.!?！？\n]*",
    )
});

/// The success statuses a page's status section states, and every status it lists.
fn listed_statuses(page: &Page) -> (Vec<u16>, Vec<u16>) {
    let Some(section) = page.section(SectionKind::Status) else {
        return (Vec::new(), Vec::new());
    };
    statuses_in(section.blocks.iter())
}

/// The success statuses a shared status page (`通用请求返回值.md`) lists as normal, anywhere on
/// the page: what the operations that point to it for their codes may answer.
fn common_success(page: &Page) -> Vec<u16> {
    let blocks = page
        .preamble
        .iter()
        .chain(page.sections.iter().flat_map(|s| s.blocks.iter()));
    let (normal, _) = statuses_in(blocks);
    normal
        .into_iter()
        .filter(|s| (200..300).contains(s))
        .collect()
}

/// Statuses of blocks: those under a "normal" marker (every 2xx when there is none), and all.
fn statuses_in<'b>(blocks: impl Iterator<Item = &'b Block>) -> (Vec<u16>, Vec<u16>) {
    let numbers = |text: &str| -> Vec<u16> {
        text.split(|c: char| !c.is_ascii_digit())
            .filter(|w| w.len() == 3)
            .filter_map(|w| w.parse().ok())
            .filter(|n| (100..600).contains(n))
            .collect()
    };
    let mut in_normal = false;
    let mut seen_marker = false;
    let mut found = Vec::new();
    let mut all = Vec::new();
    for block in blocks {
        match block {
            Block::Text(t) => {
                let text = without_examples(t.text.trim());
                let text = text.trim();
                if matches!(text, "正常" | "Normal" | "Success" | "Successful") {
                    in_normal = true;
                    seen_marker = true;
                    continue;
                }
                if matches!(text, "异常" | "Abnormal" | "Error" | "Failure") {
                    in_normal = false;
                    continue;
                }
                let n = numbers(text);
                if in_normal {
                    found.extend(n.iter().copied());
                }
                all.extend(n);
            }
            // Status tables: the first column holds the code ("400 Bad Request").
            Block::Table(t) => {
                for row in &t.rows {
                    if let Some(cell) = row.first() {
                        let n = numbers(&without_examples(&cell.text()));
                        if in_normal {
                            found.extend(n.iter().copied());
                        }
                        all.extend(n);
                    }
                }
            }
            Block::Code { .. } => {}
        }
    }
    if !seen_marker {
        found = all
            .iter()
            .copied()
            .filter(|s| (200..300).contains(s))
            .collect();
    }
    found.sort_unstable();
    found.dedup();
    all.sort_unstable();
    all.dedup();
    (found, all)
}

/// The method and path a page states, with the query parameter names its URI spells out.
fn endpoint_of(page: &Page) -> Option<(String, String, Vec<String>)> {
    // Not the request section's prose: guide pages ("how to build a request") show a sample
    // call there without documenting an operation.
    let kinds = [
        SectionKind::Uri,
        SectionKind::RequestExample,
        SectionKind::Examples,
    ];
    kinds
        .iter()
        .flat_map(|k| page.sections_of(*k))
        .flat_map(|s| s.blocks.iter())
        .find_map(|b| {
            let text = match b {
                Block::Text(t) => t.text.clone(),
                Block::Code { text, .. } => text.clone(),
                // Some sets put the method and the URI in a table row (| GET | /v1/… |).
                Block::Table(t) => t
                    .rows
                    .iter()
                    .map(|r| r.iter().map(|c| c.text()).collect::<Vec<_>>().join(" "))
                    .find(|row| naming::method_and_path(row).is_some())?,
            };
            let (m, p) = naming::method_and_path(&text)?;
            Some((m, p, naming::query_names(&text)))
        })
        .or_else(|| {
            // The method and the path on lines of their own (`PATH：/v3/…` over `Method：GET`).
            let texts: Vec<&str> = page
                .sections_of(SectionKind::Uri)
                .flat_map(|s| s.blocks.iter())
                .filter_map(|b| match b {
                    Block::Text(t) => Some(t.text.as_str()),
                    Block::Code { text, .. } => Some(text.as_str()),
                    Block::Table(_) => None,
                })
                .collect();
            let line = naming::split_method_and_path(texts.iter().flat_map(|t| t.lines()))?;
            let (m, p) = naming::method_and_path(&line)?;
            Some((m, p, naming::query_names(&line)))
        })
        .or_else(|| {
            // No URI section: a line of the preamble or the function section that is nothing
            // but "METHOD /path" (some sets state the endpoint right under the title).
            page.preamble
                .iter()
                .chain(
                    page.sections_of(SectionKind::Function)
                        .flat_map(|s| s.blocks.iter()),
                )
                .find_map(|b| match b {
                    Block::Text(t)
                        if t.text.split_whitespace().count() == 2
                            && naming::method_and_path(&t.text).is_some() =>
                    {
                        let (m, p) = naming::method_and_path(&t.text)?;
                        Some((m, p, naming::query_names(&t.text)))
                    }
                    _ => None,
                })
        })
}

/// A root table whose only row is a placeholder such as `[数组]` documents a body that is an
/// array (or object) itself rather than an object holding that row.
fn is_body_placeholder(fields: &[Field]) -> bool {
    fields.len() == 1 && {
        let n = fields[0].name.trim_matches(['*', '_', ' ']);
        n.starts_with('[') && n.ends_with(']')
    }
}

/// The body schema of a field tree, guided by the first example (`answer`: a success answer,
/// which may be a bare array of what the table documents).
fn body_schema(
    builder: &mut Builder<'_>,
    fields: &[Field],
    example: Option<&Value>,
    answer: bool,
) -> Option<Value> {
    if fields.is_empty() {
        return None;
    }
    let mut s = if is_body_placeholder(fields) {
        let name = fields[0].name.clone();
        let wrapped = example.map(|e| json!({ name.clone(): e }));
        let object = builder.object(fields, wrapped.as_ref(), "");
        object["properties"][&name].clone()
    } else if let Some(item) = items_of(fields, example).filter(|_| answer) {
        // The table documents the items of an answer the example shows as a bare array
        // (FunctionGraph's alias list): the body is the array. A request shown so (CES's
        // metric data) stays the object its table documents: the generator's cases reach no
        // field inside an array yet, and the object keeps them.
        let object = builder.object(fields, Some(item), "");
        json!({"type": "array", "items": object})
    } else {
        builder.object(fields, example, "")
    };
    if let Value::Object(m) = &mut s {
        m.insert("$schema".into(), json!(DIALECT));
    }
    Some(s)
}

/// The first item of an example that is a bare array of objects holding the table's rows (at
/// least half of them); none where the example is no such array.
fn items_of<'e>(fields: &[Field], example: Option<&'e Value>) -> Option<&'e Value> {
    let item = example?.as_array()?.first()?;
    let keys = item.as_object()?;
    let named = fields.iter().filter(|f| keys.contains_key(&f.name)).count();
    (named > 0 && named * 2 >= fields.len()).then_some(item)
}

/// The path parameters a page's URI table documents with one value only (RDS's
/// `/{version_id}/…`, "取值：v3"), with that value: the segment is a constant, and the path is
/// the one other pages state (`/v3/…`).
fn constant_path_params(
    page: &Page,
    path: &str,
    enums: &Enums,
    endpoint: &str,
) -> Result<Vec<(String, String)>, DeriveError> {
    let params = naming::path_params(endpoint);
    let mut builder = Builder::new(enums, Presence::Declared, true);
    let mut found = Vec::new();
    for table in section_tables(page, SectionKind::Uri) {
        if Columns::detect(&table.header).is_none() {
            continue;
        }
        for f in fields::read_table(table, path)? {
            // The path's spelling: a table may write the name otherwise (`version_Id`).
            let Some(name) = params.iter().find(|p| p.eq_ignore_ascii_case(&f.name)) else {
                continue;
            };
            if found.iter().any(|(n, _)| n == name) {
                continue;
            }
            let schema = builder.object(std::slice::from_ref(&f), None, "/path");
            let one = match schema["properties"][&f.name]["enum"].as_array() {
                Some(values) if values.len() == 1 => values[0].as_str().map(str::to_string),
                _ => None,
            };
            let segment = one.filter(|v| {
                !v.is_empty()
                    && v.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
            });
            if let Some(v) = segment {
                found.push((name.clone(), v));
            }
        }
    }
    Ok(found)
}

/// Derives what one operation page contributes.
///
/// `pages` are the pages a row may link to for the table of its fields (the pages of the run;
/// empty: no link to another page is followed).
pub fn page_contract(
    page: &Page,
    service: &str,
    enums: &Enums,
    pages: &linked::Pages<'_>,
) -> Result<PageContract, DeriveError> {
    let file = page.file_name.clone();
    let path = page.path.display().to_string();
    let mut notes = Vec::new();
    let found = endpoint_of(page);
    let uri_query = found.as_ref().map(|f| f.2.clone()).unwrap_or_default();
    let mut endpoint = found.map(|(m, p, _)| (m, p));
    if let Some((_, p)) = endpoint.as_mut() {
        for (name, value) in constant_path_params(page, &path, enums, p)? {
            *p = p.replace(&format!("{{{name}}}"), &value);
        }
    }
    let path_params = endpoint
        .as_ref()
        .map(|(_, p)| naming::path_params(p))
        .unwrap_or_default();

    for table in page.tables() {
        if let Some(c) = Columns::detect(&table.header) {
            if !c.ignored.is_empty() {
                notes.push(format!(
                    "{file}: table '{}' (line {}): column(s) {} not used by the contract",
                    table.title.as_deref().unwrap_or(""),
                    table.line,
                    c.ignored.join(", ")
                ));
            }
        }
    }

    // URI tables: the one naming the path parameters, and query parameter tables.
    let mut query = Vec::new();
    let mut builder = Builder::new(enums, Presence::Declared, true);
    for table in section_tables(page, SectionKind::Uri) {
        if Columns::detect(&table.header).is_none() {
            continue;
        }
        let rows = fields::read_table(table, &path)?;
        for f in rows.iter().filter(|f| !path_params.contains(&f.name)) {
            let schema = builder.object(std::slice::from_ref(f), None, "/query");
            let prop = schema["properties"][&f.name].clone();
            query.push(QueryParam {
                name: f.name.clone(),
                required: f.required == Some(true),
                schema: prop,
            });
        }
    }
    // A query string written into the URI names parameters even when no table documents them.
    for name in uri_query {
        if !query.iter().any(|q| q.name == name) {
            notes.push(format!(
                "{file}: query parameter '{name}' appears in the URI but in no table: typed as string"
            ));
            query.push(QueryParam {
                name,
                required: false,
                schema: json!({"type": "string"}),
            });
        }
    }

    let (request_examples, all_response_examples, statuses_used) = examples(page);
    let (error_examples, response_examples): (Vec<Example>, Vec<Example>) = all_response_examples
        .into_iter()
        .partition(|e| is_error_example(&e.value));

    let all_request_tables = section_tables(page, SectionKind::Request);
    let method = endpoint
        .as_ref()
        .map(|(m, _)| m.as_str())
        .unwrap_or_default();
    let first_request_example = request_examples.first().map(|e| &e.value);
    let roles: Vec<TableRole> = all_request_tables
        .iter()
        .map(|t| request_table_role(t, method, first_request_example, &path))
        .collect();
    let request_tables: Vec<&Table> = all_request_tables
        .iter()
        .zip(&roles)
        .filter(|(_, r)| **r == TableRole::Body)
        .map(|(t, _)| *t)
        .collect();
    // Query tables documented under the request section (API Explorer style).
    for table in all_request_tables
        .iter()
        .zip(&roles)
        .filter(|(_, r)| **r == TableRole::Query)
        .map(|(t, _)| t)
    {
        if Columns::detect(&table.header).is_none() {
            continue;
        }
        for f in fields::read_table(table, &path)? {
            if query.iter().any(|q| q.name == f.name) || path_params.contains(&f.name) {
                continue;
            }
            let schema = builder.object(std::slice::from_ref(&f), None, "/query");
            let prop = schema["properties"][&f.name].clone();
            query.push(QueryParam {
                name: f.name.clone(),
                required: f.required == Some(true),
                schema: prop,
            });
        }
    }
    let (response_tables, error_tables) = response_tables(page);
    let request_line = request_tables.first().map_or(1, |t| t.line);
    let response_line = response_tables.first().map_or(1, |t| t.line);
    let mut table_disagreements = Vec::new();
    let mut table_misreferences = Vec::new();
    let mut tree_of = |tables: &[&Table], body: &str, notes: &mut Vec<String>| {
        let tree = fields::tree(tables, &path, pages)?;
        table_disagreements.extend(
            tree.disagreements
                .iter()
                .map(|d| (body.to_string(), d.clone())),
        );
        table_misreferences.extend(
            tree.misreferences
                .iter()
                .map(|m| (body.to_string(), m.clone())),
        );
        notes.extend(
            tree.unfollowed
                .iter()
                .map(|(pointer, why)| format!("{file}: {body}{pointer}: {why}")),
        );
        notes.extend(
            tree.orphans
                .iter()
                .map(|o| format!("{file}: {body} table '{o}' is referenced by no field")),
        );
        Ok::<_, DeriveError>(tree.fields)
    };
    let request_fields = tree_of(&request_tables, "request", &mut notes)?;
    let response_fields = tree_of(&response_tables, "response", &mut notes)?;
    let first_request = request_examples.first().map(|e| &e.value);
    let first_response = response_examples.first().map(|e| &e.value);
    let request_fields = fields::nest_by_example(request_fields, first_request, &mut notes);
    let response_fields = fields::nest_by_example(response_fields, first_response, &mut notes);

    let request = body_schema(&mut builder, &request_fields, first_request, false);
    let envelope_row = response_fields
        .iter()
        .find(|f| f.is_error_envelope)
        .and_then(|f| f.children.clone());
    let success_fields: Vec<Field> = response_fields
        .iter()
        .filter(|f| !f.is_error_envelope)
        .cloned()
        .collect();
    let mut response_builder = Builder::new(enums, Presence::Example, false);
    let response = body_schema(&mut response_builder, &success_fields, first_response, true);
    // Error bodies documented by their own tables (under a 4xx status) are read like any body.
    let error_fields = fields::tree(&error_tables, &path, pages)?.fields;
    let mut error_builder = Builder::new(enums, Presence::Declared, false);
    let error_from_table = body_schema(&mut error_builder, &error_fields, None, false);
    // An envelope row of the error tables themselves (`error` → `Error` {message, code}) is
    // the envelope too, not a field the body lacks.
    let table_envelope = error_fields
        .iter()
        .find(|f| f.is_error_envelope)
        .and_then(|f| f.children.clone());
    let error = match envelope_row.or(table_envelope) {
        Some(inner) => Some(envelope_schema(&inner, &mut error_builder)),
        None if error_from_table.is_some() => error_from_table,
        None => envelope_from_examples(&error_examples).map(|inner| {
            notes.push(format!(
                "{file}: error envelope taken from the error examples"
            ));
            envelope_schema(&inner, &mut error_builder)
        }),
    };
    let unread_constraints = std::mem::take(&mut builder.unread);
    let constraint_conflicts = std::mem::take(&mut builder.conflicts);
    notes.extend(
        builder
            .notes
            .into_iter()
            .map(|n| format!("{file}: request{n}")),
    );
    notes.extend(
        response_builder
            .notes
            .into_iter()
            .map(|n| format!("{file}: response{n}")),
    );

    let (mut success, statuses_listed) = listed_statuses(page);
    if success.is_empty() {
        // No status list of its own (a link to a shared status page): the success statuses the
        // page's response sections name ("状态码为 201 时") are the page's word.
        success = statuses_used
            .iter()
            .map(|(s, _)| *s)
            .filter(|s| (200..300).contains(s))
            .collect();
        success.sort_unstable();
        success.dedup();
        if !success.is_empty() {
            notes.push(format!(
                "{file}: success status {success:?} taken from the response section"
            ));
        }
    }
    if success.is_empty() {
        notes.push(format!(
            "{file}: the page states no success status of its own"
        ));
    }
    let mut request_shape = BTreeSet::new();
    shape_of(&request_fields, "", &mut request_shape);
    let mut response_shape = BTreeSet::new();
    shape_of(&success_fields, "", &mut response_shape);
    Ok(PageContract {
        file,
        path,
        lang: page.lang.code().to_string(),
        title: page.title.clone(),
        service: service.to_string(),
        endpoint,
        path_params,
        query,
        request,
        response,
        error,
        success,
        request_examples,
        response_examples,
        error_examples,
        statuses_used,
        status_line: page.section(SectionKind::Status).map(|s| s.line),
        uri_line: page.section(SectionKind::Uri).map(|s| s.line),
        table_disagreements,
        table_misreferences,
        statuses_listed,
        request_line,
        response_line,
        shape: (request_shape, response_shape),
        notes,
        preconditions: preconditions(page, enums),
        unread_constraints,
        constraint_conflicts,
        status_links: status_links(page),
        missing_status_pages: Vec::new(),
    })
}

static MUST_BE: std::sync::LazyLock<Vec<regex::Regex>> = std::sync::LazyLock::new(|| {
    let word = r"[A-Za-z_][A-Za-z0-9_]*";
    let sep = r"\s*(?:,|，|、|或者|或|\band\b|\bor\b)\s*";
    vec![crate::statics::regex(&format!(
        r"({word})\s*(?:属性)?\s*[)）]?\s*(?:必须是|必须为|(?i:must be(?: one of)?))\s*({word}(?:{sep}{word})+)"
    ))]
});

/// "The server's vm_state must be active, stopped, paused or suspended": an attribute and the
/// values it must have, from the constraints section; the attribute's other values come from its
/// status-list page, where one documents it.
fn preconditions(page: &Page, enums: &Enums) -> Vec<crate::contract::Precondition> {
    let mut out: Vec<crate::contract::Precondition> = Vec::new();
    let split = crate::statics::regex(r"\s*(?:,|，|、|或者|或|\band\b|\bor\b)\s*");
    for section in page.sections_of(SectionKind::Constraints) {
        for block in &section.blocks {
            let Block::Text(t) = block else { continue };
            for re in MUST_BE.iter() {
                for c in re.captures_iter(&t.text) {
                    let field = c[1].to_string();
                    let allowed: Vec<String> = split
                        .split(&c[2])
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                        .map(str::to_string)
                        .collect();
                    let refused = enums
                        .values_named(&field)
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|v| !allowed.contains(v))
                        .collect();
                    if !out.iter().any(|p| p.field == field) {
                        out.push(crate::contract::Precondition {
                            field,
                            allowed,
                            refused,
                            source: format!("{}:{}", page.file_name, t.line),
                        });
                    }
                }
            }
        }
    }
    out
}

/// Whether a page documents an operation (rather than a list of codes or states).
fn is_operation_page(page: &Page) -> bool {
    page.section(SectionKind::Uri).is_some()
        || page.section(SectionKind::Request).is_some()
        || page.section(SectionKind::Response).is_some()
}

/// Derives the contract from pages (files or folders).
///
/// No page stops the run: a page that cannot be parsed is listed in [`Derived::skipped`] with
/// its file, line and what was expected, and every other page is derived. Only unreadable
/// inputs and a set without any operation page are errors.
pub fn derive(inputs: &[PathBuf], manifest: &Manifest) -> Result<Derived, DeriveError> {
    let mut files = collect_files(inputs)?;
    for extra in manifest.includes() {
        if !files.contains(&extra) {
            files.push(extra);
        }
    }
    let mut derived = Derived::default();
    let mut pages = Vec::new();
    for path in &files {
        match read_page(path) {
            Ok(p) => pages.push(p),
            Err(e) => derived.skipped.push(Skipped::from_error(path, &e)),
        }
    }
    // Reference folders of the services in play: read for their status lists and error codes.
    let mut services = BTreeSet::new();
    for p in &pages {
        if let Some(s) = service_of(&p.path, &p.file_name, manifest) {
            services.insert(s);
        }
    }
    let mut reference_pages: Vec<(String, Page)> = Vec::new();
    let seen: BTreeSet<PathBuf> = files.iter().filter_map(|f| f.canonicalize().ok()).collect();
    for service in &services {
        for dir in manifest.references(service) {
            for path in collect_files(std::slice::from_ref(&dir))? {
                if path.canonicalize().is_ok_and(|c| seen.contains(&c)) {
                    continue;
                }
                // A reference page that cannot be parsed only costs its enumerations.
                if let Ok(page) = read_page(&path) {
                    if !is_operation_page(&page) {
                        reference_pages.push((service.clone(), page));
                    }
                }
            }
        }
    }

    let mut enums = Enums::default();
    let mut operation_pages = Vec::new();
    // Every page read, by file name: a page's link to a status page outside this set is a link
    // the derivation cannot follow.
    let mut known: BTreeSet<String> = pages.iter().map(|p| p.file_name.clone()).collect();
    known.extend(reference_pages.iter().map(|(_, p)| p.file_name.clone()));
    for page in pages {
        let service = service_of(&page.path, &page.file_name, manifest);
        if references::is_error_code_page(&page) || !is_operation_page(&page) {
            if let Some(s) = service {
                reference_pages.push((s, page));
            }
            continue;
        }
        let Some(service) = service else {
            derived.skipped.push(Skipped {
                page: page.path.display().to_string(),
                line: 1,
                reason: "cannot tell the page's service: put it in a service folder or map it in the manifest".into(),
            });
            continue;
        };
        operation_pages.push((service, page));
    }
    for (service, page) in &reference_pages {
        if references::is_error_code_page(page) {
            references::collect_error_codes(page, service, &mut derived.error_codes);
        } else {
            enums.add(page);
        }
    }
    // Every page of the run, for the rows that link to a table on another page.
    let linkable = linked::Pages::new(
        operation_pages
            .iter()
            .chain(reference_pages.iter())
            .map(|(_, p)| p),
    );
    // The success statuses of each shared status page read, by where it is.
    let common: BTreeMap<PathBuf, Vec<u16>> = reference_pages
        .iter()
        .map(|(_, p)| (p.path.clone(), common_success(p)))
        .filter(|(_, s)| !s.is_empty())
        .collect();
    let mut contracts = Vec::new();
    for (service, page) in &operation_pages {
        match page_contract(page, service, &enums, &linkable) {
            Ok(mut c) => {
                c.missing_status_pages = c
                    .status_links
                    .iter()
                    .filter(|(file, _)| !known.contains(file))
                    .cloned()
                    .collect();
                // A page that states no status of its own but points to the shared status
                // page for them may answer any success that page lists (a delete's 204 as
                // well as a read's 200), rather than an assumed 200.
                if c.success.is_empty() {
                    // The link as the page's reader follows it: beside the page.
                    let dir = page.path.parent().unwrap_or(Path::new(""));
                    if let Some((file, codes)) = c
                        .status_links
                        .iter()
                        .find_map(|(f, _)| common.get(&dir.join(f)).map(|s| (f, s)))
                    {
                        c.notes.push(format!(
                            "{}: success statuses {codes:?} from the shared status page {file}",
                            c.file
                        ));
                        c.success = codes.clone();
                    }
                }
                contracts.push(c);
            }
            Err(e) => derived.skipped.push(Skipped::from_error(&page.path, &e)),
        }
    }
    if contracts.is_empty() {
        return Err(DeriveError::NoOperations(
            inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    merge::assemble(contracts, manifest, &mut derived)?;
    // The services whose pages document the project header: their paths naming no project
    // take it from there.
    let headed: BTreeSet<&str> = operation_pages
        .iter()
        .chain(reference_pages.iter())
        .filter(|(_, p)| references::documents_project_header(p))
        .map(|(s, _)| s.as_str())
        .collect();
    for op in &mut derived.operations {
        op.project_header = headed.contains(op.service.as_str())
            && !op.path_params.iter().any(|p| p == "project_id");
    }
    let (table, notes) = resources::infer(
        &derived.operations,
        &derived.schemas,
        &derived.examples,
        &manifest.resources,
    );
    document_job_entities(&table, &derived.operations, &mut derived.schemas);
    derived.log.extend(notes);
    let documented = created_ids::document(
        &derived.operations,
        &mut derived.schemas,
        &table,
        &derived.defects,
    );
    derived.log.extend(documented);
    derived.resources = table;
    derived.defects.sort_by(|a, b| {
        (&a.page, a.line, a.kind, &a.pointer).cmp(&(&b.page, b.line, b.kind, &b.pointer))
    });
    derived
        .skipped
        .sort_by(|a, b| (&a.page, a.line).cmp(&(&b.page, b.line)));
    check_compiles(&derived.schemas)?;
    Ok(derived)
}

/// The job query's answer documents the field a kind's `created_by_job.entity` names where the
/// page documents only another kind's beside it (SDRS's `entities.server_group_id`, and the
/// protected instance's id inferred next to it): a string property in the object holding it, so
/// that a job naming what it made is no undocumented field.
fn document_job_entities(
    table: &crate::contract::resources::ResourceTable,
    operations: &[Operation],
    schemas: &mut BTreeMap<(String, SchemaKind), Value>,
) {
    for follow in table.kinds.iter().filter_map(|k| k.created_by_job.as_ref()) {
        let Some((parent, name)) = follow.entity.rsplit_once('/') else {
            continue;
        };
        let Some(query) = operations
            .iter()
            .find(|o| o.method == follow.query.method && o.path == follow.query.path)
        else {
            continue;
        };
        for status in &query.success {
            let Some(schema) = schemas.get_mut(&(query.id.clone(), SchemaKind::Response(*status)))
            else {
                continue;
            };
            // `/entities/sub_jobs/0/entities` → the schema's properties and items on the way.
            let mut at = Some(&mut *schema);
            for token in parent.split('/').filter(|t| !t.is_empty()) {
                at = at.and_then(|s| {
                    if token.parse::<usize>().is_ok() {
                        s.get_mut("items")
                    } else {
                        s.get_mut("properties").and_then(|p| p.get_mut(token))
                    }
                });
            }
            if let Some(Value::Object(props)) = at.and_then(|s| s.get_mut("properties")) {
                props
                    .entry(name.to_string())
                    .or_insert_with(|| json!({"type": "string"}));
            }
        }
    }
}

/// Every derived schema compiles as the contract loader compiles it; the first that does not is
/// an error.
pub fn check_compiles(schemas: &BTreeMap<(String, SchemaKind), Value>) -> Result<(), DeriveError> {
    for ((id, kind), schema) in schemas {
        if let Err(message) = crate::contract::keywords::compile(schema) {
            return Err(DeriveError::InvalidSchema {
                operation: id.clone(),
                file: crate::contract::kind_file(*kind),
                message,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A kind made through a job whose query documents only another kind's id has its own id
    /// documented beside it, so the job's answer naming it is no undocumented field; a field
    /// the page documents is left as it is.
    #[test]
    fn the_job_query_documents_the_entity_a_kind_is_followed_to() {
        let table: crate::contract::resources::ResourceTable = serde_json::from_value(json!([{
            "kind": "thing", "service": "s", "collection": "things",
            "read": {"method": "GET", "path": "/v1/{project_id}/things/{id}"},
            "created_by_job": {"job_id": "/job_id",
                "query": {"method": "GET", "path": "/v1/{project_id}/jobs/{job_id}"},
                "entity": "/entities/thing_id"}
        }]))
        .expect("a table");
        let mut query = Operation::new("s.job.v1", "s", "GET", "/v1/{project_id}/jobs/{job_id}");
        query.success = vec![200];
        let documented = json!({"type": "string", "x-source": "job.md:9"});
        let mut schemas = BTreeMap::from([(
            (query.id.clone(), SchemaKind::Response(200)),
            json!({"type": "object", "properties": {"entities": {"type": "object",
                "properties": {"group_id": documented}}}}),
        )]);
        document_job_entities(&table, &[query.clone()], &mut schemas);
        let entities = &schemas[&(query.id.clone(), SchemaKind::Response(200))]["properties"]
            ["entities"]["properties"];
        assert_eq!(entities["thing_id"], json!({"type": "string"}));
        assert_eq!(entities["group_id"], documented);
    }

    /// One synthetic page's contract.
    fn contract_of(markdown_text: &str) -> PageContract {
        let page = markdown::parse(Path::new("p.md"), "p.md", markdown_text).expect("page parses");
        page_contract(&page, "svc", &Enums::default(), &linked::Pages::default())
            .expect("page derives")
    }

    /// A page with one response table (and any further tables after it).
    fn response_page(head: &str, rows: &str, more: &str) -> String {
        format!(
            "# 查询\n\n## URI\n\nGET /v1/{{project_id}}/things\n\n## 响应参数\n\n{head}\n|--|--|--|\n{rows}\n{more}\n## 状态码\n\n|状态码|描述|\n|--|--|\n|200|OK|\n"
        )
    }

    /// A hand-written example with a trailing comma or a comment still parses (JSON5); text
    /// that is no JSON at all is no example.
    #[test]
    fn an_example_with_a_trailing_comma_or_a_comment_parses() {
        let sloppy = "POST https://{endpoint}/v1/x\n{\n  \"a\": [1, 2,],\n  // a note\n  \"b\": {\"c\": null,},\n}\n";
        assert_eq!(
            parse_example(sloppy),
            Some(json!({"a": [1, 2], "b": {"c": null}}))
        );
        assert_eq!(parse_example("{\"a\": 1}"), Some(json!({"a": 1})));
        assert_eq!(parse_example("{ not json at all"), None);
    }

    /// An answer whose example is a bare array of what the table documents is that array; a
    /// request shown so keeps the object its table documents.
    #[test]
    fn an_answer_shown_as_a_bare_array_is_an_array_of_the_tables_items() {
        let rows = "|name|String|名称。|\n|version|String|版本。|";
        let example = "\n**响应示例**\n\n```\n[{\"name\": \"a\", \"version\": \"1\"}]\n```\n";
        let c = contract_of(&response_page("|参数|参数类型|描述|", rows, example));
        let answer = c.response.as_ref().expect("an answer");
        assert_eq!(answer["type"], "array", "{answer}");
        assert_eq!(
            answer["items"]["properties"]["name"]["type"], "string",
            "{answer}"
        );
        // An object example, or an array of something else, leaves the object.
        let other = "\n**响应示例**\n\n```\n[{\"id\": \"a\"}]\n```\n";
        let c = contract_of(&response_page("|参数|参数类型|描述|", rows, other));
        let answer = c.response.as_ref().expect("an answer");
        assert!(answer["properties"]["name"].is_object(), "{answer}");
    }

    /// Several parameters in one segment are each a path parameter, none a query parameter.
    #[test]
    fn a_segment_with_several_parameters_names_each() {
        for (uri, rows) in [
            (
                r"PUT /v2/reverse/floatingips/\{region\}:\{floatingip\_id\}",
                "|region|是|String|区域。|\n|floatingip_id|是|String|ID。|",
            ),
            (
                "PUT /v2/reverse/floatingips/{region}:{floatingip_id}",
                "|region|Yes|String|Region.|\n|floatingip_id|Yes|String|ID.|",
            ),
        ] {
            let header = if rows.contains("Yes") {
                "|Parameter|Mandatory|Type|Description|"
            } else {
                "|参数|是否必选|参数类型|描述|"
            };
            let page = format!("# 设置\n\n## URI\n\n{uri}\n\n{header}\n|--|--|--|--|\n{rows}\n");
            let c = contract_of(&page);
            assert_eq!(c.path_params, vec!["region", "floatingip_id"], "{uri}");
            assert!(c.query.is_empty(), "{uri}: {:?}", c.query);
        }
    }

    /// A row of objects stating a length for one of their fields gives it to that field; a
    /// different length in the linked table is a conflict, and the row's phrase is not unread.
    #[test]
    fn a_row_of_objects_bounds_the_member_it_names() {
        let cases = [
            // (row, the member's table row, expected maxLength, a conflict?)
            (
                "|filters|否|Array of Filter objects|过滤条件。name为过滤字段。value为匹配的值，最大长度为128个字符。|",
                "|value|否|String|值。|",
                128,
                false,
            ),
            (
                "|filters|否|Array of Filter objects|过滤条件。value为匹配的值，最大长度为128个字符。|",
                "|value|否|String|值。最大长度32个字符。|",
                128,
                true,
            ),
            (
                "|filter|否|Filter object|过滤条件。value：最大长度为64个字符。|",
                "|value|否|String|值。|",
                64,
                false,
            ),
        ];
        for (row, member, max, conflict) in cases {
            let page = format!(
                "# 查询\n\n## URI\n\nPOST /v1/{{project_id}}/things/action\n\n## 请求参数\n\n|参数|是否必选|参数类型|描述|\n|--|--|--|--|\n{row}\n\n**表 2** Filter\n\n|参数|是否必选|参数类型|描述|\n|--|--|--|--|\n|name|否|String|名称。|\n{member}\n\n## 响应参数\n\n无\n\n## 状态码\n\n|状态码|描述|\n|--|--|\n|200|OK|\n"
            );
            let c = contract_of(&page);
            let request = c.request.expect("a request schema");
            let field = request["properties"]
                .as_object()
                .and_then(|p| p.values().next())
                .cloned()
                .unwrap_or_default();
            let object = if field["type"] == "array" {
                &field["items"]
            } else {
                &field
            };
            assert_eq!(
                object["properties"]["value"]["maxLength"], max,
                "{row}: {field}"
            );
            assert!(
                object["properties"]["name"].get("maxLength").is_none(),
                "{row}: {field}"
            );
            assert_eq!(!c.constraint_conflicts.is_empty(), conflict, "{row}");
            assert!(
                c.unread_constraints
                    .iter()
                    .all(|(_, _, p)| !p.contains("最大长度")),
                "{row}: {:?}",
                c.unread_constraints
            );
        }
    }

    /// A body object's table named by a type containing "Query" (AOM's `QuerySample`) lists
    /// body fields; a table captioned as query parameters still lists query parameters.
    #[test]
    fn a_type_named_query_something_is_a_body_object() {
        let page = "# 查询\n\n## URI\n\nPOST /v2/{project_id}/samples\n\n**表 1** Query参数\n\n|参数|是否必选|参数类型|描述|\n|--|--|--|--|\n|fill_value|否|String|插值。|\n\n## 请求参数\n\n**表 2** 请求Body参数\n\n|参数|是否必选|参数类型|描述|\n|--|--|--|--|\n|samples|是|Array of QuerySample objects|列表。|\n\n**表 3** QuerySample\n\n|参数|是否必选|参数类型|描述|\n|--|--|--|--|\n|metric_name|是|String|名称。|\n\n## 响应参数\n\n无\n\n## 状态码\n\n|状态码|描述|\n|--|--|\n|200|OK|\n";
        let c = contract_of(page);
        let names: Vec<&str> = c.query.iter().map(|q| q.name.as_str()).collect();
        assert_eq!(names, ["fill_value"]);
        let request = c.request.expect("a request schema");
        assert_eq!(
            request["properties"]["samples"]["items"]["properties"]["metric_name"]["type"],
            "string",
            "{request}"
        );
        assert!(has_word("query参数", "query") && has_word("query 参数", "query"));
        assert!(!has_word("jobquerybean", "query"));
    }

    /// A dictionary typed row without a table whose text lists rules for its keys (APIG's
    /// `字典数据类型` query and header maps): a map, its keys bound by the rules listed, its
    /// values what the example shows; its count of entries from its own words.
    #[test]
    fn a_dictionary_row_listing_key_rules_is_a_map() {
        let page = "# 调试\n\n## URI\n\nPOST /v1/{project_id}/debug\n\n## 请求参数\n\n<table><thead><tr><th><p>参数</p></th><th><p>是否必选</p></th><th><p>参数类型</p></th><th><p>描述</p></th></tr></thead>\n<tbody><tr><td><p>query</p></td><td><p>否</p></td><td><p>字典数据类型</p></td><td><p>查询参数，每个参数值为字符串数组，每个参数名称有如下约束：</p><ul><li>英文字母、数字、点、中连线组成</li><li>必须以英文字母开头，最长32字节</li></ul><p>键值对个数不超过20条</p></td></tr></tbody></table>\n\n请求示例\n\n```\n{\"query\": {\"city\": [\"a\", \"b\"]}}\n```\n\n## 响应参数\n\n无\n\n## 状态码\n\n|状态码|描述|\n|--|--|\n|200|OK|\n";
        let c = contract_of(page);
        let request = c.request.expect("a request schema");
        let query = &request["properties"]["query"];
        assert_eq!(query["type"], "object", "{query}");
        assert_eq!(query["additionalProperties"]["type"], "array", "{query}");
        assert_eq!(
            query["propertyNames"]["pattern"], r"^[A-Za-z0-9.\-]*$",
            "{query}"
        );
        assert_eq!(query["propertyNames"]["x-maxBytes"], 32, "{query}");
        assert_eq!(query["maxProperties"], 20, "{query}");
        // Without rules for its keys the row stays a free-form object.
        let plain = page.replace("每个参数名称有如下约束：", "说明：");
        let c = contract_of(&plain);
        let request = c.request.expect("a request schema");
        assert!(
            request["properties"]["query"]
                .get("propertyNames")
                .is_none(),
            "{request}"
        );
    }

    /// An `Object` row whose text says it is a `Map<String, Object>` (ECS's server `addresses`)
    /// is a map whose values are its table's objects, or lists of them where the example
    /// shows lists.
    #[test]
    fn an_object_row_stated_to_be_a_map_of_objects_is_one() {
        let head = "|参数|参数类型|描述|";
        let row =
            "|transfers|Object|传输。属性为Map<String, Object>结构。key为名称，value请参见表2。|";
        let table = "\n**表 2** Transfer\n\n|参数|参数类型|描述|\n|--|--|--|\n|size|Integer|大小。|\n|name|String|名称。|\n";
        let value = json!({"type": "object", "properties": {"size": {"type": "integer"}, "name": {"type": "string"}}});
        let example = "\n## 响应示例\n\n```\n{\"transfers\": {\"a\": [{\"size\": 1, \"name\": \"x\"}]}}\n```\n";
        for (more, expected) in [
            (table.to_string(), value.clone()),
            (
                format!("{table}{example}"),
                json!({"type": "array", "items": value}),
            ),
        ] {
            let c = contract_of(&response_page(head, row, &more));
            let response = c.response.expect("a response schema");
            let transfers = &response["properties"]["transfers"];
            assert!(transfers.get("properties").is_none(), "{transfers}");
            let mut got = transfers["additionalProperties"].clone();
            strip_annotations(&mut got);
            assert_eq!(got, expected, "{more}: {transfers}");
        }
    }

    /// An `Object` row whose words say each key-value entry holds a value its table documents
    /// is a map of those values where its example is keyed by other names (AOS's
    /// `subObjectStatuses`); without an example, with a tag's key/value pair table, or with an
    /// example keyed by the table's own fields, it stays an object.
    #[test]
    fn an_object_row_of_key_value_entries_is_a_map_of_its_table() {
        let head = "|参数|参数类型|描述|";
        let row = "|transfers|Object|每个key-value结构表示key对应节点的传输，value详情请参见表2。|";
        let table = "\n**表 2** Transfer\n\n|参数|参数类型|描述|\n|--|--|--|\n|size|Integer|大小。|\n|name|String|名称。|\n";
        let keyed = "\n## 响应示例\n\n```\n{\"transfers\": {\"node-a\": {\"size\": 1, \"name\": \"x\"}}}\n```\n";
        let fielded =
            "\n## 响应示例\n\n```\n{\"transfers\": {\"size\": 1, \"name\": \"x\"}}\n```\n";
        let naming =
            "|transfers|Object|包含一个名为size的字段，其中包含一个key-value结构，详情请参见表2。|";
        let c = contract_of(&response_page(head, naming, table));
        let response = c.response.expect("a response schema");
        assert!(response["properties"]["transfers"]["properties"]["size"].is_object());
        let unspoken = "|transfers|Object|key-value结构，详情请参见表2。|";
        let c = contract_of(&response_page(head, unspoken, table));
        let response = c.response.expect("a response schema");
        assert!(response["properties"]["transfers"]["properties"]["size"].is_object());
        let output = "\n**表 2** Output\n\n|参数|参数类型|描述|\n|--|--|--|\n|description|String|描述。|\n|value|Object|值。|\n";
        let outputs = "\n## 响应示例\n\n```\n{\"transfers\": {\"address_ip\": {\"description\": \"ip\", \"value\": {}}}}\n```\n";
        let c = contract_of(&response_page(head, row, &format!("{output}{outputs}")));
        let response = c.response.expect("a response schema");
        let transfers = &response["properties"]["transfers"];
        assert!(
            transfers["additionalProperties"]["properties"]["value"].is_object(),
            "{transfers}"
        );
        let pair = "\n**表 2** Tag\n\n|参数|参数类型|描述|\n|--|--|--|\n|key|String|键。|\n|value|String|值。|\n";
        for (more, map) in [
            (table.to_string(), false),
            (format!("{table}{keyed}"), true),
            (format!("{table}{fielded}"), false),
            (pair.to_string(), false),
        ] {
            let c = contract_of(&response_page(head, row, &more));
            let response = c.response.expect("a response schema");
            let transfers = &response["properties"]["transfers"];
            assert_eq!(
                transfers
                    .get("additionalProperties")
                    .is_some_and(Value::is_object),
                map,
                "{more}: {transfers}"
            );
            assert_eq!(
                transfers.get("properties").is_none(),
                map,
                "{more}: {transfers}"
            );
        }
    }

    /// `Map<String,X>`: X's fields describe each value, whatever the key; a placeholder row
    /// (user-chosen keys) is the type of every other key, never a property of its own.
    #[test]
    fn maps_and_placeholder_rows_become_additional_properties() {
        let zh = "|参数|参数类型|描述|";
        let en = "|Parameter|Type|Description|";
        let transfer = "\n**表 2** Transfer\n\n|参数|参数类型|描述|\n|--|--|--|\n|size|Integer|大小。|\n|name|String|名称。|\n";
        let transfer_en = "\n**Table 2** Transfer\n\n|Parameter|Type|Description|\n|--|--|--|\n|size|Integer|Size.|\n|name|String|Name.|\n";
        let cases: Vec<(&str, &str, &str, Value)> = vec![
            // Map<String,Object> with the value's table linked by caption.
            (
                zh,
                "|transfers|Map<String,Transfer>|传输。|",
                transfer,
                json!({"type": "object", "properties": {"size": {"type": "integer"}, "name": {"type": "string"}}}),
            ),
            (
                en,
                "|transfers|Map<String,Transfer>|Transfers.|",
                transfer_en,
                json!({"type": "object", "properties": {"size": {"type": "integer"}, "name": {"type": "string"}}}),
            ),
            // Map<String,Array<X>>: each value a list of X.
            (
                zh,
                "|transfers|Map<String,Array<Transfer>>|传输列表。|",
                transfer,
                json!({"type": "array", "items": {"type": "object", "properties": {"size": {"type": "integer"}, "name": {"type": "string"}}}}),
            ),
            // Map<String,String> without a table.
            (
                zh,
                "|transfers|Map<String,String>|键值对。|",
                "",
                json!({"type": "string"}),
            ),
            // Map<String,String> beside a table of reserved entries: values stay strings.
            (
                zh,
                "|transfers|Map<String,String>|键值对。预留的键请参见表2。|",
                "\n**表 2** 预留键值对\n\n|参数|参数类型|描述|\n|--|--|--|\n|__reserved|String|预留。|\n|owner|String|所有者。|\n",
                json!({"type": "string"}),
            ),
            // A placeholder row in the object's own table.
            (
                zh,
                "|transfers|Object|请参见表2。|",
                "\n**表 2** transfers字段说明\n\n|参数|参数类型|描述|\n|--|--|--|\n|用户自定义字段键值对|String|值。|\n|count|Integer|个数。|\n",
                json!({"type": "string"}),
            ),
            (
                en,
                "|transfers|Object|See Table 2.|",
                "\n**Table 2** Parameters in the transfers field\n\n|Parameter|Type|Description|\n|--|--|--|\n|User-defined key|String|Value.|\n|count|Integer|Count.|\n",
                json!({"type": "string"}),
            ),
        ];
        for (head, row, more, value) in cases {
            let c = contract_of(&response_page(head, row, more));
            let response = c.response.expect("a response schema");
            let transfers = &response["properties"]["transfers"];
            assert_eq!(transfers["type"], "object", "{row}: {transfers}");
            let additional = &transfers["additionalProperties"];
            let mut got = additional.clone();
            strip_annotations(&mut got);
            assert_eq!(got, value, "{row}: {transfers}");
            let props = transfers["properties"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            assert!(
                props.keys().all(|k| k.is_ascii() && !k.contains(' ')),
                "{row}: a placeholder became a property: {transfers}"
            );
            assert!(!props.contains_key("size"), "{row}: flattened: {transfers}");
            assert!(transfers
                .get("required")
                .is_none_or(|r| !r.to_string().contains("自定义")));
        }
    }

    /// Statuses come from statements; numbers in prose that gives examples are not statuses.
    #[test]
    fn success_statuses_are_stated_not_exemplified() {
        let cases: [(&str, &[u16]); 6] = [
            ("-   正常\n\n    202\n", &[202]),
            (
                "-   正常\n\n    成功时返回2xx，例如200、202或者204。\n",
                &[],
            ),
            ("-   Normal\n\n    2xx, such as 200, 202 or 204.\n", &[]),
            ("-   正常\n\n    201。其他取值例如202表示异步。\n", &[201]),
            (
                "|状态码|描述|\n|--|--|\n|200|OK|\n|400|Bad Request|\n",
                &[200],
            ),
            ("Success: 204 (e.g. 200 on older versions).\n", &[204]),
        ];
        for (status, expected) in cases {
            let page =
                format!("# 删除\n\n## URI\n\nDELETE /v1/things/{{id}}\n\n## 状态码\n\n{status}");
            let c = contract_of(&page);
            assert_eq!(c.success, expected, "{status}");
        }
    }

    /// A status page the pages point to but the run does not read is a note, and 200 is
    /// assumed openly; one that was read is no note.
    #[test]
    fn an_absent_status_page_is_a_note_not_a_silent_200() {
        let page = "# 查询\n\n## URI\n\nGET /v1/things\n\n## 状态码\n\n请参见[状态码](../common/状态码.md)。\n";
        let dir = tempfile::tempdir().expect("temp dir");
        let svc = dir.path().join("svc");
        std::fs::create_dir_all(&svc).expect("folder");
        std::fs::write(svc.join("p.md"), page).expect("page");
        let d = derive(&[dir.path().to_path_buf()], &Manifest::default()).expect("derives");
        assert_eq!(d.operations[0].success, vec![200]);
        let notes: Vec<&Defect> = d
            .defects
            .iter()
            .filter(|x| x.kind == defects::DefectKind::AssumedStatus)
            .collect();
        assert_eq!(notes.len(), 1, "{:?}", d.defects);
        assert!(notes[0].kind.is_note());
        assert!(notes[0].documented.to_string().contains("状态码.md"));
        std::fs::write(
            svc.join("状态码.md"),
            "# 状态码\n\n|状态码|描述|\n|--|--|\n|200|OK|\n",
        )
        .expect("status page");
        let d = derive(&[dir.path().to_path_buf()], &Manifest::default()).expect("derives");
        assert!(
            d.defects
                .iter()
                .all(|x| x.kind != defects::DefectKind::AssumedStatus),
            "{:?}",
            d.defects
        );
        assert_eq!(
            d.operations[0].success,
            vec![200],
            "the page read lists 200"
        );
        // A shared page listing several normal codes: the operation may answer any of them
        // (a delete's 204 as well as 200), not its errors.
        std::fs::write(
            svc.join("状态码.md"),
            "# 通用请求返回值\n\n-   正常\n\n    |返回值|说明|\n    |--|--|\n    |200|成功|\n    |204|成功|\n\n-   异常\n\n    |返回值|说明|\n    |--|--|\n    |400|错误|\n",
        )
        .expect("status page");
        let d = derive(&[dir.path().to_path_buf()], &Manifest::default()).expect("derives");
        assert_eq!(d.operations[0].success, vec![200, 204]);
    }

    /// `List<X>` / `Array of X objects` take X's table, found by its caption; a caption named
    /// after a table number wins over the number.
    #[test]
    fn element_tables_are_found_by_caption_when_number_and_caption_disagree() {
        let transfer =
            "\n**表 2** Transfer\n\n|参数|参数类型|描述|\n|--|--|--|\n|size|Integer|大小。|\n";
        let other = "\n**表 3** Other\n\n|参数|参数类型|描述|\n|--|--|--|\n|wrong|String|错。|\n";
        let both = format!("{transfer}{other}");
        let cases: Vec<(&str, String, Option<&str>)> = vec![
            (
                "|items|List<Transfer>|列表。|",
                transfer.to_string(),
                Some("size"),
            ),
            (
                "|items|Array of Transfer objects|List.|",
                transfer.to_string(),
                Some("size"),
            ),
            (
                "|items|list<map>|列表，请参见表2。|",
                transfer.to_string(),
                Some("size"),
            ),
            // The text says table 3 but names Transfer: the caption wins.
            (
                "|items|Array|列表，请参见表3 Transfer。|",
                both.clone(),
                Some("size"),
            ),
        ];
        for (row, more, field) in cases {
            let c = contract_of(&response_page("|参数|参数类型|描述|", row, &more));
            let items = &c.response.expect("a response")["properties"]["items"]["items"];
            let props = items["properties"].as_object().cloned().unwrap_or_default();
            match field {
                Some(f) => assert!(props.contains_key(f), "{row}: {items}"),
                None => assert!(!props.contains_key("wrong"), "{row}: {items}"),
            }
            assert!(
                c.table_disagreements.is_empty(),
                "{row}: {:?}",
                c.table_disagreements
            );
        }
    }

    /// Keeps only the keywords the tests compare.
    fn strip_annotations(v: &mut Value) {
        if let Value::Object(m) = v {
            m.retain(|k, _| !k.starts_with("x-") && k != "required");
            for child in m.values_mut() {
                strip_annotations(child);
            }
        }
    }
}
