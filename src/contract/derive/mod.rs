//! Derivation: reference pages → the contract (`schemas/`).
//!
//! Pipeline: read pages (markdown or plain text) → classify (operation, error codes, enumeration)
//! → per operation page, field trees → schemas → join pages without a URI by structure → merge
//! languages (conflicts reported) → self-check every documented example → write.
//! Nothing here names a page or an operation: everything comes from what the pages say.

pub mod facts;
pub mod fields;
pub mod manifest;
pub mod markdown;
pub mod merge;
pub mod naming;
pub mod page;
pub mod plaintext;
pub mod references;
pub mod write;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

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
        /// The page's file name.
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
    /// A documented example does not validate against the schema derived from its page.
    #[error("{file}: example does not match the derived {kind} schema of {operation} at '{pointer}': {message}")]
    Example {
        /// The page's file name.
        file: String,
        /// The operation id.
        operation: String,
        /// request / response / error.
        kind: String,
        /// JSON pointer into the example.
        pointer: String,
        /// The violation.
        message: String,
    },
    /// A page without a URI could not be joined to an operation.
    #[error("{file}: {message}")]
    Join {
        /// The page's file name.
        file: String,
        /// Why.
        message: String,
    },
    /// Nothing to derive from.
    #[error("no operation pages found in {0}")]
    NoOperations(String),
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
    /// The resource table from the manifest.
    pub resources: crate::contract::resources::ResourceTable,
    /// What the deriver did, one line each (joins, inferences, conflicts).
    pub log: Vec<String>,
}

/// What one operation page contributes.
#[derive(Debug, Clone)]
pub struct PageContract {
    /// The page.
    pub file: String,
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
    pub request_examples: Vec<Value>,
    /// Success response examples.
    pub response_examples: Vec<Value>,
    /// Error examples.
    pub error_examples: Vec<Value>,
    /// Field paths of the request and response, for structural joins.
    pub shape: (BTreeSet<String>, BTreeSet<String>),
    /// Notes (inferences) for the derive output.
    pub notes: Vec<String>,
    /// States the resource must be in (constraints section).
    pub preconditions: Vec<crate::contract::Precondition>,
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
    let bytes = std::fs::read(path).map_err(|source| DeriveError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let fail = |message: &str| DeriveError::Page {
        file: file_name.clone(),
        line: 0,
        message: message.to_string(),
    };
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(fail("the page is empty"));
    }
    if bytes.contains(&0) {
        return Err(fail("the page holds binary data (a NUL byte), not text"));
    }
    let text = String::from_utf8(bytes).map_err(|e| DeriveError::Page {
        file: file_name.clone(),
        line: 0,
        message: format!(
            "the page is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ),
    })?;
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

fn json_blocks<'a>(blocks: impl Iterator<Item = &'a Block>) -> Vec<Value> {
    blocks
        .filter_map(|b| match b {
            Block::Code(code) => serde_json::from_str::<Value>(code.trim()).ok(),
            _ => None,
        })
        .filter(Value::is_object)
        .collect()
}

/// An error example: one key whose value holds `message` and `code`.
pub fn is_error_example(v: &Value) -> bool {
    v.as_object().is_some_and(|o| {
        o.len() == 1
            && o.values()
                .next()
                .and_then(Value::as_object)
                .is_some_and(|inner| inner.contains_key("message") && inner.contains_key("code"))
    })
}

/// The error envelope: exactly one key (badRequest, itemNotFound, …) holding message and code.
pub fn envelope_schema(inner: &[Field], builder: &mut Builder<'_>) -> Value {
    let mut value = builder.object(inner, None, "/*");
    if let Value::Object(m) = &mut value {
        let names: Vec<Value> = inner.iter().map(|f| json!(f.name)).collect();
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
fn envelope_from_examples(examples: &[Value]) -> Option<Vec<Field>> {
    let inner = examples
        .first()?
        .as_object()?
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

fn shape_of(fields: &[Field], prefix: &str, out: &mut BTreeSet<String>) {
    for f in fields.iter().filter(|f| !f.is_error_envelope) {
        let p = format!("{prefix}/{}", f.name);
        out.insert(p.clone());
        if let Some(children) = &f.children {
            shape_of(children, &p, out);
        }
    }
}

fn success_statuses(page: &Page, notes: &mut Vec<String>) -> Vec<u16> {
    let Some(section) = page.section(SectionKind::Status) else {
        return Vec::new();
    };
    let mut in_normal = false;
    let mut seen_marker = false;
    let mut found = Vec::new();
    let mut all = Vec::new();
    for block in &section.blocks {
        let Block::Text(t) = block else { continue };
        let text = t.text.trim();
        if matches!(text, "正常" | "Normal" | "Success" | "Successful") {
            in_normal = true;
            seen_marker = true;
            continue;
        }
        if matches!(text, "异常" | "Abnormal" | "Error" | "Failure") {
            in_normal = false;
            continue;
        }
        let numbers: Vec<u16> = text
            .split(|c: char| !c.is_ascii_digit())
            .filter(|w| w.len() == 3)
            .filter_map(|w| w.parse().ok())
            .collect();
        if in_normal {
            found.extend(numbers.iter().copied());
        }
        all.extend(numbers);
    }
    if !seen_marker {
        found = all.into_iter().filter(|s| (200..300).contains(s)).collect();
    }
    if found.is_empty() {
        notes.push(format!(
            "{}: the page states no success status of its own",
            page.file_name
        ));
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// Derives what one operation page contributes.
pub fn page_contract(
    page: &Page,
    service: &str,
    enums: &Enums,
) -> Result<PageContract, DeriveError> {
    let file = page.file_name.clone();
    let mut notes = Vec::new();
    let endpoint = page
        .sections_of(SectionKind::Uri)
        .chain(page.sections_of(SectionKind::RequestExample))
        .flat_map(|s| s.blocks.iter())
        .find_map(|b| match b {
            Block::Text(t) => naming::method_and_path(&t.text),
            Block::Code(c) => naming::method_and_path(c),
            Block::Table(_) => None,
        });
    let path_params = endpoint
        .as_ref()
        .map(|(_, p)| naming::path_params(p))
        .unwrap_or_default();

    // URI tables: the one naming the path parameters, and query parameter tables.
    let mut query = Vec::new();
    let mut builder = Builder {
        enums,
        presence: Presence::Declared,
        notes: Vec::new(),
    };
    for table in section_tables(page, SectionKind::Uri) {
        if Columns::detect(&table.header).is_none() {
            continue;
        }
        let rows = fields::read_table(table, &file)?;
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

    let request_examples: Vec<Value> = json_blocks(
        page.sections_of(SectionKind::Request)
            .chain(page.sections_of(SectionKind::RequestExample))
            .flat_map(|s| s.blocks.iter()),
    );
    let all_response_examples = json_blocks(
        page.sections_of(SectionKind::Response)
            .chain(page.sections_of(SectionKind::ResponseExample))
            .flat_map(|s| s.blocks.iter()),
    );
    let (error_examples, response_examples): (Vec<Value>, Vec<Value>) = all_response_examples
        .into_iter()
        .partition(is_error_example);

    let (request_fields, orphans) =
        fields::tree(&section_tables(page, SectionKind::Request), &file)?;
    notes.extend(
        orphans
            .iter()
            .map(|o| format!("{file}: request table '{o}' is referenced by no field")),
    );
    let request_fields =
        fields::nest_by_example(request_fields, request_examples.first(), &mut notes);
    let (response_fields, orphans) =
        fields::tree(&section_tables(page, SectionKind::Response), &file)?;
    notes.extend(
        orphans
            .iter()
            .map(|o| format!("{file}: response table '{o}' is referenced by no field")),
    );
    let response_fields =
        fields::nest_by_example(response_fields, response_examples.first(), &mut notes);

    let request = (!request_fields.is_empty()).then(|| {
        let mut s = builder.object(&request_fields, request_examples.first(), "");
        s["$schema"] = json!(DIALECT);
        s
    });
    let envelope_row = response_fields
        .iter()
        .find(|f| f.is_error_envelope)
        .and_then(|f| f.children.clone());
    let success_fields: Vec<Field> = response_fields
        .iter()
        .filter(|f| !f.is_error_envelope)
        .cloned()
        .collect();
    let mut response_builder = Builder {
        enums,
        presence: Presence::Example,
        notes: Vec::new(),
    };
    let response = (!success_fields.is_empty()).then(|| {
        let mut s = response_builder.object(&success_fields, response_examples.first(), "");
        s["$schema"] = json!(DIALECT);
        s
    });
    let error = match envelope_row {
        Some(inner) => Some(envelope_schema(&inner, &mut builder)),
        None => envelope_from_examples(&error_examples).map(|inner| {
            notes.push(format!(
                "{file}: error envelope taken from the error examples"
            ));
            envelope_schema(&inner, &mut builder)
        }),
    };
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

    let success = success_statuses(page, &mut notes);
    let mut request_shape = BTreeSet::new();
    shape_of(&request_fields, "", &mut request_shape);
    let mut response_shape = BTreeSet::new();
    shape_of(&success_fields, "", &mut response_shape);
    Ok(PageContract {
        file,
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
        shape: (request_shape, response_shape),
        notes,
        preconditions: preconditions(page, enums),
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
pub fn derive(inputs: &[PathBuf], manifest: &Manifest) -> Result<Derived, DeriveError> {
    let files = collect_files(inputs)?;
    let mut pages = Vec::new();
    for path in &files {
        pages.push(read_page(path)?);
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
                let page = read_page(&path)?;
                if !is_operation_page(&page) {
                    reference_pages.push((service.clone(), page));
                }
            }
        }
    }

    let mut derived = Derived::default();
    let mut enums = Enums::default();
    let mut operation_pages = Vec::new();
    for page in pages {
        let service = service_of(&page.path, &page.file_name, manifest);
        if references::is_error_code_page(&page) || !is_operation_page(&page) {
            if let Some(s) = service {
                reference_pages.push((s, page));
            }
            continue;
        }
        let service = service.ok_or_else(|| DeriveError::Page {
            file: page.file_name.clone(),
            line: 0,
            message: "cannot tell the page's service: put it in a service folder or map it in the manifest".into(),
        })?;
        operation_pages.push((service, page));
    }
    for (service, page) in &reference_pages {
        if references::is_error_code_page(page) {
            references::collect_error_codes(page, service, &mut derived.error_codes);
        } else {
            enums.add(page);
        }
    }
    let contracts = operation_pages
        .iter()
        .map(|(service, page)| page_contract(page, service, &enums))
        .collect::<Result<Vec<_>, _>>()?;
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
    derived.resources = manifest.resources.clone();
    Ok(derived)
}
